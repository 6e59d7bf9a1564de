/**
 * The history side of `scope`: sweep each git repository, merge the verdicts into the working-tree
 * findings, and read the CI configuration as it was at the exposed commits (a secret removed from a
 * workflow last week was still exposed while the bad version was resolved).
 */
import { readerFor, repoFilesFromRecord, type RepoFiles } from '../ci/index.js';
import { CatFileBatch, runGit } from '../git/exec.js';
import { sweepHistory, type HistoryFinding, type HistoryResult, type SweepProgress } from '../git/history.js';
import { readLockfile } from '../lockfiles/index.js';
import type { TargetIndex } from '../match/index.js';
import type { Finding, Indicator, SecretExposure } from '../report/model.js';
import { CODEOWNERS_LOCATIONS } from '../report/owners.js';
import type { DiscoveredRepo } from '../sources/discover.js';
import type { Gap } from '../types.js';
import { mergeSecrets, repoEvidence, type RepoEvidence } from './evidence.js';
import { fileIndicators, refIndicators } from './indicators.js';
import { hitsOf } from './lockfile-findings.js';

export interface RepoSweep {
  repo: DiscoveredRepo;
  history: HistoryResult;
}

export async function sweepRepo(
  repo: DiscoveredRepo,
  idx: TargetIndex,
  opts: { refs?: string[]; since?: string; until?: string; onProgress?: (p: SweepProgress) => void },
): Promise<RepoSweep> {
  const history = await sweepHistory(repo.root, {
    targets: idx,
    repoLabel: repo.label,
    refs: opts.refs,
    since: opts.since,
    until: opts.until,
    onProgress: opts.onProgress,
  });
  return { repo, history };
}

/**
 * Merge one repository's history into the findings: a finding also in the working tree gets its
 * history; one only in history becomes a finding with present=false (null in a bare repository), its
 * dependency paths computed from its representative blob.
 */
export async function mergeHistory(sweep: RepoSweep, findings: Finding[], idx: TargetIndex): Promise<void> {
  const { repo, history } = sweep;
  const byKey = new Map<string, Finding>();
  for (const f of findings) if (f.repo === repo.label) byKey.set(`${f.lockfile}\0${f.package}\0${f.version}`, f);
  const needPaths: HistoryFinding[] = [];
  for (const h of history.findings) {
    const existing = byKey.get(`${h.lockfile}\0${h.package}\0${h.version}`);
    if (existing) {
      existing.history = h.history;
      continue;
    }
    needPaths.push(h);
  }
  if (needPaths.length === 0) return;
  // One full parse per representative blob, for direct/paths; every finding of that blob is matched.
  const batch = new CatFileBatch(repo.root);
  const parsed = new Map<string, ReturnType<typeof hitsOf> | null>();
  try {
    for (const h of needPaths) {
      const rep = h.representative;
      const key = `${rep.path}\0${rep.blob}`;
      if (!parsed.has(key)) {
        let hits: ReturnType<typeof hitsOf> | null = null;
        try {
          const bytes = await batch.read(rep.blob);
          // The package.json beside the lockfile at that commit names the root and its direct dependencies.
          const dir = rep.path.includes('/') ? rep.path.slice(0, rep.path.lastIndexOf('/') + 1) : '';
          const manifest = await batch.readPath(rep.commit, `${dir}package.json`).catch(() => null);
          const ctx = manifest && manifest.length < 4 * 1024 * 1024 ? { manifest: manifest.toString('utf8') } : undefined;
          if (bytes) hits = hitsOf(readLockfile(bytes, { repo: repo.label, path: rep.path, commit: rep.commit }, ctx), idx);
        } catch {
          hits = null; // the sweep already reported unreadable blobs as gaps
        }
        parsed.set(key, hits);
      }
      const hit = parsed.get(key)?.find((x) => x.package === h.package && x.version === h.version);
      const f: Finding = {
        repo: repo.label,
        lockfile: h.lockfile,
        format: h.format,
        package: h.package,
        version: h.version,
        target: h.target,
        direct: hit?.direct ?? false,
        paths: (hit?.paths ?? []).map((p) => (p[0] === '.' ? [repo.label, ...p.slice(1)] : p)),
        line: hit?.line ?? rep.line,
        present: repo.kind === 'bare' ? null : false,
        history: h.history,
      };
      if (hit?.morePaths) f.morePaths = hit.morePaths;
      if (hit?.installScript || rep.entry.installScript) f.installScript = true;
      if (rep.entry.alias) f.alias = rep.entry.alias;
      if (rep.entry.resolved) f.resolved = rep.entry.resolved;
      if (rep.entry.integrity) f.integrity = rep.entry.integrity;
      findings.push(f);
    }
  } finally {
    batch.close();
  }
}

const MAX_CI_FILE = 2 * 1024 * 1024;
const EXTRA_FILES = new Set(['package.json', 'action.yml', 'action.yaml', '.dockerignore', ...CODEOWNERS_LOCATIONS.map((p) => p.slice(p.lastIndexOf('/') + 1))]);

