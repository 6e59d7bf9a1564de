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
