/**
 * The npm lockfile reader: package-lock.json (lockfileVersion 1, 2, 3), npm-shrinkwrap.json (same
 * formats), npm 3-5 era files without a lockfileVersion (nested `dependencies` tree), and the hidden
 * lockfile `node_modules/.package-lock.json` (packages only).
 *
 * One JSON.parse, then linear work: entries come from `packages` (v2/v3; the v1 `dependencies`
 * section of a v2 file is a duplicate and is ignored) or from the nested `dependencies` tree (v1 and
 * legacy). Lines come from a forward key finder over the text: keys are met in the order
 * JSON.stringify wrote them, so one cursor walks the text once.
 */
import { LockfileError } from '../errors.js';
import type { DepGraph, Entry, GraphRoot, Origin, ParseResult, ReadContext, ResolutionKind, Warning } from '../types.js';

/** Highest lockfileVersion this reader knows. Newer versions are read best-effort with a warning. */
export const NPM_LOCKFILE_MAX_VERSION = 3;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Read an npm lockfile text. Throws LockfileError (a gap) for a text it cannot read. */
export function readNpmLock(text: string, origin: Origin, ctx?: ReadContext): ParseResult {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const doc = parseJson(text, origin);
  if (!isObj(doc)) {
    throw new LockfileError('WRONG_FORMAT', `not an npm lockfile: the JSON value is ${describe(doc)}, not an object`, {
      path: origin.path,
    });
  }
  const lv = doc.lockfileVersion;
  const packages = doc.packages;
  const deps = doc.dependencies;
  if (lv === undefined) {
    if (isObj(packages) && looksLikePackages(packages)) {
      // A hidden lockfile or v2+ file whose version field is missing: read what is there, say so.
      return readPackages(text, doc, packages, origin, ctx, '', [
        { code: 'NO_LOCKFILE_VERSION', message: 'no lockfileVersion field; read as a packages lockfile' },
      ]);
    }
    if (isObj(deps) && looksLikeLegacyTree(deps)) return readTree(text, doc, deps, origin, ctx, 'legacy', []);
    throw new LockfileError(
      'WRONG_FORMAT',
      'not an npm lockfile: no lockfileVersion and no packages or dependency tree (a package.json?)',
      { path: origin.path },
    );
  }
  const version = typeof lv === 'number' || typeof lv === 'string' ? String(lv) : '';
  const n = Number(version);
  if (!Number.isInteger(n) || n < 1) {
    throw new LockfileError('UNSUPPORTED_FORMAT', `unknown npm lockfileVersion ${JSON.stringify(lv)}`, {
      path: origin.path,
    });
  }
  if (n === 1) {
    if (deps === undefined) return readTree(text, doc, {}, origin, ctx, version, []);
    if (!isObj(deps)) throw badShape(origin, '"dependencies" is not an object');
    return readTree(text, doc, deps, origin, ctx, version, []);
  }
  if (n <= NPM_LOCKFILE_MAX_VERSION) {
    if (isObj(packages)) return readPackages(text, doc, packages, origin, ctx, version, []);
    if (packages !== undefined) throw badShape(origin, '"packages" is not an object');
    if (isObj(deps)) {
      return readTree(text, doc, deps, origin, ctx, version, [
        { code: 'NO_PACKAGES_SECTION', message: `lockfileVersion ${version} without "packages"; read the dependencies tree` },
      ]);
    }
    // npm writes `"packages": {}` for a project without dependencies; with neither section we cannot tell.
    throw badShape(origin, `lockfileVersion ${version} with neither "packages" nor "dependencies"`);
  }
  if (isObj(packages) && looksLikePackages(packages)) {
    return readPackages(text, doc, packages, origin, ctx, version, [
      {
        code: 'FORMAT_VERSION_NEWER',
        message: `lockfileVersion ${version} is newer than ${NPM_LOCKFILE_MAX_VERSION}; read best-effort from "packages"`,
      },
    ]);
  }
  throw new LockfileError(
    'UNSUPPORTED_FORMAT',
    `npm lockfileVersion ${version} is not supported (newest known: ${NPM_LOCKFILE_MAX_VERSION}) and has no "packages" object of the known shape`,
    { path: origin.path },
  );
}

