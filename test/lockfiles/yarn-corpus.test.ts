import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLockfile } from '../../src/lockfiles/index.js';
import { REPO_ROOT } from './yarn-fixtures.js';

const corpus = path.resolve(REPO_ROOT, '../shared/lockfile-corpus');
const rows = existsSync(corpus)
  ? readFileSync(path.join(corpus, 'SOURCES.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
      .filter((r) => r[0] === 'yarn-v1' || r[0]!.startsWith('yarn-berry-'))
      .map((r) => ({ format: r[0]!, file: r[1]!, distinct: Number(r[6]), examples: r[7]!.split(' ') }))
  : [];

describe.runIf(existsSync(corpus))('yarn lockfile corpus', () => {
  it.each(rows)('$file', ({ format, file, distinct, examples }) => {
    const r = readLockfile(readFileSync(path.join(corpus, file)), { repo: '.', path: 'yarn.lock' });
    expect(r.format).toBe(format === 'yarn-v1' ? 'yarn-classic' : 'yarn-berry');
    if (format !== 'yarn-v1') expect(r.formatVersion).toBe(format.slice('yarn-berry-v'.length));
    const pairs = new Set(r.entries.filter((e) => e.kind === 'registry').map((e) => `${e.name}@${e.version}`));
    for (const p of examples) expect(pairs).toContain(p);
    // The corpus counts every pair except file:/link:/portal:/workspace: ones (git dependencies included).
    const counted = new Set(
      r.entries.filter((e) => !['file', 'link', 'workspace'].includes(e.kind)).map((e) => `${e.name}@${e.version}`),
    );
    expect(counted.size).toBe(distinct);
  });
});
