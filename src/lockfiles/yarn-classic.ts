/**
 * yarn classic (v1) lockfile reader: `# yarn lockfile v1`, also the yarn.lock files bun writes.
 *
 * A line-oriented parser (no general parser): entries are blocks whose header lists the specs that
 * resolved to them (`"a@^1.0.0", a@^1.1.0:`), fields indented by two spaces, dependency lists by four.
 * The version is the `version` field, never a range from the header. The lockfile does not record the
 * root's direct dependencies: they come from the manifests in `ctx`, else every entry no other entry
 * depends on is taken as direct (warning ROOT_DEPS_UNKNOWN).
 */
import { LockfileError } from '../errors.js';
import type { DepGraph, Entry, Origin, ParseResult, ReadContext, ResolutionKind, Warning } from '../types.js';
import {
  LineProblem,
  aliasOf,
  indentOf,
  isGitReference,
  isPackageName,
  kindOfResolved,
  markDevOptional,
  rootsFromManifests,
  scanQuoted,
  splitDescriptor,
  splitHeader,
  splitLines,
  unquote,
  type TypedDep,
} from './yarn-common.js';

interface Block {
  line: number;
  header: string;
  specs: string[];
  fields: Map<string, string>;
  sections: Map<string, Array<[string, string]>>;
  problem?: { message: string; line: number; unbalanced: boolean };
}

const DEP_SECTIONS = ['dependencies', 'optionalDependencies'] as const;

