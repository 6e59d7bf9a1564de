import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuildRecords, matchBuilds, parseBuildRecords, type RepoHistory } from '../../src/builds/index.js';
import { UsageError } from '../../src/errors.js';
import { sweepHistory } from '../../src/git/history.js';
import { TargetIndex } from '../../src/match/index.js';
import { cleanup, npmLock, tempDir, TestRepo } from '../git/repo-helpers.js';

afterAll(cleanup);

const MISSING = 'f'.repeat(40);

describe('build records', () => {
  const r = new TestRepo();
  const other = new TestRepo();
  const c: Record<string, string> = {};
  let repos: RepoHistory[];
  let dir: string;

  beforeAll(async () => {
    c.clean = r.commit(1, 'clean', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0' }) });
    c.bad = r.commit(2, 'bad', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.0' }) });
    c.fixed = r.commit(3, 'fixed', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.1' }) });
    c.api = other.commit(1, 'api', { 'package-lock.json': npmLock({ evil: '1.0.0' }) });
    const targets = new TargetIndex([{ name: 'evil', range: '1.0.0', source: 'cli' }]);
    repos = [
      { repo: 'web', history: await sweepHistory(r.dir, { targets, repoLabel: 'web' }) },
      { repo: 'services/api', history: await sweepHistory(other.dir, { targets, repoLabel: 'services/api' }) },
    ];
    dir = tempDir();
  });

  it('reads a `gh run list --json` export and matches records to the repository holding the commit', async () => {
    const file = join(dir, 'gh.json');
    writeFileSync(
      file,
      JSON.stringify([
        { databaseId: 101, headSha: c.bad, headBranch: 'main', createdAt: '2024-01-03T10:00:00Z', workflowName: 'CI', event: 'push', conclusion: 'success', url: 'https://github.com/acme/web/actions/runs/101' },
        { databaseId: 102, headSha: c.fixed, headBranch: 'main', createdAt: '2024-01-04T10:00:00Z', workflowName: 'CI', event: 'push', conclusion: 'success', url: 'https://github.com/acme/web/actions/runs/102' },
        { databaseId: 103, headSha: MISSING, headBranch: 'gone', createdAt: '2024-01-05T10:00:00Z', workflowName: 'CI', event: 'push', conclusion: 'failure', url: 'https://github.com/acme/web/actions/runs/103' },
        { databaseId: 104, headSha: c.api!.slice(0, 10), headBranch: 'main', createdAt: '2024-01-02T10:00:00Z', workflowName: 'Deploy', event: 'push', conclusion: 'success', url: 'https://github.com/acme/api/actions/runs/104' },
      ]),
    );
    const records = await loadBuildRecords(file);
    expect(records[0]).toEqual({
      id: '101', commit: c.bad, ref: 'main', startedAt: '2024-01-03T10:00:00.000Z', workflow: 'CI', event: 'push',
      conclusion: 'success', url: 'https://github.com/acme/web/actions/runs/101', format: 'github-cli', source: `${file}#0`,
    });
    const m = await matchBuilds(records, repos);
    expect(m.builds).toEqual([
      { repo: 'services/api', id: '104', commit: c.api, workflow: 'Deploy', startedAt: '2024-01-02T10:00:00.000Z', url: 'https://github.com/acme/api/actions/runs/104', ref: 'main', packages: ['evil@1.0.0 in package-lock.json'], source: `${file}#3` },
      { repo: 'web', id: '101', commit: c.bad, workflow: 'CI', startedAt: '2024-01-03T10:00:00.000Z', url: 'https://github.com/acme/web/actions/runs/101', ref: 'main', packages: ['evil@1.0.0 in package-lock.json'], source: `${file}#0` },
    ]);
    expect(m.clean).toBe(1);
    expect(m.gaps).toHaveLength(1);
    expect(m.gaps[0]).toMatchObject({ path: `${file}#2`, commit: MISSING, code: 'BUILD_COMMIT_MISSING' });
    expect(m.gaps[0]!.reason).toContain('build 103');
  });

  it('reads the REST `workflow_runs` shape, using repository.full_name to pick the repository', async () => {
    const text = JSON.stringify({
      total_count: 2,
      workflow_runs: [
        { id: 9001, name: 'Release', head_sha: c.bad, head_branch: 'main', created_at: '2024-01-03T11:00:00Z', html_url: 'https://github.com/acme/web/actions/runs/9001', repository: { full_name: 'acme/web' } },
        // The commit exists only in `web`, but the record says `acme/api`: not found there -> a gap.
        { id: 9002, name: 'Release', head_sha: c.bad, head_branch: 'main', created_at: '2024-01-03T12:00:00Z', html_url: 'https://github.com/acme/api/actions/runs/9002', repository: { full_name: 'acme/api' } },
      ],
    });
    const records = parseBuildRecords(text, 'runs.json');
    expect(records.map((x) => [x.format, x.repo, x.id])).toEqual([
      ['github-rest', 'acme/web', '9001'],
      ['github-rest', 'acme/api', '9002'],
    ]);
    const m = await matchBuilds(records, repos);
    expect(m.builds.map((b) => [b.repo, b.id, b.workflow])).toEqual([['web', '9001', 'Release']]);
    expect(m.gaps.map((g) => [g.repo, g.path, g.code])).toEqual([['services/api', 'runs.json#1', 'BUILD_COMMIT_MISSING']]);
  });

  it('reads a GitLab pipelines export with a repository hint', async () => {
    const text = JSON.stringify([
      { id: 55, iid: 7, project_id: 3, sha: c.bad, ref: 'main', status: 'success', source: 'push', created_at: '2024-01-03T09:00:00.000Z', web_url: 'https://gitlab.example/acme/web/-/pipelines/55' },
      { id: 56, iid: 8, project_id: 3, sha: c.clean, ref: 'main', status: 'success', source: 'push', created_at: '2024-01-02T09:00:00.000Z', web_url: 'https://gitlab.example/acme/web/-/pipelines/56' },
      { id: 57, iid: 9, project_id: 3, sha: MISSING, ref: 'main', status: 'success', source: 'push', created_at: '2024-01-02T09:00:00.000Z', web_url: 'https://gitlab.example/acme/web/-/pipelines/57' },
    ]);
    const records = parseBuildRecords(text, 'pipelines.json', { repo: 'web' });
    expect(records.every((x) => x.format === 'gitlab' && x.repo === 'web')).toBe(true);
    const m = await matchBuilds(records, repos);
    expect(m.builds).toEqual([
      { repo: 'web', id: '55', commit: c.bad, workflow: 'push', startedAt: '2024-01-03T09:00:00.000Z', url: 'https://gitlab.example/acme/web/-/pipelines/55', ref: 'main', packages: ['evil@1.0.0 in package-lock.json'], source: 'pipelines.json#0' },
    ]);
    expect(m.clean).toBe(1);
    expect(m.gaps.map((g) => [g.repo, g.commit, g.code])).toEqual([['web', MISSING, 'BUILD_COMMIT_MISSING']]);
  });

  it('reads a plain CSV, with or without a header; the repo column decides', async () => {
    const withHeader = `repo,commit,started_at,id,url\nweb,${c.bad!.slice(0, 7)},2024-01-03T08:00:00Z,b-1,https://ci.example/b-1\nservices/api,${c.api},2024-01-02T08:00:00Z,b-2,\nweb,${MISSING},,b-3,\n`;
    const records = parseBuildRecords(withHeader, 'builds.csv');
    expect(records[0]).toEqual({
      repo: 'web', commit: c.bad!.slice(0, 7), startedAt: '2024-01-03T08:00:00.000Z', id: 'b-1', url: 'https://ci.example/b-1', format: 'csv', source: 'builds.csv:2',
    });
    const m = await matchBuilds(records, repos);
    expect(m.builds.map((b) => [b.repo, b.id, b.commit])).toEqual([
      ['services/api', 'b-2', c.api],
      ['web', 'b-1', c.bad],
    ]);
    expect(m.gaps.map((g) => [g.repo, g.path, g.commit])).toEqual([['web', 'builds.csv:4', MISSING]]);

    const noHeader = parseBuildRecords(`web,${c.bad},2024-01-03,x-1,https://ci.example/x-1\n`, 'plain.csv');
    expect(noHeader).toEqual([
      { repo: 'web', commit: c.bad, startedAt: '2024-01-03T00:00:00.000Z', id: 'x-1', url: 'https://ci.example/x-1', format: 'csv', source: 'plain.csv:1' },
    ]);
  });

  it('a record naming a repository that was not scanned is a gap', async () => {
    const m = await matchBuilds(parseBuildRecords(`unknown-repo,${c.bad},,z-1,\n`, 'z.csv'), repos);
    expect(m.builds).toEqual([]);
    expect(m.gaps).toEqual([
      { repo: 'unknown-repo', path: 'z.csv:1', commit: c.bad, code: 'BUILD_COMMIT_MISSING', reason: expect.stringContaining('was not scanned') },
    ]);
  });

  it.each([
    ['empty', '', /empty/, undefined],
    ['bad JSON', '[{"headSha": ', /not valid JSON/, undefined],
    ['unknown JSON', '[{"foo": 1}]', /unknown JSON shape/, undefined],
    ['bad commit (CSV line)', `repo,commit,started_at,id,url\nweb,${'b'.repeat(40)},,1,\nweb,not-a-sha,,2,\n`, /not a commit id/, 3],
    ['bad date (CSV line)', `web,${'a'.repeat(40)},yesterday-ish,1,\n`, /not a date/, 1],
    ['missing id', JSON.stringify([{ headSha: 'a'.repeat(40) }]), /no id/, undefined],
    ['unbalanced quote', `web,"${'a'.repeat(40)},,1,\n`, /CSV/, undefined],
  ])('a bad file (%s) is a UsageError naming the file', (_name, text, message, line) => {
    let err: unknown;
    try {
      parseBuildRecords(text as string, 'bad.file');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).path).toBe('bad.file');
    expect((err as UsageError).message).toMatch(message as RegExp);
    if (line !== undefined) expect((err as UsageError).line).toBe(line);
  });

  it('a missing file is a UsageError naming it', async () => {
    await expect(loadBuildRecords(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'USAGE', path: join(dir, 'nope.json') });
  });
});
