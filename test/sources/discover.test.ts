import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover } from '../../src/sources/discover.js';
import { tmpdir, writeFiles } from '../helpers/cli.js';
import { git } from '../git/repo-helpers.js';

const dirs: string[] = [];
const mk = () => {
  const d = tmpdir('npm-ir-discover-');
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const LOCK = '{"lockfileVersion":3,"packages":{"":{}}}\n';

describe('discover', () => {
  it('groups lockfiles into work trees, bare mirrors and plain folders; skips node_modules; keeps .gitignored lockfiles', async () => {
    const root = mk();
    writeFiles(root, {
      'web/package-lock.json': LOCK,
      'web/.gitignore': 'package-lock.json\nnode_modules\n',
      'web/packages/ui/yarn.lock': '# yarn lockfile v1\n',
      'web/node_modules/x/package-lock.json': LOCK,
      'web/node_modules/.package-lock.json': LOCK,
      'loose/pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    });
    git(path.join(root, 'web'), ['init', '-q']);
    git(path.join(root, 'web'), ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init']);
    git(root, ['clone', '-q', '--mirror', path.join(root, 'web'), path.join(root, 'mirror.git')]);
    const d = await discover([root]);
    expect(d.repos.map((r) => [r.label, r.kind, r.lockfiles])).toEqual([
      ['loose', 'folder', ['pnpm-lock.yaml']],
      ['mirror.git', 'bare', []],
      ['web', 'worktree', ['package-lock.json', 'packages/ui/yarn.lock']],
    ]);
    expect(d.gaps).toEqual([]);
    const withInstalled = await discover([root], { installed: true });
    expect(withInstalled.repos.find((r) => r.label === 'web')!.lockfiles).toEqual([
      'node_modules/.package-lock.json',
      'package-lock.json',
      'packages/ui/yarn.lock',
    ]);
  });

  it('resolves a symlinked scan root instead of scanning nothing', async () => {
    const root = mk();
    writeFiles(root, { 'real/app/package-lock.json': LOCK });
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
    const d = await discover([path.join(root, 'link')]);
    expect(d.repos.map((r) => [r.label, r.lockfiles])).toEqual([['app', ['package-lock.json']]]);
  });

  it('reports a symlinked directory below the root as a gap naming its target (not followed, no loops)', async () => {
    const root = mk();
    const elsewhere = mk();
    writeFiles(elsewhere, { 'app/package-lock.json': LOCK });
    writeFiles(root, { 'own/package-lock.json': LOCK });
    fs.symlinkSync(path.join(elsewhere, 'app'), path.join(root, 'linked-app'));
    fs.symlinkSync(root, path.join(root, 'own', 'loop'));
    const d = await discover([root]);
    expect(d.repos.map((r) => r.label)).toEqual(['own']);
    expect(d.gaps.map((g) => [g.path, g.code])).toEqual([
      ['linked-app', 'SYMLINK_NOT_FOLLOWED'],
      ['own/loop', 'SYMLINK_NOT_FOLLOWED'],
    ]);
    expect(d.gaps[0]!.reason).toContain(fs.realpathSync(path.join(elsewhere, 'app')));
  });

  it('a package.json with dependencies and no lockfile is a gap; a workspace under a lockfile is not', async () => {
    const root = mk();
    writeFiles(root, {
      'nolock/package.json': '{"name":"nolock","dependencies":{"debug":"^4.4.0"}}',
      'empty-deps/package.json': '{"name":"x"}',
      'mono/package-lock.json': LOCK,
      'mono/packages/a/package.json': '{"name":"a","dependencies":{"chalk":"^5.0.0"}}',
    });
    const d = await discover([root]);
    expect(d.gaps.map((g) => [g.path, g.code])).toEqual([['nolock/package.json', 'NO_LOCKFILE']]);
  });

  it('a folder with nothing to scan is a gap, not a clean result', async () => {
    const root = mk();
    writeFiles(root, { 'README.md': 'hello' });
    const d = await discover([root]);
    expect(d.repos).toEqual([]);
    expect(d.gaps.map((g) => g.code)).toEqual(['NOTHING_TO_SCAN']);
  });
});
