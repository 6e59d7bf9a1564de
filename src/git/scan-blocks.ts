/**
 * Fast verdicts for yarn (classic and berry) and pnpm lockfile blobs in history (DESIGN.md: "a yarn or
 * pnpm entry is a block"). Like the npm scan (scan.ts), the blocks that can name a target are cut out
 * of the text verbatim and handed to the REAL reader as a small document, so names, versions, aliases
 * and resolution kinds come from one place; line numbers are mapped back.
 *
 * Which block can produce an entry named X:
 * - yarn classic: a block whose header line spells X (the name is the header's first spec, or its
 *   `npm:` alias target); everything else in an entry comes from the block itself.
 * - yarn berry: a block whose header or `resolution:` line spells X (the name is the resolution's).
 * - pnpm: a `packages:` or `snapshots:` block whose key line spells X. An entry can also take its name
 *   or alias from a reference elsewhere (a nameless 5.x git key, a `link:`, an alias `y: /x@1.0.0`): every
 *   occurrence of X outside a key line is classified, and any such reference sends the whole blob to
 *   the full reader.
 * The first and last yarn blocks are always taken, so a blob cut short fails the small read as it fails
 * the full one. Anything unusual (CR line ends, backslashes, conflict markers, comments in pnpm files,
 * several YAML documents, unknown format versions, odd indentation, unknown pnpm sections) returns null
 * and the caller reads the whole blob; so does a small read that warns about a bad entry.
 */
import type { TargetIndex } from '../match/index.js';
import type { LockfileKind } from '../lockfiles/index.js';
import { NEEDLE_LIMIT, scanNpmBlob, type NpmScan } from './scan.js';

const NL = 0x0a;
const SP = 0x20;
const HASH = 0x23;

export interface BlobScan extends NpmScan {
  /** Warning codes of the small read that send the blob to the full reader. */
  fallbackOn: ReadonlySet<string>;
}

const NPM_FALLBACK: ReadonlySet<string> = new Set();
const YARN_FALLBACK: ReadonlySet<string> = new Set(['BAD_ENTRY', 'MISSING_LOCKFILE_HEADER', 'NEWER_FORMAT']);
const PNPM_FALLBACK: ReadonlySet<string> = new Set(['BAD_ENTRY', 'NEWER_FORMAT', 'UNKNOWN_RESOLUTION']);

/**
 * Cut the blocks that can name a target out of a lockfile blob of this kind. null: read it whole.
 * `text: null`: no entry can name a target (the blob is clean).
 */
export function scanLockfileBlob(kind: LockfileKind | null, bytes: Buffer, targets: TargetIndex): BlobScan | null {
  if (kind === 'npm') {
    const s = scanNpmBlob(bytes, targets);
    return s && { ...s, fallbackOn: NPM_FALLBACK };
  }
  if (kind !== 'yarn' && kind !== 'pnpm') return null;
  if (bytes.length < 8) return null;
  // Escapes can spell a name without its bytes; CR line ends and conflict markers change the lines.
  if (bytes.indexOf(0x5c /* \ */) >= 0 || bytes.indexOf(0x0d) >= 0) return null;
  if (bytes.includes('<<<<<<<') || bytes.includes('>>>>>>>')) return null;
  const needles = needlesFor(bytes, targets);
  if (needles === null) return null;
  if (needles.length === 0) return { text: null, lineOf: (l) => l, fragments: 0, fallbackOn: NPM_FALLBACK };
  return kind === 'yarn' ? scanYarn(bytes, needles) : scanPnpm(bytes, needles);
}

/** The target names to search for; null when too many of them occur (read whole). */
function needlesFor(bytes: Buffer, targets: TargetIndex): Buffer[] | null {
  const names = targets.names.length <= NEEDLE_LIMIT ? targets.names.filter((n) => bytes.includes(n)) : targets.namesIn(bytes);
  if (names.length > NEEDLE_LIMIT) return null;
  return names.map((n) => Buffer.from(n, 'utf8'));
}

