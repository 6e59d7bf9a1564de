/**
 * `scoreReport`: compare a team's Report (and optionally its checklist Markdown) with a scenario's expected
 * answers. Items are strings: `web` (repo), `web:package-lock.json` (lockfile), `web:v1.4.1` (tag),
 * `web:run 1234` (build), `web:NPM_TOKEN` (secret).
 */
import type { Report } from '../report/model.js';
import { escapeTerminal } from '../report/escape.js';
import { loadPlaybook, type Playbook } from '../playbook/playbook.js';
import type { Scenario } from './scenario.js';

export const CATEGORIES = ['repos', 'lockfiles', 'tags', 'builds', 'secrets'] as const;
export type Category = (typeof CATEGORIES)[number];
export type ItemLists = Record<Category, string[]>;

export interface CategoryScore {
  expected: number;
  found: number;
  missed: number;
  falseAlarms: number;
  /** found / expected (1 when nothing was expected), as a percentage rounded to an integer. */
  recall: number;
  /** found / (found + false alarms) (1 when nothing was reported), percentage. */
  precision: number;
}

export interface Scorecard {
  scenario: string;
  found: ItemLists;
  missed: ItemLists;
  falseAlarms: ItemLists;
  /** Reported items the scenario accepts either way (e.g. the ambient GITHUB_TOKEN). */
  accepted: ItemLists;
  checklist?: { stepsCovered: string[]; stepsMissing: string[] };
  /** Warnings about the Report itself, e.g. targets that are not the scenario's malicious packages. */
  warnings: string[];
  score: Record<Category, CategoryScore> & {
    checklist?: number;
    /** Items found over items expected plus false alarms, all categories, percentage. */
    overall: number;
  };
}

const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const emptyLists = (): ItemLists => ({ repos: [], lockfiles: [], tags: [], builds: [], secrets: [] });

/** The items a Report claims, per category. */
export function reportItems(report: Report): ItemLists {
  return {
    repos: uniqSorted(report.findings.map((f) => f.repo)),
    lockfiles: uniqSorted(report.findings.map((f) => `${f.repo}:${f.lockfile}`)),
    tags: uniqSorted(report.findings.flatMap((f) => (f.history?.tags ?? []).map((t) => `${f.repo}:${t}`))),
    builds: uniqSorted((report.builds ?? []).map((b) => `${b.repo}:run ${b.id}`)),
    secrets: uniqSorted((report.secrets ?? []).map((s) => `${s.repo}:${s.name}`)),
  };
}

/** `*:NAME` and `repo:*` wildcards on either side of the colon; otherwise exact. */
function accepts(patterns: string[], item: string): boolean {
  return patterns.some((p) => {
    if (p === item) return true;
    const [pr, ...prest] = p.split(':');
    const [ir, ...irest] = item.split(':');
    const pn = prest.join(':');
    const inn = irest.join(':');
    return (pr === '*' || pr === ir) && (pn === '*' || pn === inn);
  });
}

