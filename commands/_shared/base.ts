import fs from 'node:fs';
import { Command, Errors } from '@oclif/core';
import { isNpmIrError } from '../../src/errors.js';
import { escapeTerminal } from '../../src/report/escape.js';

/**
 * Base for every npm-ir command: typed errors become one line on stderr and exit 2 (the tool could not
 * run); oclif's own usage errors keep exit 2; anything unexpected is an internal error, exit 2 — never
 * 1, which means "affected".
 */
export abstract class IrCommand extends Command {
  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (isNpmIrError(err)) {
      this.logToStderr(`npm-ir: error: ${escapeTerminal(err.oneLine())}`);
      this.exit(2);
    }
    if (err.oclif?.exit !== undefined) {
      // oclif usage errors (unknown flag, missing argument): one line, exit 2.
      const lines = err.message.split('\n').map((l) => l.trim()).filter((l) => l && !/^See more help with/.test(l) && !/^The following errors occurred:?$/.test(l));
      this.logToStderr(`npm-ir: error: ${escapeTerminal(lines.join(' ').replace(/\u001b\[[0-9;]*m/g, ''))}`);
      this.logToStderr(`See more help with --help`);
      this.exit(2);
    }
    this.logToStderr(`npm-ir: internal error: ${escapeTerminal(String(err?.message ?? err))}`);
    if (process.env.NPM_IR_DEBUG) this.logToStderr(String(err?.stack ?? ''));
    this.exit(2);
  }

  /** Write a file, creating nothing else; errors are usage errors naming the file. */
  protected writeOut(file: string, text: string): void {
    try {
      fs.writeFileSync(file, text);
    } catch (e) {
      this.logToStderr(`npm-ir: error: ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      this.exit(2);
    }
  }
}

/** A one-line progress display on stderr, only on a terminal and never with --json. */
export function progressLine(enabled: boolean): { update: (text: string) => void; done: () => void } {
  const tty = enabled && process.stderr.isTTY === true;
  let last = 0;
  return {
    update(text: string) {
      if (!tty) return;
      const t = Date.now();
      if (t - last < 80) return;
      last = t;
      const cols = process.stderr.columns || 80;
      process.stderr.write('\r\x1b[2K' + text.slice(0, cols - 1));
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}
