import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { repoRoot } from './pnpm-bun-fixtures.js';

const corpus = resolve(repoRoot, '../shared/lockfile-corpus');

function rows(): { format: string; path: string; examples: string[] }[] {
  const lines = readFileSync(join(corpus, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines
    .map((l) => l.split('\t'))
    .filter((c) => /^(pnpm-|bun-lock)/.test(c[0]!))
    .map((c) => ({ format: c[0]!, path: c[1]!, examples: c[7]!.split(' ') }));
}

describe.runIf(existsSync(corpus))('pnpm and bun readers over the real-lockfile corpus', () => {
  const all = existsSync(corpus) ? rows() : [];
  const text = all.filter((r) => r.format !== 'bun-lockb');
  const binary = all.filter((r) => r.format === 'bun-lockb');

  it('has the pnpm and bun rows', () => {
    expect(text.filter((r) => r.format.startsWith('pnpm-')).length).toBeGreaterThanOrEqual(11);
    expect(text.filter((r) => r.format.startsWith('bun-lock-')).length).toBeGreaterThanOrEqual(3);
    expect(binary.length).toBeGreaterThanOrEqual(1);
  });

  describe.each(text.map((r) => [r.path, r] as const))('%s', (_p, row) => {
    it('reads, with every example pair as a registry entry', () => {
      const r = readLockfile(readFileSync(join(corpus, row.path)), { repo: '.', path: row.path });
      expect(r.format).toBe(row.format.startsWith('pnpm-') ? 'pnpm' : 'bun');
      expect(r.formatVersion).toBe(row.format.startsWith('pnpm-') ? row.format.slice(5) : row.format.slice(10));
      const registry = new Set(r.entries.filter((e) => e.kind === 'registry').map((e) => `${e.name}@${e.version}`));
      expect(row.examples.filter((p) => !registry.has(p))).toEqual([]);
      expect(r.warnings).toEqual([]);
      for (const e of r.entries) expect(e.line).toBeGreaterThan(0);
    });
  });

  describe.each(binary.map((r) => [r.path, r] as const))('%s', (_p, row) => {
    it('is the BINARY_BUN_LOCKB gap', () => {
      let err: unknown;
      try {
        readLockfile(readFileSync(join(corpus, row.path)), { repo: '.', path: row.path });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LockfileError);
      expect((err as LockfileError).gapCode).toBe('BINARY_BUN_LOCKB');
    });
  });
});
