/**
 * OSV records (as published for malicious packages, `MAL-` ids) -> targets. One record, an array of records or
 * `{ "vulns": [...] }`. Ranges of type SEMVER or ECOSYSTEM become semver ranges (`>=a <b`); `introduced: "0"`
 * with no end is the whole package. A record that gives a package both the whole package and bounded versions
 * is a conflict: it is noted and only the bounded part is used, never silently widened.
 */
import semver from 'semver';
import { UsageError } from '../errors.js';
import type { Target, TargetNote, TargetSet } from '../types.js';
import { ALL_VERSIONS, packageNameError, quote, versionError } from './spec.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Is this parsed JSON shaped like OSV (a record, an array of them, or `{vulns: [...]}`)? */
export function looksLikeOsv(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0 || value.some((r) => isObj(r) && looksLikeOsv(r));
  if (!isObj(value)) return false;
  if (Array.isArray(value.vulns)) return true;
  return 'affected' in value || 'schema_version' in value || 'withdrawn' in value || ('id' in value && 'modified' in value);
}

/** Targets from parsed OSV JSON. `file` names the file in sources and errors. Pure. */
export function parseOsvJson(value: unknown, file: string): TargetSet {
  if (!looksLikeOsv(value)) {
    throw new UsageError('JSON is not an OSV record, an array of OSV records or {"vulns": [...]}', { path: file });
  }
  const records = Array.isArray(value) ? value : Array.isArray((value as Obj).vulns) ? ((value as Obj).vulns as unknown[]) : [value];
  const out: TargetSet = { targets: [], notes: [] };
  records.forEach((r, i) => {
    const one = osvRecordTargets(r, file, i);
    out.targets.push(...one.targets);
    out.notes.push(...one.notes);
  });
  return out;
}

interface PackageAcc {
  exact: string[];
  bounded: string[];
  whole: boolean;
  unspecified: boolean;
}

/** Targets from one OSV record (`index` is its 0-based place in the file, for records without an id). */
export function osvRecordTargets(record: unknown, file: string, index = 0): TargetSet {
  if (!isObj(record)) throw new UsageError(`OSV record ${index + 1} is not an object`, { path: file });
  const recordId = str(record.id);
  const aliases = Array.isArray(record.aliases) ? record.aliases.map(str).filter((a): a is string => a !== undefined) : [];
  const id = recordId ?? aliases.find((a) => /^GHSA-/i.test(a)) ?? aliases[0];
  const label = id ?? `record-${index + 1}`;
  const source = `${file}#${label}`;
  const targets: Target[] = [];
  const notes: TargetNote[] = [];
  const note = (code: string, message: string): void => {
    notes.push({ code, message, source });
  };
  const fail = (message: string): never => {
    throw new UsageError(`OSV record ${quote(label)}: ${message}`, { path: file });
  };

  if (record.withdrawn !== undefined && record.withdrawn !== null && record.withdrawn !== false) {
    const when = str(record.withdrawn);
    note('WITHDRAWN', `skipped withdrawn record ${quote(label)}${when ? ` (withdrawn ${quote(when)})` : ''}`);
    return { targets, notes };
  }
  if (!Array.isArray(record.affected) || record.affected.length === 0) {
    note('NO_AFFECTED', `record ${quote(label)} lists no affected packages`);
    return { targets, notes };
  }

  const byName = new Map<string, PackageAcc>();
  record.affected.forEach((a: unknown, k: number) => {
    if (!isObj(a)) fail(`affected[${k}] is not an object`);
    const pkg = (a as Obj).package;
    const name = isObj(pkg) ? str(pkg.name) : undefined;
    if (!isObj(pkg) || name === undefined) {
      note('NO_PACKAGE', `record ${quote(label)}: affected[${k}] names no package; skipped`);
      return;
    }
    const ecosystem = typeof pkg.ecosystem === 'string' ? pkg.ecosystem.trim() : '';
    if (ecosystem.toLowerCase() !== 'npm') {
      note('OTHER_ECOSYSTEM', `skipped ${quote(name)}: ecosystem ${quote(ecosystem)} is not npm`);
      return;
    }
    const nameWhy = packageNameError(name);
    if (nameWhy) fail(nameWhy);
    const acc = byName.get(name) ?? { exact: [], bounded: [], whole: false, unspecified: false };
    byName.set(name, acc);
    readAffected(a as Obj, name, acc, note, fail);
  });

  for (const [name, acc] of byName) {
    const bounded = [...acc.exact, ...acc.bounded];
    if (bounded.length > 0) {
      if (acc.whole) {
        note(
          'RANGE_CONFLICT',
          `record ${quote(label)} gives ${quote(name)} both every version (introduced "0" with no end) and ` +
            `${bounded.map((b) => quote(b)).join(', ')}; using only the latter`,
        );
      }
      for (const range of bounded) targets.push(withId({ name, range, source }, id));
    } else if (acc.whole || acc.unspecified) {
      if (!acc.whole) note('NO_VERSIONS', `record ${quote(label)} gives no versions or ranges for ${quote(name)}: every version is a target`);
      targets.push(withId({ name, range: ALL_VERSIONS, source }, id));
    } else {
      note('NO_TARGETS', `record ${quote(label)} names ${quote(name)} but no npm version of it could be read`);
    }
  }
  return { targets, notes };
}

