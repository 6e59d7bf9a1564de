/**
 * Build records: which CI runs built which commit. Read from a GitHub Actions export (`gh run list
 * --json ...`), the GitHub REST API's workflow runs, a GitLab pipelines export, or a plain CSV
 * (`repo,commit,started_at,id,url`); the format is detected by content. Then matched against the
 * history sweep: a build whose commit resolved an affected version is reported; a build whose commit is
 * not in the repository is a gap (BUILD_COMMIT_MISSING), never dropped.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import type { HistoryResult } from '../git/history.js';
import type { Build } from '../report/model.js';
import type { Gap } from '../types.js';

export type BuildFormat = 'github-cli' | 'github-rest' | 'gitlab' | 'csv';

export interface BuildRecord {
  /** Repository the record names (CSV `repo`, REST `repository.full_name`), or the hint given. */
  repo?: string;
  id: string;
  /** Commit id as written (full or short). */
  commit: string;
  workflow?: string;
  startedAt?: string;
  url?: string;
  ref?: string;
  event?: string;
  conclusion?: string;
  format: BuildFormat;
  /** Where the record came from: `file:line` (CSV) or `file#index` (JSON). */
  source: string;
}

export interface LoadBuildOptions {
  /** Repository the file is about (e.g. from `--builds web=runs.json`); records naming none take it. */
  repo?: string;
}

const HEX = /^[0-9a-fA-F]{4,64}$/;

/** Read a build-records file. Throws UsageError naming the file (and line or record) when it is bad. */
export async function loadBuildRecords(path: string, opts: LoadBuildOptions = {}): Promise<BuildRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read build records: ${(e as Error).message}`, { path, cause: e });
  }
  return parseBuildRecords(text, path, opts);
}

/** Parse the text of a build-records file (see loadBuildRecords). */
export function parseBuildRecords(text: string, path: string, opts: LoadBuildOptions = {}): BuildRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  const t = body.trimStart();
  if (t === '') throw new UsageError('build records file is empty', { path });
  let records: BuildRecord[];
  if (t.startsWith('[') || t.startsWith('{')) records = parseJsonRecords(t, path);
  else records = parseCsvRecords(body, path);
  if (opts.repo) for (const r of records) r.repo ??= opts.repo;
  return records;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function parseJsonRecords(text: string, path: string): BuildRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`build records file is not valid JSON: ${(e as Error).message}`, { path });
  }
  // REST: { workflow_runs: [...] }; `gh api --paginate --slurp`: [{ workflow_runs }, ...].
  let runs: unknown[];
  let kind: BuildFormat;
  if (isObj(data) && Array.isArray(data.workflow_runs)) {
    runs = data.workflow_runs;
    kind = 'github-rest';
  } else if (Array.isArray(data) && data.length > 0 && data.every((p) => isObj(p) && Array.isArray(p.workflow_runs))) {
    runs = data.flatMap((p) => (p as Obj).workflow_runs as unknown[]);
    kind = 'github-rest';
  } else if (Array.isArray(data)) {
    runs = data;
    const first = data.find(isObj);
    if (!first) {
      if (data.length === 0) return [];
      throw new UsageError('build records: expected an array of objects', { path });
    }
    if ('headSha' in first) kind = 'github-cli';
    else if ('head_sha' in first) kind = 'github-rest';
    else if ('sha' in first) kind = 'gitlab';
    else
      throw new UsageError(
        'build records: unknown JSON shape (expected `gh run list --json databaseId,headSha,...`, the REST `workflow_runs`, or GitLab pipelines with `sha`)',
        { path },
      );
  } else {
    throw new UsageError('build records: unknown JSON shape (expected an array or { workflow_runs: [...] })', { path });
  }
  return runs.map((raw, i) => {
    const source = `${path}#${i}`;
    if (!isObj(raw)) throw new UsageError(`build record #${i} is not an object`, { path });
    let rec: Omit<BuildRecord, 'format' | 'source'>;
    if (kind === 'github-cli') {
      rec = {
        id: str(raw.databaseId) ?? str(raw.number) ?? '',
        commit: str(raw.headSha) ?? '',
        ref: str(raw.headBranch),
        startedAt: str(raw.startedAt) ?? str(raw.createdAt),
        workflow: str(raw.workflowName) ?? str(raw.name),
        event: str(raw.event),
        conclusion: str(raw.conclusion),
        url: str(raw.url),
      };
    } else if (kind === 'github-rest') {
      const repo = isObj(raw.repository) ? str(raw.repository.full_name) : undefined;
      rec = {
        repo,
        id: str(raw.id) ?? '',
        commit: str(raw.head_sha) ?? '',
        ref: str(raw.head_branch),
        startedAt: str(raw.run_started_at) ?? str(raw.created_at),
        workflow: str(raw.name),
        event: str(raw.event),
        conclusion: str(raw.conclusion),
        url: str(raw.html_url),
      };
    } else {
      rec = {
        id: str(raw.id) ?? str(raw.iid) ?? '',
        commit: str(raw.sha) ?? '',
        ref: str(raw.ref),
        startedAt: str(raw.started_at) ?? str(raw.created_at),
        workflow: str(raw.source),
        conclusion: str(raw.status),
        url: str(raw.web_url),
        repo: str(raw.project_path) ?? (typeof raw.project_id === 'number' ? undefined : str(raw.project_id)),
      };
    }
    return finish(rec, kind, source, path, { index: i });
  });
}

