import { afterAll, describe, expect, it } from 'vitest';
import { scope } from '../../src/scope/index.js';
import { cleanup, npmLock, TestRepo, yarnLock } from '../git/repo-helpers.js';

afterAll(() => cleanup());

describe('history-only findings', () => {
  it('every finding of one lockfile version gets its own direct flag and path', async () => {
    const r = new TestRepo();
    r.commit(1, 'init', { 'package-lock.json': npmLock({ chalk: '5.6.0', 'strip-ansi': '7.1.0' }) });
    r.commit(2, 'bump', { 'package-lock.json': npmLock({ chalk: '5.6.1', 'strip-ansi': '7.1.1' }) });
    r.commit(3, 'pin', { 'package-lock.json': npmLock({ chalk: '5.6.2', 'strip-ansi': '7.1.2' }) });
    const report = await scope({
      paths: [r.dir],
      targets: [
        { name: 'chalk', range: '5.6.1', source: 'test' },
        { name: 'strip-ansi', range: '7.1.1', source: 'test' },
      ],
      secrets: false,
    });
    expect(report.findings.map((f) => [f.package, f.version, f.present, f.direct, f.paths])).toEqual([
      ['chalk', '5.6.1', false, true, [['app', 'chalk']]],
      ['strip-ansi', '7.1.1', false, true, [['app', 'strip-ansi']]],
    ]);
  });
});

describe('a narrowed sweep is not a complete one', () => {
  const targets = [{ name: 'chalk', range: '5.6.1', source: 'test' }];
  const repo = () => {
    const r = new TestRepo();
    r.commit(1, 'init', { 'package-lock.json': npmLock({ chalk: '5.6.0' }) });
    r.commit(5, 'bad', { 'package-lock.json': npmLock({ chalk: '5.6.1' }) });
    r.commit(6, 'fixed', { 'package-lock.json': npmLock({ chalk: '5.6.2' }) });
    return r;
  };

  it('--no-history: the git history is a gap, so "not found" is not "clean"', async () => {
    const r = repo();
    const report = await scope({ paths: [r.dir], targets, history: false, secrets: false });
    expect(report.findings).toEqual([]);
    expect(report.gaps.map((g) => [g.repo, g.code])).toEqual([['.', 'NOT_SWEPT']]);
  });

  it('--since / --refs say what was not read', async () => {
    const r = repo();
    const since = await scope({ paths: [r.dir], targets, since: '2024-01-20', secrets: false });
    expect(since.findings).toEqual([]);
    expect(since.gaps.map((g) => [g.code, g.reason])).toEqual([['NOT_SWEPT', 'sweep narrowed: commits before 2024-01-20 (--since) were not read']]);
    const refs = await scope({ paths: [r.dir], targets, refs: ['refs/heads/release/'], secrets: false });
    expect(refs.gaps.map((g) => [g.code, g.reason])).toEqual([['NOT_SWEPT', 'no ref matches --refs refs/heads/release/: no history was read']]);
    const full = await scope({ paths: [r.dir], targets, secrets: false });
    expect(full.findings.map((f) => [f.package, f.version])).toEqual([['chalk', '5.6.1']]);
    expect(full.gaps).toEqual([]);
  });

  it.each(['yesterdayish', '2025-13-45', '1 fortnight ago'])('rejects the date %s', async (d) => {
    const r = repo();
    await expect(scope({ paths: [r.dir], targets, since: d })).rejects.toThrow(/invalid --since date/);
  });
});

describe('history-only findings read the package.json of their commit', () => {
  it('names the root by its package name, as working-tree findings do (yarn.lock has no root of its own)', async () => {
    const r = new TestRepo();
    // yarn writes the manifest's range into the lockfile header (the helper writes `chalk@^<version>`).
    const manifest = (v: string) => `{"name":"@acme/wallet","version":"1.0.0","dependencies":{"chalk":"^${v}"}}\n`;
    r.commit(1, 'init', { 'package.json': manifest('5.6.0'), 'yarn.lock': yarnLock({ chalk: '5.6.0' }) });
    r.commit(2, 'bad', { 'package.json': manifest('5.6.1'), 'yarn.lock': yarnLock({ chalk: '5.6.1' }) });
    r.commit(3, 'good', { 'package.json': manifest('5.6.2'), 'yarn.lock': yarnLock({ chalk: '5.6.2' }) });
    const report = await scope({ paths: [r.dir], targets: [{ name: 'chalk', range: '5.6.1', source: 'test' }], secrets: false });
    expect(report.findings.map((f) => [f.direct, f.paths])).toEqual([[true, [['@acme/wallet', 'chalk']]]]);
    expect(report.notes?.some((n) => n.code === 'ROOT_DEPS_UNKNOWN')).toBe(false);
  });
});