function badShape(origin: Origin, what: string): LockfileError {
  return new LockfileError('CORRUPT', `npm lockfile of an unexpected shape: ${what}`, { path: origin.path });
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** `packages` of the known shape: every value an object, keys "" or paths. */
function looksLikePackages(p: Obj): boolean {
  for (const k in p) if (!isObj(p[k])) return false;
  return true;
}

/** A v1/legacy tree: values are objects (a package.json `dependencies` maps names to range strings). */
function looksLikeLegacyTree(d: Obj): boolean {
  let n = 0;
  for (const k in d) {
    if (!isObj(d[k])) return false;
    n++;
  }
  return n > 0;
}

// ---------------------------------------------------------------------------------------------
// JSON parsing with a useful error

function parseJson(text: string, origin: Origin): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    const where = locateJsonError(text);
    const line = where.offset >= 0 ? lineAt(text, where.offset) : undefined;
    const msg = e instanceof Error ? e.message : String(e);
    if (where.eof || /end of (JSON|data|input)/i.test(msg)) {
      return fail('TRUNCATED', `truncated JSON: the text ends before the JSON value is complete (${msg})`, line, e);
    }
    return fail('CORRUPT', `invalid JSON${line ? ` at line ${line}` : ''}: ${msg}`, line, e);
  }
  function fail(code: 'TRUNCATED' | 'CORRUPT', message: string, line: number | undefined, cause: unknown): never {
    throw new LockfileError(code, message, { path: origin.path, line, cause });
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Find where a JSON text stops being valid (only called after JSON.parse failed, whose message on
 * Node 20 often carries no position). Returns the offset of the first bad character and whether the
 * problem is that the text ended early.
 */
export function locateJsonError(text: string): { offset: number; eof: boolean } {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  class Bad {
    constructor(readonly eof: boolean) {}
  }
  const bad = (): never => {
    throw new Bad(i >= n);
  };
  const stringTok = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        i++;
        if (i >= n) bad();
        const e = text[i]!;
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n) {
              i = n;
              bad();
            }
            if (!/[0-9a-fA-F]/.test(text[i + k]!)) {
              i += k;
              bad();
            }
          }
          i += 5;
        } else if ('"\\/bfnrt'.includes(e)) i++;
        else bad();
      } else if (c < 32) bad();
      else i++;
    }
    bad();
  };
  const value = (depth: number): void => {
    if (depth > 10_000) bad();
    ws();
    if (i >= n) bad();
    const c = text[i]!;
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') bad();
        stringTok();
        ws();
        if (text[i] !== ':') bad();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        bad();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        bad();
      }
    } else if (c === '"') stringTok();
    else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) bad();
      i += m![0].length;
      if (i >= n && /[.eE+-]$/.test(m![0])) bad();
    } else {
      for (const w of ['true', 'false', 'null']) {
        if (text.startsWith(w, i)) {
          i += w.length;
          return;
        }
        if (w.startsWith(text.slice(i, i + w.length)) && i + w.length > n) {
          i = n;
          bad();
        }
      }
      bad();
    }
  };
  try {
    value(0);
    ws();
    if (i < n) bad();
    return { offset: -1, eof: false };
  } catch (e) {
    if (e instanceof Bad) return { offset: Math.min(i, n), eof: e.eof };
    return { offset: -1, eof: false }; // stack overflow on absurd nesting: position unknown
  }
}

// ---------------------------------------------------------------------------------------------
// Lines: a forward key finder

class KeyFinder {
  private pos = 0;
  private line = 1;
  /** Searches from the start allowed for keys not met forward (each costs a pass over the text). */
  private rescans = 64;
  constructor(private readonly text: string) {}