function withId(t: Target, id: string | undefined): Target {
  return id === undefined ? t : { ...t, id };
}

const WILDCARD = new Set(['', '*', 'x', 'X', 'latest']);

function readAffected(
  a: Obj,
  name: string,
  acc: PackageAcc,
  note: (code: string, message: string) => void,
  fail: (message: string) => never,
): void {
  const hasVersions = Array.isArray(a.versions) && a.versions.length > 0;
  const hasRanges = Array.isArray(a.ranges) && a.ranges.length > 0;
  if (!hasVersions && !hasRanges) {
    acc.unspecified = true;
    return;
  }
  if (hasVersions) {
    for (const v of a.versions as unknown[]) {
      const text = typeof v === 'string' ? v.trim() : String(v);
      const exact = typeof v === 'string' ? semver.valid(text) : null;
      if (exact) {
        acc.exact.push(exact);
      } else if (typeof v !== 'string' || WILDCARD.has(text)) {
        note('ODD_VERSION', `skipped version ${quote(text)} of ${quote(name)}: it names no fixed version`);
      } else {
        note('ODD_VERSION', `version ${quote(text)} of ${quote(name)} is not semver: kept as an exact string`);
        acc.exact.push(text);
      }
    }
  }
  if (hasRanges) {
    (a.ranges as unknown[]).forEach((r, j) => {
      if (!isObj(r)) fail(`ranges[${j}] of ${quote(name)} is not an object`);
      const type = typeof (r as Obj).type === 'string' ? ((r as Obj).type as string).toUpperCase() : '';
      if (type !== 'SEMVER' && type !== 'ECOSYSTEM') {
        note('UNSUPPORTED_RANGE', `skipped a range of type ${quote(type)} for ${quote(name)}`);
        return;
      }
      const events = (r as Obj).events;
      if (!Array.isArray(events) || events.length === 0) fail(`ranges[${j}] of ${quote(name)} has no events`);
      const { whole, ranges } = intervals(events as unknown[], name, fail);
      if (whole) acc.whole = true;
      if (ranges.length > 0) {
        const range = ranges.join(' || ');
        const why = versionError(range, name);
        if (why) fail(why);
        acc.bounded.push(range);
      }
    });
  }
}

/** OSV events -> semver intervals. `whole` when an interval starts at "0" and never ends. */
function intervals(events: unknown[], name: string, fail: (message: string) => never): { whole: boolean; ranges: string[] } {
  const ranges: string[] = [];
  let whole = false;
  let open = false;
  let lower: string | null = null;
  const version = (v: unknown, key: string): string => {
    const text = typeof v === 'string' ? v.trim() : String(v);
    const ok = semver.valid(text);
    if (!ok) fail(`invalid version ${quote(text)} in "${key}" for ${quote(name)}`);
    return ok!;
  };
  const close = (end: string | null): void => {
    const parts = [lower === null ? '' : `>=${lower}`, end ?? ''].filter((p) => p !== '');
    if (parts.length === 0) whole = true;
    else ranges.push(parts.join(' '));
    open = false;
    lower = null;
  };
  for (const ev of events) {
    if (!isObj(ev)) fail(`an event for ${quote(name)} is not an object`);
    const e = ev as Obj;
    if ('introduced' in e) {
      if (open) close(null);
      const v = typeof e.introduced === 'string' ? e.introduced.trim() : e.introduced;
      lower = v === '0' || v === '0.0.0' ? null : version(v, 'introduced');
      open = true;
    } else if ('fixed' in e || 'limit' in e) {
      const key = 'fixed' in e ? 'fixed' : 'limit';
      if (key === 'limit' && e.limit === '*') continue;
      // An end with no introduced before it starts at 0 (over-match rather than miss).
      close(`<${version(e[key], key)}`);
    } else if ('last_affected' in e) {
      close(`<=${version(e.last_affected, 'last_affected')}`);
    }
  }
  if (open) close(null);
  return { whole, ranges };
}