// ---- shared helpers ------------------------------------------------------------------------------

/** Offset of the start of the line holding offset o. */
function lineStart(b: Buffer, o: number): number {
  return o <= 0 ? 0 : b.lastIndexOf(NL, o - 1) + 1;
}

/** Offset just past the line holding offset o (after its newline, or the end). */
function lineEnd(b: Buffer, o: number): number {
  const n = b.indexOf(NL, o);
  return n < 0 ? b.length : n + 1;
}

function indentAt(b: Buffer, ls: number): number {
  let i = ls;
  while (i < b.length && b[i] === SP) i++;
  return i - ls;
}

/** A line with only spaces (or nothing). */
function isBlank(b: Buffer, ls: number): boolean {
  let i = ls;
  while (i < b.length && b[i] === SP) i++;
  return i >= b.length || b[i] === NL;
}

/** Calls visit(o) for every occurrence of every needle; visit returns where to search on. */
function forEachHit(b: Buffer, needles: Buffer[], from: number, visit: (o: number) => number | false): boolean {
  for (const n of needles) {
    let o = b.indexOf(n, from);
    while (o >= 0) {
      const next = visit(o);
      if (next === false) return false;
      o = b.indexOf(n, Math.max(next, o + 1));
    }
  }
  return true;
}

/** Assemble the small document: `prefix` then the fragments (whole lines) in blob order. */
function assemble(b: Buffer, prefix: string, blocks: Map<number, number>, fallbackOn: ReadonlySet<string>, suffixes?: { at: number; text: string }[]): BlobScan {
  const starts = [...blocks.keys()].sort((x, y) => x - y);
  const merged: [number, number][] = [];
  for (const s of starts) {
    const e = blocks.get(s)!;
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  let text = prefix;
  let line = countLines(prefix) + 1;
  const map: { mini: number; offset: number }[] = [];
  const inserts = [...(suffixes ?? [])].sort((x, y) => x.at - y.at);
  let k = 0;
  for (const [s, e] of merged) {
    while (k < inserts.length && inserts[k]!.at <= s) {
      text += inserts[k]!.text;
      line += countLines(inserts[k]!.text);
      k++;
    }
    const frag = b.subarray(s, e);
    map.push({ mini: line, offset: s });
    text += frag.toString('utf8');
    for (let p = frag.indexOf(NL); p >= 0; p = frag.indexOf(NL, p + 1)) line++;
  }
  let origLines: number[] | null = null;
  const lineOf = (miniLine: number): number => {
    if (!origLines) {
      origLines = [];
      let count = 1;
      let pos = 0;
      for (const { offset } of map) {
        for (let p = b.indexOf(NL, pos); p >= 0 && p < offset; p = b.indexOf(NL, p + 1)) count++;
        pos = offset;
        origLines.push(count);
      }
    }
    let i = map.length - 1;
    while (i > 0 && map[i]!.mini > miniLine) i--;
    if (i < 0 || map.length === 0) return miniLine;
    return origLines[i]! + (miniLine - map[i]!.mini);
  };
  return { text, lineOf, fragments: merged.length, fallbackOn };
}

function countLines(s: string): number {
  let n = 0;
  for (let p = s.indexOf('\n'); p >= 0; p = s.indexOf('\n', p + 1)) n++;
  return n;
}

// ---- yarn ----------------------------------------------------------------------------------------

/** A yarn block header: a non-blank line at column 0 that is not a comment. */
function isYarnHeader(b: Buffer, ls: number): boolean {
  const c = b[ls];
  return c !== undefined && c !== SP && c !== NL && c !== HASH;
}

/** Start of the next header line at or after offset `from` (which is a line start), or the end. */
function nextYarnHeader(b: Buffer, from: number): number {
  let p = from;
  while (p < b.length && !isYarnHeader(b, p)) p = lineEnd(b, p);
  return Math.min(p, b.length);
}

function scanYarn(b: Buffer, needles: Buffer[]): BlobScan | null {
  // detectFormat: berry has a `__metadata:` line. Anything else spelling it is read whole.
  const meta = b.indexOf('__metadata');
  const berry = meta >= 0;
  if (berry && !(lineStart(b, meta) === meta && b.subarray(meta, meta + 12).toString('latin1') === '__metadata:\n')) return null;
  if (berry && b.indexOf('__metadata', meta + 1) >= 0) return null;
  // The prefix (before the first block) must be comments and blank lines.
  const first = nextYarnHeader(b, 0);
  if (first >= b.length) return null;
  for (let p = 0; p < first; p = lineEnd(b, p)) {
    if (!isBlank(b, p) && b[p + indentAt(b, p)] !== HASH) return null;
  }
  if (!berry && !b.subarray(0, first).includes('# yarn lockfile v1\n')) return null;
  const blocks = new Map<number, number>();
  const take = (start: number): number => {
    const end = nextYarnHeader(b, lineEnd(b, start));
    blocks.set(start, end);
    return end;
  };
  // The first block (berry: __metadata) and the last one (a cut-short blob fails the small read).
  take(first);
  let last = b.length;
  {
    let p = b.length;
    while (p > first) {
      const ls = lineStart(b, p - 1);
      if (isYarnHeader(b, ls)) {
        last = ls;
        break;
      }
      p = ls;
    }
  }
  if (last < b.length) take(last);
  if (berry) {
    const m = meta;
    const end = take(m);
    const v = /\n {2}version: (\d+)\n/.exec(b.subarray(m, end).toString('latin1'));
    if (!v || Number(v[1]) > 10 || Number(v[1]) < 4) return null;
  }
  let bad = false;
  const ok = forEachHit(b, needles, first, (o) => {
    const ls = lineStart(b, o);
    if (isYarnHeader(b, ls)) return take(ls);
    if (berry && b[ls] === SP && b[ls + 1] === SP && b.subarray(ls + 2, ls + 14).toString('latin1') === 'resolution: ') {
      // The header of this block: the nearest header line above.
      let h = ls;
      while (h > first && !isYarnHeader(b, h)) h = lineStart(b, h - 1);
      if (!isYarnHeader(b, h)) {
        bad = true;
        return false;
      }
      return take(h);
    }
    return lineEnd(b, o);
  });
  if (!ok || bad) return null;
  const prefix = b.subarray(0, first).toString('utf8');
  return assemble(b, prefix, blocks, YARN_FALLBACK);
}

// ---- pnpm ----------------------------------------------------------------------------------------

const PNPM_VERSION = /^lockfileVersion: (['"]?)(5|5\.[0-4]|6\.[01]|7\.0|9\.0)\1\n/;
/** Top-level sections that hold no entry and no reference that names one. */
const PNPM_INERT = new Set([
  'lockfileVersion',
  'settings',
  'overrides',
  'time',
  'catalogs',
  'patchedDependencies',
  'packageExtensionsChecksum',
  'pnpmfileChecksum',
  'neverBuiltDependencies',
  'onlyBuiltDependencies',
  'ignoredOptionalDependencies',
  'specifiers',
  'dependenciesMeta',
]);
const PNPM_DEP_FIELDS = new Set(['dependencies', 'devDependencies', 'optionalDependencies', 'configDependencies', 'packageManagerDependencies']);
const PKG_DEP_FIELDS = new Set(['dependencies', 'optionalDependencies']);

interface Section {
  key: string;
  start: number;
  /** Offset of the first content line (after the key line). */
  body: number;
  end: number;
}

/** `key: value` of a YAML block line (no escapes: the blob has no backslash). null when not one. */
function yamlLine(s: string): { key: string; value: string } | null {
  let i = 0;
  while (s.charCodeAt(i) === SP) i++;
  let key: string;
  let j: number;
  const q = s[i];
  if (q === "'" || q === '"') {
    const c = s.indexOf(q, i + 1);
    if (c < 0 || s[c + 1] === q) return null;
    key = s.slice(i + 1, c);
    j = c + 1;
    if (s[j] !== ':') return null;
  } else {
    j = s.indexOf(': ', i);
    if (j < 0) {
      if (!s.endsWith(':')) return null;
      j = s.length - 1;
    }
    key = s.slice(i, j);
  }
  let value = s.slice(j + 1).trim();
  if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.endsWith(value[0]!)) value = value.slice(1, -1);
  return { key, value };
}

function lineText(b: Buffer, ls: number): string {
  const e = b.indexOf(NL, ls);
  return b.subarray(ls, e < 0 ? b.length : e).toString('utf8');
}

/** The nearest line above `ls` with a smaller indent than `ind` (blank lines skipped); -1 if none. */
function parentLine(b: Buffer, ls: number, ind: number, floor: number): number {
  let p = ls;
  while (p > floor) {
    p = lineStart(b, p - 1);
    if (isBlank(b, p)) continue;
    if (indentAt(b, p) < ind) return p;
  }
  return -1;
}

const DIGIT = /^\d/;

/**
 * A reference line naming `name`: fine when it points at a registry version (whose key spells the
 * name and is found on its own); 'fallback' for anything that can give an entry this name or alias.
 */
function referenceOk(b: Buffer, ls: number, name: string, end: number): boolean {
  const kv = yamlLine(lineText(b, ls));
  if (!kv) return false;
  if (kv.key === name) {
    if (kv.value !== '') return DIGIT.test(kv.value);
    // 6.0/9.0 importer form: `name:` then `specifier:` and `version:` one level deeper.
    const ind = indentAt(b, ls);
    for (let p = lineEnd(b, ls); p < end && !isBlank(b, p) && indentAt(b, p) > ind; p = lineEnd(b, p)) {
      const c = yamlLine(lineText(b, p));
      if (c && c.key === 'version') return DIGIT.test(c.value);
    }
    return false;
  }
  if (kv.value.includes(name)) return DIGIT.test(kv.value);
  if (kv.key.includes(name)) return true; // in another name (`@types/debug` for `debug`)
  return false;
}

function scanPnpm(b: Buffer, needles: Buffer[]): BlobScan | null {
  const vm = PNPM_VERSION.exec(b.subarray(0, 64).toString('latin1'));
  if (!vm) return null;
  // A blob cut short (no final newline) is read whole: the full reader says where it ends.
  if (b[b.length - 1] !== NL) return null;
  // Comments, several documents and tabs are read whole.
  if (b.includes(' #') || b.includes('\n#') || b.includes('\n---') || b.includes('\n...') || b.indexOf(0x09) >= 0) return null;
  // Top-level sections.
  const sections: Section[] = [];
  for (let p = 0; p < b.length; p = lineEnd(b, p)) {
    const c = b[p];
    if (c === SP || c === NL) continue;
    const le = lineEnd(b, p);
    const kv = yamlLine(b.subarray(p, b[le - 1] === NL ? le - 1 : le).toString('utf8'));
    if (!kv) return null;
    const prev = sections[sections.length - 1];
    if (prev) prev.end = p;
    sections.push({ key: kv.key, start: p, body: le, end: b.length });
    if (kv.value !== '' && kv.value !== '{}' && !(kv.key === 'lockfileVersion' || PNPM_INERT.has(kv.key))) return null;
  }
  const byKey = new Map<string, Section>();
  for (const s of sections) {
    if (byKey.has(s.key)) return null;
    byKey.set(s.key, s);
  }
  // The entry sections' children must be at indent 2.
  for (const k of ['packages', 'snapshots', 'importers']) {
    const s = byKey.get(k);
    if (!s) continue;
    let p = s.body;
    while (p < s.end && isBlank(b, p)) p = lineEnd(b, p);
    if (p < s.end && indentAt(b, p) !== 2) return null;
  }
  const major = Number(vm[2]!.split('.')[0]);
  if (major >= 7 && !byKey.has('importers')) return null;
  const sectionOf = (o: number): Section | undefined => {
    let lo = 0;
    let hi = sections.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sections[mid]!.start <= o) lo = mid;
      else hi = mid - 1;
    }
    const s = sections[lo];
    return s && s.start <= o ? s : undefined;
  };

  const pkgBlocks = new Map<number, number>();
  const snapBlocks = new Map<number, number>();
  const blockEnd = (s: Section, ls: number): number => {
    let p = lineEnd(b, ls);
    while (p < s.end && (isBlank(b, p) || indentAt(b, p) > 2)) p = lineEnd(b, p);
    return Math.min(p, s.end);
  };
  let ok = true;
  for (const needle of needles) {
    const name = needle.toString('utf8');
    ok = forEachHit(b, [needle], 0, (o) => {
      const s = sectionOf(o);
      if (!s || o < s.body) return false; // a top-level key line spells the name
      const ls = lineStart(b, o);
      const ind = indentAt(b, ls);
      if (s.key === 'packages' || s.key === 'snapshots') {
        if (ind === 2) {
          const end = blockEnd(s, ls);
          (s.key === 'packages' ? pkgBlocks : snapBlocks).set(ls, end);
          return end;
        }
        if (ind === 4) {
          const kv = yamlLine(lineText(b, ls));
          return kv !== null && kv.key !== 'name' ? lineEnd(b, o) : false;
        }
        if (ind === 6) {
          const par = parentLine(b, ls, 6, s.body);
          if (par < 0) return false;
          const pk = yamlLine(lineText(b, par));
          if (!pk) return false;
          if (!PKG_DEP_FIELDS.has(pk.key)) return lineEnd(b, o);
          return referenceOk(b, ls, name, s.end) ? lineEnd(b, o) : false;
        }
        return lineEnd(b, o); // deeper: flow-style resolution lines, peerDependenciesMeta
      }
      if (s.key === 'importers') {
        if (ind <= 4) {
          const kv = yamlLine(lineText(b, ls));
          return kv !== null && kv.key !== name ? lineEnd(b, o) : false;
        }
        if (ind === 6) {
          const par = parentLine(b, ls, 6, s.body);
          if (par < 0) return false;
          const pk = yamlLine(lineText(b, par));
          if (!pk) return false;
          if (pk.key === 'specifiers' || pk.key === 'dependenciesMeta') return lineEnd(b, o);
          if (!PNPM_DEP_FIELDS.has(pk.key)) return false;
        }
        return referenceOk(b, ls, name, s.end) ? lineEnd(b, o) : false;
      }
      if (PNPM_DEP_FIELDS.has(s.key)) {
        // 5.x single project: the root's dependencies at the top level.
        if (byKey.has('importers') || ind !== 2) return false;
        return referenceOk(b, ls, name, s.end) ? lineEnd(b, o) : false;
      }
      return PNPM_INERT.has(s.key) ? s.end : false;
    });
    if (!ok) return null;
  }
  if (pkgBlocks.size === 0 && snapBlocks.size === 0) return { text: null, lineOf: (l) => l, fragments: 0, fallbackOn: PNPM_FALLBACK };
  const all = new Map<number, number>([...pkgBlocks, ...snapBlocks]);
  const prefix = `lockfileVersion: ${vm[1]}${vm[2]}${vm[1]}\n`;
  const inserts = [{ at: byKey.get('packages')?.start ?? 0, text: 'packages:\n' }];
  const snaps = byKey.get('snapshots');
  if (snaps && snapBlocks.size > 0) inserts.push({ at: snaps.start, text: 'snapshots:\n' });
  if (pkgBlocks.size === 0 && !byKey.has('packages')) return null;
  return assemble(b, prefix, all, PNPM_FALLBACK, inserts);
}
