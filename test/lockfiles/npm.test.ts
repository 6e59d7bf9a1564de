import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { locateJsonError, readNpmLock } from '../../src/lockfiles/npm.js';
import { PathFinder } from '../../src/match/paths.js';
import type { Origin, ParseResult, ReadContext } from '../../src/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(repoRoot, 'fixtures/lockfiles/npm');
const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', '.package-lock.json'];

interface Expected {
  error?: string;
  line?: number;
  format?: string;
  formatVersion?: string;
  entries?: Record<string, unknown>[];
  paths?: Record<string, string[][]>;
  warnings?: string[];
}

function loadCase(name: string) {
  const dir = join(FIXTURES, name);
  const file = LOCKFILE_NAMES.find((f) => existsSync(join(dir, f)));
  if (!file) throw new Error(`no lockfile in ${dir}`);
  // The hidden lockfile is stored without its node_modules folder (the repo ignores node_modules/).
  const origin: Origin = { repo: '.', path: file === '.package-lock.json' ? 'node_modules/.package-lock.json' : file };
  const manifest = existsSync(join(dir, 'package.json')) ? readFileSync(join(dir, 'package.json'), 'utf8') : undefined;
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { dir, bytes: readFileSync(join(dir, file)), origin, manifest, expected };
}

function project(r: ParseResult) {
  return r.entries
    .map((e) => ({
      name: e.name,
      version: e.version,
      kind: e.kind,
      ...(e.alias !== undefined ? { alias: e.alias } : {}),
      ...(e.dev ? { dev: true } : {}),
      ...(e.optional ? { optional: true } : {}),
      line: e.line,
    }))
    .sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
}

function pathsOf(r: ParseResult, key: string): string[][] {
  const pf = new PathFinder(r.entries, r.graph!);
  return r.entries
    .flatMap((e, i) => (`${e.name}@${e.version}` === key ? pf.find(i, 20).paths : []))
    .sort((a, b) => a.length - b.length || a.join('>').localeCompare(b.join('>')));
}

const cases = readdirSync(FIXTURES).filter((c) => existsSync(join(FIXTURES, c, 'expected.json'))).sort();
const positive = cases.filter((c) => loadCase(c).expected.error === undefined);
const negative = cases.filter((c) => loadCase(c).expected.error !== undefined);

