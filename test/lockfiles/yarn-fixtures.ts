/**
 * Shared by the yarn reader tests: load a fixture case folder and project a ParseResult onto the
 * expected.json shape shared by every lockfile reader's fixtures.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PathFinder } from '../../src/match/paths.js';
import type { ParseResult, ReadContext } from '../../src/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ExpectedEntry {
  name: string;
  version: string;
  kind: string;
  alias?: string;
  dev?: boolean;
  optional?: boolean;
  line: number;
}

export interface Expected {
  format?: string;
  formatVersion?: string;
  entries?: ExpectedEntry[];
  paths?: Record<string, string[][]>;
  warnings?: string[];
  /** For negative cases: the gap code and line of the LockfileError. */
  error?: { code: string; line?: number };
  /** Call the format's reader directly instead of readLockfile (no detection by file name). */
  direct?: boolean;
}

export interface Case {
  name: string;
  dir: string;
  bytes: Buffer;
  ctx?: ReadContext;
  expected: Expected;
}

/** Every case folder under fixtures/lockfiles/<format>/, sorted by name. */
export function loadCases(format: string): Case[] {
  const root = path.join(REPO_ROOT, 'fixtures/lockfiles', format);
  return readdirSync(root)
    .filter((n) => statSync(path.join(root, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      return {
        name,
        dir,
        bytes: readFileSync(path.join(dir, 'yarn.lock')),
        ctx: contextOf(dir),
        expected: JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected,
      };
    });
}

/** package.json of the case folder and of its workspaces (`dir/*` patterns only). */
export function contextOf(dir: string): ReadContext | undefined {
  const manifestPath = path.join(dir, 'package.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = readFileSync(manifestPath, 'utf8');
  const ctx: ReadContext = { manifest };
  const ws = (JSON.parse(manifest) as { workspaces?: unknown }).workspaces;
  if (Array.isArray(ws)) {
    const workspaceManifests: Record<string, string> = {};
    for (const pattern of ws) {
      if (typeof pattern !== 'string' || !pattern.endsWith('/*')) continue;
      const base = pattern.slice(0, -2);
      for (const sub of readdirSync(path.join(dir, base)).sort()) {
        const p = path.join(dir, base, sub, 'package.json');
        if (existsSync(p)) workspaceManifests[`${base}/${sub}`] = readFileSync(p, 'utf8');
      }
    }
    ctx.workspaceManifests = workspaceManifests;
  }
  return ctx;
}

/** Project a result onto the expected.json shape; `pathsFor` names the `name@version` keys to trace. */
export function project(r: ParseResult, pathsFor: string[]): Expected {
  const entries: ExpectedEntry[] = r.entries
    .map((e) => {
      const x: ExpectedEntry = { name: e.name, version: e.version, kind: e.kind, line: e.line };
      if (e.alias !== undefined) x.alias = e.alias;
      if (e.dev) x.dev = true;
      if (e.optional) x.optional = true;
      return x;
    })
    .sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
  const paths: Record<string, string[][]> = {};
  if (r.graph) {
    const finder = new PathFinder(r.entries, r.graph);
    for (const key of pathsFor) {
      const i = r.entries.findIndex((e) => `${e.name}@${e.version}` === key);
      paths[key] = i < 0 ? [] : finder.find(i).paths;
    }
  }
  return {
    format: r.format,
    formatVersion: r.formatVersion,
    entries,
    paths,
    warnings: r.warnings.map((w) => w.code),
  };
}
