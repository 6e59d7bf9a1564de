/**
 * Sharding across machines: `scope --shard i/n` keeps the repositories whose label hashes to shard i,
 * so any job runner (a CI matrix, Kubernetes indexed jobs) can spread the sweep; `mergeReports` joins
 * the shard Reports into one. Hashing the label (not the position) keeps a repository on the same shard
 * when others are added or removed.
 */
import { UsageError } from '../errors.js';
import type { Report } from '../report/model.js';
import { cmp } from './lockfile-findings.js';
import { finalizeReport } from './index.js';

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`invalid --shard "${spec}": expected i/n with 1 <= i <= n, e.g. 2/8`);
  return { index, count };
}

/** FNV-1a over the label's UTF-8 bytes. */
export function shardOf(label: string, count: number): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(label, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % count) + 1;
}

/** Join shard Reports: targets must agree; everything else is united, de-duplicated and sorted. */
export function mergeReports(reports: { report: Report; source: string }[]): Report {
  if (reports.length === 0) throw new UsageError('nothing to merge: give at least one Report');
  const key = (r: Report) => r.targets.map((t) => `${t.name}@${t.range}`).sort().join('\n');
  const first = reports[0]!;
  for (const r of reports.slice(1)) {
    if (key(r.report) !== key(first.report)) {
      throw new UsageError(`targets differ from those of ${first.source}: shards of one sweep must share their targets`, { path: r.source });
    }
  }
  const seen = new Set<string>();
  const uniq = <T>(items: T[], k: (x: T) => string) =>
    items.filter((x) => {
      const s = k(x);
      if (seen.has(s)) return false;
      seen.add(s);
      return true;
    });
  const all = reports.map((r) => r.report);
  const merged: Report = {
    schemaVersion: 1,
    tool: first.report.tool,
    targets: first.report.targets,
    findings: uniq(all.flatMap((r) => r.findings), (f) => `f\0${f.repo}\0${f.lockfile}\0${f.package}\0${f.version}`),
    builds: uniq(all.flatMap((r) => r.builds), (b) => `b\0${b.repo}\0${b.id}\0${b.commit}`),
    secrets: all.flatMap((r) => r.secrets),
    gaps: all.flatMap((r) => r.gaps),
    notes: all.flatMap((r) => r.notes ?? []),
    publishing: uniq(all.flatMap((r) => r.publishing ?? []), (p) => `p\0${p.repo}\0${p.package}\0${p.evidence}`),
    scanned: {
      repos: all.reduce((n, r) => n + (r.scanned?.repos ?? 0), 0),
      lockfiles: all.reduce((n, r) => n + (r.scanned?.lockfiles ?? 0), 0),
      commits: all.reduce((n, r) => n + (r.scanned?.commits ?? 0), 0),
      blobs: all.reduce((n, r) => n + (r.scanned?.blobs ?? 0), 0),
    },
  };
  merged.targets = [...merged.targets].sort((a, b) => cmp(a.name, b.name) || cmp(a.range, b.range));
  return finalizeReport(merged);
}
