/**
 * `scope`: the main job. Targets x (working trees, git history, build records, CI configuration) ->
 * a Report. Commands only wire flags to this function.
 */
import { TargetIndex } from '../match/index.js';
import { SCHEMA_VERSION, type Finding, type Report } from '../report/model.js';
import { discover, type DiscoveredRepo } from '../sources/discover.js';
import type { Gap, Target, TargetNote } from '../types.js';
import { cmp } from './lockfile-findings.js';
import { scanWorktree } from './worktree.js';
import { VERSION } from '../version.js';
import { worktreeRepoFiles } from '../ci/index.js';
import { assignOwners, loadTeams, type TeamsConfig } from '../report/owners.js';
import { repoEvidence } from './evidence.js';

export interface ScopeProgress {
  phase: 'discover' | 'worktree' | 'history' | 'builds' | 'secrets' | 'done';
  repos?: number;
  reposDone?: number;
  lockfiles?: number;
  commits?: number;
  blobsRead?: number;
  blobsTotal?: number;
  message?: string;
}

export interface ScopeOptions {
  /** Folders to scan (default '.'). */
  paths?: string[];
  targets: Target[];
  /** Notes from loading targets (withdrawn records, conflicts), carried into the Report. */
  targetNotes?: TargetNote[];
  /** Read node_modules/.package-lock.json too. */
  installed?: boolean;
  /** Sweep git history (default true). */
  history?: boolean;
  /** Only refs matching these patterns (git for-each-ref patterns, e.g. refs/heads/release/*). */
  refs?: string[];
  /** Only commits after/before these dates (anything git's --since/--until accept). */
  since?: string;
  until?: string;
  /** Build record files (GitHub Actions / GitLab exports, CSV). */
  builds?: string[];
  /** Repositories swept in parallel (default: the number of cores). */
  concurrency?: number;
  /** Read CI configuration of affected repositories for exposed secrets (default true). */
  secrets?: boolean;
  /** Teams file (path or parsed) mapping repos to owning teams, used when CODEOWNERS has no owner. */
  teams?: string | TeamsConfig;
  onProgress?: (p: ScopeProgress) => void;
}

export async function scope(opts: ScopeOptions): Promise<Report> {
  const idx = new TargetIndex(opts.targets);
  const progress = opts.onProgress ?? (() => undefined);
  progress({ phase: 'discover' });
  const found = await discover(opts.paths ?? ['.'], { installed: opts.installed });
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'npm-ir', version: VERSION },
    targets: opts.targets
      .map((t) => ({ name: t.name, range: t.range, source: t.source, ...(t.id ? { id: t.id } : {}) }))
      .sort((a, b) => cmp(a.name, b.name) || cmp(a.range, b.range) || cmp(a.source, b.source)),
    findings: [],
    builds: [],
    secrets: [],
    gaps: [...found.gaps],
    notes: [...(opts.targetNotes ?? []).map((n) => ({ code: n.code, message: n.message, source: n.source })), ...found.notes],
    scanned: { repos: found.repos.length, lockfiles: 0 },
  };

  let done = 0;
  for (const repo of found.repos) {
    progress({ phase: 'worktree', repos: found.repos.length, reposDone: done });
    scanRepoWorktree(repo, idx, report);
    done++;
  }
  // Evidence for affected repositories: secrets their installs could reach, owners, publishing.
  const affected = new Set(report.findings.map((f) => f.repo));
  const codeownersByRepo = new Map<string, string>();
  report.publishing = [];
  for (const repo of found.repos) {
    if (!affected.has(repo.label) || repo.kind === 'bare') continue;
    progress({ phase: 'secrets', repos: found.repos.length, reposDone: done, message: repo.label });
    const files = worktreeRepoFiles(repo.root);
    const ev = repoEvidence(files, repo.label);
    if (opts.secrets !== false) {
      report.secrets.push(...ev.secrets);
      report.gaps.push(...ev.gaps);
    }
    if (ev.codeowners) codeownersByRepo.set(repo.label, ev.codeowners.text);
    report.publishing.push(...ev.publishing);
  }
  const teams = typeof opts.teams === 'string' ? loadTeams(opts.teams) : opts.teams;
  const owned = assignOwners(report, { codeownersByRepo, teams });
  progress({ phase: 'done', repos: found.repos.length, reposDone: done });
  return finalizeReport(owned);
}

function scanRepoWorktree(repo: DiscoveredRepo, idx: TargetIndex, report: Report): void {
  const r = scanWorktree(repo, idx);
  report.findings.push(...r.findings);
  report.gaps.push(...r.gaps);
  report.notes!.push(...r.notes);
  report.scanned!.lockfiles += repo.lockfiles.length;
}

/** Sort everything so two runs over the same input give byte-identical Reports. */
export function finalizeReport(report: Report): Report {
  report.findings.sort(compareFindings);
  report.gaps = dedupeGaps(report.gaps).sort(compareGaps);
  report.secrets = sortSecrets(report.secrets);
  if (report.publishing) report.publishing.sort((a, b) => cmp(a.repo, b.repo) || cmp(a.package, b.package) || cmp(a.evidence, b.evidence));
  report.builds.sort((a, b) => cmp(a.repo, b.repo) || cmp(a.startedAt ?? '', b.startedAt ?? '') || cmp(a.id, b.id));
  if (report.notes) {
    const seen = new Set<string>();
    report.notes = report.notes
      .filter((n) => {
        const k = `${n.code}\0${n.message}\0${n.source ?? ''}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .sort((a, b) => cmp(a.source ?? '', b.source ?? '') || cmp(a.code, b.code) || cmp(a.message, b.message));
  }
  return report;
}

const TIER_ORDER = { T0: 0, T1: 1, T2: 2, T3: 3, T4: 4 } as const;

/** Secrets by tier, then score (descending), then place; duplicates (same repo, file, line, name, job, step) once. */
function sortSecrets(list: Report['secrets']): Report['secrets'] {
  const seen = new Set<string>();
  const uniq = list.filter((s) => {
    const k = [s.repo, s.file, s.line, s.name, s.job ?? '', s.step ?? '', s.tier].join('\0');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const score = (s: Report['secrets'][number]) => (typeof s.score === 'number' ? s.score : 0);
  return uniq.sort(
    (a, b) =>
      TIER_ORDER[a.tier] - TIER_ORDER[b.tier] ||
      score(b) - score(a) ||
      cmp(a.repo, b.repo) ||
      cmp(a.file, b.file) ||
      a.line - b.line ||
      cmp(a.name, b.name) ||
      cmp(a.job ?? '', b.job ?? '') ||
      cmp(a.step ?? '', b.step ?? ''),
  );
}

export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.repo, b.repo) || cmp(a.lockfile, b.lockfile) || cmp(a.package, b.package) || cmp(a.version, b.version);
}

export function compareGaps(a: Gap, b: Gap): number {
  return cmp(a.repo ?? '', b.repo ?? '') || cmp(a.path, b.path) || cmp(a.commit ?? '', b.commit ?? '') || cmp(a.code, b.code);
}

function dedupeGaps(gaps: Gap[]): Gap[] {
  const seen = new Set<string>();
  return gaps.filter((g) => {
    const k = `${g.repo ?? ''}\0${g.path}\0${g.commit ?? ''}\0${g.code}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Exit code for a Report, as in DESIGN.md: 1 affected, 3 incomplete, 0 clean and complete. */
export function exitCodeFor(report: Report): 0 | 1 | 3 {
  if (report.findings.length > 0) return 1;
  if (report.gaps.length > 0) return 3;
  return 0;
}
