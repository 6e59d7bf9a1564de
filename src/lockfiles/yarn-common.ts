/**
 * Helpers shared by the two yarn readers (classic v1 and berry): quoted-string scanning, descriptor
 * splitting, classification of resolved URLs, and the graph roots taken from package.json texts.
 * Pure functions: no fs, no logging.
 */
import type { GraphRoot, ResolutionKind, Warning } from '../types.js';

/** A line that could not be read; the reader decides whether it is a warning or a gap. */
export class LineProblem extends Error {
  constructor(message: string, readonly unbalanced = false) {
    super(message);
  }
}

/**
 * Scan a double-quoted string starting at `s[start] === '"'`. Returns the unquoted value and the index
 * just past the closing quote. Both yarns write JSON-style escapes. Throws LineProblem when unbalanced.
 */
export function scanQuoted(s: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let escaped = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      escaped = true;
      i++;
      continue;
    }
    if (c === 0x22 /* " */) break;
  }
  if (i >= s.length) throw new LineProblem('unbalanced double quote', true);
  const raw = s.slice(start, i + 1);
  if (!escaped) return { value: raw.slice(1, -1), end: i + 1 };
  try {
    return { value: JSON.parse(raw) as string, end: i + 1 };
  } catch {
    throw new LineProblem('bad escape in a quoted string');
  }
}

/** Unquote a whole value if it is quoted; plain scalars are returned as they are. */
export function unquote(s: string): string {
  if (s.charCodeAt(0) !== 0x22) return s;
  const { value, end } = scanQuoted(s, 0);
  if (s.slice(end).trim() !== '') throw new LineProblem('text after a quoted value');
  return value;
}

/**
 * Split an entry header (without its final colon) into its descriptors. Classic writes
 * `"a@^1", a@^1.1` (each part quoted on its own), berry `"a@npm:^1, a@npm:^1.1"` (one quoted key).
 */
export function splitHeader(header: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && header.charCodeAt(i) === 0x20) i++;
    if (i >= n) break;
    let part: string;
    if (header.charCodeAt(i) === 0x22) {
      const q = scanQuoted(header, i);
      part = q.value;
      i = q.end;
      while (i < n && header.charCodeAt(i) === 0x20) i++;
      if (i < n && header.charCodeAt(i) !== 0x2c) throw new LineProblem('text after a quoted key');
    } else {
      let j = header.indexOf(',', i);
      if (j < 0) j = n;
      part = header.slice(i, j).trim();
      if (part.includes('"')) throw new LineProblem('stray double quote in a key', true);
      i = j;
    }
    // A quoted part may itself hold several descriptors (berry).
    for (const p of part.split(',')) {
      const t = p.trim();
      if (t !== '') out.push(t);
    }
    i++; // skip the comma
  }
  return out;
}

/** Split `name@range` (scoped names start with `@`). A descriptor with no `@` has an empty range. */
export function splitDescriptor(d: string): { name: string; range: string } {
  const at = d.indexOf('@', d.charCodeAt(0) === 0x40 ? 1 : 0);
  if (at <= 0) return { name: d, range: '' };
  return { name: d.slice(0, at), range: d.slice(at + 1) };
}

