/**
 * pnpm-lock.yaml reader: lockfileVersion 5.x (pnpm 3-7), 6.x (pnpm 8), 7.0 and 9.0 (pnpm 9-10),
 * best effort for newer versions with the same shape.
 *
 * One code path reads every version, because the versions differ only in how a package key is spelled:
 *   5.x  `/name/1.2.3`, `/@scope/name/1.2.3_peer@1.0.0`, `registry.example.com/name/1.2.3`
 *   6.x  `/name@1.2.3(peer@1.0.0)`
 *   9.0  `name@1.2.3` in `packages:` and `name@1.2.3(peer@1.0.0)` in `snapshots:` (which hold the edges)
 * and non-registry packages (git, tarball, directory) are keyed by whatever pnpm made of their URL, with
 * `name:`/`version:` fields and a `resolution:` that tell what they are.
 *
 * YAML is parsed with js-yaml's FAILSAFE schema so every scalar stays a string (`5.10` is not `5.1`);
 * key lines come from one forward scan over the text (keys are in document order).
 */
import yaml from 'js-yaml';
import { LockfileError } from '../errors.js';
import type { Entry, GraphRoot, Origin, ParseResult, ReadContext, ResolutionKind, Warning } from '../types.js';
import { computeFlags, edgeKey, type TypedRootDeps } from './graph-flags.js';
import { parseRegularYaml } from './pnpm-yaml.js';

type Map_ = Record<string, unknown>;

const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const NAME_RE = /^(?:@[^/@\s]+\/)?[^/@\s]+$/;
const GIT_TARBALL_HOST = /^https?:\/\/(?:codeload\.github\.com|gitlab\.com\/.+\/-\/archive\/|bitbucket\.org\/.+\/get\/)/;
const GIT_KEY = /^(?:github\.com|gitlab\.com|bitbucket\.org)\//;
const GIT_SPEC = /^(?:git\+|git:|github:|gitlab:|bitbucket:|ssh:)/;

/** Versions whose shape is known. Anything else >= 5 is read best effort with a NEWER_FORMAT warning. */
function isKnownVersion(v: string): boolean {
  return /^5(?:\.[0-4])?$/.test(v) || /^6\.[01]$/.test(v) || v === '7.0' || v === '9.0';
}

const DEP_FIELDS = ['dependencies', 'optionalDependencies'] as const;
/** `configDependencies`/`packageManagerDependencies` appear in the env lockfile document of pnpm 10; they run at install. */
const IMPORTER_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'configDependencies',
  'packageManagerDependencies',
] as const;

