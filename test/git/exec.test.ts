import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch, gitEnv, hardenedArgs, runGit, SKIPPED, ThreadedCatFile } from '../../src/git/exec.js';
import { cleanup, TestRepo } from './repo-helpers.js';

afterAll(cleanup);

describe('the git module', () => {
  it('hardens every call: config overrides, no repository discovery, no inherited GIT_* variables', () => {
    const args = hardenedArgs('/r/.git', ['rev-list', '--all']);
    expect(args.slice(0, 3)).toEqual(['--no-pager', '--no-replace-objects', '--git-dir=/r/.git']);
    const cfg = args.filter((_, i) => args[i - 1] === '-c');
    expect(cfg).toEqual(
      expect.arrayContaining([
        'safe.directory=/r/.git',
        'safe.directory=/r',
        'core.fsmonitor=false',
        'core.hooksPath=/dev/null',
        'core.pager=cat',
        'credential.helper=',
        'core.sshCommand=false',
        'protocol.allow=never',
        'log.showSignature=false',
      ]),
    );
    expect(args.slice(-2)).toEqual(['rev-list', '--all']);
    const saved = { ...process.env };
    process.env.GIT_DIR = '/elsewhere';
    process.env.GIT_EXTERNAL_DIFF = '/bin/evil';
    process.env.GIT_CONFIG_PARAMETERS = "'core.pager'='evil'";
    try {
      const env = gitEnv();
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.GIT_EXTERNAL_DIFF).toBeUndefined();
      expect(env.GIT_CONFIG_PARAMETERS).toBeUndefined();
      expect(env).toMatchObject({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', GIT_NO_REPLACE_OBJECTS: '1' });
    } finally {
      process.env = saved;
    }
  });

  it('reads raw objects in order; a missing object is null', async () => {
    const r = new TestRepo();
    const big = 'x'.repeat(3 * 1024 * 1024) + '\n';
    r.commit(1, 'one', { 'a.txt': 'alpha\n', 'big.txt': big, 'empty.txt': '' });
    const ids = ['a.txt', 'big.txt', 'empty.txt'].map((p) => r.git(['rev-parse', `HEAD:${p}`]));
    for (const reader of [new CatFileBatch(r.dir), new ThreadedCatFile(r.dir)]) {
      const out = await Promise.all([...ids, 'f'.repeat(40), ids[0]!].map((id) => reader.read(id)));
      expect(out.map((b) => (b === null ? null : b.length))).toEqual([6, big.length, 0, null, 6]);
      expect(out[0]!.toString()).toBe('alpha\n');
      reader.close();
    }
    await expect(runGit(r.dir, ['cat-file', '-t', 'f'.repeat(40)])).rejects.toMatchObject({ code: 'GIT_ERROR' });
  });

  it('the threaded reader drops blobs without any target name before they cross threads', async () => {
    const r = new TestRepo();
    r.commit(1, 'one', { 'a.json': '{"evil": 1}\n', 'b.json': '{"good": 1}\n', 'c.json': '{"x": "\\u0065vil"}\n' });
    const [a, b, c] = ['a.json', 'b.json', 'c.json'].map((p) => r.git(['rev-parse', `HEAD:${p}`]));
    const reader = new ThreadedCatFile(r.dir, undefined, ['evil']);
    expect((await reader.readFiltered(a!)) as Buffer).toEqual(Buffer.from('{"evil": 1}\n'));
    expect(await reader.readFiltered(b!)).toBe(SKIPPED);
    expect(await reader.readFiltered(c!)).not.toBe(SKIPPED); // an escape could spell the name
    reader.close();
  });
});

describe('CatFileBatch.readPath', () => {
  it('reads a path at a commit, answers null for a missing or hostile path, and rejects a bad commit id', async () => {
    const { TestRepo } = await import('./repo-helpers.js');
    const { CatFileBatch } = await import('../../src/git/exec.js');
    const r = new TestRepo();
    const c = r.commit(1, 'init', { 'package.json': '{"name":"x"}\n' });
    const b = new CatFileBatch(r.dir);
    try {
      expect(String(await b.readPath(c, 'package.json'))).toBe('{"name":"x"}\n');
      expect(await b.readPath(c, 'nope.json')).toBeNull();
      expect(await b.readPath(c, 'package.json\nHEAD')).toBeNull();
      await expect(b.readPath('HEAD', 'package.json')).rejects.toThrow(/bad commit id/);
    } finally {
      b.close();
    }
  });
});
