/**
 * CSV export: one row per (team, repo, lockfile, package, version). RFC 4180 quoting (csv-stringify, CRLF) and
 * every cell through escapeCsvCell (formula injection, control characters). Rows in a stable order.
 */
import { stringify } from 'csv-stringify/sync';
import { escapeCsvCell } from '../escape.js';
import type { Finding, Report, Tier } from '../model.js';
import { findingWindow } from '../window.js';
import { cmp } from '../../compare.js';

export const CSV_COLUMNS = [
  'team',
  'repo',
  'lockfile',
  'package',
  'version',
  'direct',
  'present',
  'first exposed',
  'removed',
  'affected tags',
  'exposed builds',
  'secrets to rotate',
  'owner contact',
] as const;

export type CsvRow = Record<(typeof CSV_COLUMNS)[number], string>;

/** Tiers whose credentials were on an install path and must be rotated (T4 is reviewed, not rotated). */
const ROTATE: Tier[] = ['T0', 'T1', 'T2', 'T3'];


function buildMatches(pkgs: string[] | undefined, f: Finding): boolean {
  if (!pkgs || pkgs.length === 0) return true;
  const id = `${f.package}@${f.version}`;
  return pkgs.some((p) => p === id || p.startsWith(`${id} `));
}

/** The rows, unescaped (what a reader of the CSV should get back after undoing the formula guard). */
export function csvRows(report: Report): CsvRow[] {
  const rows = report.findings.map((f): CsvRow => {
    const w = findingWindow(f);
    const removed = w.to === null ? 'still present' : (w.to ?? (f.present === false ? 'not present (removal date unknown)' : 'unknown'));
    const builds = report.builds.filter((b) => b.repo === f.repo && buildMatches(b.packages, f)).length;
    const secrets = new Set(report.secrets.filter((s) => s.repo === f.repo && ROTATE.includes(s.tier)).map((s) => s.name)).size;
    return {
      team: f.owner?.team ?? 'unowned',
      repo: f.repo,
      lockfile: f.lockfile,
      package: f.package,
      version: f.version,
      direct: f.direct ? 'yes' : 'no',
      present: f.present === null ? 'unknown (bare repository)' : f.present ? 'yes' : 'no',
      'first exposed': w.from ?? '',
      removed,
      'affected tags': [...(f.history?.tags ?? [])].sort(cmp).join(' '),
      'exposed builds': String(builds),
      'secrets to rotate': String(secrets),
      'owner contact': f.owner?.contact ?? '',
    };
  });
  const key = (r: CsvRow): string[] => [r.team, r.repo, r.lockfile, r.package, r.version];
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = cmp(ka[i]!, kb[i]!);
      if (c) return c;
    }
    return 0;
  });
  // One row per (team, repo, lockfile, package, version).
  return rows.filter((r, i) => i === 0 || key(r).join('\0') !== key(rows[i - 1]!).join('\0'));
}

export function renderCsv(report: Report): string {
  const records = csvRows(report).map((r) => CSV_COLUMNS.map((c) => escapeCsvCell(r[c])));
  return stringify([[...CSV_COLUMNS], ...records], { record_delimiter: '\r\n' });
}
