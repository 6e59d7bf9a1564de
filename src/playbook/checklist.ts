/**
 * The response checklist: the playbook's steps, in order, each filled with tasks from the Report's facts, as
 * Markdown with GitHub task lists. Pure: (report, opts) -> string.
 */
import { markdownCode } from '../report/escape.js';
import type { Build, Finding, PublishingRepo, Report, ReportGap, SecretExposure, Tier } from '../report/model.js';
import { combinedWindow, findingWindow, type LogWindow } from '../report/window.js';
import { loadPlaybook, type Playbook, type PlaybookRule, type PlaybookStep, type SecretKindAdvice } from './playbook.js';
import { cmp } from '../compare.js';

export interface RepoInfo {
  url?: string;
  defaultBranch?: string;
}

export interface ChecklistOptions {
  /** The playbook to follow; the bundled playbooks/response.yaml by default. */
  playbook?: Playbook;
  /** Only this team's part of the report (see splitByTeam). */
  team?: string;
  /** Printed as the generation time; omitted when absent (keeps output reproducible). */
  now?: Date;
  /** Extra facts about repositories, keyed by the Report's `repo`. */
  repoInfo?: Record<string, RepoInfo>;
}

const UNOWNED = 'unowned';
const SHORT_SHA = 10;
const TIERS: Tier[] = ['T0', 'T1', 'T2', 'T3', 'T4'];
const TIER_NAME: Record<Tier, string> = {
  T0: 'T0 direct',
  T1: 'T1 same job, later step',
  T2: 'T2 runner host',
  T3: 'T3 carried',
  T4: 'T4 repo-level',
};

// ---------------------------------------------------------------------------------------------------------
// Escaping helpers: every Report value reaches Markdown through one of these.

/** Attacker-controlled text: an inline code span (no links, HTML, emphasis, mentions, control characters). */
function code(text: string): string {
  return text === '' ? '`(empty)`' : markdownCode(text);
}

/** Dates, numbers and other plain tokens print as they are when they are only that; anything else as code. */
function plain(text: string): string {
  return /^[0-9A-Za-z][0-9A-Za-z:.+-]*$/.test(text) ? text : code(text);
}

function list(items: string[], none: string): string {
  return items.length ? items.join(', ') : none;
}

function uniq<T>(items: T[]): T[] {
  return [...new Set(items)];
}

export function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA);
}

function branchName(ref: string): string {
  return ref.replace(/^refs\/heads\//, '').replace(/^refs\/remotes\//, '');
}

function isTagRef(ref: string): boolean {
  return ref.startsWith('refs/tags/');
}

function pkgAt(f: Pick<Finding, 'package' | 'version'>): string {
  return `${f.package}@${f.version}`;
}

export function formatWindow(w: LogWindow): string {
  const from = w.from ? plain(w.from) : 'an unknown start (no history read)';
  if (w.to === null) return `from ${from} to now (still open)`;
  return `from ${from} to ${w.to ? plain(w.to) : 'an unknown end (no removal found)'}`;
}

// ---------------------------------------------------------------------------------------------------------
// Splitting a Report by owning team.

function teamOf(f: Finding): string {
  return f.owner?.team ?? UNOWNED;
}

/**
 * One Report per owning team (`finding.owner.team`, `unowned` when none), for `--per-team`. Builds, secrets,
 * gaps and publishing entries go to every team with a finding in their repo; those of repos without findings
 * (and gaps without a repo) go to `unowned`, so nothing drops out. Teams are in name order.
 */
export function splitByTeam(report: Report): Map<string, Report> {
  const teamsByRepo = new Map<string, Set<string>>();
  const findingsByTeam = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const team = teamOf(f);
    if (!findingsByTeam.has(team)) findingsByTeam.set(team, []);
    findingsByTeam.get(team)!.push(f);
    if (!teamsByRepo.has(f.repo)) teamsByRepo.set(f.repo, new Set());
    teamsByRepo.get(f.repo)!.add(team);
  }
  const teamsFor = (repo: string | undefined): string[] => {
    const teams = repo === undefined ? undefined : teamsByRepo.get(repo);
    return teams ? [...teams] : [UNOWNED];
  };
  const out = new Map<string, Report>();
  const get = (team: string): Report => {
    let r = out.get(team);
    if (!r) {
      r = { ...report, findings: [], builds: [], secrets: [], gaps: [], ...(report.publishing ? { publishing: [] } : {}) };
      out.set(team, r);
    }
    return r;
  };
  for (const [team, findings] of findingsByTeam) get(team).findings = findings;
  for (const b of report.builds) for (const t of teamsFor(b.repo)) get(t).builds.push(b);
  for (const s of report.secrets) for (const t of teamsFor(s.repo)) get(t).secrets.push(s);
  for (const g of report.gaps) for (const t of teamsFor(g.repo)) get(t).gaps.push(g);
  for (const p of report.publishing ?? []) for (const t of teamsFor(p.repo)) get(t).publishing!.push(p);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------------------
// Tasks.

type Vars = Record<string, string>;

function fill(template: string, vars: Vars): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => vars[name] ?? m).replace(/\s*\n\s*/g, ' ');
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.repo, b.repo) || cmp(a.lockfile, b.lockfile) || cmp(a.package, b.package) || cmp(a.version, b.version)
  );
}


