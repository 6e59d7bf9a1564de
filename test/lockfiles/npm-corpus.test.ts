import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLockfile } from '../../src/lockfiles/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = resolve(repoRoot, '../shared/lockfile-corpus');
const NPM_FORMATS = new Set(['npm-lock-legacy', 'npm-lock-v1', 'npm-lock-v2', 'npm-lock-v3', 'npm-shrinkwrap', 'npm-hidden-lockfile']);

function rows(): { format: string; path: string; pairs: string[]; distinct: number }[] {
  const lines = readFileSync(join(CORPUS, 'SOURCES.tsv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split('\t');
  const col = (n: string) => head.indexOf(n);
  return lines
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((r) => NPM_FORMATS.has(r[col('format')]!))
    .map((r) => ({
      format: r[col('format')]!,
      path: r[col('corpus_path')]!,
      pairs: r[col('example_pairs')]!.split(' ').filter(Boolean),
      distinct: Number(r[col('distinct_pairs')]),
    }));
}

describe.runIf(existsSync(join(CORPUS, 'SOURCES.tsv')))('npm reader over the real-lockfile corpus', () => {
  const samples = existsSync(join(CORPUS, 'SOURCES.tsv')) ? rows() : [];

  it('has npm samples', () => {
    expect(samples.length).toBeGreaterThan(10);
  });

  describe.each(samples.map((s) => [s.path, s] as const))('%s', (_p, s) => {
    // The committed hidden lockfile sits in the corpus without its node_modules folder.
    const origin = { repo: '.', path: s.path.endsWith('/.package-lock.json') ? 'node_modules/.package-lock.json' : s.path };
    const r = readLockfile(readFileSync(join(CORPUS, s.path)), origin);

    it('reads every example pair as a registry entry', () => {
      const registry = new Set(r.entries.filter((e) => e.kind === 'registry').map((e) => `${e.name}@${e.version}`));
      expect(s.pairs.filter((p) => !registry.has(p))).toEqual([]);
    });

    it('finds the distinct name@version count the corpus records', () => {
      const counted = new Set(
        r.entries.filter((e) => e.kind === 'registry' || e.kind === 'git' || e.kind === 'tarball').map((e) => `${e.name}@${e.version}`),
      );
      expect(counted.size).toBe(s.distinct);
    });

    it('gives every entry a line inside the file and a graph over all entries', () => {
      const lines = readFileSync(join(CORPUS, s.path), 'utf8').split('\n').length;
      expect(r.entries.every((e) => e.line >= 1 && e.line <= lines)).toBe(true);
      expect(r.graph!.edges.length).toBe(r.entries.length);
      expect(r.warnings.map((w) => w.code).filter((c) => c === 'LINE_NOT_FOUND' || c === 'BAD_ENTRY')).toEqual([]);
    });
  });
});
