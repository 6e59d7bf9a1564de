/**
 * Matching entries against targets: a hash lookup per entry (by name), then a semver test against the
 * few ranges for that name. Prereleases are included in every range: over-match rather than miss.
 */
import semver from 'semver';
import type { Entry, Target } from '../types.js';

interface Compiled {
  target: Target;
  all: boolean;
  exact?: string;
  range?: semver.Range;
}

export class TargetIndex {
  private readonly byName = new Map<string, Compiled[]>();
  /** Distinct names, and their UTF-8 bytes for the raw pre-check. */
  readonly names: string[];
  private readonly needles: Buffer[];
  /** For many names: one pass over the bytes with a bitmap of every name's first three bytes. */
  private multi?: { bitmap: Uint8Array; buckets: Map<number, Buffer[]>; short: Buffer[] };

  constructor(readonly targets: Target[]) {
    for (const t of targets) {
      const list = this.byName.get(t.name) ?? [];
      list.push(compile(t));
      this.byName.set(t.name, list);
    }
    this.names = [...this.byName.keys()].sort();
    this.needles = this.names.map((n) => Buffer.from(n, 'utf8'));
    if (this.needles.length > MULTI_THRESHOLD) this.multi = buildMulti(this.needles);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The targets an entry matches (empty when none). Only registry-resolved versions match a range. */
  match(entry: Pick<Entry, 'name' | 'version' | 'kind'>): Target[] {
    const list = this.byName.get(entry.name);
    if (!list) return [];
    const out: Target[] = [];
    for (const c of list) if (matchesCompiled(c, entry.version, entry.kind)) out.push(c.target);
    return out;
  }

  matchVersion(name: string, version: string): Target[] {
    return this.match({ name, version, kind: 'registry' });
  }

  /**
   * The raw pre-check: does any target name occur in these bytes? A lockfile without any target name
   * cannot resolve a target and is not parsed.
   */
  anyNameIn(bytes: Buffer | string): boolean {
    if (typeof bytes === 'string') {
      for (const n of this.names) if (bytes.includes(n)) return true;
      return false;
    }
    if (this.multi) return multiSearch(this.multi, bytes);
    for (const n of this.needles) if (bytes.includes(n)) return true;
    return false;
  }

  /** The target names whose bytes occur in these bytes (one pass for many names), sorted. */
  namesIn(bytes: Buffer): string[] {
    if (!this.multi) return this.names.filter((_, i) => bytes.includes(this.needles[i]!));
    const found = new Set<Buffer>();
    multiSearch(this.multi, bytes, found);
    return this.names.filter((_, i) => found.has(this.needles[i]!));
  }
}

/** Above this many names, one bitmap pass beats one indexOf pass per name. */
const MULTI_THRESHOLD = 12;

function buildMulti(needles: Buffer[]): NonNullable<TargetIndex['multi']> {
  const bitmap = new Uint8Array(1 << 21); // 2^24 bits: every 3-byte prefix
  const buckets = new Map<number, Buffer[]>();
  const short: Buffer[] = [];
  for (const n of needles) {
    if (n.length < 3) {
      short.push(n);
      continue;
    }
    const k = (n[0]! << 16) | (n[1]! << 8) | n[2]!;
    bitmap[k >>> 3]! |= 1 << (k & 7);
    const b = buckets.get(k);
    if (b) b.push(n);
    else buckets.set(k, [n]);
  }
  return { bitmap, buckets, short };
}

/** Exact substring semantics (no word boundaries): a false "no" would call a lockfile clean. */
function multiSearch(m: NonNullable<TargetIndex['multi']>, bytes: Buffer, all?: Set<Buffer>): boolean {
  for (const n of m.short) {
    if (!bytes.includes(n)) continue;
    if (!all) return true;
    all.add(n);
  }
  const { bitmap, buckets } = m;
  const end = bytes.length - 2;
  let k = end > 0 ? (bytes[0]! << 8) | bytes[1]! : 0;
  for (let i = 0; i < end; i++) {
    k = ((k << 8) | bytes[i + 2]!) & 0xffffff;
    if ((bitmap[k >>> 3]! & (1 << (k & 7))) === 0) continue;
    for (const n of buckets.get(k)!) {
      if (i + n.length > bytes.length) continue;
      let j = 3;
      while (j < n.length && bytes[i + j] === n[j]) j++;
      if (j === n.length) {
        if (!all) return true;
        all.add(n);
      }
    }
  }
  return all !== undefined && all.size > 0;
}

function compile(t: Target): Compiled {
  const r = t.range.trim();
  if (r === '' || r === '*' || r === 'x' || r === 'latest') return { target: t, all: true };
  const v = semver.valid(r, { loose: false });
  if (v) return { target: t, all: false, exact: v };
  try {
    return { target: t, all: false, range: new semver.Range(r, { includePrerelease: true, loose: true }) };
  } catch {
    // Not semver (OSV records can list odd version strings): match the exact text.
    return { target: t, all: false, exact: r };
  }
}

function matchesCompiled(c: Compiled, version: string, kind: Entry['kind']): boolean {
  if (c.all) return true; // every version, whatever its source: the name alone is the indicator
  if (kind !== 'registry') return false;
  if (c.exact) return version === c.exact || semver.valid(version) === c.exact;
  const v = semver.valid(version, { loose: true });
  if (!v) return false;
  return c.range!.test(v);
}

/** Validate a range string; returns an error message or null. */
export function rangeError(range: string): string | null {
  const r = range.trim();
  if (r === '' || r === '*' || r === 'x' || r === 'latest') return null;
  if (semver.valid(r)) return null;
  try {
    new semver.Range(r, { includePrerelease: true, loose: true });
    return null;
  } catch (e) {
    return `invalid version range "${range}": ${(e as Error).message}`;
  }
}
