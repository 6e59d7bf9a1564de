/**
 * `scope`: the main job. Targets x (working trees, git history, build records, CI configuration) ->
 * a Report. Commands only wire flags to this function.
 */
import { TargetIndex } from '../match/index.js';
import { SCHEMA_VERSION, type Finding, type Indicator, type Report, type SecretExposure } from '../report/model.js';
import { discover, type DiscoveredRepo } from '../sources/discover.js';
import type { Gap, Target, TargetNote } from '../types.js';
import { cmp } from './lockfile-findings.js';
import { scanWorktree } from './worktree.js';
import { VERSION } from '../version.js';
import { worktreeRepoFiles } from '../ci/index.js';
import { assignOwners, loadTeams, type TeamsConfig } from '../report/owners.js';
import { mergeSecrets, repoEvidence, secretKey, type RepoEvidence } from './evidence.js';
import { evidenceAtExposedCommits, mergeHistory, sweepRepo, type RepoSweep } from './history.js';
import { loadBuildRecords, matchBuilds } from '../builds/index.js';
import os from 'node:os';
import { UsageError } from '../errors.js';
import { shardOf } from './shard.js';
import { fileIndicators, mergeIndicators } from './indicators.js';

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
  /** Only the repositories of this shard (see src/scope/shard.ts). */
  shard?: { index: number; count: number };
  /** Teams file (path or parsed) mapping repos to owning teams, used when CODEOWNERS has no owner. */
  teams?: string | TeamsConfig;
  onProgress?: (p: ScopeProgress) => void;
}

export async function scope(opts: ScopeOptions): Promise<Report> {
  for (const [flag, value] of [['--since', opts.since], ['--until', opts.until]] as const) {
    if (value !== undefined && !isGitDate(value)) {
      throw new UsageError(`invalid ${flag} date "${value}": use an ISO date (2025-09-08, 2025-09-08T13:00:00Z) or "<n> <unit>s ago"`);
    }
  }
  const idx = new TargetIndex(opts.targets);
  const progress = opts.onProgress ?? (() => undefined);
  progress({ phase: 'discover' });
  const found = await discover(opts.paths ?? ['.'], { installed: opts.installed });
  if (opts.shard) {
    const { index, count } = opts.shard;
    found.repos = found.repos.filter((r) => shardOf(r.label, count) === index);
    found.notes.push({ code: 'SHARD', message: `shard ${index}/${count}: ${found.repos.length} repositories; merge the shard Reports with \`npm-ir merge\``, source: '.' });
  }
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

  // 1. Working trees.
  let done = 0;
  for (const repo of found.repos) {
    progress({ phase: 'worktree', repos: found.repos.length, reposDone: done });
    scanRepoWorktree(repo, idx, report);
    done++;
  }

  // 2. History of every git repository, in parallel.
  const sweeps = await sweepRepos(found.repos.filter((r) => r.kind !== 'folder'), idx, opts, report, progress);

  // 3. Build records: which builds ran an affected commit.
  if (opts.builds?.length) await addBuilds(opts.builds, sweeps, report, progress);

  // 4. Evidence for affected repositories: secrets their installs could reach, owners, publishing,
  // indicators of compromise.
  const codeownersByRepo = await addEvidence(found.repos, sweeps, opts, report, progress);
  const teams = typeof opts.teams === 'string' ? loadTeams(opts.teams) : opts.teams;
  const owned = assignOwners(report, { codeownersByRepo, teams });
  progress({ phase: 'done', repos: found.repos.length, reposDone: found.repos.length });
  return finalizeReport(owned);
}

type Progress = (p: ScopeProgress) => void;

/** Phase 2: sweep every git repository; narrowed or skipped sweeps are gaps (NOT_SWEPT). */
async function sweepRepos(gitRepos: DiscoveredRepo[], idx: TargetIndex, opts: ScopeOptions, report: Report, progress: Progress): Promise<RepoSweep[]> {
  const sweeps: RepoSweep[] = [];
  if (opts.history === false) {
    for (const r of gitRepos) {
      report.gaps.push({
        repo: r.label,
        path: '.',
        code: 'NOT_SWEPT',
        reason: r.kind === 'bare' ? 'bare repository and --no-history: nothing in it was read' : 'git history not swept (--no-history): only the working tree was read',
      });
    }
  }
  const narrowing = [
    opts.since ? `commits before ${opts.since} (--since)` : '',
    opts.until ? `commits after ${opts.until} (--until)` : '',
    opts.refs?.length ? `refs not matching ${opts.refs.join(', ')} (--refs)` : '',
  ].filter(Boolean);
  if (opts.history !== false && gitRepos.length > 0) {
    let swept = 0;
    let commits = 0;
    let blobs = 0;
    const live = new Map<string, { commits: number; blobsRead: number; blobsTotal: number }>();
    const tick = () => {
      let c = commits;
      let b = blobs;
      let t = blobs;
      for (const v of live.values()) {
        c += v.commits;
        b += v.blobsRead;
        t += v.blobsTotal;
      }
      progress({ phase: 'history', repos: gitRepos.length, reposDone: swept, commits: c, blobsRead: b, blobsTotal: t });
    };
    await pool(gitRepos, opts.concurrency ?? Math.max(1, os.cpus().length), async (repo) => {
      try {
        const sw = await sweepRepo(repo, idx, {
          refs: opts.refs,
          since: opts.since,
          until: opts.until,
          onProgress: (p) => {
            live.set(repo.label, p);
            tick();
          },
        });
        sweeps.push(sw);
        if (narrowing.length) {
          report.gaps.push({
            repo: repo.label,
            path: '.',
            code: 'NOT_SWEPT',
            reason: sw.history.stats.refs === 0 ? `no ref matches --refs ${opts.refs!.join(', ')}: no history was read` : `sweep narrowed: ${narrowing.join(', ')} were not read`,
          });
        }
        commits += sw.history.stats.commits;
        blobs += sw.history.stats.distinctBlobs;
      } catch (e) {
        report.gaps.push({ repo: repo.label, path: '.', code: 'GIT_ERROR', reason: `history could not be swept: ${(e as Error).message}`.replace(/\s+/g, ' ').slice(0, 400) });
      } finally {
        live.delete(repo.label);
        swept++;
        tick();
      }
    });
    sweeps.sort((a, b) => cmp(a.repo.label, b.repo.label));
    for (const sw of sweeps) {
      report.gaps.push(...sw.history.gaps);
      await mergeHistory(sw, report.findings, idx);
    }
    report.scanned!.commits = commits;
    report.scanned!.blobs = blobs;
  }

  return sweeps;
}

