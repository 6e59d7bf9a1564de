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

  constructor(readonly targets: Target[]) {
    for (const t of targets) {
      const list = this.byName.get(t.name) ?? [];
      list.push(compile(t));
      this.byName.set(t.name, list);
    }
    this.names = [...this.byName.keys()].sort();
    this.needles = this.names.map((n) => Buffer.from(n, 'utf8'));
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
    for (const n of this.needles) if (bytes.includes(n)) return true;
    return false;
  }
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