/** Read a yarn v1 lockfile. Throws LockfileError when the text is not one or is cut short. */
export function readYarnClassicLock(text: string, origin: Origin, ctx?: ReadContext): ParseResult {
  const fail = (code: 'CORRUPT' | 'TRUNCATED' | 'WRONG_FORMAT', message: string, line?: number) =>
    new LockfileError(code, message, { path: origin.path, line });

  const lines = splitLines(text);
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first >= 0) {
    const c = lines[first]!.trimStart().charAt(0);
    if (c === '{' || c === '[') throw fail('WRONG_FORMAT', 'JSON text, not a yarn v1 lockfile', first + 1);
  }
  if (/^"?__metadata"?:\s*$/m.test(text)) {
    throw fail('WRONG_FORMAT', 'yarn berry lockfile (has __metadata), not a yarn v1 lockfile');
  }
  const hasHeader = /^# yarn lockfile v1\s*$/m.test(text);

  const blocks = parseBlocks(lines);
  const warnings: Warning[] = [];
  const entries: Entry[] = [];
  const entryBlocks: Block[] = [];
  const bad: Block[] = [];

  for (const b of blocks) {
    if (b.problem) {
      bad.push(b);
      continue;
    }
    const entry = toEntry(b);
    if (entry instanceof LineProblem) {
      b.problem = { message: entry.message, line: b.line, unbalanced: false };
      bad.push(b);
      continue;
    }
    entries.push(entry);
    entryBlocks.push(b);
  }

  const last = blocks[blocks.length - 1];
  if (bad.length >= 2 && bad.length > entries.length) {
    const b = bad[0]!;
    if (!hasHeader) throw fail('WRONG_FORMAT', `not a yarn v1 lockfile: ${b.problem!.message}`, b.problem!.line);
    throw fail('CORRUPT', `${bad.length} unreadable entries, ${entries.length} readable`, b.problem!.line);
  }
  // A bad last entry means the text was cut short (at any byte, or at a line boundary).
  if (last?.problem) {
    if (entries.length === 0 && !hasHeader) {
      throw fail('WRONG_FORMAT', `not a yarn v1 lockfile: ${last.problem.message}`, last.problem.line);
    }
    throw fail('TRUNCATED', `lockfile ends inside an entry (${last.problem.message})`, last.problem.line);
  }
  if (entries.length === 0 && bad.length > 0) {
    const b = bad[0]!;
    if (!hasHeader) throw fail('WRONG_FORMAT', `not a yarn v1 lockfile: ${b.problem!.message}`, b.problem!.line);
    throw fail('CORRUPT', `no readable entry: ${b.problem!.message}`, b.problem!.line);
  }
  if (!hasHeader) {
    if (entries.length === 0 && text.trim() !== '') throw fail('WRONG_FORMAT', 'not a yarn v1 lockfile');
    warnings.push({ code: 'MISSING_LOCKFILE_HEADER', message: 'no "# yarn lockfile v1" line; read as yarn v1' });
  }
  for (const b of bad) {
    warnings.push({ code: 'BAD_ENTRY', message: `entry skipped: ${b.problem!.message}`, line: b.problem!.line });
  }
  if (!text.endsWith('\n') && text.trim() !== '') {
    warnings.push({ code: 'NO_FINAL_NEWLINE', message: 'lockfile does not end with a newline: it may be truncated' });
  }

  // Spec -> entry index; edges from dependencies / optionalDependencies.
  const bySpec = new Map<string, number>();
  entryBlocks.forEach((b, i) => {
    for (const s of b.specs) if (!bySpec.has(s)) bySpec.set(s, i);
  });
  const typedEdges: TypedDep[][] = [];
  let unresolved = 0;
  let unresolvedExample = '';
  entryBlocks.forEach((b) => {
    const out: TypedDep[] = [];
    for (const sec of DEP_SECTIONS) {
      for (const [n, r] of b.sections.get(sec) ?? []) {
        const to = bySpec.get(`${n}@${r}`);
        if (to === undefined) {
          unresolved++;
          unresolvedExample ||= `${n}@${r}`;
          continue;
        }
        out.push({ to, optional: sec === 'optionalDependencies', dev: false });
      }
    }
    typedEdges.push(out);
  });
  if (unresolved > 0) {
    warnings.push({
      code: 'UNRESOLVED_DEPENDENCY',
      message: `${unresolved} dependency spec(s) have no entry in the lockfile (e.g. ${unresolvedExample})`,
    });
  }
  const edges = typedEdges.map((l) => [...new Set(l.map((e) => e.to))]);

  let graph: DepGraph;
  const fromManifests =
    ctx && (ctx.manifest !== undefined || ctx.workspaceManifests)
      ? rootsFromManifests(ctx.manifest, ctx.workspaceManifests, (n, r) => bySpec.get(`${n}@${r}`), warnings)
      : null;
  if (fromManifests) {
    graph = { roots: fromManifests.roots, edges };
    const { dev, optional } = markDevOptional(entries.length, fromManifests.typed, typedEdges);
    entries.forEach((e, i) => {
      if (dev[i]) e.dev = true;
      if (optional[i]) e.optional = true;
    });
  } else {
    const hasParent = new Uint8Array(entries.length);
    edges.forEach((to, from) => {
      for (const t of to) if (t !== from) hasParent[t] = 1;
    });
    const deps: number[] = [];
    for (let i = 0; i < entries.length; i++) if (!hasParent[i]) deps.push(i);
    graph = { roots: [{ name: '.', path: '.', deps }], edges };
    if (entries.length > 0) {
      warnings.push({
        code: 'ROOT_DEPS_UNKNOWN',
        message: 'yarn v1 lockfiles do not list the direct dependencies: entries nothing depends on are taken as direct',
      });
    }
  }

  return { format: 'yarn-classic', formatVersion: '1', entries, graph, warnings };
}