function commitList(commits: { commit: string; date: string; author: string }[]): string[] {
  return commits.map((c) => `${code(shortSha(c.commit))} (${plain(c.date)}, ${code(c.author)})`);
}

interface Context {
  report: Report;
  findings: Finding[];
  playbook: Playbook;
  repoInfo: Record<string, RepoInfo>;
  overall: LogWindow;
}

function repoWindow(ctx: Context, repo: string): LogWindow {
  const fs = ctx.findings.filter((f) => f.repo === repo);
  return fs.length ? combinedWindow(fs) : ctx.overall;
}

function findingVars(f: Finding): Vars {
  const h = f.history;
  const open = findingWindow(f).to === null;
  const first = f.paths[0];
  const more = f.paths.length - 1 + (f.morePaths ?? 0);
  const refs = (h?.refs ?? []).filter((r) => r.affectedAtTip && !isTagRef(r.name)).map((r) => code(branchName(r.name)));
  return {
    repo: code(f.repo),
    lockfile: code(f.lockfile),
    line: String(f.line),
    package: code(f.package),
    version: code(f.version),
    spec: code(pkgAt(f)),
    target: code(f.target),
    direct: f.direct ? 'direct dependency' : 'transitive dependency',
    path: first ? code(first.join(' > ')) + (more > 0 ? ` (+${more} more)` : '') : 'an unknown path',
    introduced: h ? list(commitList(h.introduced), 'no introducing commit found') : 'unknown (history not read)',
    removed: h ? list(commitList(h.removed), open ? 'nothing yet (still open)' : 'no removing commit found') : open ? 'nothing yet (still present)' : 'unknown (history not read)',
    branches: list(refs, 'none'),
    tags: list((h?.tags ?? []).map(code), 'none'),
    window: formatWindow(findingWindow(f)),
    owner: f.owner ? `${code(f.owner.team)}${f.owner.contact ? ` (${code(f.owner.contact)})` : ''}` : code(UNOWNED),
    scripts: f.installScript
      ? 'the lockfile records install scripts for this version: every install ran them'
      : 'no install script recorded in the lockfile: its code ran when a build, test or app loaded it, and it ships in every bundle built from it',
  };
}

function findingsTasks(ctx: Context, rule: PlaybookRule): string[] {
  const where = rule.where ?? 'any';
  return ctx.findings
    .filter((f) => {
      switch (where) {
        case 'present':
          return f.present === true;
        case 'absent':
          return f.present !== true;
        case 'history':
          return (f.history?.affectedCommits ?? 0) > 0;
        default:
          return true;
      }
    })
    .map((f) => fill(rule.text, findingVars(f)));
}

function reposTasks(ctx: Context, rule: PlaybookRule): string[] {
  const repos = uniq(ctx.findings.map((f) => f.repo)).sort(cmp);
  return repos.map((repo) => {
    const fs = ctx.findings.filter((f) => f.repo === repo);
    const refs = uniq(fs.flatMap((f) => (f.history?.refs ?? []).filter((r) => r.affectedAtTip && !isTagRef(r.name)).map((r) => branchName(r.name))));
    const url = ctx.repoInfo[repo]?.url;
    return fill(rule.text, {
      repo: code(repo),
      lockfiles: list(uniq(fs.map((f) => f.lockfile)).map(code), 'none'),
      packages: list(uniq(fs.map(pkgAt)).map(code), 'none'),
      branches: list(refs.sort(cmp).map(code), 'none'),
      tags: list(uniq(fs.flatMap((f) => f.history?.tags ?? [])).sort(cmp).map(code), 'none'),
      window: formatWindow(repoWindow(ctx, repo)),
      url: url ? code(url) : 'no URL on record',
    });
  });
}

