/**
 * bun.lock reader (the text lockfile, JSONC): lockfileVersion 0 (bun 1.1.39-1.1.x), 1 (bun 1.2) and
 * 2 (bun 1.3+), best effort for newer versions with the same shape. The binary bun.lockb is refused
 * by the registry (BINARY_BUN_LOCKB) before this reader is called.
 *
 * Shape: `workspaces` maps a workspace path ('' for the root) to its manifest dependencies;
 * `packages` maps an install path (`name`, `parent/child`, `@a/b/@c/d`) to an array
 * `["name@version", registry-or-"", {meta}, "sha512-..."]` (registry), `["name@<url>", {meta}, integrity?]`
 * (tarball), `["name@git+...#sha", {meta}, "sha"]` (git), `["name@workspace:path"]`, `["name@file:path", {meta}]`,
 * `["name@link:path", {meta}]`. A dependency of the package at install path P resolves to P/dep, then up
 * the path, then the top-level `dep`, as node_modules resolution does.
 */
import { LockfileError } from '../errors.js';
import type { Entry, GraphRoot, Origin, ParseResult, ReadContext, ResolutionKind, Warning } from '../types.js';
import { computeFlags, edgeKey, type TypedRootDeps } from './graph-flags.js';
import { locateJsonError } from './npm.js';

type Map_ = Record<string, unknown>;

const KNOWN_VERSIONS = new Set([0, 1, 2]);
const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const GIT_SPEC = /^(?:git\+|git:|github:|gitlab:|bitbucket:|ssh:)/;

function isMap(v: unknown): v is Map_ {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** 1-based line of a character offset. */
function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * JSONC -> JSON with the same length and line breaks: comments and trailing commas become spaces.
 * Returns `open` when the text ends inside a string or a block comment.
 */
export function stripJsonc(text: string): { json: string; open?: 'string' | 'comment' } {
  const out: string[] = [];
  let last = 0;
  const n = text.length;
  // Pass 1: comments.
  let i = 0;
  let open: 'string' | 'comment' | undefined;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) j += 2;
        else if (d === 34) break;
        else j++;
      }
      if (j >= n) {
        open = 'string';
        break;
      }
      i = j + 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      out.push(text.slice(last, i), ' '.repeat(j - i));
      last = i = j;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const j = text.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      if (j < 0) open = 'comment';
      out.push(text.slice(last, i), text.slice(i, end).replace(/[^\n]/g, ' '));
      last = i = end;
    } else i++;
  }
  out.push(text.slice(last));
  const noComments = out.join('');
  // Pass 2: trailing commas (a comma whose next significant character closes an object or array).
  const chars: string[] = [];
  last = 0;
  for (i = 0; i < n; i++) {
    const c = noComments.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      while (j < n) {
        const d = noComments.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === 34) break;
        else j++;
      }
      i = j;
    } else if (c === 44 /* , */) {
      let j = i + 1;
      while (j < n && /\s/.test(noComments[j]!)) j++;
      if (noComments[j] === '}' || noComments[j] === ']') {
        chars.push(noComments.slice(last, i), ' ');
        last = i + 1;
      }
    }
  }
  chars.push(noComments.slice(last));
  return open ? { json: chars.join(''), open } : { json: chars.join('') };
}

function parseJsonc(text: string, origin: Origin): unknown {
  const { json, open } = stripJsonc(text);
  if (open) {
    throw new LockfileError('TRUNCATED', `bun.lock ends inside a ${open}`, {
      path: origin.path,
      line: lineAt(text, text.length),
    });
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    // Node's messages do not always carry a position: locate the error with a small scanner.
    const at = locateJsonError(json);
    if (at.eof) {
      throw new LockfileError('TRUNCATED', `bun.lock is cut short (${msg})`, {
        path: origin.path,
        line: lineAt(text, json.trimEnd().length),
        cause: e,
      });
    }
    throw new LockfileError('CORRUPT', `bun.lock is not valid JSONC: ${msg}`, {
      path: origin.path,
      line: lineAt(text, at.offset),
      cause: e,
    });
  }
}

/** `name@ref` -> [name, ref]; the name may be scoped. */
function splitSpec(spec: string): [string, string] | undefined {
  const from = spec.startsWith('@') ? spec.indexOf('/') + 1 : 0;
  if (spec.startsWith('@') && from === 0) return undefined;
  const at = spec.indexOf('@', from);
  if (at <= 0) return undefined;
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/** Install path -> package names along it: `a/@s/b/c` -> ['a', '@s/b', 'c']. */
function pathSegments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('@') && i + 1 < parts.length) {
      out.push(`${p}/${parts[i + 1]}`);
      i++;
    } else out.push(p);
  }
  return out;
}

