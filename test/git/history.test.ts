import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepHistory, type HistoryFinding, type HistoryResult, type SweepProgress } from '../../src/git/history.js';
import { TargetIndex } from '../../src/match/index.js';
import { cleanup, git, iso, npmLock, pnpmLock, tempDir, TestRepo, yarnLock } from './repo-helpers.js';

const EVIL = new TargetIndex([{ name: 'evil', range: '1.0.0', source: 'cli' }]);

function find(r: HistoryResult, lockfile: string, pkg = 'evil', version = '1.0.0'): HistoryFinding {
  const f = r.findings.find((x) => x.lockfile === lockfile && x.package === pkg && x.version === version);
  if (!f) throw new Error(`no finding for ${lockfile} ${pkg}@${version}: ${r.findings.map((x) => x.key).join(', ')}`);
  return f;
}

const shas = (l: { commit: string }[]) => l.map((c) => c.commit);

afterAll(cleanup);

/**
 * main:    c1 -- c2 -- c4 ------ c5(merge feature) -- c6 -- c7(move) -- c8(delete) ------ c10(merge hot)
 *                 \            /                                          \              /
 * feature:         c3 --------                                   hot:      c9 ----------
 * old:    c1 -- c11 (never sees it)
 */
describe('sweepHistory over an npm + yarn history with branches, merges, tags, moves and deletions', () => {
  const r = new TestRepo();
  const c: Record<string, string> = {};
  let res: HistoryResult;
  const progress: SweepProgress[] = [];

  beforeAll(async () => {
    c.c1 = r.commit(1, 'c1 start', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0' }) });
    r.checkout('old', true);
    c.c11 = r.commit(11, 'c11 old branch', { 'README.md': 'old\n' });
    r.checkout('main');
    c.c2 = r.commit(2, 'c2 add evil', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.0' }) });
    r.tag('v1', true, 2);
    r.checkout('feature', true);
    c.c3 = r.commit(3, 'c3 bump evil', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.1' }) });
    r.checkout('main');
    c.c4 = r.commit(4, 'c4 unrelated', { 'src.txt': 'x\n' });
    c.c5 = r.merge(5, 'feature', 'c5 merge feature');
    c.c6 = r.commit(6, 'c6 nested', {
      'packages/a/package-lock.json': npmLock({ evil: '1.0.0' }, 'a'),
      'node_modules/x/package-lock.json': npmLock({ evil: '1.0.0' }, 'x'),
    });
    r.git(['mv', 'packages/a', 'packages/b']);
    c.c7 = r.commit(7, 'c7 move a to b', {});
    r.tag('v2');
    c.c8 = r.commit(8, 'c8 delete b', { 'packages/b/package-lock.json': null });
    r.checkout('hot', true);
    c.c9 = r.commit(9, 'c9 yarn with evil', { 'yarn.lock': yarnLock({ evil: '1.0.0' }) });
    r.checkout('main');
    c.c10 = r.merge(10, 'hot', 'c10 merge hot');
    res = await sweepHistory(r.dir, { targets: EVIL, repoLabel: 'web', onProgress: (p) => progress.push(p) });
  });

  it('finds exactly the (lockfile, package, version) triples, never under node_modules', () => {
    expect(res.findings.map((f) => [f.lockfile, f.package, f.version, f.format, f.target])).toEqual([
      ['package-lock.json', 'evil', '1.0.0', 'npm', 'evil@1.0.0'],
      ['packages/a/package-lock.json', 'evil', '1.0.0', 'npm', 'evil@1.0.0'],
      ['packages/b/package-lock.json', 'evil', '1.0.0', 'npm', 'evil@1.0.0'],
      ['yarn.lock', 'evil', '1.0.0', 'yarn-classic', 'evil@1.0.0'],
    ]);
    expect(res.gaps).toEqual([]);
    expect(res.findings.every((f) => f.repo === 'web')).toBe(true);
  });

  it('root lockfile: introduced on main, removed on the branch and by the merge that drops it', () => {
    const h = find(res, 'package-lock.json').history;
    expect(shas(h.introduced)).toEqual([c.c2]);
    expect(shas(h.removed)).toEqual([c.c3, c.c5]);
    expect(h.affectedCommits).toBe(2); // c2, c4
    // Every ref whose history holds an affected commit, and whether its tip still resolves it.
    expect(h.refs).toEqual([
      { name: 'refs/heads/feature', affectedAtTip: false },
      { name: 'refs/heads/hot', affectedAtTip: false },
      { name: 'refs/heads/main', affectedAtTip: false },
      { name: 'refs/tags/v1', affectedAtTip: true },
      { name: 'refs/tags/v2', affectedAtTip: false },
    ]);
    expect(h.tags).toEqual(['v1']);
    expect(h.windows).toEqual([
      { ref: 'refs/heads/feature', from: iso(2), to: iso(3), fromCommit: c.c2, toCommit: c.c3 },
      // hot forks from main after c8: its first-parent line holds main's window.
      { ref: 'refs/heads/hot', from: iso(2), to: iso(5), fromCommit: c.c2, toCommit: c.c5 },
      { ref: 'refs/heads/main', from: iso(2), to: iso(5), fromCommit: c.c2, toCommit: c.c5 },
    ]);
    expect(h.firstSeen).toBe(iso(2));
    expect(h.lastSeen).toBe(iso(5));
    expect(h.introduced[0]).toEqual({ commit: c.c2, date: iso(2), author: 'Test Author <author@example.test>', subject: 'c2 add evil' });
  });

  it('a moved lockfile is a removal at the old path and an introduction at the new one; a deletion removes', () => {
    const a = find(res, 'packages/a/package-lock.json').history;
    expect(shas(a.introduced)).toEqual([c.c6]);
    expect(shas(a.removed)).toEqual([c.c7]);
    expect(a.affectedCommits).toBe(1);
    const b = find(res, 'packages/b/package-lock.json').history;
    expect(shas(b.introduced)).toEqual([c.c7]);
    expect(shas(b.removed)).toEqual([c.c8]);
    expect(b.affectedCommits).toBe(1);
    expect(b.tags).toEqual(['v2']);
    expect(b.refs).toEqual([
      { name: 'refs/heads/hot', affectedAtTip: false },
      { name: 'refs/heads/main', affectedAtTip: false },
      { name: 'refs/tags/v2', affectedAtTip: true },
    ]);
  });

  it('a version brought in by the second parent of a merge is introduced on the branch only, open at the tips', () => {
    const y = find(res, 'yarn.lock');
    const h = y.history;
    expect(shas(h.introduced)).toEqual([c.c9]);
    expect(h.removed).toEqual([]);
    expect(h.affectedCommits).toBe(2); // c9, c10
    expect(h.refs).toEqual([
      { name: 'refs/heads/hot', affectedAtTip: true },
      { name: 'refs/heads/main', affectedAtTip: true },
    ]);
    expect(h.windows).toEqual([
      { ref: 'refs/heads/hot', from: iso(9), to: null, fromCommit: c.c9, toCommit: null },
      { ref: 'refs/heads/main', from: iso(10), to: null, fromCommit: c.c10, toCommit: null },
    ]);
    expect(h.lastSeen).toBeNull();
    expect(y.representative.line).toBe(5);
    expect(y.representative.blob).toBe(r.git(['rev-parse', `${c.c10}:yarn.lock`]));
    expect(y.windowRepresentatives.map((w) => [w.ref, w.fromCommit, w.blob])).toEqual([
      ['refs/heads/hot', c.c9, y.representative.blob],
      ['refs/heads/main', c.c10, y.representative.blob],
    ]);
  });

  it('reads each distinct blob once and reports progress', () => {
    // root lockfile: 3 versions; a/b: one blob (same content); node_modules excluded; yarn: 1.
    expect(res.stats).toMatchObject({ commits: 11, refs: 6, distinctBlobs: 5, blobsRead: 5 });
    // npm and yarn blobs holding the name are judged from the cut-out entries (the yarn line still
    // maps to 5 above); the left-pad-only version holds no target name.
    expect(res.stats.blobsScanned).toBe(4);
    expect(res.stats.blobsParsed).toBe(0);
    expect(progress.map((p) => p.phase)).toContain('read');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', commits: 11, blobsRead: 5, blobsTotal: 5 });
  });

  it('resolves commits for build records: short ids, unreachable commits, unknown ids', async () => {
    // A commit on no ref: the object is in the repository, the sweep did not walk it.
    r.checkout('main');
    r.git(['checkout', '-q', '--detach', c.c2]);
    const dangling = r.commit(12, 'dangling', { 'x.txt': 'x' });
    r.checkout('main');
    const out = await res.resolveCommits([c.c4!.slice(0, 8), c.c10!, c.c1!, dangling, 'deadbeefdeadbeef', 'not-a-sha']);
    expect(out.missing).toEqual(['deadbeefdeadbeef', 'not-a-sha']);
    expect(out.resolved.get(c.c4!.slice(0, 8))).toMatchObject({ commit: c.c4, reachable: true });
    expect(out.resolved.get(c.c4!.slice(0, 8))!.findings.map((f) => f.lockfile)).toEqual(['package-lock.json']);
    expect(out.resolved.get(c.c10!)!.findings.map((f) => f.lockfile)).toEqual(['yarn.lock']);
    expect(out.resolved.get(c.c1!)!.findings).toEqual([]);
    const d = out.resolved.get(dangling)!;
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.key)).toEqual(['package-lock.json\0evil\x001.0.0']);
  });

  it('--refs narrows the refs walked', async () => {
    const only = await sweepHistory(r.dir, { targets: EVIL, refs: ['refs/heads/feature'] });
    expect(only.stats.commits).toBe(3);
    const h = find(only, 'package-lock.json').history;
    expect(shas(h.introduced)).toEqual([c.c2]);
    expect(shas(h.removed)).toEqual([c.c3]);
    expect(h.refs).toEqual([{ name: 'refs/heads/feature', affectedAtTip: false }]);
    expect(only.findings).toHaveLength(1);
  });

  it('reading every blob whole gives the same findings, lines and representatives', async () => {
    const full = await sweepHistory(r.dir, { targets: EVIL, repoLabel: 'web', fullParse: true });
    expect(full.stats.blobsScanned).toBe(0);
    expect(full.stats.blobsParsed).toBe(4);
    expect(full.findings).toEqual(res.findings);
  });

  it('--since narrows the commits; a parent before the range still decides introduced/removed', async () => {
    const since = await sweepHistory(r.dir, { targets: EVIL, since: iso(4) });
    // c4 (day 4) onwards, plus old's c11 and hot's c9; c2's lockfile is read from the boundary.
    expect(since.stats.commits).toBe(8);
    const h = find(since, 'package-lock.json').history;
    expect(h.introduced).toEqual([]); // c4's parent c2 (outside the range) was already affected
    expect(shas(h.removed)).toEqual([c.c5]);
    expect(h.affectedCommits).toBe(1);
    const until = await sweepHistory(r.dir, { targets: EVIL, until: iso(3) });
    expect(until.stats.commits).toBe(3); // c1, c2, c3
    expect(shas(find(until, 'package-lock.json').history.removed)).toEqual([c.c3]);
  });

  it('rejects option values git would take for options', async () => {
    await expect(sweepHistory(r.dir, { targets: EVIL, refs: ['--output=/tmp/x'] })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(sweepHistory(r.dir, { targets: EVIL, since: '--all' })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(sweepHistory(r.dir, { targets: EVIL, signal: ac.signal })).rejects.toThrow('stop');
  });

  it('without the worker thread the answers are the same', async () => {
    const plain = await sweepHistory(r.dir, { targets: EVIL, repoLabel: 'web', threaded: false });
    expect(plain.findings).toEqual(res.findings);
  });

  it('several cat-file readers give the same answers as one', async () => {
    const big = new TestRepo();
    for (let d = 1; d <= 24; d++) {
      const deps: Record<string, string> = { [`filler-${d}`]: '1.0.0', evil: d >= 8 && d < 15 ? '1.0.0' : '1.0.1' };
      big.commit(d, `v${d}`, { 'package-lock.json': npmLock(deps) });
      if (d === 12) big.tag('v12');
    }
    const one = await sweepHistory(big.dir, { targets: EVIL, repoLabel: 'big', readers: 1 });
    const two = await sweepHistory(big.dir, { targets: EVIL, repoLabel: 'big', readers: 2 });
    expect(one.stats.distinctBlobs).toBeGreaterThanOrEqual(16);
    expect(two.findings).toEqual(one.findings);
    expect(one.findings.map((f) => [f.version, f.history.affectedCommits, f.history.tags])).toEqual([['1.0.0', 7, ['v12']]]);
  });

  it('a thousand targets give the same verdicts as one', async () => {
    const many = new TargetIndex([
      { name: 'evil', range: '1.0.0', source: 'cli' },
      ...Array.from({ length: 999 }, (_, i) => ({ name: `pkg-${i}`, range: '*', source: 'cli' })),
    ]);
    const m = await sweepHistory(r.dir, { targets: many, repoLabel: 'web' });
    expect(m.findings.map((f) => [f.key, f.history])).toEqual(res.findings.map((f) => [f.key, f.history]));
  });
});

describe('sweepHistory over pnpm', () => {
  it('tracks a pnpm 9 lockfile through a branch and a merge', async () => {
    const r = new TestRepo();
    const c1 = r.commit(1, 'p1', { 'pnpm-lock.yaml': pnpmLock({ 'left-pad': '1.3.0' }) });
    r.checkout('dev', true);
    const c2 = r.commit(2, 'p2 evil', { 'pnpm-lock.yaml': pnpmLock({ 'left-pad': '1.3.0', evil: '1.0.0' }) });
    r.checkout('main');
    const c3 = r.merge(3, 'dev', 'p3 merge dev');
    const c4 = r.commit(4, 'p4 drop evil', { 'pnpm-lock.yaml': pnpmLock({ 'left-pad': '1.3.0' }) });
    const res = await sweepHistory(r.dir, { targets: EVIL });
    expect(res.gaps).toEqual([]);
    const f = find(res, 'pnpm-lock.yaml');
    expect(f.format).toBe('pnpm');
    expect(shas(f.history.introduced)).toEqual([c2]);
    expect(shas(f.history.removed)).toEqual([c4]);
    expect(f.history.affectedCommits).toBe(2);
    expect(f.history.refs).toEqual([
      { name: 'refs/heads/dev', affectedAtTip: true },
      { name: 'refs/heads/main', affectedAtTip: false },
    ]);
    expect(f.history.windows).toEqual([
      { ref: 'refs/heads/dev', from: iso(2), to: null, fromCommit: c2, toCommit: null },
      { ref: 'refs/heads/main', from: iso(3), to: iso(4), fromCommit: c3, toCommit: c4 },
    ]);
    expect(res.commitInfo(c3)).toEqual({ commit: c3, date: iso(3), parents: [c1, c2] });
  });
});

describe('sweepHistory over merges that decide on their own', () => {
  it('a merge that keeps its first parent drops the side\'s version (a removal); a merge resolution can introduce', async () => {
    const r = new TestRepo();
    const c1 = r.commit(1, 'm1', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0' }) });
    r.checkout('side', true);
    const c2 = r.commit(2, 'm2 side evil', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.0' }) });
    r.checkout('main');
    // `-s ours`: the merge's tree is main's, the side's lockfile change is dropped.
    r.git(['merge', '-q', '-s', 'ours', '--no-edit', '-m', 'm3 merge side keeping ours', 'side'], {
      GIT_AUTHOR_DATE: '1704369600 +0000',
      GIT_COMMITTER_DATE: '1704369600 +0000',
    });
    const c3 = r.head();
    // An "evil merge": both parents clean, the merge commit itself writes the version.
    r.checkout('other', true);
    const c4 = r.commit(4, 'm4 other', { 'README.md': 'x\n' });
    r.checkout('main');
    r.git(['merge', '-q', '--no-ff', '--no-commit', 'other']);
    const c5 = r.commit(5, 'm5 merge other with a hand edit', { 'package-lock.json': npmLock({ 'left-pad': '1.3.0', evil: '1.0.0' }) });
    const res = await sweepHistory(r.dir, { targets: EVIL });
    const h = find(res, 'package-lock.json').history;
    expect(res.commitInfo(c5)!.parents).toEqual([c3, c4]);
    expect(res.commitInfo(c3)!.parents).toEqual([c1, c2]);
    expect(shas(h.introduced)).toEqual([c2, c5]);
    expect(shas(h.removed)).toEqual([c3]);
    expect(h.affectedCommits).toBe(2);
    // `other` forks after the ours-merge: c2 is in its history (second parent), its tip is clean.
    expect(h.refs).toEqual([
      { name: 'refs/heads/main', affectedAtTip: true },
      { name: 'refs/heads/other', affectedAtTip: false },
      { name: 'refs/heads/side', affectedAtTip: true },
    ]);
    expect(h.windows).toEqual([
      { ref: 'refs/heads/main', from: iso(5), to: null, fromCommit: c5, toCommit: null },
      { ref: 'refs/heads/side', from: iso(2), to: null, fromCommit: c2, toCommit: null },
    ]);
  });
});

describe('sweepHistory on what is not a history', () => {
  it('a folder that is not a repository is a GIT_ERROR gap, not a clean result', async () => {
    const res = await sweepHistory(tempDir(), { targets: EVIL, repoLabel: 'x' });
    expect(res.findings).toEqual([]);
    expect(res.gaps).toEqual([{ repo: 'x', path: '.', code: 'GIT_ERROR', reason: expect.stringContaining('not a git repository') }]);
  });

  it('a repository without commits has nothing to sweep', async () => {
    const r = new TestRepo();
    const res = await sweepHistory(r.dir, { targets: EVIL });
    expect(res.findings).toEqual([]);
    expect(res.gaps).toEqual([]);
    expect(res.stats.commits).toBe(0);
  });
});

describe('sweepHistory on clones', () => {
  let origin: TestRepo;
  const c: Record<string, string> = {};
  beforeAll(() => {
    origin = new TestRepo();
    c.c1 = origin.commit(1, 'o1', { 'package-lock.json': npmLock({ evil: '1.0.0' }) });
    c.c2 = origin.commit(2, 'o2', { 'package-lock.json': npmLock({ evil: '1.0.1' }) });
    c.c3 = origin.commit(3, 'o3', { 'package-lock.json': npmLock({ evil: '1.0.0', 'left-pad': '1.3.0' }) });
    origin.checkout('pr', true);
    c.c4 = origin.commit(4, 'o4 pr', { 'yarn.lock': yarnLock({ evil: '1.0.0' }) });
    origin.checkout('main');
    origin.git(['update-ref', 'refs/pull/7/head', c.c4!]);
  });

  it('a bare mirror: works without a work tree and sees refs/pull/*', async () => {
    const dir = tempDir();
    git(dir, ['clone', '-q', '--mirror', `file://${origin.dir}`, 'm.git']);
    const res = await sweepHistory(`${dir}/m.git`, { targets: EVIL });
    expect(res.gaps).toEqual([]);
    const y = find(res, 'yarn.lock').history;
    expect(y.refs).toEqual([
      { name: 'refs/heads/pr', affectedAtTip: true },
      { name: 'refs/pull/7/head', affectedAtTip: true },
    ]);
    const n = find(res, 'package-lock.json').history;
    expect(shas(n.introduced)).toEqual([c.c1, c.c3]);
    expect(shas(n.removed)).toEqual([c.c2]);
    expect(n.affectedCommits).toBe(3); // c1, c3, c4
  });

  it('a normal clone sees remote-tracking branches', async () => {
    const dir = tempDir();
    git(dir, ['clone', '-q', `file://${origin.dir}`, 'w']);
    const res = await sweepHistory(`${dir}/w`, { targets: EVIL });
    expect(find(res, 'yarn.lock').history.refs).toEqual([{ name: 'refs/remotes/origin/pr', affectedAtTip: true }]);
  });

  it('a shallow clone: a SHALLOW_HISTORY gap naming the boundary commit', async () => {
    const dir = tempDir();
    git(dir, ['clone', '-q', '--depth', '1', '--branch', 'main', `file://${origin.dir}`, 's']);
    const res = await sweepHistory(`${dir}/s`, { targets: EVIL, repoLabel: 's' });
    expect(res.shallow).toBe(true);
    expect(res.gaps).toHaveLength(1);
    expect(res.gaps[0]).toMatchObject({ repo: 's', path: '.', commit: c.c3, code: 'SHALLOW_HISTORY' });
    expect(shas(find(res, 'package-lock.json').history.introduced)).toEqual([c.c3]);
  });

  it('a partial clone: missing blobs become MISSING_OBJECT gaps with commit and path, the rest is read', async () => {
    const dir = tempDir();
    git(origin.dir, ['config', 'uploadpack.allowFilter', 'true']);
    git(dir, ['clone', '-q', '--no-checkout', '--filter=blob:none', '--branch', 'main', `file://${origin.dir}`, 'p']);
    const p = `${dir}/p`;
    // Fetch one blob (the tip's lockfile) so the clone holds some blobs and lacks others.
    git(p, ['-c', 'protocol.file.allow=always', 'cat-file', '-p', `${c.c3}:package-lock.json`]);
    const res = await sweepHistory(p, { targets: EVIL });
    const missing = res.gaps.filter((g) => g.code === 'MISSING_OBJECT');
    expect(missing.map((g) => [g.path, g.commit])).toEqual([
      ['package-lock.json', c.c1],
      ['package-lock.json', c.c2],
      ['yarn.lock', c.c4], // refs/remotes/origin/pr
    ]);
    expect(missing[0]!.reason).toMatch(/partial clone/);
    // The blob that is present is read and judged.
    expect(shas(find(res, 'package-lock.json').history.introduced)).toEqual([c.c3]);
  });
});