/** Refs and workflow names that are the attacker's (indicators): contained, never fixed or rebuilt. */
function attackerRefs(ctx: Context): Set<string> {
  return new Set((ctx.report.indicators ?? []).filter((i) => i.kind === 'ref').map((i) => `${i.repo}\0${i.path}`));
}
function attackerWorkflows(ctx: Context): Set<string> {
  const out = new Set<string>();
  for (const i of ctx.report.indicators ?? []) {
    if (i.kind !== 'file' || !i.path.startsWith('.github/workflows/')) continue;
    const base = i.path.slice(i.path.lastIndexOf('/') + 1);
    out.add(`${i.repo}\0${base}`).add(`${i.repo}\0${base.replace(/\.ya?ml$/, '')}`);
  }
  return out;
}

function indicatorsTasks(ctx: Context, rule: PlaybookRule): string[] {
  return [...(ctx.report.indicators ?? [])].map((i) =>
    fill(rule.text, {
      repo: code(i.repo),
      path: code(i.kind === 'ref' ? branchName(i.path) : i.path),
      kind: i.kind === 'ref' ? 'branch' : 'file',
      incident: plain(i.incident),
      meaning: plain(i.meaning),
      seenAt: list(i.seenAt.slice(0, 5).map((c) => code(/^[0-9a-f]{40,64}$/.test(c) ? shortSha(c) : c)), 'unknown') + (i.seenAt.length > 5 ? ` and ${i.seenAt.length - 5} more` : ''),
    }),
  );
}

function branchesTasks(ctx: Context, rule: PlaybookRule): string[] {
  const byKey = new Map<string, { repo: string; ref: string; pkgs: string[] }>();
  const attacker = attackerRefs(ctx);
  for (const f of ctx.findings) {
    for (const r of f.history?.refs ?? []) {
      if (!r.affectedAtTip || isTagRef(r.name) || attacker.has(`${f.repo}\0${r.name}`)) continue;
      const key = `${f.repo}\0${r.name}`;
      if (!byKey.has(key)) byKey.set(key, { repo: f.repo, ref: r.name, pkgs: [] });
      byKey.get(key)!.pkgs.push(`${pkgAt(f)} in ${f.lockfile}`);
    }
  }
  return [...byKey.values()]
    .sort((a, b) => cmp(a.repo, b.repo) || cmp(a.ref, b.ref))
    .map((b) => fill(rule.text, { repo: code(b.repo), branch: code(branchName(b.ref)), packages: list(uniq(b.pkgs).map(code), 'none') }));
}

function tagsTasks(ctx: Context, rule: PlaybookRule): string[] {
  const byKey = new Map<string, { repo: string; tag: string; pkgs: string[] }>();
  for (const f of ctx.findings) {
    for (const tag of f.history?.tags ?? []) {
      const key = `${f.repo}\0${tag}`;
      if (!byKey.has(key)) byKey.set(key, { repo: f.repo, tag, pkgs: [] });
      byKey.get(key)!.pkgs.push(pkgAt(f));
    }
  }
  return [...byKey.values()]
    .sort((a, b) => cmp(a.repo, b.repo) || cmp(a.tag, b.tag))
    .map((t) => fill(rule.text, { repo: code(t.repo), tag: code(t.tag), packages: list(uniq(t.pkgs).map(code), 'none') }));
}

function buildPackages(ctx: Context, b: Build): string[] {
  if (b.packages?.length) return b.packages;
  return uniq(ctx.findings.filter((f) => f.repo === b.repo).map(pkgAt));
}

