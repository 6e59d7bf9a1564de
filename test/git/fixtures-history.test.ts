/**
 * Every lockfile fixture (written by the real tools) through history: committed, then deleted.
 * A readable fixture gives a finding for its first registry entry, introduced by the first commit,
 * removed by the second, at the fixture's line; an unreadable one gives a gap with its code.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepHistory } from '../../src/git/history.js';
import { LOCKFILE_BASENAMES } from '../../src/lockfiles/index.js';
import { TargetIndex } from '../../src/match/index.js';
import { cleanup, TestRepo } from './repo-helpers.js';

afterAll(cleanup);

interface Expected {
  entries?: { name: string; version: string; kind: string; line: number }[];
  /** The gap code (some fixtures write `{ code, line }`). */
  error?: string;
  /** The fixture is for the format's reader called directly, not through readLockfile. */
  direct?: boolean;
}

function load(path: string): Expected {
  const e = JSON.parse(readFileSync(path, 'utf8')) as Omit<Expected, 'error'> & { error?: string | { code: string } };
  return { ...e, error: typeof e.error === 'object' && e.error ? e.error.code : e.error };
}

const ROOT = 'fixtures/lockfiles';
const cases: [string, string, string, Expected][] = [];
for (const format of existsSync(ROOT) ? readdirSync(ROOT) : []) {
  const dir = join(ROOT, format);
  if (!existsSync(dir) || !readdirSync(dir).length) continue;
  for (const c of readdirSync(dir)) {
    const caseDir = join(dir, c);
    if (!existsSync(join(caseDir, 'expected.json'))) continue;
    const file = readdirSync(caseDir).find((f) => LOCKFILE_BASENAMES.includes(f));
    if (!file) continue;
    const expected = load(join(caseDir, 'expected.json'));
    if (expected.direct) continue;
    // Nothing a version range can match (file:, git: only): nothing to follow through history.
    if (!expected.error && !expected.entries?.some((e) => e.kind === 'registry' && e.version !== '')) continue;
    cases.push([`${format}/${c}`, join(caseDir, file), file, expected]);
  }
}

describe('lockfile fixtures through history', () => {
  it('has fixtures of several formats', () => {
    expect(new Set(cases.map(([n]) => n.split('/')[0])).size).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)('%s', async (_name, src, file, expected) => {
    const registry = expected.error ? undefined : expected.entries!.find((e) => e.kind === 'registry' && e.version !== '');
    const r = new TestRepo();
    copyFileSync(src, join(r.dir, file));
    r.git(['add', '--', file]);
    const c1 = r.commit(1, 'add lockfile', {});
    const c2 = r.commit(2, 'delete lockfile', { [file]: null });
    // For an unreadable fixture any name must make the sweep read it: use a name that is in its bytes.
    const raw = readFileSync(src);
    const probe = registry?.name ?? (['is-number', 'lodash', 'left-pad', 'ms', 'debug'].find((n) => raw.includes(n)) ?? 'a');
    const targets = new TargetIndex([{ name: probe, range: registry?.version ?? '*', source: 'fixture' }]);
    const res = await sweepHistory(r.dir, { targets });
    if (expected.error) {
      expect(res.findings).toEqual([]);
      if (expected.error === 'EMPTY' || !raw.includes(probe)) {
        // nothing that could name a target: no read, no gap
        if (res.gaps.length) expect(res.gaps.map((g) => g.code)).toEqual([expected.error]);
      } else {
        expect(res.gaps.map((g) => [g.code, g.path, g.commit])).toEqual([[expected.error, file, c1]]);
      }
      return;
    }
    expect(res.gaps).toEqual([]);
    const f = res.findings.find((x) => x.package === registry!.name && x.version === registry!.version);
    expect(f, `${registry!.name}@${registry!.version}`).toBeDefined();
    expect(f!.lockfile).toBe(file);
    expect(f!.history.introduced.map((c) => c.commit)).toEqual([c1]);
    expect(f!.history.removed.map((c) => c.commit)).toEqual([c2]);
    expect(f!.history.affectedCommits).toBe(1);
    const lines = expected.entries!.filter((e) => e.name === registry!.name && e.version === registry!.version).map((e) => e.line);
    expect(lines).toContain(f!.representative.line);
  });
});
