/**
 * A repository whose configuration names a program at every place git would run one. The sweep
 * must complete and run none of them. A positive control shows the traps are live.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch, runGit } from '../../src/git/exec.js';
import { sweepHistory } from '../../src/git/history.js';
import { TargetIndex } from '../../src/match/index.js';
import { cleanup, git, npmLock, tempDir, TestRepo } from './repo-helpers.js';

afterAll(cleanup);

const HOOKS = [
  'applypatch-msg', 'pre-applypatch', 'post-applypatch', 'pre-commit', 'pre-merge-commit', 'prepare-commit-msg',
  'commit-msg', 'post-commit', 'pre-rebase', 'post-checkout', 'post-merge', 'pre-push', 'pre-receive', 'update',
  'proc-receive', 'post-receive', 'post-update', 'reference-transaction', 'push-to-checkout', 'pre-auto-gc',
  'post-rewrite', 'sendemail-validate', 'fsmonitor-watchman', 'p4-changelist', 'p4-prepare-changelist',
  'p4-post-changelist', 'p4-pre-submit', 'post-index-change',
];

function trap(dir: string, markers: string, name: string, passThrough = false): string {
  const path = join(dir, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\ntouch '${markers}/${name}'\n${passThrough ? 'cat\n' : ''}exit 0\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('a hostile repository', () => {
  it('runs none of the programs its configuration names', async () => {
    const r = new TestRepo();
    const c1 = r.commit(1, 'one', {
      'package-lock.json': npmLock({ evil: '1.0.0' }),
      '.gitattributes': '* diff=x filter=x merge=x\n',
    });
    r.commit(2, 'two', { 'package-lock.json': npmLock({ evil: '1.0.1' }) });
    // A commit carrying a (fake) signature: with log.showSignature git would run gpg.program on it.
    const tree = r.git(['rev-parse', 'HEAD^{tree}']);
    const signed = [
      `tree ${tree}`,
      `parent ${r.head()}`,
      'author Mallory <m@example.test> 1704196800 +0000',
      'committer Mallory <m@example.test> 1704196800 +0000',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' iQEzBAABCAAdFiEE',
      ' -----END PGP SIGNATURE-----',
      '',
      'signed $(touch /tmp/never) `id` \u001b[31mred\u001b[0m',
      '',
    ].join('\n');
    writeFileSync(join(r.dir, '.signed'), signed);
    const sc = r.git(['hash-object', '-t', 'commit', '-w', '.signed']);
    unlinkSync(join(r.dir, '.signed'));
    r.git(['update-ref', 'refs/heads/main', sc]);

    // Remove one historic blob so reading it would trigger a lazy fetch from the "promisor" remote.
    const gone = r.git(['rev-parse', `${c1}:package-lock.json`]);
    rmSync(join(r.dir, '.git', 'objects', gone.slice(0, 2), gone.slice(2)));

    const markers = tempDir('npm-ir-markers-');
    const bin = tempDir('npm-ir-traps-');
    const hooks = join(bin, 'hooks');
    mkdirSync(hooks);
    for (const h of HOOKS) {
      trap(hooks, markers, `hook-${h}`);
      trap(join(r.dir, '.git', 'hooks'), markers, `dothook-${h}`);
      // git looks hooks up without an extension
      writeFileSync(join(hooks, h), `#!/bin/sh\ntouch '${markers}/hook-${h}'\n`, { mode: 0o755 });
      writeFileSync(join(r.dir, '.git', 'hooks', h), `#!/bin/sh\ntouch '${markers}/dothook-${h}'\n`, { mode: 0o755 });
    }
    const cfg: [string, string][] = [
      ['core.fsmonitor', trap(bin, markers, 'fsmonitor')],
      ['core.hooksPath', hooks],
      ['core.pager', trap(bin, markers, 'pager', true)],
      ['pager.log', trap(bin, markers, 'pager-log', true)],
      ['core.sshCommand', trap(bin, markers, 'ssh')],
      ['core.askPass', trap(bin, markers, 'askpass')],
      ['core.editor', trap(bin, markers, 'editor')],
      ['credential.helper', `!${trap(bin, markers, 'credential')}`],
      ['diff.external', trap(bin, markers, 'diff-external')],
      ['diff.x.textconv', trap(bin, markers, 'textconv', true)],
      ['diff.x.command', trap(bin, markers, 'diff-command')],
      ['filter.x.smudge', trap(bin, markers, 'smudge', true)],
      ['filter.x.clean', trap(bin, markers, 'clean', true)],
      ['filter.x.process', trap(bin, markers, 'filter-process')],
      ['filter.x.required', 'true'],
      ['merge.x.driver', trap(bin, markers, 'merge-driver')],
      ['gpg.program', trap(bin, markers, 'gpg')],
      ['log.showSignature', 'true'],
      ['core.repositoryformatversion', '1'],
      ['extensions.partialClone', 'origin'],
      ['remote.origin.url', `ext::sh -c touch% ${markers}/ext-remote`],
      ['remote.origin.promisor', 'true'],
      ['remote.origin.uploadpack', trap(bin, markers, 'uploadpack')],
      ['core.gitProxy', trap(bin, markers, 'gitproxy')],
      ['protocol.allow', 'always'],
      ['protocol.ext.allow', 'always'],
    ];
    for (const [k, v] of cfg) git(r.dir, ['config', k, v]);

    const prev = { ext: process.env.GIT_EXTERNAL_DIFF, pager: process.env.GIT_PAGER };
    process.env.GIT_EXTERNAL_DIFF = trap(bin, markers, 'env-external-diff');
    process.env.GIT_PAGER = trap(bin, markers, 'env-pager', true);
    try {
      const res = await sweepHistory(r.dir, {
        targets: new TargetIndex([{ name: 'evil', range: '*', source: 'cli' }]),
      });
      const cat = new CatFileBatch(r.dir);
      expect((await cat.read(sc))!.toString('utf8')).toContain('gpgsig');
      cat.close();
      await runGit(r.dir, ['log', '--raw', '--no-textconv', '--no-ext-diff', '-1', '--format=%H %s']);

      expect(readdirSync(markers)).toEqual([]);
      // The sweep completed: the missing blob is a gap, the rest was read.
      expect(res.gaps.map((g) => [g.code, g.path, g.commit])).toEqual([['MISSING_OBJECT', 'package-lock.json', c1]]);
      expect(res.findings.map((f) => f.version)).toEqual(['1.0.1']);
      expect(res.findings[0]!.history.refs).toEqual([{ name: 'refs/heads/main', affectedAtTip: true }]);
    } finally {
      if (prev.ext === undefined) delete process.env.GIT_EXTERNAL_DIFF;
      else process.env.GIT_EXTERNAL_DIFF = prev.ext;
      if (prev.pager === undefined) delete process.env.GIT_PAGER;
      else process.env.GIT_PAGER = prev.pager;
    }

    // Positive control: plain git on the same repository does run the traps.
    try {
      git(r.dir, ['log', '-p', '-2', 'HEAD~1']);
    } catch {
      /* the textconv/external diff may fail; what matters is that it ran */
    }
    try {
      git(r.dir, ['status']);
    } catch {
      /* idem */
    }
    const ran = readdirSync(markers);
    // plain `git log -p` lazily fetched the missing blob through the ext:: remote; `git status` ran fsmonitor.
    expect(ran).toEqual(expect.arrayContaining(['ext-remote', 'fsmonitor']));
    expect(existsSync('/tmp/never')).toBe(false);
  });
});
