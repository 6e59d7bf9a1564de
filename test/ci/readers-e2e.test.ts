/**
 * End-to-end: the worked examples of ci-secrets.md §3.5 (GitLab), §5.4 (Jenkins), §6.3 (Azure), §8 (Travis)
 * read by the non-GitHub readers and analysed by analyzeRepoSecrets. Each row is an exposure the spec
 * expects (tier, kind, job, step, line).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRepoSecrets, READERS } from '../../src/ci/index.js';
import { azurePipelinesReader } from '../../src/ci/readers/azure-pipelines.js';
import { bitbucketReader } from '../../src/ci/readers/bitbucket.js';
import { circleciReader } from '../../src/ci/readers/circleci.js';
import { dockerfileReader } from '../../src/ci/readers/dockerfile.js';
import { gitlabCiReader } from '../../src/ci/readers/gitlab-ci.js';
import { jenkinsReader } from '../../src/ci/readers/jenkins.js';
import { travisReader } from '../../src/ci/readers/travis.js';
import { caseRepo, FIXTURES } from './_reader-fixtures.js';

const MINE = [gitlabCiReader, jenkinsReader, dockerfileReader, circleciReader, azurePipelinesReader, bitbucketReader, travisReader];
const readers = [...READERS.filter((r) => !MINE.some((m) => m.system === r.system)), ...MINE];

function analyze(system: string, c = 'worked-example') {
  return analyzeRepoSecrets(caseRepo(join(FIXTURES, system, c)), { repo: '.', readers });
}

const rows: [string, { name: string; tier: string; kind: string; job: string; step?: string; line: number; file: string }][] = [
  ['gitlab-ci', { name: 'CI_JOB_TOKEN', tier: 'T0', kind: 'job-token', job: 'publish', line: 26, file: '.gitlab-ci.yml' }],
  ['jenkins', { name: 'nexus-npm', tier: 'T0', kind: expect.any(String) as unknown as string, job: 'pipeline', step: 'install: npm ci', line: 4, file: 'Jenkinsfile' }],
  ['azure-pipelines', { name: 'SENTRY_TOKEN', tier: 'T0', kind: 'observability', job: 'Job', step: 'npm run build', line: 16, file: 'azure-pipelines.yml' }],
  ['azure-pipelines', { name: 'System.AccessToken', tier: 'T0', kind: 'job-token', job: 'Job', step: 'npm ci', line: 8, file: 'azure-pipelines.yml' }],
  ['travis', { name: 'CODECOV_TOKEN', tier: 'T0', kind: 'observability', job: 'default', step: 'install (implicit)', line: 5, file: '.travis.yml' }],
];

describe('worked examples end to end', () => {
  it.each(rows)('%s: %o', (system, row) => {
    const r = analyze(system);
    expect(r.gaps).toEqual([]);
    expect(r.secrets).toContainEqual(expect.objectContaining({ system, ...row }));
  });

  it('a file that cannot be parsed is a gap with file, line and reason', () => {
    const r = analyze('gitlab-ci', 'invalid-yaml');
    expect(r.gaps).toEqual([expect.objectContaining({ path: '.gitlab-ci.yml', code: 'CI_PARSE_ERROR', reason: expect.stringMatching(/line 3/) })]);
    const j = analyze('jenkins', 'unbalanced');
    expect(j.gaps).toEqual([expect.objectContaining({ path: 'Jenkinsfile', code: 'CI_PARSE_ERROR', reason: expect.stringMatching(/line 4/) })]);
  });

  it('a missing local include is a gap, remote ones are named as opaque', () => {
    const r = analyze('gitlab-ci', 'missing-include');
    expect(r.gaps).toContainEqual(expect.objectContaining({ path: 'ci/missing.yml', code: 'NOT_FOUND' }));
    expect(r.parses[0]!.pipelines[0]!.opaque.map((o) => o.what)).toContain('template include Security/SAST.gitlab-ci.yml');
  });
});
