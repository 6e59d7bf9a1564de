/**
 * No secret value ever leaves the analyser: feed real-looking tokens of every kind (built by
 * concatenation, so none sits in the repository as one literal) into .npmrc, .env, .yarnrc.yml,
 * bunfig.toml and workflow literals, and into the literal forms of the other CI systems (GitLab and
 * Azure variables, CircleCI environment, Jenkins environment, Bitbucket pipe variables, Travis env and
 * deploy keys, Dockerfile ARG/ENV defaults), and assert no value appears in the serialised result.
 */
import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, repoFilesFromRecord } from '../../src/ci/index.js';

const rep = (c: string, n: number) => c.repeat(n);
const tokens = {
  npm: 'npm' + '_' + rep('A1b2', 9),
  ghp: 'ghp' + '_' + rep('Zx9', 12),
  pat: 'github' + '_pat_' + rep('11AB', 6) + '_' + rep('cd34', 12),
  aws: 'AK' + 'IA' + rep('QX7', 5) + 'Z',
  openai: 'sk' + '-proj-' + rep('Qw3r', 8),
  slack: 'xo' + 'xb-' + '1234567890-' + rep('abCD', 6),
  gitlab: 'gl' + 'pat-' + rep('Hj8K', 5),
  generic: 'plain' + 'Secret' + 'Value' + '9876',
};

const files: Record<string, string> = {
  '.npmrc': `//registry.npmjs.org/:_authToken=${tokens.npm}\n//npm.pkg.github.com/:_authToken=${tokens.ghp}\n`,
  '.env': [`GH_PAT=${tokens.pat}`, `AWS_ACCESS_KEY_ID=${tokens.aws}`, `OPENAI_API_KEY="${tokens.openai}"`, `SLACK_BOT_TOKEN=${tokens.slack}`, `GITLAB_TOKEN=${tokens.gitlab}`, `DB_PASSWORD=${tokens.generic}`].join('\n'),
  '.yarnrc.yml': `npmAuthToken: "${tokens.npm}"\n`,
  'bunfig.toml': `[install.scopes]\ncorp = { token = "${tokens.gitlab}", url = "https://npm.corp.example.com/" }\n`,
  '.github/workflows/ci.yml': [
    'on: push',
    'env:',
    `  NPM_TOKEN: ${tokens.npm}`,
    `  SERVICE_PASSWORD: ${tokens.generic}`,
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    env:',
    `      AWS_SECRET: ${tokens.aws}`,
    '    steps:',
    '      - uses: actions/checkout@v4',
    `        with: { token: ${tokens.ghp} }`,
    `      - run: echo "//registry.npmjs.org/:_authToken=${tokens.npm}" > ~/.npmrc && npm ci`,
    `      - run: 'curl -H "Authorization: Bearer ${tokens.openai}" https://api.example.com && npm test'`,
    '        env:',
    `          SLACK_BOT_TOKEN: ${tokens.slack}`,
    `          GITLAB_TOKEN: ${tokens.gitlab}`,
  ].join('\n'),
};

