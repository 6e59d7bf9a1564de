/**
 * The worked examples of ci-secrets.md for the non-GitHub systems (§3.5 GitLab, §4.3 CircleCI, §5.4 Jenkins,
 * §6.3 Azure Pipelines, §7 Bitbucket, §8 Travis, §9 Dockerfiles) end to end through analyzeRepoSecrets,
 * each expected exposure asserted with tier, kind, job, step, file and line; plus per-system negative
 * cases (a secret used only where no dependency code runs; fork-only builds that get no secrets).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, repoFilesFromRecord } from '../../src/ci/index.js';
import type { SecretExposure } from '../../src/report/model.js';
import { caseRepo, FIXTURES } from './_reader-fixtures.js';

const analyze = (system: string, c: string) => analyzeRepoSecrets(caseRepo(join(FIXTURES, system, c)), { repo: '.' });

interface Row {
  name: string;
  tier: string;
  kind: string;
  job: string;
  step?: string;
  file: string;
  line: number;
  delivered?: string;
}

const GITLAB = '.gitlab-ci.yml';
const CIRCLE = '.circleci/config.yml';
const AZURE = 'azure-pipelines.yml';
const BB = 'bitbucket-pipelines.yml';

const worked: [string, Row[]][] = [
  [
    'gitlab-ci',
    [
      { name: 'VAULT_ID_TOKEN', tier: 'T0', kind: 'oidc-capability', job: 'test', step: 'npm ci', file: GITLAB, line: 12 },
      { name: 'DATABASE_PASSWORD', tier: 'T0', kind: 'database', job: 'test', step: 'npm ci', file: GITLAB, line: 15 },
      { name: 'CI_JOB_TOKEN', tier: 'T0', kind: 'job-token', job: 'test', step: 'npm ci', file: GITLAB, line: 9 },
      { name: 'project/group CI/CD variables', tier: 'T0', kind: 'secret-store', job: 'test', step: 'npm ci', file: GITLAB, line: 9 },
      { name: 'GitLab cache write (cache:)', tier: 'T0', kind: 'cache-capability', job: 'test', file: 'ci/templates.yml', line: 4 },
      {
        name: 'CI_JOB_TOKEN',
        tier: 'T0',
        kind: 'job-token',
        job: 'publish',
        step: 'echo "//gitlab.example.com/api/v4/projects/42/packages/np...',
        file: GITLAB,
        line: 26,
      },
    ],
  ],
  [
    'circleci',
    [
      { name: 'project environment variables', tier: 'T0', kind: 'secret-store', job: 'test', step: 'node/install-packages', file: CIRCLE, line: 5 },
      { name: 'checkout key', tier: 'T0', kind: 'ci-platform', job: 'test', step: 'node/install-packages', file: CIRCLE, line: 8 },
      { name: 'CIRCLE_OIDC_TOKEN', tier: 'T0', kind: 'oidc-capability', job: 'test', step: 'node/install-packages', file: CIRCLE, line: 5 },
      { name: 'CIRCLE_OIDC_TOKEN', tier: 'T0', kind: 'oidc-capability', job: 'release', step: 'node/install-packages', file: CIRCLE, line: 12 },
      { name: 'context:npm-publish', tier: 'T0', kind: 'secret-store', job: 'release', step: 'node/install-packages', file: CIRCLE, line: 29 },
      { name: 'context:aws-prod', tier: 'T0', kind: 'secret-store', job: 'release', step: 'node/install-packages', file: CIRCLE, line: 29 },
      { name: 'ssh key SHA256:AbCdEf...', tier: 'T0', kind: 'ci-platform', job: 'release', step: 'node/install-packages', file: CIRCLE, line: 16 },
    ],
  ],
  [
    'jenkins',
    [
      { name: 'nexus-npm', tier: 'T0', kind: 'generic', job: 'pipeline', step: 'install: npm ci', file: 'Jenkinsfile', line: 4 },
      { name: 'corp-npmrc', tier: 'T0', kind: 'npm-token', job: 'pipeline', step: 'install: npm ci', file: 'Jenkinsfile', line: 9 },
      { name: 'prod-deploy-token', tier: 'T0', kind: 'ci-platform', job: 'pipeline', step: 'deploy: npm run deploy', file: 'Jenkinsfile', line: 20 },
      { name: 'gcp-sa-json', tier: 'T0', kind: 'gcp', job: 'pipeline', step: 'deploy: npm run deploy', file: 'Jenkinsfile', line: 20 },
      { name: 'runner host credentials (label:linux-docker)', tier: 'T2', kind: 'runner-host', job: 'pipeline', file: 'Jenkinsfile', line: 2 },
    ],
  ],
  [
    'azure-pipelines',
    [
      { name: 'System.AccessToken', tier: 'T0', kind: 'job-token', job: 'Job', step: 'npm ci', file: AZURE, line: 8 },
      { name: 'Azure Artifacts feed credential (job access token)', tier: 'T0', kind: 'job-token', job: 'Job', step: 'npm ci', file: AZURE, line: 10 },
      { name: 'SENTRY_TOKEN', tier: 'T0', kind: 'observability', job: 'Job', step: 'npm run build', file: AZURE, line: 16 },
      { name: 'variable group web-secrets', tier: 'T1', kind: 'secret-store', job: 'Job', file: AZURE, line: 4 },
      {
        name: 'service connection prod-arm',
        tier: 'T1',
        kind: 'azure',
        job: 'Job',
        step: "az storage blob upload-batch -s dist -d '$web' --account-...",
        file: AZURE,
        line: 17,
      },
    ],
  ],
  [
    'bitbucket',
    [
      {
        name: 'workspace/repository variables',
        tier: 'T0',
        kind: 'secret-store',
        job: 'branches/main/build',
        step: 'corepack enable && pnpm install --frozen-lockfile',
        file: BB,
        line: 9,
      },
      { name: 'Bitbucket Pipelines cache write (caches:)', tier: 'T0', kind: 'cache-capability', job: 'branches/main/build', file: BB, line: 10 },
      { name: 'deployment variables (production)', tier: 'T3', kind: 'secret-store', job: 'branches/main/deploy', file: BB, line: 17 },
      { name: 'BITBUCKET_STEP_OIDC_TOKEN', tier: 'T3', kind: 'oidc-capability', job: 'branches/main/deploy', file: BB, line: 18 },
    ],
  ],
  [
    'travis',
    [
      { name: 'CODECOV_TOKEN', tier: 'T0', kind: 'observability', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 5 },
      { name: 'encrypted env var #1', tier: 'T0', kind: 'generic', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 6 },
      { name: 'encrypted_9a1b_key', tier: 'T0', kind: 'ci-platform', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 8 },
      { name: 'encrypted_9a1b_iv', tier: 'T0', kind: 'ci-platform', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 8 },
      { name: 'decrypted file ~/.ssh/id_ed25519', tier: 'T0', kind: 'ci-platform', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 8 },
      { name: 'deploy.npm.api_key (encrypted)', tier: 'T0', kind: 'npm-token', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 11 },
      { name: 'repository settings environment variables', tier: 'T0', kind: 'secret-store', job: 'default', step: 'install (implicit)', file: '.travis.yml', line: 1 },
    ],
  ],
  [
    'dockerfile',
    [
      { name: 'NPM_READ_TOKEN', tier: 'T0', kind: 'npm-token', job: 'build', step: 'npm ci', file: 'Dockerfile', line: 3 },
      { name: '.npmrc', tier: 'T0', kind: 'npm-token', job: 'build', step: 'npm ci', file: 'Dockerfile', line: 5 },
      { name: '.git/config (checkout credentials, if the CI checkout persisted them)', tier: 'T0', kind: 'generic', job: 'build', step: 'npm run build', file: 'Dockerfile', line: 7 },
    ],
  ],
];

const pick = (s: SecretExposure, keys: string[]) => Object.fromEntries(keys.map((k) => [k, (s as unknown as Record<string, unknown>)[k]]));

describe.each(worked)('worked example: %s', (system, rows) => {
  const r = analyze(system, 'worked-example');

  it('reads every file', () => {
    expect(r.gaps).toEqual([]);
  });

  it.each(rows)('$name is $tier in $job', (row) => {
    const keys = ['name', 'tier', 'kind', 'job', 'step', 'file', 'line'];
    const got = r.secrets.filter((s) => s.name === row.name && s.job === row.job).map((s) => pick(s, keys));
    expect(got).toEqual([pick(row as unknown as SecretExposure, keys)]);
  });

  it('uses its own cache wording, never the GitHub one', () => {
    expect(r.secrets.filter((s) => s.system === system).map((s) => s.name)).not.toContain('Actions cache write');
  });

  it('sorts by tier, delivery, score (desc), then file, line, name', () => {
    const tierIx = (t: string) => ['T0', 'T1', 'T2', 'T3', 'T4'].indexOf(t);
    for (let i = 1; i < r.secrets.length; i++) {
      const a = r.secrets[i - 1]!;
      const b = r.secrets[i]!;
      const order = tierIx(a.tier) - tierIx(b.tier) || (a.delivered === 'no' ? 1 : 0) - (b.delivered === 'no' ? 1 : 0) || (b.score as number) - (a.score as number);
      expect(order).toBeLessThanOrEqual(0);
      if (order === 0) expect(a.file.localeCompare(b.file) || a.line - b.line || a.name.localeCompare(b.name)).toBeLessThanOrEqual(0);
    }
  });
});

describe('worked examples: details the tables do not show', () => {
  it('GitLab: the opaque project/group variables are T0 in both jobs, with the API call that lists them', () => {
    const s = analyze('gitlab-ci', 'worked-example').secrets.find((x) => x.name === 'project/group CI/CD variables')!;
    expect((s.paths as { tier: string; job: string }[]).filter((p) => p.tier === 'T0').map((p) => p.job)).toEqual(['test', 'publish']);
    expect((s.opaque as { resolveWith: string }).resolveWith).toMatch(/GET \/projects\/:id\/variables/);
  });

  it('GitLab: each job has its own CI_JOB_TOKEN audit item', () => {
    const tokens = analyze('gitlab-ci', 'worked-example').secrets.filter((x) => x.name === 'CI_JOB_TOKEN');
    expect(tokens.map((t) => t.store)).toEqual(['platform:test', 'platform:publish']);
    expect(tokens.every((t) => t.lifetime === 'job-scoped')).toBe(true);
  });

  it('Jenkins: withCredentials is T0 because the DC step runs inside the block', () => {
    const s = analyze('jenkins', 'worked-example').secrets.find((x) => x.name === 'prod-deploy-token')!;
    expect(s.via).toEqual(['withCredentials: string binding -> DEPLOY_TOKEN', 'env of `deploy: npm run deploy` (project-script: npm run deploy)']);
    expect(s.aliases).toEqual(['prod-deploy-token']);
  });

  it('Azure: the variable group is memory-only and names the command that lists it', () => {
    const s = analyze('azure-pipelines', 'worked-example').secrets.find((x) => x.name === 'variable group web-secrets')!;
    expect(s.memoryReachable).toBe(true);
    expect((s.opaque as { resolveWith: string }).resolveWith).toMatch(/az pipelines variable-group/);
  });

  it('Bitbucket: deployment secrets are carried by the poisoned artifact, not in the build step', () => {
    const r = analyze('bitbucket', 'worked-example');
    const dep = r.secrets.find((x) => x.name === 'deployment variables (production)')!;
    expect(dep.carrier).toBe('artifact');
    expect(dep.via as string[]).toContain('downloads artifact `branches/main/build` uploaded by DC job `branches/main/build`');
    expect(r.secrets.filter((x) => x.job === 'branches/main/build' && x.tier === 'T0').map((x) => x.name)).not.toContain('BITBUCKET_STEP_OIDC_TOKEN');
  });

  it('Dockerfile: the build arg shows the CI secret name, is in image history, and rotates regardless', () => {
    const s = analyze('dockerfile', 'worked-example').secrets.find((x) => x.name === 'NPM_READ_TOKEN')!;
    expect(s.aliases).toEqual(['NPM_TOKEN']);
    expect(s.imageHistory).toBe('stage build');
    expect(s.rotateRegardless).toBe(true);
    expect(s.buildArgFrom).toEqual({ file: '.github/workflows/image.yml', line: 12, job: 'image' });
    // The same secret also reaches the .npmrc copied into the stage (resolved from the ARG).
    expect((s.paths as { via: string[] }[]).some((p) => p.via.some((v) => v.startsWith('.npmrc copied into the image')))).toBe(true);
  });
});

describe('negative cases', () => {
  const find = (system: string, c: string, name: string) => {
    const r = analyze(system, c);
    expect(r.gaps).toEqual([]);
    const s = r.secrets.find((x) => x.name === name);
    expect(s, `${name} in ${system}/${c}`).toBeDefined();
    return s!;
  };

  it.each([
    ['gitlab-ci', 'unrelated-job', 'SLACK_WEBHOOK_URL', 'notify'],
    ['circleci', 'unrelated-job', 'context:slack', 'notify'],
    ['jenkins', 'no-dependency-code', 'artifactory-token', 'pipeline'],
    ['azure-pipelines', 'fork-and-unrelated', 'SLACK_WEBHOOK_URL', 'notify'],
    ['bitbucket', 'pipe-and-unrelated', 'SLACK_WEBHOOK_TOKEN', 'default/notify'],
    ['travis', 'fork-and-unrelated', 'encrypted env var #1', 'notify'],
    ['dockerfile', 'unrelated-stage', 'CERTS_TOKEN', 'certs'],
  ])('%s/%s: %s used only where no dependency code runs is T4', (system, c, name, job) => {
    const s = find(system, c, name);
    expect(s.tier).toBe('T4');
    expect(s.job).toBe(job);
    expect(s.via as string[]).toContain(`job \`${job}\` runs no dependency code`);
  });

  it.each([
    ['circleci', 'fork-pr-only', 'context:sonar'],
    ['circleci', 'fork-pr-only', 'project environment variables'],
    ['azure-pipelines', 'fork-and-unrelated', 'SONAR_TOKEN'],
    ['travis', 'fork-and-unrelated', 'SAUCE_KEY_FROM_SETTINGS'],
    ['travis', 'fork-and-unrelated', 'repository settings environment variables'],
  ])('%s/%s: %s in a fork-only build is not delivered and sorts after delivered items', (system, c, name) => {
    const r = analyze(system, c);
    const s = r.secrets.find((x) => x.name === name)!;
    expect(s.tier).toBe('T0');
    expect(s.delivered).toBe('no');
    const delivered = r.secrets.filter((x) => x.tier === 'T0' && x.delivered !== 'no');
    for (const d of delivered) expect(r.secrets.indexOf(d)).toBeLessThan(r.secrets.indexOf(s));
  });

  it('the same CircleCI job without the fork-only filter is delivered', () => {
    const s = find('circleci', 'unrelated-job', 'project environment variables');
    expect(s.delivered).toBe('yes');
  });

  it('Bitbucket: a secret passed to a pipe after a DC line is capped at T1 (the pipe runs in its own container)', () => {
    const s = find('bitbucket', 'pipe-and-unrelated', 'NPM_TOKEN');
    expect(s.tier).toBe('T1');
    expect(s.step).toBe('atlassian/npm-publish:0.3.2');
    expect(s.line).toBe(12);
  });
});

describe("post phases (GitLab after_script, Jenkins post {})", () => {
  const jenkins = [
    'pipeline {',
    '  agent any',
    "  stages { stage('test') { steps { sh 'npm ci && npm test' } } }",
    '  post {',
    '    always {',
    "      withCredentials([string(credentialsId: 'slack-token', variable: 'SLACK_TOKEN')]) {",
    "        sh './notify.sh'",
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const gitlab = ['test:', '  secrets:', '    REPORT_TOKEN:', '      vault: ci/report@kv', '  script:', '    - make build', '  after_script:', '    - npm run report'].join('\n');
  const r = analyzeRepoSecrets(repoFilesFromRecord({ Jenkinsfile: jenkins, '.gitlab-ci.yml': gitlab }), { repo: '.' });
  const get = (name: string) => r.secrets.find((s) => s.name === name)!;

  it('a credential bound only in a post step after the DC stage is T1, reached through the shared workspace', () => {
    const s = get('slack-token');
    expect(pick(s, ['tier', 'job', 'step', 'line'])).toEqual({ tier: 'T1', job: 'pipeline', step: './notify.sh', line: 6 });
    expect((s.via as string[]).at(-1)).toMatch(/runs after DC step `test: npm ci && npm test` in a separate shell with the same workspace/);
  });

  it('a DC command in after_script still has every job variable in its environment (T0)', () => {
    expect(pick(get('REPORT_TOKEN'), ['tier', 'job', 'step', 'line'])).toEqual({ tier: 'T0', job: 'test', step: 'after_script', line: 3 });
  });
});
