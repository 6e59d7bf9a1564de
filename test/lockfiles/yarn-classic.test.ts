import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { readYarnClassicLock } from '../../src/lockfiles/yarn-classic.js';
import { REPO_ROOT, loadCases, project } from './yarn-fixtures.js';

const origin = { repo: '.', path: 'yarn.lock' };
const cases = loadCases('yarn-classic');

function gapOf(fn: () => unknown): { code: string; line?: number } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LockfileError);
    const le = e as LockfileError;
    return le.line === undefined ? { code: le.gapCode } : { code: le.gapCode, line: le.line };
  }
  throw new Error('expected a LockfileError');
}

describe.each(cases)('yarn classic fixture $name', ({ bytes, ctx, expected }) => {
  if (expected.error) {
    it('is a gap with the expected code and line', () => {
      expect(gapOf(() => readLockfile(bytes, origin, ctx))).toEqual(expected.error);
    });
  } else {
    it('reads the expected entries, paths and warnings', () => {
      const r = readLockfile(bytes, origin, ctx);
      expect(project(r, Object.keys(expected.paths ?? {}))).toEqual(expected);
    });
  }
});

const fixture = (c: string) => readFileSync(path.join(REPO_ROOT, 'fixtures/lockfiles/yarn-classic', c, 'yarn.lock'), 'utf8');

describe('yarn classic reader', () => {
  it('takes the version from the version field, never from the header range', () => {
    const text = '# yarn lockfile v1\n\n\n"evil@^1.0.0", evil@1.0.0:\n  version "1.0.1"\n  resolved "https://registry.yarnpkg.com/evil/-/evil-1.0.1.tgz#abc"\n';
    const r = readYarnClassicLock(text, origin);
    expect(r.entries.map((e) => [e.name, e.version, e.kind, e.line])).toEqual([['evil', '1.0.1', 'registry', 4]]);
  });

  it('without manifests takes the entries nothing depends on as direct, with ROOT_DEPS_UNKNOWN', () => {
    const r = readYarnClassicLock(fixture('tarball'), origin);
    expect(r.graph!.roots).toEqual([{ name: '.', path: '.', deps: [1] }]);
    expect(r.warnings.map((w) => w.code)).toEqual(['ROOT_DEPS_UNKNOWN']);
  });

  it('marks dev entries from devDependencies and keeps workspaces as roots', () => {
    const c = cases.find((x) => x.name === 'workspaces')!;
    const r = readYarnClassicLock(c.bytes.toString('utf8'), origin, c.ctx);
    expect(r.graph!.roots.map((x) => [x.name, x.path])).toEqual([
      ['ws-root', '.'],
      ['a', 'packages/a'],
      ['b', 'packages/b'],
    ]);
    expect(r.entries.filter((e) => e.dev).map((e) => e.name)).toEqual(['ms']);
  });

  it('reports a bad entry in the middle with its line and keeps the rest', () => {
    const r = readYarnClassicLock(fixture('neg-bad-entry'), origin);
    expect(r.warnings.filter((w) => w.code === 'BAD_ENTRY').map((w) => w.line)).toEqual([10]);
    expect(r.entries.map((e) => e.name)).toEqual(['ansi-regex', 'strip-ansi']);
  });

  it('reads CRLF text like LF text', () => {
    const lf = readYarnClassicLock(fixture('alias'), origin);
    const crlf = readYarnClassicLock(fixture('alias').replace(/\n/g, '\r\n'), origin);
    expect(crlf.entries).toEqual(lf.entries);
  });

  it.each([
    ['https://codeload.github.com/unic/gulp-simplefont64/tar.gz/24637d4b13cec3ce69b5d38e1024ae2c0639aa81', 'git'],
    ['git+https://github.com/a/b.git#0123456789abcdef', 'git'],
    ['https://npm.example.com/repository/npm/x/-/x-1.2.3.tgz#sha', 'registry'],
    ['https://registry.npmjs.org/x/-/x-1.2.3.tgz', 'registry'],
    ['https://example.com/downloads/x.tgz', 'tarball'],
    ['file:../x-1.2.3.tgz#sha', 'file'],
  ])('classifies resolved %s as %s', (resolved, kind) => {
    const text = `# yarn lockfile v1\n\n\nx@^1.0.0:\n  version "1.2.3"\n  resolved "${resolved}"\n`;
    expect(readYarnClassicLock(text, origin).entries[0]!.kind).toBe(kind);
  });

  it('reads a scoped npm: alias header as the real package', () => {
    const text = '# yarn lockfile v1\n\n\n"my-types@npm:@types/node@^20":\n  version "20.1.0"\n  resolved "https://registry.yarnpkg.com/@types/node/-/node-20.1.0.tgz"\n';
    const e = readYarnClassicLock(text, origin).entries[0]!;
    expect([e.name, e.version, e.alias, e.kind]).toEqual(['@types/node', '20.1.0', 'my-types', 'registry']);
  });

  it('is a WRONG_FORMAT gap for a berry lockfile', () => {
    const berry = readFileSync(path.join(REPO_ROOT, 'fixtures/lockfiles/yarn-berry/one-package.v10/yarn.lock'), 'utf8');
    expect(gapOf(() => readYarnClassicLock(berry, origin)).code).toBe('WRONG_FORMAT');
  });
});
