/**
 * Conformance over ../shared/lockfile-corpus (real lockfiles from public projects): for every sample, the
 * name@version pairs listed in SOURCES.tsv are found by `scope`, and no file produces a gap except the
 * binary bun.lockb. Skipped cleanly when the corpus is not there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scope } from '../../src/scope/index.js';
import type { Target } from '../../src/types.js';
import { ROOT } from '../helpers/cli.js';

const CORPUS = path.resolve(ROOT, '../shared/lockfile-corpus');

interface Sample {
  format: string;
  file: string;
  pairs: string[];
}

function samples(): Sample[] {
  const rows = fs.readFileSync(path.join(CORPUS, 'SOURCES.tsv'), 'utf8').trim().split('\n');
  const header = rows[0]!.split('\t');
  const col = (n: string) => header.indexOf(n);
  return rows.slice(1).map((r) => {
    const c = r.split('\t');
    const pairs = c[col('example_pairs')]!.split(/\s+/).filter((p) => /^@?[^@\s]+@\d/.test(p));
    return { format: c[col('format')]!, file: c[col('corpus_path')]!, pairs };
  });
}

const splitPair = (p: string) => {
  const at = p.lastIndexOf('@');
  return { name: p.slice(0, at), version: p.slice(at + 1) };
};

describe.runIf(fs.existsSync(path.join(CORPUS, 'SOURCES.tsv')))('lockfile corpus conformance (scope)', () => {
  it('finds every listed name@version in every sample; the only gap is the binary bun.lockb', async () => {
    const all = samples();
    expect(all.length).toBeGreaterThan(30);
    const targets: Target[] = [];
    for (const s of all) for (const p of s.pairs) targets.push({ ...splitPair(p), range: splitPair(p).version, source: s.file });
    const report = await scope({ paths: [CORPUS], targets, installed: true, history: false });
    // Gaps: exactly the binary bun lockfile(s).
    expect(report.gaps.map((g) => [g.code, `${g.repo}/${g.path}`])).toEqual(
      all.filter((s) => s.format === 'bun-lockb').map((s) => ['BINARY_BUN_LOCKB', s.file]),
    );
    const found = new Set(report.findings.map((f) => `${f.repo}/${f.lockfile}\0${f.package}@${f.version}`));
    const missing: string[] = [];
    for (const s of all) for (const p of s.pairs) if (!found.has(`${s.file}\0${p}`)) missing.push(`${s.file}: ${p}`);
    expect(missing).toEqual([]);
  }, 120_000);
});
