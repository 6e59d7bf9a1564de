/**
 * The lockfile registry: which file names are lockfiles, which reader reads them, and the checks every
 * format shares (empty, binary, Git LFS pointer, merge-conflict markers). One line per format.
 */
import { LockfileError } from '../errors.js';
import type { Entry, LockfileFormat, LockfileReader, Origin, ParseResult, ReadContext, Warning } from '../types.js';
import { readBunLock } from './bun.js';
import { readNpmLock } from './npm.js';
import { readPnpmLock } from './pnpm.js';
import { readYarnBerryLock } from './yarn-berry.js';
import { readYarnClassicLock } from './yarn-classic.js';

export const READERS: Record<LockfileFormat, LockfileReader> = {
  npm: readNpmLock,
  'yarn-classic': readYarnClassicLock,
  'yarn-berry': readYarnBerryLock,
  pnpm: readPnpmLock,
  bun: readBunLock,
};

/** File kinds by base name. `.package-lock.json` only counts inside node_modules with --installed. */
export type LockfileKind = 'npm' | 'yarn' | 'pnpm' | 'bun' | 'bun-binary';

const BY_BASENAME: Record<string, LockfileKind> = {
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'bun.lock': 'bun',
  'bun.lockb': 'bun-binary',
};

/** Base names a discovery glob should look for. */
export const LOCKFILE_BASENAMES = Object.keys(BY_BASENAME);
export const HIDDEN_LOCKFILE = 'node_modules/.package-lock.json';

/** The kind of lockfile a path names, or null. `installed` admits node_modules/.package-lock.json. */
export function lockfileKind(path: string, opts: { installed?: boolean } = {}): LockfileKind | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === '.package-lock.json') {
    // npm's hidden lockfile of an installed tree (also a forensic copy taken out of node_modules).
    return opts.installed ? 'npm' : null;
  }
  if (/(^|\/)node_modules\//.test(path)) return null;
  return BY_BASENAME[base] ?? null;
}

export const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/** Decode bytes to text, rejecting what is not text. Throws LockfileError. */
export function decodeLockfile(bytes: Buffer | string, origin: Origin): string {
  if (typeof bytes === 'string') return bytes.charCodeAt(0) === 0xfeff ? bytes.slice(1) : bytes;
  if (bytes.length === 0) throw new LockfileError('EMPTY', 'empty lockfile (0 bytes)', { path: origin.path });
  // A NUL byte in the first 8 KB means binary (git's own heuristic).
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) {
    if (origin.path.endsWith('bun.lockb')) throw binaryBunError(origin);
    throw new LockfileError('BINARY', 'binary content where a text lockfile was expected', { path: origin.path });
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

function binaryBunError(origin: Origin): LockfileError {
  return new LockfileError(
    'BINARY_BUN_LOCKB',
    'binary bun lockfile: run `bun bun.lockb` to print a yarn.lock, then scan that (or upgrade to the text bun.lock with `bun install --save-text-lockfile`)',
    { path: origin.path },
  );
}

/** The format a text is in, from its path and its content. Throws WRONG_FORMAT when it is none. */
export function detectFormat(text: string, origin: Origin): LockfileFormat {
  const kind = lockfileKind(origin.path, { installed: true });
  switch (kind) {
    case 'npm':
      return 'npm';
    case 'pnpm':
      return 'pnpm';
    case 'bun':
      return 'bun';
    case 'bun-binary':
      throw binaryBunError(origin);
    case 'yarn': {
      // Berry files carry a __metadata block; a yarn.lock written by bun or yarn 1 does not.
      if (/^"?__metadata"?:\s*$/m.test(text)) return 'yarn-berry';
      return 'yarn-classic';
    }
    default:
      throw new LockfileError('WRONG_FORMAT', 'not a lockfile name npm-ir knows', { path: origin.path });
  }
}

const CONFLICT_START = /^<{7}(?: |$)/;
const CONFLICT_BASE = /^\|{7}(?: |$)/;
const CONFLICT_MID = /^={7}$/;
const CONFLICT_END = /^>{7}(?: |$)/;

/**
 * Split a text with merge-conflict markers into its two sides, keeping line numbers: lines of the
 * other side (and the markers, and a diff3 base section) become empty lines. Returns null when the
 * text has no complete conflict block.
 */
export function splitConflicts(text: string): { ours: string; theirs: string; conflicts: number } | null {
  if (!text.includes('\n<<<<<<<') && !text.startsWith('<<<<<<<')) return null;
  const lines = text.split('\n');
  const ours: string[] = new Array(lines.length);
  const theirs: string[] = new Array(lines.length);
  let state: 'none' | 'ours' | 'base' | 'theirs' = 'none';
  let conflicts = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (state === 'none' && CONFLICT_START.test(l)) {
      state = 'ours';
      conflicts++;
      ours[i] = theirs[i] = '';
    } else if (state === 'ours' && CONFLICT_BASE.test(l)) {
      state = 'base';
      ours[i] = theirs[i] = '';
    } else if ((state === 'ours' || state === 'base') && CONFLICT_MID.test(l)) {
      state = 'theirs';
      ours[i] = theirs[i] = '';
    } else if (state === 'theirs' && CONFLICT_END.test(l)) {
      state = 'none';
      ours[i] = theirs[i] = '';
    } else if (state === 'ours') {
      ours[i] = lines[i]!;
      theirs[i] = '';
    } else if (state === 'theirs') {
      ours[i] = '';
      theirs[i] = lines[i]!;
    } else if (state === 'base') {
      ours[i] = theirs[i] = '';
    } else {
      ours[i] = theirs[i] = lines[i]!;
    }
  }
  if (conflicts === 0 || state !== 'none') return null;
  return { ours: ours.join('\n'), theirs: theirs.join('\n'), conflicts };
}

