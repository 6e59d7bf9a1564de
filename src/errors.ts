import type { GapCode } from './types.js';

/** Every error npm-ir raises on purpose carries a stable code; the command layer maps codes to exit codes. */
export class NpmIrError extends Error {
  readonly code: string;
  /** The file (or place) the error is about, when there is one. */
  readonly path?: string;
  readonly line?: number;

  constructor(code: string, message: string, opts: { path?: string; line?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'NpmIrError';
    this.code = code;
    this.path = opts.path;
    this.line = opts.line;
  }

  /** One line naming the place: `file:line: message`. */
  oneLine(): string {
    const where = this.path ? `${this.path}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}`.replace(/[\r\n]+/g, ' ');
  }
}

/** Bad usage: a bad target spec, a bad advisory or build file, an unknown flag value. Exit 2. */
export class UsageError extends NpmIrError {
  constructor(message: string, opts: { path?: string; line?: number; cause?: unknown } = {}) {
    super('USAGE', message, opts);
    this.name = 'UsageError';
  }
}

/** A lockfile (or other scanned file) that could not be read or understood: becomes a Gap. */
export class LockfileError extends NpmIrError {
  readonly gapCode: GapCode;
  constructor(gapCode: GapCode, message: string, opts: { path?: string; line?: number; cause?: unknown } = {}) {
    super(gapCode, message, opts);
    this.name = 'LockfileError';
    this.gapCode = gapCode;
  }
}

export function isNpmIrError(e: unknown): e is NpmIrError {
  return e instanceof NpmIrError;
}

/** Exit codes, as in DESIGN.md. */
export const EXIT = {
  CLEAN: 0,
  AFFECTED: 1,
  ERROR: 2,
  INCOMPLETE: 3,
} as const;