function isMap(v: unknown): v is Map_ {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Key lines: a forward scan over block-style YAML (what pnpm writes, and what prettier keeps for
// the sections we need). Each call scans one block once.

const KEY_RE = /^( *)(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|([^\s'"#][^#]*?))[ \t]*:(?=\s|$)/;

class KeyLines {
  constructor(
    private readonly lines: string[],
    /** 0-based index of this document's first line in the whole text. */
    private readonly offset: number,
  ) {}

  private indent(i: number): number {
    const l = this.lines[i]!;
    let n = 0;
    while (n < l.length && l[n] === ' ') n++;
    if (n === l.length || l[n] === '#' || l[n] === '\r') return -1; // blank or comment
    return n;
  }

  private key(i: number): string | undefined {
    const m = KEY_RE.exec(this.lines[i]!);
    if (!m) return undefined;
    if (m[2] !== undefined) return m[2].replace(/''/g, "'");
    if (m[3] !== undefined) {
      try {
        return JSON.parse(`"${m[3]}"`) as string;
      } catch {
        return m[3];
      }
    }
    return m[4]!.trimEnd();
  }

  /** Top-level keys -> 0-based line index within the document. */
  top(): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < this.lines.length; i++) {
      if (this.indent(i) !== 0) continue;
      const k = this.key(i);
      if (k !== undefined && !out.has(k)) out.set(k, i);
    }
    return out;
  }

  /** Direct child keys of the key on line `parent` (0-based, document-relative). */
  children(parent: number | undefined): Map<string, number> {
    const out = new Map<string, number>();
    if (parent === undefined) return out;
    const pIndent = Math.max(0, this.indent(parent));
    let childIndent = -1;
    for (let i = parent + 1; i < this.lines.length; i++) {
      const ind = this.indent(i);
      if (ind < 0) continue;
      if (ind <= pIndent) break;
      if (childIndent < 0) childIndent = ind;
      if (ind !== childIndent) continue;
      const k = this.key(i);
      if (k !== undefined && !out.has(k)) out.set(k, i);
    }
    return out;
  }

  /** 1-based line number in the whole text. */
  abs(i: number): number {
    return i + this.offset + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Package keys

interface SplitKey {
  name: string;
  /** '/' (5.x), '@' (6.x, 9.0) or '' when the key has no version part. */
  sep: '/' | '@' | '';
  /** Everything after the separator, peer suffix included. */
  ref: string;
  /** The ref without its peer suffix. */
  version: string;
}

function stripPeers(ref: string): string {
  let v = ref;
  const p = v.indexOf('(');
  if (p > 0) v = v.slice(0, p);
  if (!VERSION_RE.test(v)) {
    const u = v.indexOf('_');
    if (u > 0 && VERSION_RE.test(v.slice(0, u))) v = v.slice(0, u);
  }
  return v;
}

function splitKey(key: string): SplitKey {
  const k = key.startsWith('/') ? key.slice(1) : key;
  let i = 0;
  if (k.startsWith('@')) {
    const s = k.indexOf('/');
    if (s < 0) return { name: k, sep: '', ref: '', version: '' };
    i = s + 1;
  }
  let j = i;
  while (j < k.length && k[j] !== '/' && k[j] !== '@') j++;
  if (j >= k.length) return { name: k, sep: '', ref: '', version: '' };
  const ref = k.slice(j + 1);
  return { name: k.slice(0, j), sep: k[j] as '/' | '@', ref, version: stripPeers(ref) };
}

/** `registry.example.com/name/1.2.3` (5.x key of a package from a non-default registry) -> split of `/name/1.2.3`. */
function splitHostKey(key: string): SplitKey | undefined {
  if (key.startsWith('/') || key.startsWith('@')) return undefined;
  const s = key.indexOf('/');
  if (s <= 0 || !/[.:+]/.test(key.slice(0, s))) return undefined;
  const sk = splitKey(key.slice(s));
  return sk.sep === '/' && VERSION_RE.test(sk.version) && NAME_RE.test(sk.name) ? sk : undefined;
}

interface Described {
  name: string;
  version: string;
  kind: ResolutionKind;
  resolved?: string;
  integrity?: string;
  unknown?: boolean;
}

function describePackage(key: string, val: Map_ | null): Described {
  const res = isMap(val?.resolution) ? (val!.resolution as Map_) : undefined;
  const fieldName = str(val?.name);
  const fieldVersion = str(val?.version);
  const rtype = str(res?.type);
  const tarball = str(res?.tarball);
  const integrity = str(res?.integrity);
  let sk = splitKey(key);
  let registryKey = sk.sep !== '' && NAME_RE.test(sk.name) && VERSION_RE.test(sk.version);
  if (!registryKey) {
    const hk = splitHostKey(key);
    if (hk) {
      sk = hk;
      registryKey = true;
    }
  }
  let kind: ResolutionKind;
  let unknown = false;
  let resolved = tarball;
  if (rtype === 'git') {
    kind = 'git';
    const repo = str(res?.repo);
    const commit = str(res?.commit);
    if (repo) resolved = commit ? `${repo}#${commit}` : repo;
  } else if (rtype === 'directory') {
    kind = 'file';
    resolved = str(res?.directory);
  } else if (registryKey) {
    kind = 'registry';
  } else {
    const ref = sk.sep === '@' ? sk.ref : key;
    if (ref.startsWith('file:') || key.startsWith('file:')) kind = 'file';
    else if (ref.startsWith('link:')) kind = 'link';
    else if (tarball && GIT_TARBALL_HOST.test(tarball)) kind = 'git';
    else if (GIT_KEY.test(key) || GIT_KEY.test(ref) || GIT_SPEC.test(ref)) kind = 'git';
    else if (tarball || /^https?:/.test(ref)) kind = 'tarball';
    else {
      kind = 'tarball';
      unknown = true;
    }
  }
  // The key's name is trusted for registry keys and for `name@<spec>` keys (6.x, 9.0); 5.x
  // non-registry keys (`github.com/user/repo/sha`, `@host+port/file.tgz`) carry no name.
  const keyName = registryKey || (sk.sep === '@' && NAME_RE.test(sk.name)) ? sk.name : '';
  const name = fieldName ?? keyName;
  const version = fieldVersion ?? (registryKey ? sk.version : '');
  const d: Described = { name, version, kind };
  if (resolved) d.resolved = resolved;
  if (integrity) d.integrity = integrity;
  if (unknown) d.unknown = true;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Documents and errors

interface Doc {
  lines: string[];
  offset: number;
}

/** Split a multi-document YAML text (pnpm 10 can put an env lockfile before the main one). */
function splitDocuments(lines: string[]): Doc[] {
  const docs: Doc[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^(?:---|\.\.\.)\s*$/.test(lines[i]!)) {
      if (lines.slice(start, i).some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
        docs.push({ lines: lines.slice(start, i), offset: start });
      }
      start = i + 1;
    }
  }
  if (start === 0) return [{ lines, offset: 0 }];
  if (lines.slice(start).some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
    docs.push({ lines: lines.slice(start), offset: start });
  }
  return docs;
}

function parseYaml(text: string, doc: Doc, whole: string, origin: Origin): unknown {
  // The regular layout pnpm writes is read line by line; anything else by js-yaml.
  const fast = parseRegularYaml(doc.lines);
  if (fast !== undefined) return fast;
  try {
    return yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line?: number }; message?: string };
    const line = (err.mark?.line ?? 0) + doc.offset + 1;
    const totalLines = whole.replace(/\n+$/, '').split('\n').length;
    const atEnd = !whole.endsWith('\n') && line >= totalLines - 1;
    const reason = err.reason ?? err.message ?? 'YAML syntax error';
    if (atEnd || /end of the stream/.test(reason)) {
      throw new LockfileError('TRUNCATED', `pnpm lockfile ends in the middle of a YAML structure (${reason})`, {
        path: origin.path,
        line,
        cause: e,
      });
    }
    throw new LockfileError('CORRUPT', `pnpm lockfile is not valid YAML: ${reason}`, {
      path: origin.path,
      line,
      cause: e,
    });
  }
}

function manifestField(text: string | undefined, field: 'name' | 'version'): string | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as unknown;
    return isMap(m) ? str(m[field]) : undefined;
  } catch {
    return undefined;
  }
}

function normalizePath(base: string, rel: string): string {
  const parts = base === '.' ? [] : base.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

// ---------------------------------------------------------------------------------------------
// One document

interface DocResult {
  formatVersion: string;
  entries: Entry[];
  edges: number[][];
  optionalEdges: [number, number][];
  roots: (GraphRoot & { typed: TypedRootDeps })[];
  /** dev flag as written (5.x/6.x), per entry; undefined when not written. */
  devField: (boolean | undefined)[];
  warnings: Warning[];
}

function readDocument(obj: unknown, kl: KeyLines, text: string, origin: Origin, ctx?: ReadContext): DocResult {
  if (!isMap(obj)) {
    throw new LockfileError('WRONG_FORMAT', 'not a pnpm lockfile: the document is not a YAML mapping', {
      path: origin.path,
    });
  }
  const warnings: Warning[] = [];
  const top = kl.top();
  const rawVersion = obj.lockfileVersion;
  if (rawVersion === undefined) {
    if (obj.shrinkwrapVersion !== undefined) {
      throw new LockfileError('UNSUPPORTED_FORMAT', 'pnpm shrinkwrap.yaml (pnpm 1-2) is not supported', {
        path: origin.path,
      });
    }
    throw new LockfileError('WRONG_FORMAT', 'not a pnpm lockfile: no lockfileVersion', { path: origin.path });
  }
  const formatVersion = typeof rawVersion === 'string' ? rawVersion : JSON.stringify(rawVersion);
  const versionLine = top.has('lockfileVersion') ? kl.abs(top.get('lockfileVersion')!) : undefined;
  const major = /^\d+(?:\.\d+)?$/.test(formatVersion) ? Number(formatVersion.split('.')[0]) : NaN;
  if (!(major >= 5)) {
    throw new LockfileError('UNSUPPORTED_FORMAT', `unsupported pnpm lockfileVersion ${formatVersion}`, {
      path: origin.path,
      line: versionLine,
    });
  }
  const known = isKnownVersion(formatVersion);

  const packages = obj.packages ?? {};
  const snapshots = obj.snapshots;
  const importersRaw = obj.importers;
  for (const [k, v] of [
    ['packages', packages],
    ['snapshots', snapshots ?? {}],
    ['importers', importersRaw ?? {}],
  ] as const) {
    if (!isMap(v)) {
      const line = top.has(k) ? kl.abs(top.get(k)!) : undefined;
      const msg = `pnpm lockfile section "${k}" is not a mapping`;
      if (!known) {
        throw new LockfileError('UNSUPPORTED_FORMAT', `pnpm lockfileVersion ${formatVersion}: ${msg}`, {
          path: origin.path,
          line,
        });
      }
      throw new LockfileError('CORRUPT', msg, { path: origin.path, line });
    }
  }
  const pkgMap = packages as Map_;
  if (!known) {
    // Best effort only when the structure is one we know: package keys spelled as in 5.x-9.0.
    const keys = Object.keys(pkgMap);
    const shaped =
      Object.values(pkgMap).every((v) => v === null || isMap(v)) &&
      (keys.length === 0 || keys.some((k) => describePackage(k, null).kind === 'registry'));
    if (!shaped) {
      throw new LockfileError(
        'UNSUPPORTED_FORMAT',
        `pnpm lockfileVersion ${formatVersion} is not a version npm-ir knows, and its packages are not in a known shape`,
        { path: origin.path, line: versionLine },
      );
    }
    warnings.push({
      code: 'NEWER_FORMAT',
      message: `pnpm lockfileVersion ${formatVersion} is newer than the versions npm-ir knows (5.x-9.0); read as the same shape`,
      line: versionLine,
    });
  }

  const entries: Entry[] = [];
  const devField: (boolean | undefined)[] = [];
  const optionalField: boolean[] = [];
  const keyIndex = new Map<string, number>();
  const depSources: { from: number; value: Map_; line: number }[] = [];

  const pkgLines = kl.children(top.get('packages'));
  const pkgSectionLine = top.has('packages') ? kl.abs(top.get('packages')!) : 1;
  const hasSnapshots = snapshots !== undefined;
  for (const [key, val] of Object.entries(pkgMap)) {
    const li = pkgLines.get(key);
    const line = li === undefined ? pkgSectionLine : kl.abs(li);
    if (val !== null && !isMap(val)) {
      warnings.push({ code: 'BAD_ENTRY', message: `package "${key}" is not a mapping; skipped`, line });
      continue;
    }
    const d = describePackage(key, val);
    if (d.unknown) {
      warnings.push({ code: 'UNKNOWN_RESOLUTION', message: `package "${key}": resolution not understood`, line });
    }
    const e: Entry = { name: d.name, version: d.version, kind: d.kind, line };
    if (d.resolved) e.resolved = d.resolved;
    if (d.integrity) e.integrity = d.integrity;
    if (str(val?.requiresBuild) === 'true') e.installScript = true;
    const idx = entries.push(e) - 1;
    const dev = str(val?.dev);
    devField[idx] = dev === 'true' ? true : dev === 'false' ? false : undefined;
    optionalField[idx] = str(val?.optional) === 'true';
    keyIndex.set(key, idx);
    if (!hasSnapshots && val) depSources.push({ from: idx, value: val, line });
  }

  let missingSnapshots = 0;
  if (isMap(snapshots)) {
    const snapLines = kl.children(top.get('snapshots'));
    const snapSectionLine = top.has('snapshots') ? kl.abs(top.get('snapshots')!) : 1;
    const covered = new Set<number>();
    for (const [key, val] of Object.entries(snapshots)) {
      const li = snapLines.get(key);
      const line = li === undefined ? snapSectionLine : kl.abs(li);
      if (val !== null && !isMap(val)) {
        warnings.push({ code: 'BAD_ENTRY', message: `snapshot "${key}" is not a mapping; skipped`, line });
        continue;
      }
      let idx = keyIndex.get(key) ?? keyIndex.get(stripPeerKey(key));
      if (idx === undefined) {
        // A snapshot without its package: still a resolved package, read from the key alone.
        const d = describePackage(stripPeerKey(key), val);
        const e: Entry = { name: d.name, version: d.version, kind: d.kind, line };
        idx = entries.push(e) - 1;
        devField[idx] = undefined;
        optionalField[idx] = false;
        warnings.push({ code: 'MISSING_PACKAGE', message: `snapshot "${key}" has no entry in packages`, line });
      }
      keyIndex.set(key, idx);
      covered.add(idx);
      if (str(val?.optional) === 'true') optionalField[idx] = true;
      if (val) depSources.push({ from: idx, value: val, line });
    }
    missingSnapshots = entries.length - covered.size;
  } else if (Object.keys(pkgMap).length > 0 && major >= 7 && Object.keys(pkgMap).every((k) => !k.startsWith('/'))) {
    missingSnapshots = entries.length;
  }
  if (missingSnapshots > 0) {
    if (!text.endsWith('\n')) {
      throw new LockfileError('TRUNCATED', `pnpm lockfile ends before the snapshots of ${missingSnapshots} package(s)`, {
        path: origin.path,
      });
    }
    warnings.push({
      code: 'MISSING_SNAPSHOT',
      message: `${missingSnapshots} package(s) have no snapshot: their dependencies are unknown`,
    });
  }

  // Importers: `importers:` (workspaces, and every 9.0 file) or the root-level single-project layout.
  const importerLines = kl.children(top.get('importers'));
  const importers: [string, Map_, number][] = [];
  if (isMap(importersRaw)) {
    for (const [p, v] of Object.entries(importersRaw)) {
      const li = importerLines.get(p);
      const line = li === undefined ? (top.has('importers') ? kl.abs(top.get('importers')!) : 1) : kl.abs(li);
      if (!isMap(v)) {
        if (v !== null) warnings.push({ code: 'BAD_ENTRY', message: `importer "${p}" is not a mapping`, line });
        importers.push([p, {}, line]);
        continue;
      }
      importers.push([p, v, line]);
    }
  } else {
    importers.push(['.', obj, 1]);
  }
  const workspaceIdx = new Map<string, number>();
  for (const [p, , line] of importers) {
    if (p === '.') continue;
    const idx = entries.push({ name: '', version: manifestField(ctx?.workspaceManifests?.[p], 'version') ?? '', kind: 'workspace', line }) - 1;
    devField[idx] = undefined;
    optionalField[idx] = false;
    workspaceIdx.set(p, idx);
  }

  const edges: number[][] = entries.map(() => []);
  const optionalEdges: [number, number][] = [];
  const refNames: (string | undefined)[] = new Array<string | undefined>(entries.length).fill(undefined);
  const aliasOf: (string | undefined)[] = new Array<string | undefined>(entries.length).fill(undefined);
  const linkIdx = new Map<string, number>();
  const dangling: { name: string; ref: string; line: number }[] = [];

  // The spelling of this version first (most references hit it), then every other spelling.
  const primary =
    major >= 7
      ? (name: string, ref: string) => `${name}@${ref}`
      : major === 6
        ? (name: string, ref: string) => `/${name}@${ref}`
        : (name: string, ref: string) => `/${name}/${ref}`;
  const resolve = (name: string, ref: string): number | undefined =>
    keyIndex.get(primary(name, ref)) ??
    keyIndex.get(ref) ??
    keyIndex.get(`/${ref}`) ??
    keyIndex.get(`/${name}/${ref}`) ??
    keyIndex.get(`/${name}@${ref}`) ??
    keyIndex.get(`${name}@${ref}`) ??
    keyIndex.get(`${name}@${stripPeers(ref)}`);

  const link = (base: string, name: string, ref: string, line: number): number | undefined => {
    const target = normalizePath(base, ref.slice('link:'.length));
    const ws = workspaceIdx.get(target);
    if (ws !== undefined) {
      refNames[ws] ??= name;
      return ws;
    }
    if (target === '.') return undefined;
    let idx = linkIdx.get(target);
    if (idx === undefined) {
      idx = entries.push({ name, version: '', kind: 'link', resolved: ref, line }) - 1;
      edges[idx] = [];
      devField[idx] = undefined;
      optionalField[idx] = false;
      linkIdx.set(target, idx);
    }
    return idx;
  };

  const reference = (base: string, name: string, raw: unknown, line: number): number | undefined => {
    const ref = isMap(raw) ? str(raw.version) : str(raw);
    if (ref === undefined) {
      dangling.push({ name, ref: String(raw), line });
      return undefined;
    }
    if (ref.startsWith('link:')) return link(base, name, ref, line);
    const idx = resolve(name, ref);
    if (idx === undefined) {
      dangling.push({ name, ref, line });
      return undefined;
    }
    refNames[idx] ??= name;
    if (aliasOf[idx] === undefined && entries[idx]!.name !== '' && entries[idx]!.name !== name) aliasOf[idx] = name;
    return idx;
  };

  for (const src of depSources) {
    const out = edges[src.from]!;
    for (const field of DEP_FIELDS) {
      const deps = src.value[field];
      if (!isMap(deps)) continue;
      for (const [name, raw] of Object.entries(deps)) {
        const to = reference('.', name, raw, src.line);
        if (to === undefined) continue;
        if (!out.includes(to)) out.push(to);
        if (field === 'optionalDependencies') optionalEdges.push([src.from, to]);
      }
    }
  }

  const roots: (GraphRoot & { typed: TypedRootDeps })[] = [];
  for (const [p, imp, line] of importers) {
    const typed: TypedRootDeps = { prod: [], dev: [], optional: [] };
    const impChildren = p === '.' && !isMap(importersRaw) ? top : kl.children(importerLines.get(p));
    for (const field of IMPORTER_FIELDS) {
      const deps = imp[field];
      if (!isMap(deps)) continue;
      const depLines = kl.children(impChildren.get(field));
      for (const [name, raw] of Object.entries(deps)) {
        const li = depLines.get(name);
        const to = reference(p, name, raw, li === undefined ? line : kl.abs(li));
        if (to === undefined) continue;
        const list = field === 'dependencies' ? typed.prod : field === 'devDependencies' ? typed.dev : typed.optional;
        list.push(to);
      }
    }
    const deps = [...new Set([...typed.prod, ...typed.dev, ...typed.optional])];
    const ws = workspaceIdx.get(p);
    if (ws !== undefined) edges[ws] = deps.slice();
    const manifest = p === '.' ? ctx?.manifest : ctx?.workspaceManifests?.[p];
    roots.push({ name: manifestField(manifest, 'name') ?? p, path: p, deps, typed });
  }

  if (dangling.length > 0) {
    if (!text.endsWith('\n')) {
      throw new LockfileError(
        'TRUNCATED',
        `pnpm lockfile is cut short: ${dangling.length} dependency reference(s) point to packages that are not in the file`,
        { path: origin.path, line: dangling[0]!.line },
      );
    }
    const sample = dangling
      .slice(0, 3)
      .map((d) => `${d.name}: ${d.ref}`)
      .join(', ');
    warnings.push({
      code: 'DANGLING_REFERENCE',
      message: `${dangling.length} dependency reference(s) resolve to no package in the lockfile (${sample})`,
      line: dangling[0]!.line,
    });
  }

  for (const [p, idx] of workspaceIdx) {
    const e = entries[idx]!;
    e.name = manifestField(ctx?.workspaceManifests?.[p], 'name') ?? refNames[idx] ?? p;
  }
  const out: Entry[] = [];
  const remap: number[] = new Array(entries.length).fill(-1);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.name === '') {
      const n = refNames[i];
      if (n === undefined) {
        warnings.push({ code: 'BAD_ENTRY', message: 'package with no name that nothing depends on; skipped', line: e.line });
        continue;
      }
      e.name = n;
    } else if (aliasOf[i] !== undefined && e.kind !== 'workspace' && e.kind !== 'link') {
      e.alias = aliasOf[i];
    }
    if (optionalField[i]) e.optional = true;
    remap[i] = out.push(e) - 1;
  }
  const mapList = (l: number[]) => l.map((i) => remap[i]!).filter((i) => i >= 0);
  const newEdges: number[][] = [];
  const newOpt: [number, number][] = [];
  const newDev: (boolean | undefined)[] = [];
  for (let i = 0; i < entries.length; i++) {
    if (remap[i]! < 0) continue;
    newEdges[remap[i]!] = mapList(edges[i] ?? []);
    newDev[remap[i]!] = devField[i];
  }
  for (const [a, b] of optionalEdges) {
    if (remap[a]! >= 0 && remap[b]! >= 0) newOpt.push([remap[a]!, remap[b]!]);
  }
  for (const r of roots) {
    r.deps = mapList(r.deps);
    r.typed = { prod: mapList(r.typed.prod), dev: mapList(r.typed.dev), optional: mapList(r.typed.optional) };
  }
  return { formatVersion, entries: out, edges: newEdges, optionalEdges: newOpt, roots, devField: newDev, warnings };
}