/**
 * Read a lockfile: the shared checks, format detection, then the format's reader. Throws LockfileError
 * (a gap) when the file cannot be read or understood; never returns an empty result for a file it did
 * not understand.
 */
/** The text checks every format shares, which need no parse: white space only, a Git LFS pointer. */
export function checkLockfileText(text: string, origin: Origin): void {
  if (text.trim() === '') throw new LockfileError('EMPTY', 'empty lockfile (only white space)', { path: origin.path });
  if (text.startsWith(LFS_POINTER)) {
    throw new LockfileError('LFS_POINTER', 'Git LFS pointer, not the lockfile: fetch the LFS object and scan again', {
      path: origin.path,
    });
  }
}

export function readLockfile(bytes: Buffer | string, origin: Origin, ctx?: ReadContext): ParseResult {
  const text = decodeLockfile(bytes, origin);
  checkLockfileText(text, origin);
  const format = detectFormat(text, origin);
  const reader = READERS[format];
  const sides = splitConflicts(text);
  if (!sides) return reader(text, origin, ctx);
  return readConflicted(reader, sides, origin, ctx);
}

function readConflicted(
  reader: LockfileReader,
  sides: { ours: string; theirs: string; conflicts: number },
  origin: Origin,
  ctx?: ReadContext,
): ParseResult {
  const a = reader(sides.ours, origin, ctx);
  const b = reader(sides.theirs, origin, ctx);
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const e of [...a.entries, ...b.entries]) {
    const k = `${e.name}\0${e.version}\0${e.kind}\0${e.line}`;
    if (seen.has(k)) continue;
    seen.add(k);
    entries.push(e);
  }
  const warnings: Warning[] = [
    {
      code: 'MERGE_CONFLICT',
      message: `lockfile has ${sides.conflicts} merge-conflict block(s); both sides were read`,
    },
  ];
  const seenW = new Set<string>();
  for (const w of [...a.warnings, ...b.warnings]) {
    const k = `${w.code}\0${w.line ?? ''}\0${w.message}`;
    if (seenW.has(k)) continue;
    seenW.add(k);
    warnings.push(w);
  }
  // The graph of "ours" is kept for dependency paths; entries of "theirs" have no edges.
  let graph = a.graph;
  if (graph) {
    const index = new Map<string, number>();
    a.entries.forEach((e, i) => index.set(`${e.name}\0${e.version}\0${e.kind}\0${e.line}`, i));
    const remap = entries.map((e) => index.get(`${e.name}\0${e.version}\0${e.kind}\0${e.line}`));
    const edges = entries.map((_, i) => {
      const ai = remap[i];
      return ai === undefined ? [] : graph!.edges[ai] ?? [];
    });
    graph = { roots: graph.roots, edges };
    // entries are a superset of a.entries in the same order, so indices of a are preserved.
  }
  return { format: a.format, formatVersion: a.formatVersion, entries, graph, warnings };
}
