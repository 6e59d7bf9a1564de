import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, repoFilesFromRecord } from '../../src/ci/index.js';

const wf = (perm: string) => `on: push
permissions:
  contents: ${perm}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
`;

describe('GITHUB_TOKEN exposed in several workflows', () => {
  it('lists the union of the write scopes of every path, so the audit is not under-scoped', () => {
    const r = analyzeRepoSecrets(
      repoFilesFromRecord({ '.github/workflows/ci.yml': wf('read'), '.github/workflows/release.yml': wf('write') }),
      { repo: 'web' },
    );
    const tokens = r.secrets.filter((s) => s.name === 'GITHUB_TOKEN');
    expect(tokens).toHaveLength(1);
    expect((tokens[0]!.permissions as { write: string[] }).write).toContain('contents');
    expect((tokens[0]!.paths as unknown[]).length).toBeGreaterThan(1);
  });
});