describe('secret values never appear in results', () => {
  const result = analyzeRepoSecrets(repoFilesFromRecord(files), { repo: '.' });
  const json = JSON.stringify(result);

  it.each(Object.entries(tokens))('%s token value is absent', (_kind, value) => {
    expect(json).not.toContain(value);
    // Not even a long slice of it (the fingerprint shows only a public prefix).
    expect(json).not.toContain(value.slice(0, Math.max(12, value.length - 4)));
  });

  it('still reports the committed literals with fingerprints', () => {
    const committed = result.secrets.filter((s) => s.committed === true);
    expect(committed.length).toBeGreaterThanOrEqual(10);
    const npmrc = committed.find((s) => s.file === '.npmrc' && s.line === 1)!;
    expect(npmrc.kind).toBe('npm-token');
    expect(npmrc.tier).toBe('T0');
    expect(npmrc.fingerprint).toMatch(/^npm_…#[0-9a-f]{12}$/);
    const aws = committed.find((s) => s.file === '.env' && s.name === 'AWS_ACCESS_KEY_ID')!;
    expect(aws.kind).toBe('aws');
    expect(aws.fingerprint).toMatch(/^AKIA…#/);
    const generic = committed.find((s) => s.file === '.env' && s.name === 'DB_PASSWORD')!;
    expect(generic.fingerprint).toMatch(/^…#[0-9a-f]{12}$/);
  });

  it('read every file', () => {
    expect(result.gaps).toEqual([]);
    expect(result.ciFiles).toEqual(['.env', '.github/workflows/ci.yml', '.npmrc', '.yarnrc.yml', 'bunfig.toml']);
  });

  it('redacts literals inside run commands in the model', () => {
    const model = JSON.stringify(result.parses);
    expect(model).toContain('<redacted:npm_…#');
    expect(model).toContain('<redacted:sk-…#');
  });
});

/** The literal forms of the non-GitHub CI systems. */
const otherFiles: Record<string, string> = {
  '.gitlab-ci.yml': [
    'variables:',
    `  NPM_TOKEN: ${tokens.npm}`,
    'test:',
    '  variables:',
    `    DB_PASSWORD: ${tokens.generic}`,
    '  script:',
    `    - 'curl -H "Authorization: Bearer ${tokens.openai}" https://api.example.com'`,
    '    - npm ci',
  ].join('\n'),
  '.circleci/config.yml': [
    'version: 2.1',
    'jobs:',
    '  test:',
    '    docker:',
    '      - image: cimg/node:22.0',
    '    environment:',
    `      GH_PAT: ${tokens.ghp}`,
    '    steps:',
    '      - checkout',
    '      - run:',
    '          command: npm ci',
    '          environment:',
    `            AWS_ACCESS_KEY_ID: ${tokens.aws}`,
    'workflows:',
    '  main:',
    '    jobs: [test]',
  ].join('\n'),
  Jenkinsfile: [
    'pipeline {',
    '  agent any',
    '  environment {',
    `    NPM_TOKEN = '${tokens.npm}'`,
    '  }',
    '  stages {',
    "    stage('build') {",
    `      steps { sh 'SLACK_BOT_TOKEN=${tokens.slack} npm ci' }`,
    '    }',
    '  }',
    '}',
  ].join('\n'),
  'azure-pipelines.yml': [
    'trigger: [main]',
    'pool: { vmImage: ubuntu-latest }',
    'variables:',
    `  OPENAI_API_KEY: ${tokens.openai}`,
    'steps:',
    '  - script: npm ci',
    '    env:',
    `      GITLAB_TOKEN: ${tokens.gitlab}`,
  ].join('\n'),
  'bitbucket-pipelines.yml': [
    'image: node:22',
    'pipelines:',
    '  default:',
    '    - step:',
    '        script:',
    `          - export GH_PAT=${tokens.pat}`,
    '          - npm ci',
    '          - pipe: atlassian/slack-notify:2.0.0',
    '            variables:',
    `              SLACK_BOT_TOKEN: ${tokens.slack}`,
  ].join('\n'),
  '.travis.yml': [
    'language: node_js',
    'env:',
    '  global:',
    `    - NPM_TOKEN=${tokens.npm}`,
    `    - DB_PASSWORD=${tokens.generic}`,
    'deploy:',
    '  provider: npm',
    `  api_key: ${tokens.npm}`,
  ].join('\n'),
  Dockerfile: [
    'FROM node:22',
    `ARG NPM_TOKEN=${tokens.npm}`,
    `ENV AWS_ACCESS_KEY_ID=${tokens.aws}`,
    `RUN echo "//registry.npmjs.org/:_authToken=${tokens.npm}" > .npmrc && npm ci`,
  ].join('\n'),
};

describe('secret values never appear in results (GitLab, CircleCI, Jenkins, Azure, Bitbucket, Travis, Dockerfile)', () => {
  const result = analyzeRepoSecrets(repoFilesFromRecord(otherFiles), { repo: '.' });
  const json = JSON.stringify(result);

  it.each(Object.entries(tokens))('%s token value is absent', (_kind, value) => {
    expect(json).not.toContain(value);
    expect(json).not.toContain(value.slice(0, Math.max(12, value.length - 4)));
  });

  it('read every file and still reports the literals, by fingerprint, in each system', () => {
    expect(result.gaps).toEqual([]);
    expect(result.ciFiles).toEqual(Object.keys(otherFiles).sort());
    const systems = new Set(result.secrets.filter((s) => s.committed === true && typeof s.fingerprint === 'string').map((s) => s.system));
    expect([...systems].sort()).toEqual(['azure-pipelines', 'bitbucket', 'circleci', 'dockerfile', 'gitlab-ci', 'jenkins', 'travis']);
    for (const s of result.secrets.filter((x) => x.committed === true)) expect(s.fingerprint).toMatch(/^[\w-]{0,12}…#[0-9a-f]{12}$/);
  });
});
