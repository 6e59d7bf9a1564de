import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBunLock, stripJsonc } from '../../src/lockfiles/bun.js';
import { describeFixtureTable, listCases, loadCase, pathsOf, project, repoRoot } from './pnpm-bun-fixtures.js';

const FIXTURES = join(repoRoot, 'fixtures/lockfiles/bun');
const NAMES = ['bun.lock', 'bun.lockb'];
const cases = listCases(FIXTURES).map((c) => loadCase(FIXTURES, c, NAMES));

describeFixtureTable('bun.lock reader: fixtures', cases, { positive: 24, negative: 7 });

describe('bun.lock reader: details', () => {
  const origin = { repo: '.', path: 'bun.lock' };

  it('strips comments and trailing commas outside strings only, keeping offsets', () => {
    const text = '{ "a": "x // not a comment, ]", /* c */ "b": [1, 2,], // end\n}';
    const { json } = stripJsonc(text);
    expect(json.length).toBe(text.length);
    expect(JSON.parse(json)).toEqual({ a: 'x // not a comment, ]', b: [1, 2] });
  });

  it('resolves nested install paths up the tree, scoped parents included', () => {
    const text = JSON.stringify({
      lockfileVersion: 1,
      workspaces: { '': { name: 'app', dependencies: { '@s/p': '1.0.0', dep: '2.0.0' } } },
      packages: {
        '@s/p': ['@s/p@1.0.0', '', { dependencies: { dep: '1.0.0' } }, 'sha512-a'],
        dep: ['dep@2.0.0', '', {}, 'sha512-b'],
        '@s/p/dep': ['dep@1.0.0', '', {}, 'sha512-c'],
      },
    }, null, 2);
    const r = readBunLock(text, origin);
    expect(pathsOf(r, 'dep@1.0.0')).toEqual([['app', '@s/p', 'dep']]);
    expect(pathsOf(r, 'dep@2.0.0')).toEqual([['app', 'dep']]);
    expect(project(r).map((e) => e.line)).toEqual([13, 23, 29]);
  });
});