describe('npm lockfile reader: fixtures', () => {
  it('has the fixture table', () => {
    expect(positive.length).toBeGreaterThanOrEqual(30);
    expect(negative.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(positive)('%s', (name) => {
    const c = loadCase(name);
    const ctx: ReadContext | undefined = c.manifest === undefined ? undefined : { manifest: c.manifest };
    const r = readLockfile(c.bytes, c.origin, ctx);

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

    it('points every line at the entry key', () => {
      const lines = c.bytes.toString('utf8').split('\n');
      for (const e of r.entries) {
        const key = e.alias ?? e.name;
        expect(lines[e.line - 1], `${e.name}@${e.version}`).toMatch(/^\s*"[^"]*":\s*\{/);
        expect(lines[e.line - 1]!.includes(key) || e.kind === 'workspace').toBe(true);
      }
    });

    it('never reports a git, tarball, file or link resolution as registry', () => {
      for (const e of r.entries) {
        if (e.kind !== 'registry') continue;
        expect(e.resolved === undefined || /\/-\/[^/]+\.tgz$/.test(e.resolved), e.resolved).toBe(true);
        expect(e.version).not.toMatch(/^(git|file|link|https?):/);
      }
    });
  });

  describe.each(negative)('%s (gap)', (name) => {
    it('throws a LockfileError with the expected code through readLockfile', () => {
      const c = loadCase(name);
      let err: unknown;
      try {
        readLockfile(c.bytes, c.origin);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LockfileError);
      const le = err as LockfileError;
      expect({ code: le.gapCode, line: le.line }).toEqual({ code: c.expected.error, line: c.expected.line });
      expect(le.path).toBe(c.origin.path);
    });
  });
});

describe('npm lockfile reader: behaviour without a manifest', () => {
  it.each(['nested-duplicates.v1', 'hidden.v3', 'alias.v1'])(
    '%s: same entries, direct deps guessed, ROOT_DEPS_UNKNOWN',
    (name) => {
      const c = loadCase(name);
      const r = readLockfile(c.bytes, c.origin);
      expect(project(r)).toEqual(c.expected.entries);
      expect(r.warnings.map((w) => w.code)).toEqual([...c.expected.warnings!, 'ROOT_DEPS_UNKNOWN']);
      const withManifest = readLockfile(c.bytes, c.origin, { manifest: c.manifest! });
      const names = (x: ParseResult) => x.graph!.roots[0]!.deps.map((i) => `${x.entries[i]!.name}@${x.entries[i]!.version}`).sort();
      expect(names(r)).toEqual(names(withManifest));
    },
  );

  it('v2/v3 record the root dependencies themselves: no warning without a manifest', () => {
    const c = loadCase('nested-duplicates.v3');
    expect(readLockfile(c.bytes, c.origin).warnings).toEqual([]);
  });
});

describe('npm lockfile reader: edge cases', () => {
  const origin: Origin = { repo: '.', path: 'package-lock.json' };
  const v3 = (packages: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ name: 'x', lockfileVersion: 3, requires: true, packages: { '': { name: 'x' }, ...packages }, ...extra }, null, 2);

  it('classifies resolutions by URL shape (private registries count as registry)', () => {
    const r = readNpmLock(
      v3({
        'node_modules/a': { version: '1.0.0', resolved: 'https://npm.example.com/api/npm/virtual/a/-/a-1.0.0.tgz' },
        'node_modules/@s/b': { version: '2.0.0', resolved: 'https://registry.npmjs.org/@s/b/-/b-2.0.0.tgz' },
        'node_modules/c': { version: '3.0.0', resolved: 'https://example.com/downloads/c.tgz' },
        'node_modules/d': { version: '4.0.0', resolved: 'git+ssh://git@github.com/o/d.git#0123456789abcdef' },
        'node_modules/e': { version: '5.0.0', resolved: 'file:vendor/e-5.0.0.tgz' },
        'node_modules/f': { version: '6.0.0' },
      }),
      origin,
    );
    expect(r.entries.map((e) => [e.name, e.kind])).toEqual([
      ['a', 'registry'],
      ['@s/b', 'registry'],
      ['c', 'tarball'],
      ['d', 'git'],
      ['e', 'file'],
      ['f', 'registry'],
    ]);
  });

  it('reads a v1 alias, git shorthand and tarball versions', () => {
    const text = JSON.stringify(
      {
        name: 'x',
        lockfileVersion: 1,
        requires: true,
        dependencies: {
          sw: { version: 'npm:string-width@4.2.3', resolved: 'https://registry.npmjs.org/string-width/-/string-width-4.2.3.tgz' },
          '@s/al': { version: 'npm:@real/pkg@1.0.0-rc.1' },
          gulp: { version: 'github:gulpjs/gulp#71c094a51c7972d26f557899ddecab0210ef3776', from: 'github:gulpjs/gulp#4.0' },
          t: { version: 'https://example.com/t.tgz' },
        },
      },
      null,
      2,
    );
    const r = readNpmLock(text, origin);
    expect(r.entries.map((e) => ({ name: e.name, version: e.version, kind: e.kind, alias: e.alias, line: e.line }))).toEqual([
      { name: 'string-width', version: '4.2.3', kind: 'registry', alias: 'sw', line: 6 },
      { name: '@real/pkg', version: '1.0.0-rc.1', kind: 'registry', alias: '@s/al', line: 10 },
      { name: 'gulp', version: 'github:gulpjs/gulp#71c094a51c7972d26f557899ddecab0210ef3776', kind: 'git', alias: undefined, line: 13 },
      { name: 't', version: 'https://example.com/t.tgz', kind: 'tarball', alias: undefined, line: 17 },
    ]);
  });

  it('finds lines in tab-indented and minified files, skipping keys that appear as values', () => {
    const doc = JSON.parse(v3({ 'node_modules/a': { resolved: 'packages/a', link: true }, 'packages/a': { name: 'a', version: '1.0.0' } }, {}));
    doc.packages[''].workspaces = ['packages/*'];
    const tabs = readNpmLock(JSON.stringify(doc, null, '\t'), origin);
    expect(tabs.entries.map((e) => [e.name, e.kind, e.line])).toEqual([
      ['a', 'link', 12],
      ['a', 'workspace', 16],
    ]);
    const min = readNpmLock(JSON.stringify(doc), origin);
    expect(min.entries.map((e) => e.line)).toEqual([1, 1]);
  });

  it('a link resolves to its workspace: paths go through the workspace, not the link', () => {
    const c = loadCase('workspaces.v3');
    const r = readLockfile(c.bytes, c.origin);
    expect(r.graph!.roots.map((x) => [x.name, x.path])).toEqual([
      ['ws-root', '.'],
      ['@ws/a', 'packages/a'],
      ['@ws/b', 'packages/b'],
    ]);
    const b = r.entries.findIndex((e) => e.name === '@ws/b' && e.kind === 'workspace');
    expect(r.graph!.roots[1]!.deps).toContain(b);
  });

  it('rejects a lockfileVersion that is not a positive integer', () => {
    expect(() => readNpmLock('{"lockfileVersion": "three", "packages": {}}', origin)).toThrow(
      expect.objectContaining({ gapCode: 'UNSUPPORTED_FORMAT' }),
    );
  });

  it('a package.json-like dependencies map without lockfileVersion is WRONG_FORMAT', () => {
    expect(() => readNpmLock('{"name": "x", "dependencies": {"a": "^1.0.0"}}', origin)).toThrow(
      expect.objectContaining({ gapCode: 'WRONG_FORMAT' }),
    );
  });

  it('locates JSON errors: end of input vs a bad character', () => {
    expect(locateJsonError('{"a": [1, 2')).toEqual({ offset: 11, eof: true });
    expect(locateJsonError('{"a": "unterminated')).toEqual({ offset: 19, eof: true });
    expect(locateJsonError('{"a": 1,\n "b" 2}')).toEqual({ offset: 14, eof: false });
    expect(locateJsonError('{"a": tru')).toEqual({ offset: 9, eof: true });
    expect(locateJsonError('{"a": 1}')).toEqual({ offset: -1, eof: false });
  });

  it('a merge-conflicted lockfile reads both sides', () => {
    const c = loadCase('nested-duplicates.v3');
    const text = c.bytes.toString('utf8').replace(/^ *"version": "6\.0\.0",$/m, '<<<<<<< ours\n      "version": "6.0.0",\n=======\n      "version": "6.0.1",\n>>>>>>> theirs');
    expect(text).toContain('<<<<<<< ours');
    const r = readLockfile(text, c.origin);
    expect(r.entries.filter((e) => e.name === 'is-number').map((e) => e.version).sort()).toEqual(['6.0.0', '6.0.1', '7.0.0']);
  });
});