function buildsTasks(ctx: Context, rule: PlaybookRule): string[] {
  const attacker = attackerWorkflows(ctx);
  return [...ctx.report.builds]
    .filter((b) => !b.workflow || !attacker.has(`${b.repo}\0${b.workflow}`))
    .sort((a, b) => cmp(a.repo, b.repo) || cmp(a.startedAt ?? '', b.startedAt ?? '') || cmp(a.id, b.id))
    .map((b) =>
      fill(rule.text, {
        repo: code(b.repo),
        build: code(b.id),
        workflow: b.workflow ? code(b.workflow) : 'unknown workflow',
        commit: code(shortSha(b.commit)),
        ref: b.ref ? code(branchName(b.ref)) : 'unknown',
        startedAt: b.startedAt ? plain(b.startedAt) : 'an unknown time',
        url: b.url ? code(b.url) : 'no URL on record',
        packages: list(buildPackages(ctx, b).map(code), 'unknown packages'),
        window: formatWindow(repoWindow(ctx, b.repo)),
      }),
    );
}

const FALLBACK_ADVICE: SecretKindAdvice = {
  id: 'generic',
  label: 'credential',
  class: 'generic',
  rotate: 'where it was issued.',
  audit: "the issuing service's audit log.",
};

/** The playbook's advice for a secret: by kind, then by name pattern, then the `generic` entry. */
export function adviceFor(secret: Pick<SecretExposure, 'kind' | 'name'>, playbook: Playbook): SecretKindAdvice {
  const kinds = playbook.secretKinds ?? [];
  const kind = secret.kind.toLowerCase();
  const byKind = kinds.find((k) => k.id === kind || (k.kinds ?? []).some((x) => x.toLowerCase() === kind));
  if (byKind) return byKind;
  const byName = kinds.find((k) => (k.names ?? []).some((re) => new RegExp(re, 'i').test(secret.name)));
  return byName ?? kinds.find((k) => k.id === 'generic') ?? FALLBACK_ADVICE;
}

interface SecretGroup {
  repo: string;
  name: string;
  kind: string;
  tier: Tier;
  places: SecretExposure[];
  advice: SecretKindAdvice;
}

/**
 * The advice for one exposure: the playbook's entry for its kind or name; where the playbook has only its
 * generic entry, the analyser's own rotation advice carried in the Report (e.g. `gh cache delete` for a
 * cache-write capability) is more exact.
 */
function adviceForExposure(s: SecretExposure, playbook: Playbook): SecretKindAdvice {
  const a = adviceFor(s, playbook);
  const r = s.rotation as { action?: string; rotate?: string; checkAfter?: string } | undefined;
  if (a.id !== 'generic' || !r?.rotate) return a;
  return {
    ...a,
    rotate: r.action === 'audit' ? `cannot be rotated (audit instead): ${r.rotate}` : r.rotate,
    audit: r.checkAfter ?? a.audit,
  };
}

function score(s: SecretExposure): number {
  return typeof s.score === 'number' ? s.score : 0;
}

function secretGroups(ctx: Context): (SecretGroup & { score: number })[] {
  const groups = new Map<string, SecretGroup & { score: number }>();
  for (const s of ctx.report.secrets) {
    const key = `${s.repo}\0${s.name}`;
    let g = groups.get(key);
    if (!g) {
      g = { repo: s.repo, name: s.name, kind: s.kind, tier: s.tier, places: [], advice: adviceForExposure(s, ctx.playbook), score: score(s) };
      groups.set(key, g);
    }
    g.places.push(s);
    g.score = Math.max(g.score, score(s));
    if (TIERS.indexOf(s.tier) < TIERS.indexOf(g.tier)) {
      g.tier = s.tier;
      g.kind = s.kind;
      g.advice = adviceForExposure(s, ctx.playbook);
    }
  }
  return [...groups.values()];
}

function place(s: SecretExposure): string {
  const parts = [s.system ? plain(s.system) : undefined, s.job ? `job ${code(s.job)}` : undefined, s.step ? `step ${code(s.step)}` : undefined];
  return `${code(`${s.file}:${s.line}`)} (${parts.filter(Boolean).join(', ')})`;
}