function stripPeerKey(key: string): string {
  const p = key.indexOf('(');
  return p > 0 ? key.slice(0, p) : key;
}

/** Read a pnpm-lock.yaml text. Throws LockfileError for a text it cannot read or understand. */
export function readPnpmLock(text: string, origin: Origin, ctx?: ReadContext): ParseResult {
  if (text.trim() === '') throw new LockfileError('EMPTY', 'empty pnpm lockfile', { path: origin.path });
  const lines = text.split('\n');
  const docs = /^(?:---|\.\.\.)\s*$/m.test(text) ? splitDocuments(lines) : [{ lines, offset: 0 }];
  const results: DocResult[] = [];
  for (const doc of docs) {
    const docText = docs.length === 1 ? text : doc.lines.join('\n');
    const obj = parseYaml(docText, doc, text, origin);
    if (docs.length > 1 && isMap(obj) && obj.lockfileVersion === undefined) continue;
    results.push(readDocument(obj, new KeyLines(doc.lines, doc.offset), text, origin, ctx));
  }
  if (results.length === 0) {
    throw new LockfileError('WRONG_FORMAT', 'not a pnpm lockfile: no document with a lockfileVersion', {
      path: origin.path,
    });
  }
  // Several documents (an env lockfile before the main one): merge, the last one names the version.
  const entries: Entry[] = [];
  const edges: number[][] = [];
  const roots: (GraphRoot & { typed: TypedRootDeps })[] = [];
  const optionalEdges = new Set<number>();
  const devField: (boolean | undefined)[] = [];
  const warnings: Warning[] = [];
  for (const r of results) {
    const base = entries.length;
    entries.push(...r.entries);
    for (const e of r.edges) edges.push(e.map((i) => i + base));
    for (const [a, b] of r.optionalEdges) optionalEdges.add(edgeKey(a + base, b + base));
    devField.push(...r.devField);
    for (const root of r.roots) {
      const shift = (l: number[]) => l.map((i) => i + base);
      roots.push({
        ...root,
        deps: shift(root.deps),
        typed: { prod: shift(root.typed.prod), dev: shift(root.typed.dev), optional: shift(root.typed.optional) },
      });
    }
    warnings.push(...r.warnings);
  }
  const flags = computeFlags(
    entries.length,
    edges,
    roots.map((r) => r.typed),
    optionalEdges,
  );
  entries.forEach((e, i) => {
    const dev = devField[i] ?? flags.dev[i];
    if (dev && e.kind !== 'workspace') e.dev = true;
  });
  return {
    format: 'pnpm',
    formatVersion: results[results.length - 1]!.formatVersion,
    entries,
    graph: { roots: roots.map(({ name, path, deps }) => ({ name, path, deps })), edges },
    warnings,
  };
}
