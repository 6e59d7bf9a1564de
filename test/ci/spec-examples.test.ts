/**
 * The worked examples of ci-secrets.md (§2.12 A, §2.13 B) and the negative cases, asserted by hand
 * against the spec text (the fixture tables in fixtures.test.ts pin the full output).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, worktreeRepoFiles } from '../../src/ci/index.js';
import { classifyLine } from '../../src/ci/commands.js';

const fixture = (c: string) => worktreeRepoFiles(fileURLToPath(new URL(`../../fixtures/ci/${c}/`, import.meta.url)));
const byName = (c: string) => {
  const r = analyzeRepoSecrets(fixture(c), { repo: '.' });
  return { r, get: (name: string) => r.secrets.find((s) => s.name === name) };
};

describe('worked example A (release workflow)', () => {
  const { r, get } = byName('github-actions/example-a-release');
  it.each([
    ['SENTRY_AUTH_TOKEN', 'T0', 'npm ci'],
    ['TURBO_TOKEN', 'T0', 'npm ci'],
    ['GITHUB_TOKEN', 'T0', 'npm ci'],
    ['OIDC token (id-token: write)', 'T0', 'npm ci'],
    ['OPENAI_API_KEY', 'T0', 'npm run build'],
    ['AWS session (role cdn-deploy)', 'T0', 'npm publish --provenance'],
    ['NPM_TOKEN', 'T0', 'npm publish --provenance'],
    ['SLACK_WEBHOOK_URL', 'T4', undefined],
  ])('%s is %s at step %s', (name, tier, step) => {
    const s = get(name)!;
    expect(s).toBeDefined();
    expect(s.tier).toBe(tier);
    expect(s.step).toBe(step);
  });
  it('reach chains name the entry point and the DC step', () => {
    expect(get('SENTRY_AUTH_TOKEN')!.via).toEqual(['workflow env', 'env of `npm ci` (install: npm ci)']);
    expect(get('NPM_TOKEN')!.confidence).toBe('medium');
    expect(get('NPM_TOKEN')!.escalations).toEqual(['registry-publish']);
    expect(get('OIDC token (id-token: write)')!.relyingParties).toEqual(expect.arrayContaining(['AWS session (role cdn-deploy)']));
  });
  it('sorts by tier then score', () => {
    const tiers = r.secrets.map((s) => s.tier);
    expect(tiers).toEqual([...tiers].sort());
    const t0 = r.secrets.filter((s) => s.tier === 'T0').map((s) => s.score as number);
    expect(t0).toEqual([...t0].sort((a, b) => b - a));
  });
});

describe('worked example B (pull_request_target, self-hosted, inherit)', () => {
  const { r, get } = byName('github-actions/example-b-preview');
  it('GH_PACKAGES_PAT is T0 and also survives on the host (T2 path)', () => {
    const s = get('GH_PACKAGES_PAT')!;
    expect(s.tier).toBe('T0');
    expect(s.kind).toBe('github-pat');
    expect((s.paths as { tier: string }[]).map((p) => p.tier)).toContain('T2');
  });
  it('checkout token has read/write permissions under pull_request_target', () => {
    const s = get('GITHUB_TOKEN')!;
    expect(s.tier).toBe('T0');
    expect((s.permissions as { write: string[] }).write[0]).toMatch(/pull_request_target/);
  });
  it('self-hosted host credentials are T2, inherit is the whole store', () => {
    expect(r.secrets.find((s) => s.kind === 'runner-host')!.tier).toBe('T2');
    expect(get('whole secret store (secrets: inherit)')!.tier).toBe('T0');
    expect(get('VERCEL_TOKEN')!.job).toBe('deploy-preview/deploy');
  });
  it('emits the zizmor-equivalent flags', () => {
    expect(new Set(r.flags.map((f) => f.rule))).toEqual(new Set(['artipacked', 'dangerous-triggers', 'excessive-permissions', 'secrets-inherit', 'self-hosted-runner']));
  });
});

describe('negative cases', () => {
  it('--ignore-scripts install is not DC; the test step is', () => {
    const { get } = byName('github-actions/ignore-scripts-then-test');
    expect(get('CODECOV_TOKEN')!.tier).toBe('T0');
    expect(get('CODECOV_TOKEN')!.step).toBe('npm test');
    expect(get('INSTALL_ONLY_TOKEN')!.tier).toBe('T1');
  });
  it('pnpm 10 blocks install scripts: the build is the DC step', () => {
    const { get } = byName('github-actions/pnpm10-blocked');
    expect(get('PNPM_INSTALL_SECRET')!.tier).toBe('T1');
    expect(get('SENTRY_AUTH_TOKEN')!.tier).toBe('T0');
  });
  it('fork-only trigger: secrets not delivered and sorted low', () => {
    const { get } = byName('github-actions/fork-only');
    expect(get('SONAR_TOKEN')!.delivered).toBe('no');
    expect(get('SONAR_TOKEN')!.score as number).toBeLessThan(60);
  });
  it('a secret used only in an unrelated job is T4', () => {
    const { get } = byName('github-actions/example-a-release');
    expect(get('SLACK_WEBHOOK_URL')!.job).toBe('announce');
    expect(get('SLACK_WEBHOOK_URL')!.tier).toBe('T4');
  });
  it('bad YAML is a CI_PARSE_ERROR gap naming the file', () => {
    const { r } = byName('github-actions/composite-action');
    expect(r.gaps).toEqual([expect.objectContaining({ path: '.github/workflows/broken.yml', code: 'CI_PARSE_ERROR', reason: expect.stringMatching(/line 6/) })]);
  });
});

describe('command classification (§1.2)', () => {
  it.each([
    ['npm ci', 'install', false],
    ['sudo -E npm install --ignore-scripts', 'install', true],
    ['npm_config_ignore_scripts=true npm ci', 'install', true],
    ['yarn', 'install', false],
    ['yarn build', 'project-script', false],
    ['pnpm -r build', 'project-script', false],
    ['corepack pnpm install', 'install', false],
    ['npx vercel deploy', 'download-run', false],
    ['bunx eslint .', 'download-run', false],
    ['npm publish --provenance', 'publish', false],
    ['node scripts/build.mjs', 'node-tool', false],
  ])('%s -> %s', (line, category, ignore) => {
    const [c] = classifyLine(line);
    expect(c?.category).toBe(category);
    expect(c?.inlineIgnoreScripts).toBe(ignore);
  });
  it('non-DC lines classify as nothing', () => {
    expect(classifyLine('aws s3 sync dist s3://x')).toEqual([]);
    expect(classifyLine('yarn config set x y')).toEqual([]);
  });
});
