/**
 * yarn berry (2+) lockfile reader: `__metadata.version` 4 (yarn 2), 5 (3.0/3.1), 6 (3.x), 8 (4.x),
 * 10 (4.18+); later versions are read best-effort with a NEWER_FORMAT warning.
 *
 * A line-oriented parser for the YAML subset yarn writes (no general YAML parser, for speed). The
 * `resolution` of an entry is the truth: `name@npm:1.2.3` is a registry package (aliases are already
 * resolved there), `patch:` wraps another resolution (the patched package at its version), `workspace:`
 * entries are the graph roots.
 */
import semver from 'semver';
import { LockfileError } from '../errors.js';
import type { Entry, GraphRoot, Origin, ParseResult, ReadContext, ResolutionKind, Warning } from '../types.js';
import {
  LineProblem,
  aliasOf,
  indentOf,
  isGitReference,
  isPackageName,
  isRegistryTarball,
  scanQuoted,
  splitDescriptor,
  splitLines,
  unquote,
} from './yarn-common.js';

/** __metadata versions written by released yarn versions. */
const KNOWN_VERSIONS = new Set([4, 5, 6, 7, 8, 9, 10]);
const NEWEST_KNOWN = 10;

interface Block {
  line: number;
  key: string;
  fields: Map<string, string>;
  deps: Array<[string, string]>;
  problem?: { message: string; line: number };
}

/** Read a yarn berry lockfile. Throws LockfileError when the text is not one, is cut short or unsupported. */
export function readYarnBerryLock(text: string, origin: Origin, _ctx?: ReadContext): ParseResult {
  const fail = (code: 'CORRUPT' | 'TRUNCATED' | 'WRONG_FORMAT' | 'UNSUPPORTED_FORMAT', message: string, line?: number) =>
    new LockfileError(code, message, { path: origin.path, line });

  const lines = splitLines(text);
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first >= 0) {
    const c = lines[first]!.trimStart().charAt(0);
    if (c === '{' || c === '[') throw fail('WRONG_FORMAT', 'JSON text, not a yarn berry lockfile', first + 1);
  }

  const blocks = parseBlocks(lines);
  const meta = blocks.find((b) => b.key === '__metadata');
  if (!meta) {
    if (/^# yarn lockfile v1\s*$/m.test(text)) {
      throw fail('WRONG_FORMAT', 'yarn v1 lockfile, not a yarn berry lockfile (no __metadata)');
    }
    throw fail('UNSUPPORTED_FORMAT', 'no __metadata block: not a yarn berry lockfile npm-ir knows');
  }
  if (meta.problem) throw fail('CORRUPT', `__metadata: ${meta.problem.message}`, meta.problem.line);
  const rawVersion = meta.fields.get('version');
  if (rawVersion === undefined) {
    if (meta === blocks[blocks.length - 1]) throw fail('TRUNCATED', 'lockfile ends inside __metadata', meta.line);
    throw fail('CORRUPT', '__metadata has no version', meta.line);
  }
  if (!/^\d+$/.test(rawVersion)) throw fail('CORRUPT', `__metadata.version '${rawVersion}' is not a number`, meta.line);
  const metaVersion = Number(rawVersion);
  const warnings: Warning[] = [];
  if (metaVersion > NEWEST_KNOWN) {
    warnings.push({
      code: 'NEWER_FORMAT',
      message: `__metadata.version ${metaVersion} is newer than the newest known (${NEWEST_KNOWN}); read best-effort`,
      line: meta.line,
    });
  } else if (!KNOWN_VERSIONS.has(metaVersion)) {
    throw fail('UNSUPPORTED_FORMAT', `yarn berry lockfile __metadata.version ${metaVersion} is not supported`, meta.line);
  }

  const entries: Entry[] = [];
  const entryBlocks: Block[] = [];
  const bad: Block[] = [];
  for (const b of blocks) {
    if (b === meta) continue;
    if (!b.problem) {
      const e = toEntry(b);
      if (e instanceof LineProblem) b.problem = { message: e.message, line: b.line };
      else {
        entries.push(e);
        entryBlocks.push(b);
        continue;
      }
    }
    bad.push(b);
  }
  if (bad.length >= 2 && bad.length > entries.length) {
    const b = bad[0]!;
    throw fail('CORRUPT', `${bad.length} unreadable entries, ${entries.length} readable: ${b.problem!.message}`, b.problem!.line);
  }
  const last = blocks[blocks.length - 1];
  if (last?.problem) {
    throw fail('TRUNCATED', `lockfile ends inside an entry (${last.problem.message})`, last.problem.line);
  }
  if (bad.length > 0 && entries.length === 0) {
    const b = bad[0]!;
    throw fail('CORRUPT', `no readable entry: ${b.problem!.message}`, b.problem!.line);
  }
  for (const b of bad) {
    warnings.push({ code: 'BAD_ENTRY', message: `entry skipped: ${b.problem!.message}`, line: b.problem!.line });
  }
  if (!text.endsWith('\n')) {
    warnings.push({ code: 'NO_FINAL_NEWLINE', message: 'lockfile does not end with a newline: it may be truncated' });
  }

  // Descriptor -> entry; edges; workspace roots.
  const byDescriptor = new Map<string, number>();
  entryBlocks.forEach((b, i) => {
    for (const d of descriptorsOf(b.key)) if (!byDescriptor.has(d)) byDescriptor.set(d, i);
  });
  const byName = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const l = byName.get(e.name);
    if (l) l.push(i);
    else byName.set(e.name, [i]);
  });
  let unresolved = 0;
  let example = '';
  const edges = entryBlocks.map((b) => {
    const out = new Set<number>();
    for (const [n, r] of b.deps) {
      const to =
        byDescriptor.get(`${n}@${r}`) ?? byDescriptor.get(`${n}@npm:${r}`) ?? byOverriddenRange(entries, byName, n, r);
      if (to === undefined) {
        unresolved++;
        example ||= `${n}@${r}`;
      } else out.add(to);
    }
    return [...out];
  });
  if (unresolved > 0) {
    warnings.push({
      code: 'UNRESOLVED_DEPENDENCY',
      message: `${unresolved} dependency descriptor(s) have no entry in the lockfile (e.g. ${example})`,
    });
  }
  const roots: GraphRoot[] = [];
  entries.forEach((e, i) => {
    if (e.kind !== 'workspace') return;
    const ref = splitDescriptor(e.resolved ?? '').range;
    const path = ref.slice('workspace:'.length) || '.';
    roots.push({ name: e.name, path, deps: edges[i]! });
  });
  if (roots.length === 0 && entries.length > 0) {
    warnings.push({ code: 'NO_WORKSPACE_ENTRY', message: 'no workspace: entry: dependency paths are unknown' });
  }

  return { format: 'yarn-berry', formatVersion: String(metaVersion), entries, graph: { roots, edges }, warnings };
}