function finish(
  rec: Omit<BuildRecord, 'format' | 'source'>,
  format: BuildFormat,
  source: string,
  path: string,
  where: { line?: number; index?: number },
): BuildRecord {
  const at = where.line !== undefined ? '' : ` #${where.index}`;
  if (!rec.id) throw new UsageError(`build record${at} has no id`, { path, line: where.line });
  if (!rec.commit) throw new UsageError(`build record${at} has no commit`, { path, line: where.line });
  if (!HEX.test(rec.commit))
    throw new UsageError(`build record${at}: "${rec.commit.slice(0, 80)}" is not a commit id`, { path, line: where.line });
  if (rec.startedAt !== undefined) {
    const ms = Date.parse(rec.startedAt);
    if (Number.isNaN(ms))
      throw new UsageError(`build record${at}: "${rec.startedAt.slice(0, 80)}" is not a date`, { path, line: where.line });
    rec.startedAt = new Date(ms).toISOString();
  }
  const out: BuildRecord = { ...rec, commit: rec.commit.toLowerCase(), format, source };
  for (const k of Object.keys(out) as (keyof BuildRecord)[]) if (out[k] === undefined) delete out[k];
  return out;
}

const CSV_COLUMNS: Record<string, keyof BuildRecord> = {
  repo: 'repo',
  repository: 'repo',
  project: 'repo',
  commit: 'commit',
  sha: 'commit',
  head_sha: 'commit',
  started_at: 'startedAt',
  startedat: 'startedAt',
  created_at: 'startedAt',
  date: 'startedAt',
  id: 'id',
  build: 'id',
  run_id: 'id',
  url: 'url',
  workflow: 'workflow',
  ref: 'ref',
  branch: 'ref',
};
const CSV_POSITIONAL: (keyof BuildRecord)[] = ['repo', 'commit', 'startedAt', 'id', 'url', 'workflow', 'ref'];

function parseCsvRecords(text: string, path: string): BuildRecord[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      comment: '#',
      comment_no_infix: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new UsageError(`build records CSV: ${(e as Error).message}`, { path, line });
  }
  if (rows.length === 0) throw new UsageError('build records file has no rows', { path });
  const head = rows[0]!.record.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  let columns: (keyof BuildRecord | undefined)[];
  let start = 0;
  if (head.some((h) => CSV_COLUMNS[h] === 'commit')) {
    columns = head.map((h) => CSV_COLUMNS[h]);
    start = 1;
  } else {
    columns = CSV_POSITIONAL;
  }
  const out: BuildRecord[] = [];
  for (let i = start; i < rows.length; i++) {
    const { record, info } = rows[i]!;
    const line = info.lines;
    const rec: Record<string, string> = {};
    record.forEach((v, k) => {
      const col = columns[k];
      if (col && v !== '') rec[col] = v;
    });
    out.push(
      finish(
        rec as unknown as Omit<BuildRecord, 'format' | 'source'>,
        'csv',
        `${path}:${line}`,
        path,
        { line },
      ),
    );
  }
  return out;
}

// ---- matching -------------------------------------------------------------------------------------------

