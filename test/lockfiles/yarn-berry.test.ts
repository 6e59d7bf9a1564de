import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { readYarnBerryLock } from '../../src/lockfiles/yarn-berry.js';
import { REPO_ROOT, loadCases, project } from './yarn-fixtures.js';

const origin = { repo: '.', path: 'yarn.lock' };
const cases = loadCases('yarn-berry');

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

describe.each(cases)('yarn berry fixture $name', ({ bytes, ctx, expected }) => {
  const read = () =>
    expected.direct ? readYarnBerryLock(bytes.toString('utf8'), origin, ctx) : readLockfile(bytes, origin, ctx);
  if (expected.error) {
    it('is a gap with the expected code and line', () => {
      expect(gapOf(read)).toEqual(expected.error);
    });
  } else {
    it('reads the expected entries, paths and warnings', () => {
      expect(project(read(), Object.keys(expected.paths ?? {}))).toEqual(expected);
    });
  }
});

const fixture = (c: string) => readFileSync(path.join(REPO_ROOT, 'fixtures/lockfiles/yarn-berry', c, 'yarn.lock'), 'utf8');

describe('yarn berry reader', () => {
  it('keeps a patch: entry beside the npm entry, marked by its resolution', () => {
    for (const c of ['patch', 'patch.v6']) {
      const r = readYarnBerryLock(fixture(c), origin);
      const resolve = r.entries.filter((e) => e.name === 'resolve');
      expect(resolve.map((e) => [e.version, e.kind, e.resolved!.startsWith('resolve@patch:')])).toEqual([
        ['1.22.14', 'registry', false],
        ['1.22.14', 'registry', true],
      ]);
      expect(resolve[0]!.line).not.toBe(resolve[1]!.line);
    }
  });

  it('takes workspace entries as the graph roots', () => {
    const r = readYarnBerryLock(fixture('workspaces'), origin);
    expect(r.graph!.roots.map((x) => [x.name, x.path, x.deps.map((i) => r.entries[i]!.name).sort()])).toEqual([
      ['a', 'packages/a', ['is-number']],
      ['b', 'packages/b', ['a', 'strip-ansi']],
      ['ws-root', '.', ['ms']],
    ]);
  });

  it('reads old unquoted keys without the npm: protocol (yarn 2)', () => {
    const text =
      '__metadata:\n  version: 4\n  cacheKey: 7\n\nresolve@1.1.7:\n  version: 1.1.7\n  resolution: "resolve@npm:1.1.7"\n  languageName: node\n  linkType: hard\n\n' +
      '"root@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "root@workspace:."\n  dependencies:\n    resolve: 1.1.7\n  languageName: unknown\n  linkType: soft\n';
    const r = readYarnBerryLock(text, origin);
    expect(r.entries.map((e) => [e.name, e.version, e.kind, e.line])).toEqual([
      ['resolve', '1.1.7', 'registry', 5],
      ['root', '0.0.0-use.local', 'workspace', 11],
    ]);
    expect(r.graph!.roots[0]!.deps).toEqual([0]);
  });

  it('reports a bad entry in the middle with its line and keeps the rest', () => {
    const r = readYarnBerryLock(fixture('neg-bad-entry'), origin);
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([['BAD_ENTRY', 24]]);
  });

  it.each([
    ['x@https://github.com/a/x.git#commit=0123abc', 'git'],
    ['x@github:a/x#commit=0123abc', 'git'],
    ['x@https://example.com/x-1.0.0.tgz', 'tarball'],
    ['x@file:../x.tgz::locator=root%40workspace%3A.', 'file'],
    ['x@portal:../x::locator=root%40workspace%3A.', 'link'],
    ['x@patch:x@npm%3A1.0.0#./x.patch::version=1.0.0&hash=abc', 'registry'],
  ])('classifies resolution %s as %s', (resolution, kind) => {
    const text = `__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"x@any":\n  version: 1.0.0\n  resolution: "${resolution}"\n  languageName: node\n  linkType: hard\n`;
    const e = readYarnBerryLock(text, origin).entries[0]!;
    expect([e.name, e.version, e.kind]).toEqual(['x', '1.0.0', kind]);
  });
});