function kindOf(ref: string): { kind: ResolutionKind; unknown?: boolean } {
  if (VERSION_RE.test(ref)) return { kind: 'registry' };
  if (ref.startsWith('workspace:')) return { kind: 'workspace' };
  if (ref.startsWith('file:')) return { kind: 'file' };
  if (ref.startsWith('link:')) return { kind: 'link' };
  if (GIT_SPEC.test(ref)) return { kind: 'git' };
  if (/^https?:/.test(ref)) return { kind: 'tarball' };
  return { kind: 'tarball', unknown: true };
}

/** Lines of the keys of the top-level "packages" object, by one forward scan. */
function packageKeyLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const start = /^\s*"packages"\s*:/m.exec(text);
  if (!start) return out;
  const re = /^[ \t]*"((?:[^"\\\n]|\\.)*)"[ \t]*:[ \t]*\[/gm;
  re.lastIndex = start.index;
  let line = lineAt(text, start.index);
  let pos = start.index;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = text.indexOf('\n', pos); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    pos = m.index;
    let key = m[1]!;
    if (key.includes('\\')) {
      try {
        key = JSON.parse(`"${key}"`) as string;
      } catch {
        // keep the raw key
      }
    }
    if (!out.has(key)) out.set(key, line);
  }
  return out;
}

function manifestName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as unknown;
    return isMap(m) ? str(m.name) : undefined;
  } catch {
    return undefined;
  }
}