export interface RepoHistory {
  /** The repository label used in findings (`.`, `web`, `services/api`). */
  repo: string;
  history: HistoryResult;
}

export interface MatchBuildsResult {
  /** Builds whose commit resolved at least one finding. */
  builds: Build[];
  /** Records whose commit (or repository) was not found. */
  gaps: Gap[];
  /** Records matched to a commit that resolved nothing. */
  clean: number;
}

/** Does a record's repository name denote this scanned repository label? */
export function repoNameMatches(recordRepo: string, label: string): boolean {
  const norm = (s: string) => s.replace(/\.git$/, '').replace(/\/+$/, '').toLowerCase();
  const a = norm(recordRepo);
  const b = norm(label);
  if (a === b) return true;
  const lastA = a.slice(a.lastIndexOf('/') + 1);
  const lastB = b.slice(b.lastIndexOf('/') + 1);
  return lastA !== '' && lastA === lastB && b !== '.';
}

/** Match build records to the swept repositories' commits. */
export async function matchBuilds(records: BuildRecord[], repos: RepoHistory[]): Promise<MatchBuildsResult> {
  const builds: Build[] = [];
  const gaps: Gap[] = [];
  let clean = 0;

  // Which repositories each record may belong to.
  const candidates = records.map((r) => {
    if (!r.repo) return repos;
    const exact = repos.filter((x) => x.repo.toLowerCase() === r.repo!.toLowerCase());
    if (exact.length > 0) return exact;
    const named = repos.filter((x) => repoNameMatches(r.repo!, x.repo));
    if (named.length > 0) return named;
    // A single scanned repository at `.` is what a file naming one repository is about.
    return repos.length === 1 && repos[0]!.repo === '.' ? repos : [];
  });

  // One resolveCommits call per repository with every commit that may be in it.
  const answers = new Map<RepoHistory, Awaited<ReturnType<HistoryResult['resolveCommits']>>>();
  for (const repo of repos) {
    const ids = [...new Set(records.filter((_, i) => candidates[i]!.includes(repo)).map((r) => r.commit))];
    if (ids.length === 0) continue;
    answers.set(repo, await repo.history.resolveCommits(ids));
  }

  records.forEach((rec, i) => {
    const cands = candidates[i]!;
    const gapBase = { path: rec.source, commit: rec.commit, code: 'BUILD_COMMIT_MISSING' as const };
    if (cands.length === 0) {
      gaps.push({
        ...gapBase,
        repo: rec.repo,
        reason: `build ${rec.id}: repository "${rec.repo ?? '?'}" was not scanned, so its commit cannot be checked`,
      });
      return;
    }
    const hits = cands
      .map((repo) => ({ repo, hit: answers.get(repo)?.resolved.get(rec.commit) }))
      .filter((x) => x.hit !== undefined);
    if (hits.length === 0) {
      gaps.push({
        ...gapBase,
        repo: cands.length === 1 ? cands[0]!.repo : rec.repo,
        reason: `build ${rec.id}: commit ${rec.commit} is not in the repository${cands.length > 1 ? ' (searched ' + cands.length + ' repositories)' : ''}: fetch it (or scan the repository it ran in) to know what it built`,
      });
      return;
    }
    // Prefer repositories where the commit is reachable from a ref.
    const best = hits.some((h) => h.hit!.reachable) ? hits.filter((h) => h.hit!.reachable) : hits;
    let any = false;
    for (const { repo, hit } of best) {
      const pkgs = [...new Set(hit!.findings.map((f) => `${f.package}@${f.version} in ${f.lockfile}`))].sort();
      if (pkgs.length === 0) continue;
      any = true;
      const b: Build = { repo: repo.repo, id: rec.id, commit: hit!.commit, packages: pkgs, source: rec.source };
      if (rec.workflow) b.workflow = rec.workflow;
      if (rec.startedAt) b.startedAt = rec.startedAt;
      if (rec.url) b.url = rec.url;
      if (rec.ref) b.ref = rec.ref;
      builds.push(b);
    }
    if (!any) clean++;
  });
  builds.sort((a, b) =>
    a.repo !== b.repo ? (a.repo < b.repo ? -1 : 1) : (a.startedAt ?? '') < (b.startedAt ?? '') ? -1 : (a.startedAt ?? '') > (b.startedAt ?? '') ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return { builds, gaps, clean };
}
