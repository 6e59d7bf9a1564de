import { describe, expect, it } from 'vitest';
import { LockfileError } from '../../src/errors.js';
import { readLockfile } from '../../src/lockfiles/index.js';
/** Fixture-case helpers shared by the pnpm and bun reader tests (not a test file itself). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PathFinder } from '../../src/match/paths.js';
import type { Origin, ParseResult, ReadContext } from '../../src/types.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Expected {
  error?: string;
  line?: number;
  format?: string;
  formatVersion?: string;
  entries?: Record<string, unknown>[];
  paths?: Record<string, string[][]>;
  warnings?: string[];
}

export interface FixtureCase {
  name: string;
  dir: string;
  bytes: Buffer;
  origin: Origin;
  ctx: ReadContext | undefined;
  expected: Expected;
}

/** Every package.json under the case folder (but the root's), keyed by folder relative to it. */
function workspaceManifests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'package.json' && d !== dir) out[relative(dir, d).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export function listCases(fixtures: string): string[] {
  return readdirSync(fixtures)
    .filter((c) => existsSync(join(fixtures, c, 'expected.json')))
    .sort();
}

export function loadCase(fixtures: string, name: string, lockfileNames: string[]): FixtureCase {
  const dir = join(fixtures, name);
  const file = lockfileNames.find((f) => existsSync(join(dir, f)));
  if (!file) throw new Error(`no lockfile in ${dir}`);
  const manifestPath = join(dir, 'package.json');
  const manifest = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
  const ws = workspaceManifests(dir);
  const ctx: ReadContext | undefined =
    manifest === undefined && Object.keys(ws).length === 0 ? undefined : { manifest, workspaceManifests: ws };
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { name, dir, bytes: readFileSync(join(dir, file)), origin: { repo: '.', path: file }, ctx, expected };
}

/** Entries projected to the fields expected.json records, sorted by line then name. */
export function project(r: ParseResult): Record<string, unknown>[] {
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

/** Shortest dependency chains to every entry named `name@version`. */
export function pathsOf(r: ParseResult, key: string): string[][] {
  const pf = new PathFinder(r.entries, r.graph!);
  return r.entries
    .flatMap((e, i) => (`${e.name}@${e.version}` === key ? pf.find(i, 20).paths : []))
    .sort((a, b) => a.length - b.length || a.join('>').localeCompare(b.join('>')));
}

/** The table of fixture cases: each positive case read and compared, each negative case its gap. */
export function describeFixtureTable(title: string, cases: FixtureCase[], min: { positive: number; negative: number }): void {
  const positive = cases.filter((c) => c.expected.error === undefined);
  const negative = cases.filter((c) => c.expected.error !== undefined);
  describe(title, () => {
  it('has the fixture table', () => {
    expect(positive.length).toBeGreaterThanOrEqual(min.positive);
    expect(negative.length).toBeGreaterThanOrEqual(min.negative);
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
}