/** Markdown sections of a checklist: `## N. Title` heading -> body. */
function sections(markdown: string): { title: string; body: string }[] {
  const out: { title: string; body: string }[] = [];
  for (const part of markdown.split(/^## /m).slice(1)) {
    const nl = part.indexOf('\n');
    out.push({ title: (nl < 0 ? part : part.slice(0, nl)).trim(), body: nl < 0 ? '' : part.slice(nl + 1) });
  }
  return out;
}

const norm = (s: string) => s.toLowerCase().replace(/^\d+\.\s*/, '').replace(/[`*_]/g, '').trim();

/**
 * Which expected playbook steps a checklist covers: a section whose heading is the step's title (or id) with
 * at least one task (`- [ ]` or `- [x]`), mentioning every string the scenario asks for.
 */
export function checklistCoverage(scenario: Scenario, markdown: string, playbook: Playbook = loadPlaybook()): { stepsCovered: string[]; stepsMissing: string[] } {
  const secs = sections(markdown);
  const covered: string[] = [];
  const missing: string[] = [];
  for (const exp of scenario.expected.checklist ?? []) {
    const step = playbook.steps.find((s) => s.id === exp.step);
    const names = [norm(exp.step), ...(step ? [norm(step.title)] : [])];
    const sec = secs.find((s) => names.includes(norm(s.title)));
    const ok =
      sec !== undefined &&
      /^\s*- \[[ xX]\] /m.test(sec.body) &&
      (exp.mentions ?? []).every((m) => sec.body.includes(m));
    (ok ? covered : missing).push(exp.step);
  }
  return { stepsCovered: covered, stepsMissing: missing };
}

const pct = (num: number, den: number) => (den === 0 ? 100 : Math.round((100 * num) / den));

/** Score a team's Report (and checklist) against the scenario's expected answers. Pure. */
export function scoreReport(scenario: Scenario, report: Report, opts: { checklist?: string; playbook?: Playbook } = {}): Scorecard {
  const got = reportItems(report);
  const exp = scenario.expected;
  const acceptable: ItemLists = {
    ...emptyLists(),
    secrets: exp.acceptable?.secrets ?? [],
    builds: exp.acceptable?.builds ?? [],
    tags: exp.acceptable?.tags ?? [],
  };
  const card: Scorecard = {
    scenario: scenario.id,
    found: emptyLists(),
    missed: emptyLists(),
    falseAlarms: emptyLists(),
    accepted: emptyLists(),
    warnings: [],
    score: { overall: 0 } as Scorecard['score'],
  };
  let foundAll = 0;
  let denomAll = 0;
  for (const c of CATEGORIES) {
    const expected = uniqSorted(exp[c]);
    const reported = new Set(got[c]);
    card.found[c] = expected.filter((x) => reported.has(x));
    card.missed[c] = expected.filter((x) => !reported.has(x));
    const extra = got[c].filter((x) => !expected.includes(x));
    card.accepted[c] = extra.filter((x) => accepts(acceptable[c], x));
    card.falseAlarms[c] = extra.filter((x) => !accepts(acceptable[c], x));
    const f = card.found[c].length;
    const fa = card.falseAlarms[c].length;
    card.score[c] = {
      expected: expected.length,
      found: f,
      missed: card.missed[c].length,
      falseAlarms: fa,
      recall: pct(f, expected.length),
      precision: pct(f, f + fa),
    };
    foundAll += f;
    denomAll += expected.length + fa;
  }
  card.score.overall = pct(foundAll, denomAll);
  const released = new Set(scenario.releases.map((r) => r.package));
  const targeted = new Set(report.targets.map((t) => t.name));
  const missingTargets = [...released].filter((p) => !targeted.has(p)).sort();
  if (report.targets.length > 0 && [...targeted].every((t) => !released.has(t))) {
    card.warnings.push(`the Report's targets (${[...targeted].sort().slice(0, 5).join(', ')}${targeted.size > 5 ? ', ...' : ''}) are none of this scenario's malicious packages: is it the Report of another scenario?`);
  } else if (report.targets.length > 0 && missingTargets.length > 0) {
    card.warnings.push(`the Report did not look for ${missingTargets.length} of the scenario's malicious package(s): ${missingTargets.slice(0, 8).join(', ')}${missingTargets.length > 8 ? ', ...' : ''}`);
  }
  if (opts.checklist !== undefined) {
    card.checklist = checklistCoverage(scenario, opts.checklist, opts.playbook);
    card.score.checklist = pct(card.checklist.stepsCovered.length, card.checklist.stepsCovered.length + card.checklist.stepsMissing.length);
  }
  return card;
}

/** A readable scorecard for the terminal (attacker-controlled names escaped). */
export function renderScorecard(card: Scorecard): string {
  const e = (s: string) => escapeTerminal(s);
  const out = [`Tabletop scorecard: ${e(card.scenario)}`, ''];
  for (const w of card.warnings) out.push(`WARNING: ${e(w)}`, '');
  out.push('CATEGORY   FOUND  MISSED  FALSE ALARMS  RECALL  PRECISION');
  for (const c of CATEGORIES) {
    const s = card.score[c];
    out.push(
      `${c.padEnd(10)} ${`${s.found}/${s.expected}`.padEnd(6)} ${String(s.missed).padEnd(7)} ${String(s.falseAlarms).padEnd(13)} ${`${s.recall}%`.padEnd(7)} ${s.precision}%`,
    );
  }
  out.push('');
  const list = (title: string, lists: ItemLists) => {
    const items = CATEGORIES.flatMap((c) => lists[c].map((x) => `  - ${c}: ${e(x)}`));
    if (items.length) out.push(title, ...items, '');
  };
  list('Missed (expected, not in the Report):', card.missed);
  list('False alarms (in the Report, not expected):', card.falseAlarms);
  list('Accepted extras (neither missed nor false):', card.accepted);
  if (card.checklist) {
    out.push(`Checklist: ${card.checklist.stepsCovered.length}/${card.checklist.stepsCovered.length + card.checklist.stepsMissing.length} expected steps covered (${card.score.checklist}%)`);
    if (card.checklist.stepsMissing.length) out.push(`  missing: ${card.checklist.stepsMissing.map(e).join(', ')}`);
    out.push('');
  }
  out.push(`Overall: ${card.score.overall}% (found / (expected + false alarms), all categories)`, '');
  return out.join('\n');
}