/** Split the text into blocks; a line that cannot be read marks its block with a problem. */
function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let cur: Block | undefined;
  let section: Array<[string, string]> | undefined;
  const mark = (b: Block, message: string, line: number, unbalanced = false) => {
    b.problem ??= { message, line, unbalanced };
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const ind = indentOf(line);
    if (ind === line.length) continue; // blank
    if (line.charCodeAt(ind) === 0x23 /* # */) continue;
    const ln = i + 1;
    if (ind === 0) {
      section = undefined;
      cur = { line: ln, header: line, specs: [], fields: new Map(), sections: new Map() };
      blocks.push(cur);
      if (!line.endsWith(':')) {
        mark(cur, 'entry key does not end with a colon', ln, /^[^"]*"[^"]*$/.test(line));
        continue;
      }
      try {
        cur.specs = splitHeader(line.slice(0, -1));
        if (cur.specs.length === 0) mark(cur, 'entry key is empty', ln);
      } catch (e) {
        if (!(e instanceof LineProblem)) throw e;
        mark(cur, e.message, ln, e.unbalanced);
      }
      continue;
    }
    if (!cur) {
      cur = { line: ln, header: '', specs: [], fields: new Map(), sections: new Map() };
      blocks.push(cur);
      mark(cur, 'indented line before any entry', ln);
      continue;
    }
    try {
      if (ind === 2) {
        const kv = keyValue(line, 2);
        if (kv.value === undefined) {
          if (!kv.colon) throw new LineProblem(`field '${kv.key}' has no value`);
          section = [];
          cur.sections.set(kv.key, section);
        } else {
          section = undefined;
          cur.fields.set(kv.key, kv.value);
        }
      } else if (ind === 4 && section) {
        const kv = keyValue(line, 4);
        if (kv.value === undefined) throw new LineProblem(`dependency '${kv.key}' has no range`);
        section.push([kv.key, kv.value]);
      } else {
        throw new LineProblem(`unexpected indentation (${ind} spaces)`);
      }
    } catch (e) {
      if (!(e instanceof LineProblem)) throw e;
      mark(cur, e.message, ln, e.unbalanced);
    }
  }
  return blocks;
}

/** `key value`, `"key" "value"`, `key:` (a section). Yarn v1 also reads `key: value`. */
function keyValue(line: string, start: number): { key: string; value?: string; colon: boolean } {
  let key: string;
  let i: number;
  if (line.charCodeAt(start) === 0x22) {
    const q = scanQuoted(line, start);
    key = q.value;
    i = q.end;
  } else {
    i = line.indexOf(' ', start);
    if (i < 0) i = line.length;
    key = line.slice(start, i);
  }
  let colon = false;
  if (line.charCodeAt(i) === 0x3a /* : */) {
    colon = true;
    i++;
  } else if (key.endsWith(':')) {
    colon = true;
    key = key.slice(0, -1);
  }
  const rest = line.slice(i).trim();
  if (rest === '') return { key, colon };
  return { key, value: unquote(rest), colon };
}

/** Build the Entry of a well-formed block, or say why it cannot be read. */
function toEntry(b: Block): Entry | LineProblem {
  const version = b.fields.get('version');
  if (version === undefined) return new LineProblem(`entry '${b.specs[0] ?? b.header}' has no version`);
  let realName: string | undefined;
  const used: string[] = [];
  const ranges: string[] = [];
  for (const spec of b.specs) {
    const { name, range } = splitDescriptor(spec);
    used.push(name);
    let real = name;
    let realRange = range;
    if (range.startsWith('npm:')) {
      const inner = range.slice(4);
      const d = splitDescriptor(inner);
      if (d.range !== '' || isPackageName(inner)) {
        if (d.name !== '' && isPackageName(d.name) && !/^[\d^~<>=*]/.test(d.name)) {
          real = d.name;
          realRange = d.range;
        } else realRange = inner;
      } else realRange = inner;
    }
    realName ??= real;
    ranges.push(realRange);
  }
  if (!realName || !isPackageName(realName)) return new LineProblem(`entry '${b.header}' has no valid package name`);
  const resolved = b.fields.get('resolved');
  const integrity = b.fields.get('integrity');
  const entry: Entry = {
    name: realName,
    version,
    kind: classicKind(ranges, resolved, realName, version),
    line: b.line,
  };
  const alias = aliasOf(realName, used);
  if (alias !== undefined) entry.alias = alias;
  if (resolved !== undefined) entry.resolved = resolved;
  if (integrity !== undefined) entry.integrity = integrity;
  return entry;
}

function classicKind(ranges: string[], resolved: string | undefined, name: string, version: string): ResolutionKind {
  for (const r of ranges) {
    if (r.startsWith('file:')) return 'file';
    if (r.startsWith('link:') || r.startsWith('portal:')) return 'link';
  }
  if (resolved !== undefined && resolved !== '') return kindOfResolved(resolved, name, version);
  for (const r of ranges) {
    if (isGitReference(r)) return 'git';
    if (/^https?:\/\//.test(r)) return 'tarball';
  }
  return 'registry';
}
