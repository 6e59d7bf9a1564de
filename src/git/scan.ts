/**
 * Fast verdicts for npm lockfile blobs in history (DESIGN.md: "a yes/no and the resolved versions can be
 * read from the entries around each occurrence of the name"). A full read of a multi-MB package-lock
 * costs ~20x more than git needs to print it; a common target name is in nearly every version.
 *
 * For a package-lock v2/v3 as npm writes it (2-space JSON), the `packages` entries that can name a
 * target are cut out of the text verbatim (an entry is the lines from its 4-space key line to its
 * 4-space closing brace) and handed, with the root entry, to the REAL reader as a small document. So
 * names, versions, aliases and resolution kinds come from one place, and line numbers are mapped back.
 * Anything unusual (another indentation, lockfileVersion 1, conflict markers, escapes, a fragment
 * that does not parse) returns null and the caller reads the whole blob.
 */
import type { TargetIndex } from '../match/index.js';

const PKG = Buffer.from('\n  "packages": {\n');
const KEY = Buffer.from('\n    "');
const END = Buffer.from('\n    }');
const SECTION_END = Buffer.from('\n  }');
const ROOT = Buffer.from('\n    "": {');
const NM = Buffer.from('node_modules/');
const NAME_FIELD = Buffer.from('\n      "name": "');
const CONFLICT = Buffer.from('\n<<<<<<<');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const NL = 0x0a;

/** With more target names than this, entries are found from their keys instead of by name search. */
export const NEEDLE_LIMIT = 32;

const needleCache = new WeakMap<TargetIndex, Buffer[]>();
function needlesOf(t: TargetIndex): Buffer[] {
  let n = needleCache.get(t);
  if (!n) {
    n = t.names.map((x) => Buffer.from(x, 'utf8'));
    needleCache.set(t, n);
  }
  return n;
}

/** Whether the bytes hold an escape sequence that could spell a name without its literal bytes. */
export function hasEscapes(bytes: Buffer): boolean {
  return bytes.includes('\\u') || bytes.includes('\\x') || bytes.includes('\\U');
}

const hashCache = new WeakMap<TargetIndex, Set<number>>();
function hashesOf(t: TargetIndex): Set<number> {
  let h = hashCache.get(t);
  if (!h) {
    h = new Set(needlesOf(t).map((b) => hashBytes(b, 0, b.length)));
    hashCache.set(t, h);
  }
  return h;
}

/** Whether bytes[..end) ends with `node_modules/`. */
function endsWithNm(b: Buffer, end: number): boolean {
  const start = end - NM.length;
  for (let i = 0; i < NM.length; i++) if (b[start + i] !== NM[i]) return false;
  return true;
}

