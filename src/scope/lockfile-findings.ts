/**
 * From one parsed lockfile to findings: match every entry against the targets (a hash lookup per entry),
 * group by (package, version), and compute whether it is direct and its shortest dependency chains.
 */
import { PathFinder } from '../match/paths.js';
import type { TargetIndex } from '../match/index.js';
import type { Finding } from '../report/model.js';
import type { ParseResult, Target } from '../types.js';
import { cmp } from '../compare.js';

export interface LockfileHit {
  package: string;
  version: string;
  target: string;
  direct: boolean;
  paths: string[][];
  morePaths: number;
  line: number;
  alias?: string;
  dev?: boolean;
  optional?: boolean;
  resolved?: string;
  integrity?: string;
  installScript?: boolean;
}

export const targetSpec = (t: Target) => `${t.name}@${t.range}`;

/** Match a parsed lockfile; one hit per (package, version). */
export function hitsOf(parsed: ParseResult, idx: TargetIndex, opts: { paths?: boolean; maxPaths?: number } = {}): LockfileHit[] {
  const byKey = new Map<string, { hit: LockfileHit; indices: number[] }>();
  parsed.entries.forEach((e, i) => {
    if (!idx.has(e.name)) return;
    const matched = idx.match(e);
    if (matched.length === 0) return;
    const key = `${e.name}@${e.version}`;
    const cur = byKey.get(key);
    if (cur) {
      cur.indices.push(i);
      cur.hit.line = Math.min(cur.hit.line, e.line);
      // A dev-only flag holds only if every copy is dev.
      if (!e.dev) delete cur.hit.dev;
      if (!e.optional) delete cur.hit.optional;
      if (e.installScript) cur.hit.installScript = true;
      return;
    }
    const hit: LockfileHit = {
      package: e.name,
      version: e.version,
      target: matched.map(targetSpec).sort().join(' | '),
      direct: false,
      paths: [],
      morePaths: 0,
      line: e.line,
    };
    if (e.alias) hit.alias = e.alias;
    if (e.dev) hit.dev = true;
    if (e.optional) hit.optional = true;
    if (e.resolved) hit.resolved = e.resolved;
    if (e.integrity) hit.integrity = e.integrity;
    if (e.installScript) hit.installScript = true;
    byKey.set(key, { hit, indices: [i] });
  });
  if (byKey.size === 0) return [];
  const finder = parsed.graph && opts.paths !== false ? new PathFinder(parsed.entries, parsed.graph) : undefined;
  const max = opts.maxPaths ?? 5;
  for (const { hit, indices } of byKey.values()) {
    if (!finder) continue;
    const all: string[][] = [];
    let more = 0;
    for (const i of indices) {
      const r = finder.find(i, max);
      if (r.direct) hit.direct = true;
      all.push(...r.paths);
      more += r.more;
    }
    const seen = new Set<string>();
    const uniq = all
      .filter((p) => {
        const k = p.join('\0');
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .sort((a, b) => a.length - b.length || a.join('>').localeCompare(b.join('>')));
    hit.paths = uniq.slice(0, max);
    hit.morePaths = more + Math.max(0, uniq.length - max);
  }
  return [...byKey.values()].map((v) => v.hit).sort((a, b) => cmp(a.package, b.package) || cmp(a.version, b.version));
}

export { cmp } from '../compare.js';

export function toFinding(
  hit: LockfileHit,
  where: { repo: string; lockfile: string; format: Finding['format']; present: boolean | null },
): Finding {
  const f: Finding = {
    repo: where.repo,
    lockfile: where.lockfile,
    format: where.format,
    package: hit.package,
    version: hit.version,
    target: hit.target,
    direct: hit.direct,
    paths: hit.paths,
    line: hit.line,
    present: where.present,
  };
  if (hit.morePaths) f.morePaths = hit.morePaths;
  if (hit.alias) f.alias = hit.alias;
  if (hit.dev) f.dev = true;
  if (hit.optional) f.optional = true;
  if (hit.resolved) f.resolved = hit.resolved;
  if (hit.integrity) f.integrity = hit.integrity;
  if (hit.installScript) f.installScript = true;
  return f;
}
