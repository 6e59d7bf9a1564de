/**
 * Indicators of compromise in repositories: files and refs that worms pushed (data/ci/indicators.json).
 * They are the attacker's code: the checklist contains them (delete) rather than fixing or rebuilding them.
 */
import { loadCiData } from '../ci/data.js';
import type { Indicator } from '../report/model.js';

interface IndicatorData {
  files: { id: string; pattern: string; incident: string; meaning: string; weak?: boolean }[];
  refs: { id: string; pattern: string; incident: string; meaning: string }[];
}

let compiled: { files: (IndicatorData['files'][number] & { re: RegExp })[]; refs: (IndicatorData['refs'][number] & { re: RegExp })[] } | undefined;

function table() {
  if (!compiled) {
    const d = loadCiData<IndicatorData>('indicators');
    compiled = { files: d.files.map((f) => ({ ...f, re: new RegExp(f.pattern) })), refs: d.refs.map((r) => ({ ...r, re: new RegExp(r.pattern) })) };
  }
  return compiled;
}

export function fileIndicators(repo: string, paths: Iterable<string>, seenAt: string): Indicator[] {
  const out: Indicator[] = [];
  for (const p of paths) {
    if (p.split('/').includes('node_modules')) continue;
    for (const f of table().files) {
      if (f.re.test(p)) out.push({ repo, path: p, kind: 'file', id: f.id, incident: f.incident, meaning: f.meaning, seenAt: [seenAt], ...(f.weak ? { weak: true } : {}) });
    }
  }
  return out;
}

export function refIndicators(repo: string, refs: Iterable<string>): Indicator[] {
  const out: Indicator[] = [];
  for (const name of refs) {
    for (const r of table().refs) if (r.re.test(name)) out.push({ repo, path: name, kind: 'ref', id: r.id, incident: r.incident, meaning: r.meaning, seenAt: [name] });
  }
  return out;
}

/** One entry per (repo, kind, path, id), the places it was seen at united; weak-only matches dropped unless two or more. */
export function mergeIndicators(list: Indicator[]): Indicator[] {
  const by = new Map<string, Indicator>();
  for (const i of list) {
    const k = `${i.repo}\0${i.kind}\0${i.path}\0${i.id}`;
    const cur = by.get(k);
    if (cur) cur.seenAt = [...new Set([...cur.seenAt, ...i.seenAt])];
    else by.set(k, { ...i, seenAt: [...i.seenAt] });
  }
  const all = [...by.values()];
  const weakByRepo = new Map<string, number>();
  for (const i of all) if (i.weak) weakByRepo.set(i.repo, (weakByRepo.get(i.repo) ?? 0) + 1);
  return all
    .filter((i) => !i.weak || (weakByRepo.get(i.repo) ?? 0) >= 2)
    .sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
}
