/**
 * Table-driven over fixtures/ci/<system>/<case>/: each case is a repository tree plus expected.json
 * listing every exposure (in report order) with tier, kind, job, step, file, line and delivery, the gaps
 * and the rule ids flagged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, worktreeRepoFiles } from '../../src/ci/index.js';

const root = fileURLToPath(new URL('../../fixtures/ci/', import.meta.url));

interface Expected {
  secrets: Record<string, unknown>[];
  gaps: { path: string; code: string }[];
  flags: string[];
}

const cases = ['github-actions', 'repo-files'].flatMap((system) =>
  readdirSync(join(root, system)).map((c) => ({ system, name: c, dir: join(root, system, c) })),
);

describe.each(cases)('$system/$name', ({ dir }) => {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const result = analyzeRepoSecrets(worktreeRepoFiles(dir), { repo: '.' });

  it('reports the expected exposures in order', () => {
    const got = result.secrets.map((s, i) => {
      const keys = Object.keys(expected.secrets[i] ?? { name: 1, tier: 1, kind: 1, file: 1, line: 1 });
      return Object.fromEntries(keys.map((k) => [k, (s as Record<string, unknown>)[k]]));
    });
    expect(got).toEqual(expected.secrets);
  });

  it('reports the expected gaps', () => {
    expect(result.gaps.map((g) => ({ path: g.path, code: g.code }))).toEqual(expected.gaps);
  });

  it('flags the expected rules', () => {
    expect([...new Set(result.flags.map((f) => f.rule))].sort()).toEqual(expected.flags);
  });

  it('every exposure has a reach chain, a score and a rotation entry', () => {
    for (const s of result.secrets) {
      expect(Array.isArray(s.via) && (s.via as string[]).length).toBeGreaterThan(0);
      expect(typeof s.score).toBe('number');
      expect(s.rotation).toBeDefined();
    }
  });
});