/**
 * A dependency whose descriptor is not a key: the project's `resolutions` replaced it (yarn writes the
 * replacement's key). Take the one entry of that name, or the highest one satisfying the range.
 */
function byOverriddenRange(entries: Entry[], byName: Map<string, number[]>, name: string, range: string): number | undefined {
  const candidates = byName.get(name);
  if (!candidates) return undefined;
  if (candidates.length === 1) return candidates[0];
  const bare = range.startsWith('npm:') ? range.slice(4) : range;
  let best: number | undefined;
  for (const i of candidates) {
    const v = entries[i]!.version;
    if (!semver.valid(v) || !semver.satisfies(v, bare, { includePrerelease: true })) continue;
    if (best === undefined || semver.gt(v, entries[best]!.version)) best = i;
  }
  return best;
}

function descriptorsOf(key: string): string[] {
  const out: string[] = [];
  for (const p of key.split(',')) {
    const t = p.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

/** Split the text into top-level blocks; a line that cannot be read marks its block with a problem. */
function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let cur: Block | undefined;
  let section: 'deps' | 'other' | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const ind = indentOf(line);
    if (ind === line.length) continue;
    if (line.charCodeAt(ind) === 0x23 /* # */) continue;
    const ln = i + 1;
    try {
      if (ind === 0) {
        section = undefined;
        cur = { line: ln, key: '', fields: new Map(), deps: [] };
        blocks.push(cur);
        if (!line.endsWith(':')) throw new LineProblem('entry key does not end with a colon');
        const k = line.slice(0, -1);
        cur.key = k.charCodeAt(0) === 0x22 ? unquote(k) : k;
        if (cur.key.includes('"')) throw new LineProblem('stray double quote in an entry key');
        continue;
      }
      if (!cur) {
        cur = { line: ln, key: '', fields: new Map(), deps: [] };
        blocks.push(cur);
        throw new LineProblem('indented line before any entry');
      }
      if (ind === 2) {
        const kv = keyValue(line, 2);
        if (kv.value === undefined) section = kv.key === 'dependencies' ? 'deps' : 'other';
        else {
          section = undefined;
          cur.fields.set(kv.key, kv.value);
        }
      } else if (ind === 4 && section) {
        const kv = keyValue(line, 4);
        if (section === 'deps') {
          if (kv.value === undefined) throw new LineProblem(`dependency '${kv.key}' has no range`);
          cur.deps.push([kv.key, kv.value]);
        }
      } else if (ind > 4 && section === 'other') {
        // nested maps (dependenciesMeta, peerDependenciesMeta): not needed
      } else {
        throw new LineProblem(`unexpected indentation (${ind} spaces)`);
      }
    } catch (e) {
      if (!(e instanceof LineProblem)) throw e;
      cur!.problem ??= { message: e.message, line: ln };
    }
  }
  return blocks;
}