function secretsTasks(ctx: Context, rule: PlaybookRule): string[] {
  const where = rule.where ?? 'any';
  const groups = secretGroups(ctx).filter((g) => {
    if (where === 'registry') return g.advice.class === 'registry-publish';
    if (where === 'rotatable') return g.advice.class !== 'job-scoped-token' && g.advice.class !== 'oidc-capability';
    return true;
  });
  groups.sort((a, b) =>
    rule.order === 'tier'
      ? // Same order as the Report: tier, then how much the credential is worth to an attacker.
        TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) || b.score - a.score || cmp(a.repo, b.repo) || cmp(a.name, b.name)
      : cmp(a.repo, b.repo) || cmp(a.name, b.name),
  );
  return groups.map((g) =>
    fill(rule.text, {
      repo: code(g.repo),
      name: code(g.name),
      kind: `${g.advice.label}, ${code(g.kind)}`,
      tier: TIER_NAME[g.tier] ?? code(g.tier),
      where: g.places
        .slice()
        .sort((a, b) => cmp(a.file, b.file) || a.line - b.line)
        .map(place)
        .join('; '),
      rotate: g.advice.rotate,
      audit: g.advice.audit,
      window: formatWindow(repoWindow(ctx, g.repo)),
    }),
  );
}

function publishingTasks(ctx: Context, rule: PlaybookRule): string[] {
  const seen = new Set<string>();
  const items: PublishingRepo[] = [];
  for (const p of ctx.report.publishing ?? []) {
    const key = `${p.repo}\0${p.package}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(p);
  }
  items.sort((a, b) => cmp(a.repo, b.repo) || cmp(a.package, b.package));
  return items.map((p) =>
    fill(rule.text, {
      repo: code(p.repo),
      package: code(p.package),
      evidence: code(p.evidence),
      window: formatWindow(repoWindow(ctx, p.repo)),
      command: code(`npm view ${p.package} time --json`),
    }),
  );
}

function gapsTasks(ctx: Context, rule: PlaybookRule): string[] {
  return [...ctx.report.gaps]
    .sort((a: ReportGap, b: ReportGap) => cmp(a.repo ?? '', b.repo ?? '') || cmp(a.path, b.path) || cmp(a.commit ?? '', b.commit ?? ''))
    .map((g) =>
      fill(rule.text, {
        repo: g.repo !== undefined ? code(g.repo) : 'the scanned path',
        path: code(g.path),
        at: g.commit ? `commit ${code(shortSha(g.commit))}` : 'the working tree',
        code: code(g.code),
        reason: code(g.reason),
      }),
    );
}

function teamsTasks(ctx: Context, rule: PlaybookRule): string[] {
  const byTeam = new Map<string, Finding[]>();
  for (const f of ctx.findings) {
    const t = teamOf(f);
    if (!byTeam.has(t)) byTeam.set(t, []);
    byTeam.get(t)!.push(f);
  }
  return [...byTeam.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([team, fs]) => {
      const contact = fs.find((f) => f.owner?.contact)?.owner?.contact;
      return fill(rule.text, {
        team: code(team),
        contact: contact ? code(contact) : 'no contact on record',
        targets: list(uniq(fs.map((f) => f.target)).sort(cmp).map(code), 'none'),
        packages: list(uniq(fs.map(pkgAt)).sort(cmp).map(code), 'none'),
        places: list(uniq(fs.map((f) => `${f.repo}/${f.lockfile}`.replace(/^\.\//, ''))).map(code), 'none'),
      });
    });
}

function incidentTasks(ctx: Context, rule: PlaybookRule): string[] {
  if (ctx.findings.length === 0) return [];
  return [
    fill(rule.text, {
      window: formatWindow(ctx.overall),
      targets: list(uniq(ctx.report.targets.map((t) => `${t.name}@${t.range}`)).map(code), 'none'),
    }),
  ];
}

const GENERATORS: Record<PlaybookRule['for'], (ctx: Context, rule: PlaybookRule) => string[]> = {
  incident: incidentTasks,
  findings: findingsTasks,
  repos: reposTasks,
  branches: branchesTasks,
  tags: tagsTasks,
  builds: buildsTasks,
  secrets: secretsTasks,
  publishing: publishingTasks,
  gaps: gapsTasks,
  teams: teamsTasks,
  indicators: indicatorsTasks,
};

/** The tasks of one step, in rule order. */
export function stepTasks(report: Report, step: PlaybookStep, playbook: Playbook): string[] {
  return step.tasks.flatMap((rule) => GENERATORS[rule.for](context(report, playbook, {}), rule));
}

function context(report: Report, playbook: Playbook, repoInfo: Record<string, RepoInfo>): Context {
  const findings = [...report.findings].sort(compareFindings);
  return { report, findings, playbook, repoInfo, overall: combinedWindow(findings) };
}

function scopeOf(report: Report, team: string | undefined): Report {
  if (team === undefined) return report;
  return (
    splitByTeam(report).get(team) ?? {
      ...report,
      findings: [],
      builds: [],
      secrets: [],
      gaps: [],
      ...(report.publishing ? { publishing: [] } : {}),
    }
  );
}

// ---------------------------------------------------------------------------------------------------------
// Rendering.

export function renderChecklist(report: Report, opts: ChecklistOptions = {}): string {
  const playbook = opts.playbook ?? loadPlaybook();
  const scoped = scopeOf(report, opts.team);
  const ctx = context(scoped, playbook, opts.repoInfo ?? {});
  const out: string[] = [];
  out.push(`# ${playbook.title}${opts.team !== undefined ? ` — team ${code(opts.team)}` : ''}`, '');
  if (opts.now) out.push(`Generated ${opts.now.toISOString()} by npm-ir from a saved Report.`, '');
  const repos = uniq(ctx.findings.map((f) => f.repo));
  out.push(
    `- Targets: ${list(scoped.targets.map((t) => code(`${t.name}@${t.range}`)), 'none')}`,
    `- Found: ${ctx.findings.length} finding(s) in ${repos.length} repo(s) (${ctx.findings.filter((f) => f.present === true).length} still present), ` +
      `${scoped.builds.length} build(s), ${uniq(scoped.secrets.map((s) => `${s.repo}\0${s.name}`)).length} secret(s), ${scoped.gaps.length} unread place(s)`,
    `- Log-search window: ${ctx.findings.length ? formatWindow(ctx.overall) : 'none (nothing found)'}`,
  );
  for (const repo of repos.sort(cmp)) {
    const info = ctx.repoInfo[repo];
    if (info?.url || info?.defaultBranch) {
      out.push(`- Repo ${code(repo)}:${info.url ? ` ${code(info.url)}` : ''}${info.defaultBranch ? ` (default branch ${code(info.defaultBranch)})` : ''}`);
    }
  }
  if (scoped.gaps.length) {
    out.push(`- **${scoped.gaps.length} place(s) could not be read: they are not clean until read (see the tasks below).**`);
  }
  out.push('');
  for (const [i, step] of playbook.steps.entries()) {
    out.push(`## ${i + 1}. ${step.title}`, '', `_${step.purpose.trim()}_`, '');
    const tasks = step.tasks.flatMap((rule) => GENERATORS[rule.for](ctx, rule));
    if (tasks.length === 0) out.push('Nothing found in this report for this step.');
    else for (const t of tasks) out.push(`- [ ] ${t}`);
    out.push('');
  }
  return out.join('\n');
}

/** A few lines for the CLI: what was found, and how many tasks each step has. */
export function checklistSummary(report: Report, opts: Pick<ChecklistOptions, 'playbook' | 'team'> = {}): string {
  const playbook = opts.playbook ?? loadPlaybook();
  const scoped = scopeOf(report, opts.team);
  const ctx = context(scoped, playbook, {});
  const counts = playbook.steps.map((step) => {
    const n = step.tasks.reduce((sum, rule) => sum + GENERATORS[rule.for](ctx, rule).length, 0);
    return `${step.id} ${n}`;
  });
  const t0 = uniq(scoped.secrets.filter((s) => s.tier === 'T0').map((s) => `${s.repo}\0${s.name}`)).length;
  return [
    `${ctx.findings.length} finding(s) in ${uniq(ctx.findings.map((f) => f.repo)).length} repo(s), ${scoped.builds.length} build(s), ` +
      `${uniq(scoped.secrets.map((s) => `${s.repo}\0${s.name}`)).length} secret(s) (${t0} T0), ${scoped.gaps.length} gap(s)`,
    `log-search window: ${ctx.findings.length ? formatWindow(ctx.overall).replace(/`/g, '') : 'none'}`,
    `tasks per step: ${counts.join(', ')}`,
  ].join('\n');
}
