import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { readBunLock, stripJsonc } from '../../src/lockfiles/bun.js';
import { listCases, loadCase, pathsOf, project, repoRoot } from './pnpm-bun-fixtures.js';

const FIXTURES = join(repoRoot, 'fixtures/lockfiles/bun');
const NAMES = ['bun.lock', 'bun.lockb'];
const cases = listCases(FIXTURES).map((c) => loadCase(FIXTURES, c, NAMES));
const positive = cases.filter((c) => c.expected.error === undefined);
const negative = cases.filter((c) => c.expected.error !== undefined);

describe('bun.lock reader: fixtures', () => {
  it('has the fixture table', () => {
    expect(positive.length).toBeGreaterThanOrEqual(24);
    expect(negative.length).toBeGreaterThanOrEqual(7);
  });

  describe.each(positive.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = readLockfile(c.bytes, c.origin, c.ctx);

    it('reads format, entries and warnings', () => {
      expect(r.format).toBe(c.expected.format);
      expect(r.formatVersion).toBe(c.expected.formatVersion);
      expect(project(r)).toEqual(c.expected.entries);
      expect(r.warnings.map((w) => w.code)).toEqual(c.expected.warnings);
    });

    it('gives the dependency paths', () => {
      const got = Object.fromEntries(Object.keys(c.expected.paths!).map((k) => [k, pathsOf(r, k)]));
      expect(got).toEqual(c.expected.paths);
    });
  });

  describe.each(negative.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it(`is the gap ${c.expected.error}`, () => {
      let err: unknown;
      try {
        readLockfile(c.bytes, c.origin, c.ctx);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LockfileError);
      const le = err as LockfileError;
      expect({ error: le.gapCode, ...(le.line === undefined ? {} : { line: le.line }) }).toEqual(c.expected);
      expect(le.path).toBe(c.origin.path);
    });
  });
});

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