/** A package name we accept: npm's rules, loosely (legacy names may hold capitals). */
export function isPackageName(name: string): boolean {
  return /^(?:@[^/@\s"]+\/)?[^/@\s"]+$/.test(name);
}

/** True for a git reference in any of the spellings npm and yarn write. */
export function isGitReference(s: string): boolean {
  return (
    s.startsWith('git+') ||
    s.startsWith('git://') ||
    s.startsWith('git@') ||
    s.startsWith('ssh://') ||
    s.startsWith('github:') ||
    s.startsWith('gitlab:') ||
    s.startsWith('bitbucket:') ||
    s.startsWith('gist:') ||
    /^https?:\/\/codeload\.github\.com\//.test(s) ||
    /^https?:\/\/[^#]*\.git(?:#|$)/.test(s) ||
    /#commit=/.test(s)
  );
}

const PUBLIC_REGISTRIES = /^https?:\/\/(?:registry\.yarnpkg\.com|registry\.npmjs\.org|registry\.npmjs\.com)\//;

/**
 * Is this http(s) URL a registry tarball of `name`@`version`? Public registries by host; private ones by
 * the registry layout `.../<name>/-/<basename>-<version>.tgz`.
 */
export function isRegistryTarball(url: string, name: string, version: string): boolean {
  const clean = url.replace(/[#?].*$/, '');
  if (PUBLIC_REGISTRIES.test(clean)) return true;
  const base = name.slice(name.lastIndexOf('/') + 1);
  return clean.endsWith(`/-/${base}-${version}.tgz`);
}

/** Classify a resolved URL/path (yarn classic `resolved`). */
export function kindOfResolved(resolved: string, name: string, version: string): ResolutionKind {
  if (resolved.startsWith('file:')) return 'file';
  if (resolved.startsWith('link:')) return 'link';
  if (isGitReference(resolved)) return 'git';
  if (/^https?:\/\//.test(resolved)) return isRegistryTarball(resolved, name, version) ? 'registry' : 'tarball';
  return 'tarball';
}

interface Manifest {
  name?: string;
  prod: Map<string, string>;
  dev: Map<string, string>;
  optional: Map<string, string>;
}

/** Parse a package.json text into its dependency maps; null when it is not a JSON object. */
export function parseManifest(text: string): Manifest | null {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return null;
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return null;
  const o = j as Record<string, unknown>;
  const section = (k: string) => {
    const m = new Map<string, string>();
    const v = o[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [dn, dr] of Object.entries(v as Record<string, unknown>)) if (typeof dr === 'string') m.set(dn, dr);
    }
    return m;
  };
  return {
    name: typeof o.name === 'string' ? o.name : undefined,
    prod: section('dependencies'),
    dev: section('devDependencies'),
    optional: section('optionalDependencies'),
  };
}

/** An edge from an entry (or root) to an entry, with the dependency type. */
export interface TypedDep {
  to: number;
  optional: boolean;
  dev: boolean;
}

/**
 * Roots from package.json texts (yarn classic): `resolve(name, range)` maps a manifest dependency to an
 * entry index. Returns null when no manifest could be read; warns about unreadable manifests.
 */
export function rootsFromManifests(
  manifest: string | undefined,
  workspaces: Record<string, string> | undefined,
  resolve: (name: string, range: string) => number | undefined,
  warnings: Warning[],
): { roots: GraphRoot[]; typed: TypedDep[][] } | null {
  const roots: GraphRoot[] = [];
  const typed: TypedDep[][] = [];
  const sources: Array<[string, string]> = [];
  if (manifest !== undefined) sources.push(['.', manifest]);
  for (const [folder, text] of Object.entries(workspaces ?? {})) if (folder !== '.') sources.push([folder, text]);
  const workspaceNames = new Set<string>();
  const parsed: Array<[string, Manifest]> = [];
  for (const [folder, text] of sources) {
    const m = parseManifest(text);
    if (!m) {
      warnings.push({ code: 'MANIFEST_UNREADABLE', message: `package.json in '${folder}' is not a JSON object` });
      continue;
    }
    if (m.name) workspaceNames.add(m.name);
    parsed.push([folder, m]);
  }
  if (parsed.length === 0) return null;
  let unresolved = 0;
  const examples: string[] = [];
  for (const [folder, m] of parsed) {
    const deps: TypedDep[] = [];
    const add = (map: Map<string, string>, dev: boolean, optional: boolean) => {
      for (const [n, r] of map) {
        const i = resolve(n, r);
        if (i !== undefined) deps.push({ to: i, dev, optional });
        else if (!workspaceNames.has(n) && !/^(?:file|link|portal|workspace):/.test(r)) {
          unresolved++;
          if (examples.length < 3) examples.push(`${n}@${r}`);
        }
      }
    };
    add(m.prod, false, false);
    add(m.optional, false, true);
    add(m.dev, true, false);
    roots.push({ name: m.name ?? folder, path: folder, deps: [...new Set(deps.map((d) => d.to))] });
    typed.push(deps);
  }
  if (unresolved > 0) {
    warnings.push({
      code: 'MANIFEST_DEP_NOT_LOCKED',
      message: `${unresolved} dependency spec(s) of package.json not found in the lockfile (e.g. ${examples.join(', ')}): lockfile may be stale`,
    });
  }
  return { roots, typed };
}

/**
 * Mark `dev` / `optional` on entries from the typed root deps and typed edges: an entry is dev when it
 * is reachable only through devDependencies, optional when reachable only through optional edges.
 */
export function markDevOptional(
  count: number,
  rootDeps: TypedDep[][],
  edges: TypedDep[][],
): { dev: boolean[]; optional: boolean[] } {
  const bfs = (seeds: number[], useOptional: boolean): Uint8Array => {
    const seen = new Uint8Array(count);
    const stack: number[] = [];
    for (const s of seeds) {
      if (!seen[s]) {
        seen[s] = 1;
        stack.push(s);
      }
    }
    while (stack.length > 0) {
      const i = stack.pop()!;
      for (const e of edges[i] ?? []) {
        if (!useOptional && e.optional) continue;
        if (!seen[e.to]) {
          seen[e.to] = 1;
          stack.push(e.to);
        }
      }
    }
    return seen;
  };
  const all = rootDeps.flat();
  const prod = bfs(all.filter((d) => !d.dev).map((d) => d.to), true);
  const any = bfs(all.map((d) => d.to), true);
  const required = bfs(all.filter((d) => !d.optional).map((d) => d.to), false);
  const dev: boolean[] = new Array(count);
  const optional: boolean[] = new Array(count);
  for (let i = 0; i < count; i++) {
    dev[i] = any[i] === 1 && prod[i] === 0;
    optional[i] = any[i] === 1 && required[i] === 0;
  }
  return { dev, optional };
}

/**
 * The alias of an entry from the names its descriptors use: set only when no descriptor uses the real
 * name (the dependents all know the package under another name).
 */
export function aliasOf(realName: string, usedNames: string[]): string | undefined {
  let alias: string | undefined;
  for (const n of usedNames) {
    if (n === realName) return undefined;
    alias ??= n;
  }
  return alias;
}

/** Split a text into lines without a trailing `\r`. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (text.includes('\r')) for (let i = 0; i < lines.length; i++) lines[i] = lines[i]!.replace(/\r$/, '');
  return lines;
}

/** Leading spaces of a line. */
export function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 0x20) i++;
  return i;
}