/** FNV-1a over bytes[from, to). */
function hashBytes(b: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

export interface NpmScan {
  /** The small document for the reader; null when no entry can name a target (the blob is clean). */
  text: string | null;
  /** Maps a line of `text` to the line in the blob. */
  lineOf(miniLine: number): number;
  /** Entry fragments cut out. */
  fragments: number;
}

/**
 * Cut the entries that can name a target out of an npm lockfile blob. Returns null when the blob is
 * not in the shape this scanner knows: read it whole.
 */
export function scanNpmBlob(bytes: Buffer, targets: TargetIndex): NpmScan | null {
  if (bytes.length < 16 || bytes[0] !== 0x7b /* { */ || bytes[1] !== NL) return null;
  const head = bytes.subarray(0, 2048).toString('latin1');
  const m = /\n {2}"lockfileVersion": ([23]),?\n/.exec(head);
  if (!m) return null;
  // npm writes no backslash for names; any escape may spell a name without its bytes: read whole.
  if (bytes.indexOf(BACKSLASH) >= 0) return null;
  const p0 = bytes.indexOf(PKG);
  if (p0 < 0) return null;
  const first = p0 + PKG.length - 1; // the newline before the first key line
  if (!bytes.subarray(first, first + KEY.length).equals(KEY)) return null;
  // The end of the packages section: found on demand (most blobs hold no target name).
  // v3 ends with `packages`: its end is the last 2-space brace (searched from the end). A v2 file
  // has the v1 `dependencies` tree after it, so its end is searched forwards.
  let sEndCache = -2;
  const sectionEnd = (): number => {
    if (sEndCache === -2) {
      sEndCache = m[1] === '3' ? bytes.lastIndexOf(SECTION_END) : bytes.indexOf(SECTION_END, first);
      if (sEndCache < first) bad = true;
    }
    return sEndCache < 0 ? bytes.length : sEndCache;
  };

  const blocks = new Map<number, number>(); // start (offset of the key line) -> end (after the brace)
  let bad = false;
  const blockAround = (o: number): number => {
    const sEnd = sectionEnd();
    if (o > sEnd) return bytes.length; // outside `packages` (a v2 `dependencies` section): not an entry
    const k = bytes.lastIndexOf(KEY, o);
    const b = bytes.indexOf(END, o);
    if (k < first || b < 0 || b > sEnd || b <= k) {
      bad = true;
      return bytes.length;
    }
    const start = k + 1;
    const end = b + END.length;
    const have = blocks.get(start);
    if (have === undefined || have < end) blocks.set(start, end);
    return end;
  };

  if (targets.names.length <= NEEDLE_LIMIT) {
    for (const needle of needlesOf(targets)) {
      let o = bytes.indexOf(needle, first);
      while (o >= 0 && !bad) {
        const end = blockAround(o);
        if (end >= bytes.length) break;
        o = bytes.indexOf(needle, end);
      }
    }
  } else {
    // Every entry key: the name is what follows the last `node_modules/`. A hash of the name's bytes
    // is tested first, so most keys cost no string.
    const sEnd = sectionEnd();
    const hashes = hashesOf(targets);
    let k = first;
    while (k >= 0 && k < sEnd && !bad) {
      const ks = k + KEY.length;
      const q = bytes.indexOf(QUOTE, ks);
      if (q < 0 || q > sEnd) return null;
      // The name starts after the last `/` (or the one before it for a scope).
      let s0 = q;
      while (s0 > ks && bytes[s0 - 1] !== 0x2f) s0--;
      if (s0 > ks + 1 && bytes[s0 - 2] !== 0x2f) {
        let s1 = s0 - 1;
        while (s1 > ks && bytes[s1 - 1] !== 0x2f) s1--;
        if (bytes[s1] === 0x40 /* @ */) s0 = s1;
      }
      const nmKey = s0 >= ks + NM.length && endsWithNm(bytes, s0);
      if (nmKey) {
        if (hashes.has(hashBytes(bytes, s0, q)) && targets.has(bytes.subarray(s0, q).toString('utf8'))) blockAround(ks);
      } else if (q > ks) {
        const key = bytes.subarray(ks, q);
        // A folder entry (workspace, file:) or a nested path: decide on the string.
        const k2 = key.toString('utf8');
        const nm = k2.lastIndexOf('node_modules/');
        if (nm >= 0 && targets.has(k2.slice(nm + 13))) blockAround(ks);
        else
        if (targets.has(k2) || targets.has(k2.slice(k2.lastIndexOf('/') + 1))) blockAround(ks);
      }
      k = bytes.indexOf(KEY, q);
    }
    // Entries with their own name (aliases, workspaces, links): the `name` field decides.
    let o = bytes.indexOf(NAME_FIELD, first);
    while (o >= 0 && o < sEnd && !bad) {
      const vs = o + NAME_FIELD.length;
      const q = bytes.indexOf(QUOTE, vs);
      if (q < 0) return null;
      if (targets.has(bytes.subarray(vs, q).toString('utf8'))) blockAround(vs);
      o = bytes.indexOf(NAME_FIELD, q);
    }
  }
  if (bad) return null;
  if (blocks.size === 0) return { text: null, lineOf: (l) => l, fragments: 0 };
  const lt = bytes.indexOf(0x3c /* < */);
  if (lt >= 0 && bytes.includes(CONFLICT, Math.max(0, lt - 1))) return null;
  const sEnd = sectionEnd();

  // The root entry: workspaces decide the kind of non-node_modules entries.
  if (bytes.subarray(first, first + ROOT.length).equals(ROOT)) {
    const b = bytes.indexOf(END, first + 1);
    if (b < 0 || b > sEnd) return null;
    const have = blocks.get(first + 1);
    if (have === undefined || have < b + END.length) blocks.set(first + 1, b + END.length);
  }

  const starts = [...blocks.keys()].sort((a, b) => a - b);
  // Merge overlapping fragments (one entry met through several names).
  const merged: [number, number][] = [];
  for (const s of starts) {
    const e = blocks.get(s)!;
    const last = merged[merged.length - 1];
    if (last && s < last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  let text = `{\n  "lockfileVersion": ${m[1]},\n  "packages": {\n`;
  let line = 4;
  const map: { mini: number; offset: number }[] = [];
  merged.forEach(([s, e], i) => {
    const frag = bytes.subarray(s, e);
    map.push({ mini: line, offset: s });
    text += frag.toString('utf8');
    let nl = 0;
    for (let p = frag.indexOf(NL); p >= 0; p = frag.indexOf(NL, p + 1)) nl++;
    line += nl;
    if (i < merged.length - 1) {
      text += ',\n';
      line += 1;
    }
  });
  text += '\n  }\n}\n';

  // Blob lines of the fragments, counted once and only when asked.
  let origLines: number[] | null = null;
  const lineOf = (miniLine: number): number => {
    if (!origLines) {
      origLines = [];
      let count = 1;
      let pos = 0;
      for (const { offset } of map) {
        for (let p = pos; p < offset; p++) if (bytes[p] === NL) count++;
        pos = offset;
        origLines.push(count);
      }
    }
    let i = map.length - 1;
    while (i > 0 && map[i]!.mini > miniLine) i--;
    return origLines[i]! + (miniLine - map[i]!.mini);
  };
  return { text, lineOf, fragments: merged.length };
}