/** The files of one commit that CI analysis, owners and publishing checks read, as RepoFiles. */
async function commitFiles(repoDir: string, commit: string, batch: CatFileBatch): Promise<{ files: RepoFiles; key: string; paths: string[] }> {
  const out = await runGit(repoDir, ['ls-tree', '-r', '-z', '--full-tree', '-l', commit]);
  const wanted: { path: string; oid: string }[] = [];
  const paths: string[] = [];
  for (const rec of out.stdout.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [, type, oid, size] = rec.slice(0, tab).split(/\s+/);
    const path = rec.slice(tab + 1);
    paths.push(path);
    if (type !== 'blob' || path.split('/').includes('node_modules')) continue;
    if (Number(size) > MAX_CI_FILE) continue;
    const base = path.slice(path.lastIndexOf('/') + 1);
    // CI files, and every YAML file they may include (GitLab local includes, Azure templates, local
    // reusable workflows and actions), plus manifests, CODEOWNERS and .dockerignore.
    if (readerFor(path) || EXTRA_FILES.has(base) || /\.ya?ml$/i.test(base)) wanted.push({ path, oid: oid! });
  }
  const key = wanted.map((w) => `${w.path}:${w.oid}`).join('\n');
  const record: Record<string, string> = {};
  for (const w of wanted) {
    const b = await batch.read(w.oid);
    if (b && !b.subarray(0, 8192).includes(0)) record[w.path] = b.toString('utf8');
  }
  return { files: repoFilesFromRecord(record), key, paths };
}

export interface ExposedEvidence {
  secrets: SecretExposure[];
  gaps: Gap[];
  indicators: Indicator[];
  /** From the newest exposed commit (or the tip). */
  latest?: RepoEvidence;
}

/**
 * Evidence at the exposed commits of one repository: the union over the commits that introduced each
 * finding, each window's first commit, and the tips of affected refs. Each secret names the commits it
 * was exposed at. Distinct sets of CI files are analysed once.
 */
export async function evidenceAtExposedCommits(sweep: RepoSweep): Promise<ExposedEvidence> {
  const { repo, history } = sweep;
  const commits = new Set<string>();
  for (const h of history.findings) {
    for (const c of h.history.introduced) commits.add(c.commit);
    for (const w of h.history.windows) commits.add(w.fromCommit);
    for (const r of h.windowRepresentatives) commits.add(r.commit);
    commits.add(h.representative.commit);
  }
  // The tips of refs that still resolve a bad version are exposed too (a worm's own branch is one).
  const indicators: Indicator[] = [];
  const affectedRefs = new Set(history.findings.flatMap((h) => h.history.refs.filter((r) => r.affectedAtTip).map((r) => r.name)));
  try {
    const refs = await runGit(repo.root, ['for-each-ref', '--format=%(objectname) %(*objectname) %(refname)']);
    const names: string[] = [];
    for (const line of refs.stdout.toString('utf8').split('\n')) {
      const m = /^([0-9a-f]+) ([0-9a-f]*) (.+)$/.exec(line);
      if (!m) continue;
      names.push(m[3]!);
      if (affectedRefs.has(m[3]!)) commits.add(m[2] || m[1]!);
    }
    indicators.push(...refIndicators(repo.label, names));
  } catch {
    /* refs were read by the sweep already; a failure here only loses the extra tips */
  }
  if (commits.size === 0) return { secrets: [], gaps: [], indicators };
  const ordered = [...commits].sort((a, b) => (history.commitInfo(a)?.date ?? '').localeCompare(history.commitInfo(b)?.date ?? '') || a.localeCompare(b));
  const batch = new CatFileBatch(repo.root);
  const byKey = new Map<string, { ev: RepoEvidence; commits: string[] }>();
  const gaps: Gap[] = [];
  try {
    for (const c of ordered) {
      let cf: { files: RepoFiles; key: string; paths: string[] };
      try {
        cf = await commitFiles(repo.root, c, batch);
      } catch (e) {
        gaps.push({ repo: repo.label, path: '.', commit: c, code: 'GIT_ERROR', reason: `cannot list the tree: ${(e as Error).message}`.slice(0, 300) });
        continue;
      }
      indicators.push(...fileIndicators(repo.label, cf.paths, c));
      const seen = byKey.get(cf.key);
      if (seen) {
        seen.commits.push(c);
        continue;
      }
      byKey.set(cf.key, { ev: repoEvidence(cf.files, repo.label), commits: [c] });
    }
  } finally {
    batch.close();
  }
  // Union of secrets by identity, each with the commits it was seen at.
  const tagged: SecretExposure[] = [];
  for (const { ev, commits: cs } of byKey.values()) {
    for (const s of ev.secrets) tagged.push({ ...s, commits: [...cs] });
    for (const g of ev.gaps) gaps.push({ ...g, commit: g.commit ?? cs[0] });
  }
  const secrets = mergeSecrets(tagged).map((s) => {
    const cs = [...(s.commits as string[])].sort((a, b) => (history.commitInfo(a)?.date ?? '').localeCompare(history.commitInfo(b)?.date ?? '') || a.localeCompare(b));
    const dates = cs.map((c) => history.commitInfo(c)?.date).filter((d): d is string => !!d);
    return { ...s, commits: cs, exposedFrom: dates[0], exposedTo: dates[dates.length - 1] };
  });
  const latestKey = [...byKey.values()].pop();
  return { secrets, gaps, indicators, latest: latestKey?.ev };
}