/** Read a bun.lock text. Throws LockfileError for a text it cannot read or understand. */
export function readBunLock(text: string, origin: Origin, ctx?: ReadContext): ParseResult {
  if (text.trim() === '') throw new LockfileError('EMPTY', 'empty bun.lock', { path: origin.path });
  const obj = parseJsonc(text, origin);
  if (!isMap(obj)) {
    throw new LockfileError('WRONG_FORMAT', 'not a bun.lock: the top level is not an object', { path: origin.path });
  }
  const versionLine = (() => {
    const m = /"lockfileVersion"/.exec(text);
    return m ? lineAt(text, m.index) : undefined;
  })();
  const rawVersion = obj.lockfileVersion;
  if (rawVersion === undefined || (obj.packages === undefined && obj.workspaces === undefined)) {
    throw new LockfileError('WRONG_FORMAT', 'not a bun.lock: no lockfileVersion/packages/workspaces', {
      path: origin.path,
    });
  }
  const formatVersion = typeof rawVersion === 'string' ? rawVersion : JSON.stringify(rawVersion);
  const packages = obj.packages ?? {};
  const workspaces = obj.workspaces ?? {};
  const warnings: Warning[] = [];
  const known = typeof rawVersion === 'number' && KNOWN_VERSIONS.has(rawVersion);
  const shaped =
    isMap(packages) &&
    isMap(workspaces) &&
    Object.values(packages).every((v) => Array.isArray(v)) &&
    Object.values(workspaces).every((v) => isMap(v));
  if (!known) {
    const newer = typeof rawVersion === 'number' && Number.isInteger(rawVersion) && rawVersion > 2;
    const someSpec = isMap(packages) && Object.values(packages).some((v) => Array.isArray(v) && typeof v[0] === 'string');
    if (!newer || !shaped || (!someSpec && Object.keys(packages as Map_).length > 0)) {
      throw new LockfileError('UNSUPPORTED_FORMAT', `unsupported bun.lock lockfileVersion ${formatVersion}`, {
        path: origin.path,
        line: versionLine,
      });
    }
    warnings.push({
      code: 'NEWER_FORMAT',
      message: `bun.lock lockfileVersion ${formatVersion} is newer than the versions npm-ir knows (0-2); read as the same shape`,
      line: versionLine,
    });
  }
  if (!isMap(packages) || !isMap(workspaces)) {
    throw new LockfileError('CORRUPT', 'bun.lock "packages" and "workspaces" must be objects', {
      path: origin.path,
      line: versionLine,
    });
  }

  const keyLines = packageKeyLines(text);
  const entries: Entry[] = [];
  const byKey = new Map<string, number>();
  const metas: (Map_ | undefined)[] = [];
  const keys: string[] = [];
  const workspaceByPath = new Map<string, number>();
  for (const [key, val] of Object.entries(packages)) {
    const line = keyLines.get(key) ?? versionLine ?? 1;
    const spec = Array.isArray(val) ? str(val[0]) : undefined;
    const split = spec === undefined ? undefined : splitSpec(spec);
    if (!Array.isArray(val) || !split) {
      warnings.push({ code: 'BAD_ENTRY', message: `package "${key}" is not a ["name@version", ...] array; skipped`, line });
      continue;
    }
    const [name, ref] = split;
    const { kind, unknown } = kindOf(ref);
    if (unknown) warnings.push({ code: 'UNKNOWN_RESOLUTION', message: `package "${key}": "${spec}" not understood`, line });
    const e: Entry = { name, version: kind === 'registry' ? ref : '', kind, line };
    const segs = pathSegments(key);
    const installName = segs[segs.length - 1]!;
    if (installName !== name && kind !== 'workspace') e.alias = installName;
    if (kind === 'registry') {
      const reg = str(val[1]);
      if (reg) e.resolved = reg;
      const integ = str(val[3]);
      if (integ) e.integrity = integ;
    } else if (kind === 'workspace') {
      const wsPath = ref.slice('workspace:'.length);
      const ws = workspaces[wsPath];
      if (isMap(ws) && str(ws.version)) e.version = str(ws.version)!;
    } else {
      e.resolved = ref;
      const last = val[val.length - 1];
      if (kind === 'tarball' && typeof last === 'string' && /^sha\d+-/.test(last)) e.integrity = last;
    }
    const idx = entries.push(e) - 1;
    byKey.set(key, idx);
    keys.push(key);
    metas.push(val.find((v) => isMap(v)) as Map_ | undefined);
    if (kind === 'workspace') workspaceByPath.set(ref.slice('workspace:'.length), idx);
  }

  const resolveFrom = (prefix: string[], dep: string): number | undefined => {
    for (let k = prefix.length; k >= 0; k--) {
      const key = k === 0 ? dep : `${prefix.slice(0, k).join('/')}/${dep}`;
      const idx = byKey.get(key);
      if (idx !== undefined) return idx;
    }
    return undefined;
  };

  const edges: number[][] = entries.map(() => []);
  const optionalEdges = new Set<number>();
  const dangling: { dep: string; line: number }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const meta = metas[i];
    if (!meta || entries[i]!.kind === 'workspace') continue;
    const prefix = pathSegments(keys[i]!);
    const optionalPeers = new Set(Array.isArray(meta.optionalPeers) ? meta.optionalPeers.filter((x) => typeof x === 'string') : []);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      const deps = meta[field];
      if (!isMap(deps)) continue;
      for (const dep of Object.keys(deps)) {
        const to = resolveFrom(prefix, dep);
        if (to === undefined) {
          if (field === 'dependencies') dangling.push({ dep, line: entries[i]!.line });
          continue;
        }
        if (to === i) continue;
        if (!edges[i]!.includes(to)) edges[i]!.push(to);
        if (field === 'optionalDependencies' || (field === 'peerDependencies' && optionalPeers.has(dep))) {
          optionalEdges.add(edgeKey(i, to));
        }
      }
    }
  }

  const roots: GraphRoot[] = [];
  const typedRoots: TypedRootDeps[] = [];
  for (const [wsPath, ws] of Object.entries(workspaces)) {
    if (!isMap(ws)) continue;
    const path = wsPath === '' ? '.' : wsPath;
    const wsName = str(ws.name);
    const prefix = wsPath === '' || !wsName ? [] : [wsName];
    const typed: TypedRootDeps = { prod: [], dev: [], optional: [] };
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      const deps = ws[field];
      if (!isMap(deps)) continue;
      for (const dep of Object.keys(deps)) {
        const to = resolveFrom(prefix, dep);
        if (to === undefined) {
          if (field === 'dependencies' || field === 'devDependencies') dangling.push({ dep, line: versionLine ?? 1 });
          continue;
        }
        (field === 'devDependencies' ? typed.dev : field === 'optionalDependencies' ? typed.optional : typed.prod).push(to);
      }
    }
    const deps = [...new Set([...typed.prod, ...typed.dev, ...typed.optional])];
    const wsEntry = workspaceByPath.get(wsPath);
    if (wsEntry !== undefined) edges[wsEntry] = deps.filter((d) => d !== wsEntry);
    const manifest = wsPath === '' ? ctx?.manifest : ctx?.workspaceManifests?.[wsPath];
    roots.push({ name: wsName ?? manifestName(manifest) ?? path, path, deps });
    typedRoots.push(typed);
  }
  if (dangling.length > 0) {
    warnings.push({
      code: 'DANGLING_REFERENCE',
      message: `${dangling.length} dependency reference(s) resolve to no package in the lockfile (${dangling
        .slice(0, 3)
        .map((d) => d.dep)
        .join(', ')})`,
      line: dangling[0]!.line,
    });
  }

  const flags = computeFlags(entries.length, edges, typedRoots, optionalEdges);
  entries.forEach((e, i) => {
    if (e.kind === 'workspace') return;
    if (flags.dev[i]) e.dev = true;
    if (flags.optional[i]) e.optional = true;
  });
  return { format: 'bun', formatVersion, entries, graph: { roots, edges }, warnings };
}