  /**
   * 1-based line of the next occurrence (from the cursor) of `"key": {`, or 0 when there is none.
   * Values are never followed by a colon and dependency ranges are strings, so only entry keys match.
   */
  next(key: string): number {
    const needle = JSON.stringify(key);
    let at = this.find(needle, this.pos);
    if (at < 0) {
      // Key order differs from text order (integer-like keys are reordered by JSON.parse): look from
      // the start without moving the cursor. Rare; bounded by the number of such keys.
      if (this.rescans-- <= 0) return 0;
      at = this.find(needle, 0);
      return at < 0 ? 0 : lineAt(this.text, at);
    }
    const t = this.text;
    for (let i = t.indexOf('\n', this.pos); i !== -1 && i < at; i = t.indexOf('\n', i + 1)) this.line++;
    this.pos = at + needle.length;
    return this.line;
  }

  private find(needle: string, from: number): number {
    const t = this.text;
    for (let at = t.indexOf(needle, from); at !== -1; at = t.indexOf(needle, at + 1)) {
      let j = at + needle.length;
      while (isWs(t.charCodeAt(j))) j++;
      if (t.charCodeAt(j) !== 58 /* : */) continue;
      j++;
      while (isWs(t.charCodeAt(j))) j++;
      if (t.charCodeAt(j) === 123 /* { */) return at;
    }
    return -1;
  }
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

// ---------------------------------------------------------------------------------------------
// Resolution kinds

const GIT_PREFIX = /^(?:git\+[a-z]+:|git:|github:|gitlab:|bitbucket:|gist:)/i;

/** A registry tarball URL ends `/-/<basename>-<version>.tgz` (any registry host, private ones too). */
function isRegistryTarball(url: string): boolean {
  const q = url.search(/[?#]/);
  const u = q >= 0 ? url.slice(0, q) : url;
  const dash = u.lastIndexOf('/-/');
  return dash >= 0 && u.endsWith('.tgz') && u.indexOf('/', dash + 3) === -1;
}

function kindOfSpec(spec: string | undefined): ResolutionKind | undefined {
  if (!spec) return undefined;
  if (GIT_PREFIX.test(spec)) return 'git';
  if (spec.startsWith('file:')) return 'file';
  if (spec.startsWith('link:')) return 'link';
  if (/^https?:\/\//i.test(spec)) return isRegistryTarball(spec) ? 'registry' : 'tarball';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// v2 / v3 / hidden: the `packages` map

const NM = 'node_modules/';

function nameFromKey(key: string): string {
  const i = key.lastIndexOf(NM);
  return i < 0 ? key : key.slice(i + NM.length);
}

function readPackages(
  text: string,
  doc: Obj,
  packages: Obj,
  origin: Origin,
  ctx: ReadContext | undefined,
  formatVersion: string,
  warnings: Warning[],
): ParseResult {
  const finder = new KeyFinder(text);
  const entries: Entry[] = [];
  const keyOf: string[] = [];
  const data: Obj[] = [];
  const byKey = new Map<string, number>();
  const rootPkg = isObj(packages['']) ? (packages[''] as Obj) : undefined;
  const wsMatch = workspaceMatcher(rootPkg?.workspaces);

  for (const key of Object.keys(packages)) {
    if (key === '') {
      finder.next(key);
      continue;
    }
    const p = packages[key];
    const line = finder.next(key);
    if (!isObj(p)) {
      warnings.push({ code: 'BAD_ENTRY', message: `packages[${JSON.stringify(key)}] is not an object`, line });
      continue;
    }
    const underNm = key.startsWith(NM) || key.includes('/' + NM);
    const folderName = nameFromKey(key);
    const ownName = str(p.name);
    const version = str(p.version) ?? '';
    const resolved = str(p.resolved);
    let kind: ResolutionKind;
    if (p.link === true) kind = 'link';
    else if (!underNm) kind = wsMatch(key) ? 'workspace' : 'file';
    else kind = kindOfSpec(resolved) ?? kindOfSpec(version) ?? 'registry';
    const name = ownName ?? (underNm ? folderName : folderName.slice(folderName.lastIndexOf('/') + 1));
    const e: Entry = { name, version, kind, line };
    if (underNm && ownName && ownName !== folderName) e.alias = folderName;
    if (resolved !== undefined) e.resolved = resolved;
    const integrity = str(p.integrity);
    if (integrity !== undefined) e.integrity = integrity;
    if (p.dev === true || p.devOptional === true) e.dev = true;
    if (p.optional === true || p.devOptional === true) e.optional = true;
    if (p.peer === true) e.peer = true;
    if (p.hasInstallScript === true) e.installScript = true;
    if (kind === 'registry' && version === '') {
      warnings.push({ code: 'BAD_ENTRY', message: `${key}: no version`, line });
    }
    if (line === 0) {
      e.line = 1;
      warnings.push({ code: 'LINE_NOT_FOUND', message: `${key}: key not found in the text` });
    }
    byKey.set(key, entries.length);
    entries.push(e);
    keyOf.push(key);
    data.push(p);
  }

  // ---- graph: node's resolution (nearest node_modules/D walking up through package folders)
  const parentMemo = new Map<string, string | null>();
  const parentOf = (path: string): string | null => {
    if (path === '') return null;
    const m = parentMemo.get(path);
    if (m !== undefined) return m;
    let p = path;
    let out: string | null = '';
    for (;;) {
      const s = p.lastIndexOf('/');
      if (s < 0) break;
      p = p.slice(0, s);
      if (byKey.has(p)) {
        out = p;
        break;
      }
    }
    parentMemo.set(path, out);
    return out;
  };
  const follow = (i: number): number => {
    // A link stands for its target folder (workspaces, file: folders).
    if (entries[i]!.kind !== 'link') return i;
    const t = str(data[i]!.resolved);
    const ti = t === undefined ? undefined : byKey.get(t);
    return ti ?? i;
  };
  // Folders that hold a nested node_modules: only those can resolve a dependency below the root.
  const hasNested = new Set<string>();
  for (const key of keyOf) {
    const i = key.lastIndexOf('/' + NM);
    if (i > 0) hasNested.add(key.slice(0, i));
  }
  const resolveFrom = (from: string, dep: string): number | undefined => {
    for (let cur: string | null = from; cur !== null; cur = parentOf(cur)) {
      if (cur !== '' && !hasNested.has(cur)) continue;
      const hit = byKey.get(cur === '' ? NM + dep : `${cur}/${NM}${dep}`);
      if (hit !== undefined) return follow(hit);
    }
    return undefined;
  };
  const depNames = (p: Obj, withDev: boolean): string[] => {
    const out: string[] = [];
    const add = (o: Json | undefined) => {
      if (isObj(o)) for (const k in o) out.push(k);
    };
    add(p.dependencies);
    add(p.optionalDependencies);
    add(p.peerDependencies);
    if (withDev) add(p.devDependencies);
    return out;
  };
  const edgesFor = (path: string, p: Obj, withDev: boolean): number[] => {
    const out: number[] = [];
    const seen = new Set<number>();
    for (const d of depNames(p, withDev)) {
      const t = resolveFrom(path, d);
      if (t !== undefined && !seen.has(t)) {
        seen.add(t);
        out.push(t);
      }
    }
    return out;
  };

  const edges: number[][] = entries.map((e, i) => {
    const key = keyOf[i]!;
    if (e.kind === 'link') {
      const t = follow(i);
      return t === i ? [] : [t];
    }
    const top = !(key.startsWith(NM) || key.includes('/' + NM));
    return edgesFor(key, data[i]!, top);
  });

  const roots: GraphRoot[] = [];
  const rootName = str(rootPkg?.name) ?? str(doc.name) ?? '.';
  if (rootPkg) {
    roots.push({ name: rootName, path: '.', deps: edgesFor('', rootPkg, true) });
  } else {
    roots.push({ name: rootName, path: '.', deps: rootDepsWithoutRootEntry(ctx, entries, keyOf, edges, resolveFrom, warnings) });
  }
  entries.forEach((e, i) => {
    if (e.kind === 'workspace') roots.push({ name: e.name, path: keyOf[i]!, deps: edges[i]! });
  });

  const graph: DepGraph = { roots, edges };
  return { format: 'npm', formatVersion, entries, graph, warnings };
}

/** Root deps when the lockfile has no `packages[""]` (the hidden lockfile): the manifest, else a guess. */
function rootDepsWithoutRootEntry(
  ctx: ReadContext | undefined,
  entries: Entry[],
  keyOf: string[],
  edges: number[][],
  resolveFrom: (from: string, dep: string) => number | undefined,
  warnings: Warning[],
): number[] {
  const manifest = parseManifest(ctx?.manifest);
  if (manifest) {
    const out: number[] = [];
    for (const d of manifestDeps(manifest)) {
      const t = resolveFrom('', d);
      if (t !== undefined && !out.includes(t)) out.push(t);
    }
    return out;
  }
  const required = new Set<number>();
  for (const l of edges) for (const t of l) required.add(t);
  const out: number[] = [];
  entries.forEach((_, i) => {
    const key = keyOf[i]!;
    if (key.startsWith(NM) && !key.includes('/' + NM) && !required.has(i)) out.push(i);
  });
  warnings.push({
    code: 'ROOT_DEPS_UNKNOWN',
    message: 'the lockfile does not record the root project\'s dependencies and no package.json was given: top-level packages no other package depends on are treated as direct',
  });
  return out;
}

function parseManifest(text: string | undefined): Obj | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Json;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function manifestDeps(m: Obj): string[] {
  const out: string[] = [];
  for (const f of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const o = m[f];
    if (isObj(o)) for (const k in o) if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** Workspace globs of packages[""].workspaces (array, or yarn-style { packages: [...] }). */
function workspaceMatcher(ws: Json | undefined): (path: string) => boolean {
  const list = Array.isArray(ws) ? ws : isObj(ws) && Array.isArray(ws.packages) ? ws.packages : [];
  const pos: RegExp[] = [];
  const neg: RegExp[] = [];
  for (const g of list) {
    if (typeof g !== 'string') continue;
    const negated = g.startsWith('!');
    (negated ? neg : pos).push(globToRegExp(negated ? g.slice(1) : g));
  }
  if (pos.length === 0) return () => false;
  return (p) => pos.some((r) => r.test(p)) && !neg.some((r) => r.test(p));
}

function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        re += '.*';
        i++;
        if (g[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// ---------------------------------------------------------------------------------------------
// v1 and legacy: the nested `dependencies` tree

interface TreeNode {
  entry: number; // -1 for the root
  parent: number; // index into nodes, -1 for the root
  children: Map<string, number>; // name -> node index
  requires?: string[];
}

function readTree(
  text: string,
  doc: Obj,
  deps: Obj,
  origin: Origin,
  ctx: ReadContext | undefined,
  formatVersion: string,
  warnings: Warning[],
): ParseResult {
  void origin;
  const finder = new KeyFinder(text);
  const entries: Entry[] = [];
  const nodes: TreeNode[] = [{ entry: -1, parent: -1, children: new Map() }];
  const nodeOfEntry: number[] = [];
  let anyRequires = false;

  // Iterative pre-order walk in text order: a stack of (parent node, remaining keys).
  const stack: { node: number; obj: Obj; keys: string[]; k: number }[] = [
    { node: 0, obj: deps, keys: Object.keys(deps), k: 0 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.k >= top.keys.length) {
      stack.pop();
      continue;
    }
    const key = top.keys[top.k++]!;
    const v = top.obj[key];
    const line = finder.next(key);
    if (!isObj(v)) {
      warnings.push({ code: 'BAD_ENTRY', message: `dependencies[${JSON.stringify(key)}] is not an object`, line: line || undefined });
      continue;
    }
    const rawVersion = str(v.version) ?? '';
    const resolved = str(v.resolved);
    let name = key;
    let version = rawVersion;
    let alias: string | undefined;
    let kind: ResolutionKind;
    if (rawVersion.startsWith('npm:')) {
      const spec = rawVersion.slice(4);
      const at = spec.lastIndexOf('@');
      if (at > 0) {
        name = spec.slice(0, at);
        version = spec.slice(at + 1);
      } else name = spec;
      if (name !== key) alias = key;
      kind = kindOfSpec(resolved) ?? 'registry';
    } else {
      kind = kindOfSpec(rawVersion) ?? kindOfSpec(resolved) ?? 'registry';
      if (kind === 'registry' && /^[a-z0-9_.-]+\/[a-z0-9_.-]+(#.*)?$/i.test(rawVersion)) kind = 'git'; // user/repo#ref
    }
    const e: Entry = { name, version, kind, line: line || 1 };
    if (alias !== undefined) e.alias = alias;
    if (resolved !== undefined) e.resolved = resolved;
    const integrity = str(v.integrity);
    if (integrity !== undefined) e.integrity = integrity;
    if (v.dev === true) e.dev = true;
    if (v.optional === true) e.optional = true;
    if (line === 0) warnings.push({ code: 'LINE_NOT_FOUND', message: `${key}: key not found in the text` });
    if (kind === 'registry' && version === '') warnings.push({ code: 'BAD_ENTRY', message: `${key}: no version`, line: e.line });
    const ei = entries.push(e) - 1;
    const node: TreeNode = { entry: ei, parent: top.node, children: new Map() };
    if (isObj(v.requires)) {
      anyRequires = true;
      node.requires = Object.keys(v.requires);
    }
    const ni = nodes.push(node) - 1;
    nodeOfEntry[ei] = ni;
    nodes[top.node]!.children.set(key, ni);
    if (isObj(v.dependencies)) {
      const keys = Object.keys(v.dependencies);
      if (keys.length > 0) stack.push({ node: ni, obj: v.dependencies, keys, k: 0 });
    }
  }

  const resolveFrom = (node: number, dep: string): number | undefined => {
    for (let cur = node; cur >= 0; cur = nodes[cur]!.parent) {
      const hit = nodes[cur]!.children.get(dep);
      if (hit !== undefined) return nodes[hit]!.entry;
    }
    return undefined;
  };

  let edges: number[][];
  // npm 5+ marks the tree with a top-level `"requires": true`; then an entry without `requires` has no deps.
  if (anyRequires || doc.requires === true || entries.length === 0) {
    edges = entries.map((_, ei) => {
      const n = nodes[nodeOfEntry[ei]!]!;
      const out: number[] = [];
      for (const d of n.requires ?? []) {
        const t = resolveFrom(nodeOfEntry[ei]!, d);
        if (t !== undefined && t !== ei && !out.includes(t)) out.push(t);
      }
      return out;
    });
  } else {
    // npm 3/4 shrinkwrap and npm 5 pre-release files record no `requires`: a nested package is there
    // because its parent (or something under it) needed that version; use the nesting as the edges.
    edges = entries.map((_, ei) => [...nodes[nodeOfEntry[ei]!]!.children.values()].map((c) => nodes[c]!.entry));
    warnings.push({
      code: 'REQUIRES_UNKNOWN',
      message: 'the lockfile records no "requires": dependency paths follow the nesting only',
    });
  }

  const rootName = str(doc.name) ?? '.';
  const manifest = parseManifest(ctx?.manifest);
  let rootDeps: number[] = [];
  if (manifest) {
    for (const d of manifestDeps(manifest)) {
      const t = resolveFrom(0, d);
      if (t !== undefined && !rootDeps.includes(t)) rootDeps.push(t);
    }
  } else {
    const required = new Set<number>();
    for (const l of edges) for (const t of l) required.add(t);
    rootDeps = [...nodes[0]!.children.values()].map((c) => nodes[c]!.entry).filter((ei) => !required.has(ei));
    warnings.push({
      code: 'ROOT_DEPS_UNKNOWN',
      message: `lockfileVersion ${formatVersion} does not record the root project's dependencies and no package.json was given: top-level packages no other package requires are treated as direct`,
    });
  }
  const graph: DepGraph = { roots: [{ name: rootName, path: '.', deps: rootDeps }], edges };
  return { format: 'npm', formatVersion, entries, graph, warnings };
}
