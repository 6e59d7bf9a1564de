/**
 * CSV advisory lists: a header with a package-name column and a version column (one cell may hold
 * comma-joined versions, `"1.0.1, 1.0.2"`), or no header and two columns name,version.
 */
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import type { Target, TargetNote, TargetSet } from '../types.js';
import { ALL_VERSIONS, packageNameError, quote, rangesError, readSpec, splitVersions } from './spec.js';

const NAME_HEADERS = new Set([
  'name', 'package', 'packagename', 'pkg', 'pkgname', 'module', 'modulename', 'library', 'component',
  'componentname', 'dependency', 'dependencyname', 'packages', 'npmpackage', 'npmpackagename',
]);
const VERSION_HEADERS = new Set([
  'version', 'versions', 'affectedversion', 'affectedversions', 'vulnerableversion', 'vulnerableversions',
  'maliciousversion', 'maliciousversions', 'compromisedversion', 'compromisedversions', 'badversion',
  'badversions', 'range', 'ranges', 'versionrange', 'affected', 'affectedrange', 'affectedranges',
  'packageversion', 'packageversions',
]);
const ECOSYSTEM_HEADERS = new Set(['ecosystem', 'registry', 'packagemanager', 'type']);

const norm = (cell: string): string => cell.toLowerCase().replace(/[^a-z0-9]/g, '');

interface Columns {
  name: number;
  version: number;
  ecosystem: number;
  header: boolean;
}

function findColumn(cells: string[], exact: Set<string>, word: string): number {
  const n = cells.map(norm);
  const i = n.findIndex((c) => exact.has(c));
  if (i >= 0) return i;
  return n.findIndex((c) => c.includes(word));
}

function columnsOf(first: string[], file: string, line: number): Columns {
  const name = findColumn(first, NAME_HEADERS, 'package');
  const version = findColumn(first, VERSION_HEADERS, 'version');
  const ecosystem = first.map(norm).findIndex((c) => ECOSYSTEM_HEADERS.has(c));
  if (name >= 0 && version >= 0 && name !== version) return { name, version, ecosystem, header: true };
  // No header: two columns name,version whose first row is itself a target.
  const looksLikeData =
    first.length >= 2 &&
    packageNameError(first[0]!.trim()) === null &&
    first[1]!.trim() !== '' &&
    rangesError(splitVersions(first[1]!), first[0]!.trim()) === null;
  if (looksLikeData) return { name: 0, version: 1, ecosystem: -1, header: false };
  const found = first.map((c) => quote(c)).join(', ');
  if (name < 0) throw new UsageError(`CSV header has no package name column (found ${found})`, { path: file, line });
  throw new UsageError(`CSV header has no version column (found ${found})`, { path: file, line });
}

/** Parse the text of a CSV advisory list. Pure. */
export function parseCsvList(text: string, file: string): TargetSet {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      delimiter: sniffDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
      comment: '#',
      comment_no_infix: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new UsageError(`invalid CSV: ${(e as Error).message}`, { path: file, line, cause: e });
  }
  const targets: Target[] = [];
  const notes: TargetNote[] = [];
  if (rows.length === 0) return { targets, notes };
  const cols = columnsOf(rows[0]!.record, file, rows[0]!.info.lines);
  for (let i = cols.header ? 1 : 0; i < rows.length; i++) {
    const { record, info } = rows[i]!;
    const line = info.lines;
    const source = `${file}:${line}`;
    const name = (record[cols.name] ?? '').trim();
    const versions = (record[cols.version] ?? '').trim();
    if (cols.ecosystem >= 0) {
      const eco = (record[cols.ecosystem] ?? '').trim();
      if (eco !== '' && eco.toLowerCase() !== 'npm') {
        notes.push({ code: 'OTHER_ECOSYSTEM', message: `skipped ${quote(name)}: ecosystem ${quote(eco)} is not npm`, source });
        continue;
      }
    }
    if (name === '') throw new UsageError(`empty package name (versions ${quote(versions)})`, { path: file, line });
    if (versions === '' && name.indexOf('@', 1) > 0) {
      // A whole spec in the name column: `foo@1.2.3`.
      const r = readSpec(name);
      if (r.kind === 'error') throw new UsageError(r.message, { path: file, line });
      if (r.kind === 'target') {
        for (const range of r.ranges) targets.push({ name: r.name, range, source });
        continue;
      }
    }
    const nameWhy = packageNameError(name);
    if (nameWhy) throw new UsageError(nameWhy, { path: file, line });
    if (versions === '') {
      notes.push({ code: 'NO_VERSION', message: `no version for ${quote(name)}: every version is a target`, source });
      targets.push({ name, range: ALL_VERSIONS, source });
      continue;
    }
    const ranges = splitVersions(versions);
    const why = rangesError(ranges, name);
    if (why) throw new UsageError(why, { path: file, line });
    for (const range of ranges) targets.push({ name, range, source });
  }
  return { targets, notes };
}

function sniffDelimiter(text: string): string {
  const first = text.split('\n', 50).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  const count = (d: string): number => first.split(d).length - 1;
  const best = [',', ';', '\t'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : ',';
}