/** `key: value`, `"key": "value"`, `key:` (a map follows). */
function keyValue(line: string, start: number): { key: string; value?: string } {
  let key: string;
  let i: number;
  if (line.charCodeAt(start) === 0x22) {
    const q = scanQuoted(line, start);
    key = q.value;
    i = q.end;
    if (line.charCodeAt(i) !== 0x3a) throw new LineProblem('quoted key without a colon');
    i++;
  } else {
    const sep = line.indexOf(': ', start);
    if (sep < 0) {
      if (!line.endsWith(':')) throw new LineProblem('line is not `key: value`');
      return { key: line.slice(start, -1) };
    }
    key = line.slice(start, sep);
    i = sep + 1;
  }
  const rest = line.slice(i).trim();
  if (rest === '') return { key };
  return { key, value: unquote(rest) };
}

interface Resolved {
  name: string;
  version: string;
  kind: ResolutionKind;
}

/** Interpret a resolution locator `name@reference`; `fieldVersion` is the entry's `version`. */
function resolve(locator: string, fieldVersion: string | undefined, depth = 0): Resolved | LineProblem {
  const { name, range: ref } = splitDescriptor(locator);
  if (!isPackageName(name)) return new LineProblem(`resolution '${locator}' has no valid package name`);
  const v = fieldVersion ?? '';
  if (ref.startsWith('npm:')) {
    let version = ref.slice(4);
    if (version.includes('@')) version = splitDescriptor(version).range;
    return { name, version, kind: 'registry' };
  }
  if (ref.startsWith('patch:')) {
    if (depth > 3) return new LineProblem('patch: nested too deeply');
    const hash = ref.indexOf('#');
    let inner = hash < 0 ? ref.slice(6) : ref.slice(6, hash);
    try {
      inner = decodeURIComponent(inner);
    } catch {
      return new LineProblem(`patch: resolution '${locator}' is not URL-encoded correctly`);
    }
    return resolve(inner, fieldVersion, depth + 1);
  }
  if (ref.startsWith('workspace:')) return { name, version: v, kind: 'workspace' };
  if (ref.startsWith('file:') || ref.startsWith('exec:')) return { name, version: v, kind: 'file' };
  if (ref.startsWith('portal:') || ref.startsWith('link:')) return { name, version: v, kind: 'link' };
  if (isGitReference(ref)) return { name, version: v, kind: 'git' };
  if (/^https?:\/\//.test(ref)) {
    return { name, version: v, kind: isRegistryTarball(ref, name, v) ? 'registry' : 'tarball' };
  }
  // yarn 2 wrote a few resolutions without a protocol: a bare version means the npm registry.
  if (/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(ref)) return { name, version: ref, kind: 'registry' };
  return new LineProblem(`resolution '${locator}' uses an unknown protocol`);
}

function toEntry(b: Block): Entry | LineProblem {
  const resolution = b.fields.get('resolution');
  if (resolution === undefined) return new LineProblem(`entry '${b.key}' has no resolution`);
  const r = resolve(resolution, b.fields.get('version'));
  if (r instanceof LineProblem) return r;
  const used = descriptorsOf(b.key).map((d) => splitDescriptor(d).name);
  const entry: Entry = { name: r.name, version: r.version, kind: r.kind, resolved: resolution, line: b.line };
  const alias = aliasOf(r.name, used);
  if (alias !== undefined) entry.alias = alias;
  const checksum = b.fields.get('checksum');
  if (checksum !== undefined) entry.integrity = checksum;
  return entry;
}