/** Phase 3: build records matched against the swept histories. */
async function addBuilds(files: string[], sweeps: RepoSweep[], report: Report, progress: Progress): Promise<void> {
  progress({ phase: 'builds' });
  const records = (await Promise.all(files.map((f) => loadBuildRecords(f)))).flat();
  if (sweeps.length === 0) {
    report.gaps.push(...records.map((r) => ({ repo: r.repo, path: r.source ?? 'builds', code: 'BUILD_COMMIT_MISSING' as const, reason: `build ${r.id}: no git history was swept to resolve commit ${r.commit}` })));
  } else {
    const m = await matchBuilds(records, sweeps.map((s) => ({ repo: s.repo.label, history: s.history })));
    report.builds.push(...m.builds);
    report.gaps.push(...m.gaps);
  }
}

/** Phase 4: evidence for the affected repositories. Returns the CODEOWNERS texts for owner assignment. */
async function addEvidence(repos: DiscoveredRepo[], sweeps: RepoSweep[], opts: ScopeOptions, report: Report, progress: Progress): Promise<Map<string, string>> {
  const affected = new Set(report.findings.map((f) => f.repo));
  const codeownersByRepo = new Map<string, string>();
  const indicators: Indicator[] = [];
  report.publishing = [];
  for (const repo of repos) {
    if (!affected.has(repo.label)) continue;
    progress({ phase: 'secrets', repos: repos.length, message: repo.label });
    const sweep = sweeps.find((s) => s.repo === repo);
    const presentNow = report.findings.some((f) => f.repo === repo.label && f.present === true);
    const secrets: SecretExposure[] = [];
    let current: RepoEvidence | undefined;
    if (repo.kind !== 'bare') {
      const files = worktreeRepoFiles(repo.root);
      current = repoEvidence(files, repo.label);
      indicators.push(...fileIndicators(repo.label, files.list(), 'working tree'));
    }
    if (sweep && sweep.history.findings.length > 0) {
      const atCommits = await evidenceAtExposedCommits(sweep);
      secrets.push(...atCommits.secrets);
      report.gaps.push(...atCommits.gaps);
      indicators.push(...atCommits.indicators);
      if (!current) current = atCommits.latest;
    }
    if (current && (presentNow || !sweep || sweep.history.findings.length === 0)) {
      secrets.push(...current.secrets.map((s) => ({ ...s, exposedAt: 'working tree' })));
      report.gaps.push(...current.gaps);
    }
    if (opts.secrets !== false) report.secrets.push(...mergeSecrets(secrets));
    if (current?.codeowners) codeownersByRepo.set(repo.label, current.codeowners.text);
    report.publishing.push(...(current?.publishing ?? []));
  }
  report.indicators = mergeIndicators(indicators);
  // A secret reachable from the attacker's own workflow was taken, whatever the tier of its path.
  const attackerFiles = new Set(report.indicators.filter((i) => i.kind === 'file').map((i) => `${i.repo}\0${i.path}`));
  report.secrets = report.secrets.map((s) =>
    attackerFiles.has(`${s.repo}\0${s.file}`) && s.tier !== 'T0'
      ? { ...s, tier: 'T0' as const, promotedFrom: s.tier, score: Math.max(typeof s.score === 'number' ? s.score : 0, 150), via: `read by the attacker's workflow ${s.file} (indicator of compromise)` }
      : s,
  );
  return codeownersByRepo;
}

/** Dates git's --since/--until read the way a responder means them; anything else is a usage error. */
export function isGitDate(value: string): boolean {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return !Number.isNaN(Date.parse(v.replace(' ', 'T')));
  if (/^\d+\.?\s*(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\.?\s*ago$/i.test(v)) return true;
  return /^(yesterday|today|now)$/i.test(v);
}

/** Run `fn` over items with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
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
    const k = secretKey(s);
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
