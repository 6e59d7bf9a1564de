/**
 * History awareness of CI secrets: a secret removed from the workflow after the exposure window is
 * still listed for the affected commits, and never a secret value in any output format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scope } from '../../src/scope/index.js';
import { validateReport } from '../../src/report/schema.js';
import { cli } from '../helpers/cli.js';
import { cleanup, npmLock, TestRepo } from '../git/repo-helpers.js';

const workflow = (extraEnv: string) => `name: release
on:
  push:
    branches: [main]
jobs:
  publish:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
${extraEnv}    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm publish
`;

let repo: TestRepo;
let introduced: string;
let removed: string;

beforeAll(() => {
  repo = new TestRepo();
  repo.commit(1, 'init', {
    'package.json': '{"name":"@acme/app","version":"1.0.0","private":true}\n',
    'package-lock.json': npmLock({ 'left-pad': '1.3.0' }),
    '.github/workflows/release.yml': workflow('      LEGACY_DEPLOY_KEY: ${{ secrets.LEGACY_DEPLOY_KEY }}\n'),
  });
  introduced = repo.commit(10, 'bump deps', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', 'ua-parser-js': '0.7.29' }) });
  removed = repo.commit(11, 'pin ua-parser-js 0.7.30', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', 'ua-parser-js': '0.7.30' }) });
  repo.commit(20, 'drop the legacy deploy key', { '.github/workflows/release.yml': workflow('') });
});

afterAll(() => cleanup());

describe('CI secrets as they were at the exposed commits', () => {
  it('lists a secret removed from the workflow after the window, for the affected commit only', async () => {
    const report = await scope({ paths: [repo.dir], targets: [{ name: 'ua-parser-js', range: '0.7.29', source: 'test' }] });
    expect(validateReport(report)).toEqual([]);
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ repo: '.', lockfile: 'package-lock.json', package: 'ua-parser-js', version: '0.7.29', present: false });
    expect(f.history!.introduced.map((c) => c.commit)).toEqual([introduced]);
    expect(f.history!.removed.map((c) => c.commit)).toEqual([removed]);
    const legacy = report.secrets.find((s) => s.name === 'LEGACY_DEPLOY_KEY');
    expect(legacy).toBeDefined();
    expect(legacy).toMatchObject({ repo: '.', file: '.github/workflows/release.yml', job: 'publish', tier: 'T0' });
    expect(legacy!.commits).toEqual([introduced]);
    expect(report.secrets.find((s) => s.name === 'NPM_TOKEN')).toMatchObject({ tier: 'T0' });
  });

  it('today’s configuration no longer has it (npm-ir secrets reads the working tree)', () => {
    const r = cli(['secrets', '--path', repo.dir, '--json']);
    expect(r.status).toBe(0);
    const names = (JSON.parse(r.stdout).secrets as { name: string }[]).map((s) => s.name);
    expect(names).toContain('NPM_TOKEN');
    expect(names).not.toContain('LEGACY_DEPLOY_KEY');
  });
});

describe('never a secret value, in any output format', () => {
  // Real-looking tokens of every kind, assembled at run time so no token sits in the repo as one literal.
  const j = (...p: string[]) => p.join('');
  const tokens = {
    npm: j('npm_', 'Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8'),
    ghp: j('ghp_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'),
    pat: j('github_pat_', '11ABCDEFG0', 'a1b2c3d4e5f6g7h8i9j0_', 'KLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'),
    aws: j('AKIA', 'IOSFODNN7', 'EXAMPLQ'),
    awsSecret: j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEYQ'),
    openai: j('sk-', 'proj-', 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90Uv12'),
    slack: j('xoxb-', '123456789012-', '1234567890123-', 'AbCdEfGhIjKlMnOpQrStUvWx'),
    gitlab: j('glpat-', 'Ab1Cd2Ef3Gh4Ij5Kl6Mn'),
  };
  let dir: TestRepo;

  beforeAll(() => {
    dir = new TestRepo();
    dir.commit(1, 'app', {
      'package.json': '{"name":"leaky","version":"1.0.0","private":true}\n',
      'package-lock.json': npmLock({ 'ua-parser-js': '0.7.29' }),
      '.npmrc': `//registry.npmjs.org/:_authToken=${tokens.npm}\n`,
      '.env': `GITHUB_TOKEN=${tokens.ghp}\nGH_PAT=${tokens.pat}\nAWS_ACCESS_KEY_ID=${tokens.aws}\nAWS_SECRET_ACCESS_KEY=${tokens.awsSecret}\nOPENAI_API_KEY=${tokens.openai}\nSLACK_BOT_TOKEN=${tokens.slack}\nGITLAB_TOKEN=${tokens.gitlab}\n`,
      '.github/workflows/ci.yml': `on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      OPENAI_API_KEY: ${tokens.openai}\n    steps:\n      - run: npm ci\n      - run: echo ${tokens.slack} | npm test\n`,
    });
  });

  it('scope (table, json, csv, markdown, sarif, checklist) and secrets print no token', () => {
    const outputs: string[] = [];
    for (const format of ['table', 'json', 'csv', 'markdown', 'sarif']) {
      const r = cli(['scope', 'ua-parser-js@0.7.29', '--path', dir.dir, '--format', format]);
      expect(r.status).toBe(1);
      outputs.push(r.stdout, r.stderr);
    }
    const checklist = path.join(dir.dir, '..', `checklist-${path.basename(dir.dir)}.md`);
    const r = cli(['scope', 'ua-parser-js@0.7.29', '--path', dir.dir, '--checklist', checklist, '--json']);
    outputs.push(r.stdout, fs.readFileSync(checklist, 'utf8'));
    const s = cli(['secrets', '--path', dir.dir]);
    const sj = cli(['secrets', '--path', dir.dir, '--json']);
    outputs.push(s.stdout, s.stderr, sj.stdout);
    // The literals were found (by fingerprint), so the test is not vacuous.
    const report = JSON.parse(r.stdout);
    expect(report.secrets.some((x: { file: string }) => x.file === '.npmrc')).toBe(true);
    expect(report.secrets.some((x: { file: string }) => x.file === '.env')).toBe(true);
    const all = outputs.join('\n');
    for (const [kind, value] of Object.entries(tokens)) {
      expect(all.includes(value), `${kind} token printed`).toBe(false);
      expect(all.includes(value.slice(4, 16)), `${kind} token fragment printed`).toBe(false);
    }
  });
});

describe('CI files included by other CI files, at an exposed commit', () => {
  it('reads a GitLab local include from the same commit (no false NOT_FOUND gap)', async () => {
    const r = new TestRepo();
    r.commit(1, 'ci', {
      'package.json': '{"name":"svc","version":"1.0.0","private":true}\n',
      'package-lock.json': npmLock({ 'rc': '1.2.8' }),
      '.gitlab-ci.yml': 'include:\n  - local: ci/templates.yml\ntest:\n  extends: .node\n  script:\n    - npm ci\n',
      'ci/templates.yml': '.node:\n  image: node:20\n  variables:\n    NPM_TOKEN: $NPM_TOKEN\n',
    });
    r.commit(2, 'bad', { 'package-lock.json': npmLock({ 'rc': '1.2.9' }) });
    r.commit(3, 'good', { 'package-lock.json': npmLock({ 'rc': '1.3.10' }) });
    const report = await scope({ paths: [r.dir], targets: [{ name: 'rc', range: '>=1.2.9 <1.3.0', source: 'test' }] });
    expect(report.findings.map((f) => [f.package, f.version, f.present])).toEqual([['rc', '1.2.9', false]]);
    expect(report.gaps.filter((g) => g.code === 'NOT_FOUND')).toEqual([]);
    expect(report.secrets.some((s) => s.system === 'gitlab-ci' && s.tier === 'T0')).toBe(true);
  });
});
