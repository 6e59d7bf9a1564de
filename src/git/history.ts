/**
 * The history sweep, blob-centric (DESIGN.md "History is blob-centric"):
 * 1. one `rev-list` over every ref (or the refs named) gives the commit graph with committer dates;
 * 2. one `log --raw --diff-merges=first-parent --full-history` restricted to lockfile names gives, for
 *    every commit that changed a lockfile, the (path, blob) pairs that differ from its FIRST parent;
 *    replaying those diffs in topological order gives every commit's exact set of lockfile (path, blob)
 *    pairs (commits that change no lockfile share their first parent's state object);
 * 3. each distinct blob is read once through one `git cat-file --batch`; blobs whose raw bytes hold no
 *    target name are not parsed; the rest are parsed once per format;
 * 4. verdicts are mapped back onto commits, refs, tags and per-branch exposure windows.
 * Cost grows with distinct lockfile versions (and linearly with commits for the bookkeeping), not with
 * commits x lockfiles.
 */
import { LockfileError, UsageError } from '../errors.js';
import { lockfileKind, LOCKFILE_BASENAMES, readLockfile } from '../lockfiles/index.js';
import type { TargetIndex } from '../match/index.js';
import type { CommitRef, ExposureWindow, FindingHistory, RefState } from '../report/model.js';
import type { Entry, Gap, GapCode, LockfileFormat, Origin, ParseResult, Target } from '../types.js';
import {
  CatFileBatch,
  GitError,
  gitDirOfDir,
  isPartialClone,
  runGit,
  shallowCommits,
  SKIPPED,
  ThreadedCatFile,
  type ObjectReader,
} from './exec.js';
import { hasEscapes, NEEDLE_LIMIT } from './scan.js';
import { scanLockfileBlob } from './scan-blocks.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { LFS_POINTER as LFS_POINTER_TEXT } from '../lockfiles/index.js';

export type BlobReader = (bytes: Buffer | string, origin: Origin) => ParseResult;

export interface SweepProgress {
  phase: 'refs' | 'walk' | 'diff' | 'read' | 'verdicts' | 'done';
  commits: number;
  blobsRead: number;
  blobsTotal: number;
}

export interface SweepOptions {
  targets: TargetIndex;
  /** Repository label for Origin.repo, findings and gaps ('.' by default). */
  repoLabel?: string;
  /** for-each-ref patterns (`refs/heads/`, `refs/tags/v*`) narrowing the refs walked; all refs by default. */
  refs?: string[];
  /** Passed to git as --since / --until (committer dates). */
  since?: string;
  until?: string;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** The lockfile reader (default: the registry's readLockfile). */
  reader?: BlobReader;
  /** Blob reads kept in flight (default 8). */
  readAhead?: number;
  /** git cat-file processes reading distinct blobs in parallel (default 1; at most the cores, and 4). */
  readers?: number;
  /** Read every candidate blob whole instead of cutting out the entries that can match (default false). */
  fullParse?: boolean;
  /** Drain git's output in a worker thread so reading and judging overlap (default true). */
  threaded?: boolean;
}

export interface Representative {
  path: string;
  blob: string;
  /** A commit whose tree holds this blob at this path. */
  commit: string;
  line: number;
  entry: Entry;
}

export interface HistoryFinding {
  /** `lockfile\0package\0version`, unique per repository. */
  key: string;
  repo: string;
  lockfile: string;
  format: LockfileFormat;
  package: string;
  version: string;
  /** The first target that matched, as `name@range`. */
  target: string;
  targets: Target[];
  history: FindingHistory;
  /** The blob at the most recent affected commit (by committer date). */
  representative: Representative;
  /** One representative blob per exposure window: the blob at the window's first commit. */
  windowRepresentatives: (Representative & { ref: string; fromCommit: string })[];
}

export interface SweepStats {
  commits: number;
  refs: number;
  /** Commits whose diff touched a lockfile. */
  lockfileCommits: number;
  distinctBlobs: number;
  blobsRead: number;
  /** Blobs read whole by their reader. */
  blobsParsed: number;
  /** Blobs judged from the entries cut out around target names (see scan.ts, scan-blocks.ts). */
  blobsScanned: number;
  bytesRead: number;
}

export interface ResolvedCommit {
  commit: string;
  /** Whether the commit is reachable from the refs swept. */
  reachable: boolean;
  findings: HistoryFinding[];
}

export interface ResolveResult {
  /** Keyed by the commit id as given (short or full). */
  resolved: Map<string, ResolvedCommit>;
  /** Ids not found in the repository (or ambiguous). */
  missing: string[];
  /** Gaps met while reading lockfiles of commits outside the sweep. */
  gaps: Gap[];
}

export interface HistoryResult {
  repo: string;
  findings: HistoryFinding[];
  gaps: Gap[];
  stats: SweepStats;
  shallow: boolean;
  /** Metadata of a swept commit (full id), or undefined. */
  commitInfo(sha: string): { commit: string; date: string; parents: string[] } | undefined;
  /** Which findings each commit resolves. Short ids are expanded; commits outside the sweep are read. */
  resolveCommits(commits: string[]): Promise<ResolveResult>;
}

const ZERO = /^0+$/;
const LFS_POINTER = Buffer.from(LFS_POINTER_TEXT);

/** Pathspecs selecting lockfile names at any depth. */
export function lockfilePathspecs(): string[] {
  return LOCKFILE_BASENAMES.map((b) => `:(glob)**/${b}`);
}

type LockState = ReadonlyMap<string, string>; // path -> blob

interface BlobVerdict {
  matches: { entry: Entry; targets: Target[]; format: LockfileFormat }[];
  gap?: { code: GapCode; reason: string };
  format?: LockfileFormat;
}

interface FindingAcc {
  id: number;
  path: string;
  pkg: string;
  version: string;
  format: LockfileFormat;
  targets: Target[];
  /** blob -> line/entry */
  blobs: Map<string, Entry>;
}

function isoDate(ts: number): string {
  return new Date(ts * 1000).toISOString();
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const r: unknown = signal.reason;
    throw r instanceof Error ? r : new Error('aborted');
  }
}

/** Parse `ls-tree -r -z` output into lockfile (path, blob) pairs. */
function parseLsTree(out: Buffer): Map<string, string> {
  const state = new Map<string, string>();
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid] = rec.slice(0, tab).split(' ');
    const path = rec.slice(tab + 1);
    if (type !== 'blob' || mode === '120000' || !oid) continue;
    if (lockfileKind(path) === null) continue;
    state.set(path, oid);
  }
  return state;
}

/** Sweep a repository's history for the targets. Never throws for git failures: they become gaps. */
export async function sweepHistory(repoDir: string, opts: SweepOptions): Promise<HistoryResult> {
  for (const r of opts.refs ?? []) {
    if (r.startsWith('-') || r.includes('\0')) throw new UsageError(`bad ref pattern: ${JSON.stringify(r)}`);
  }
  for (const d of [opts.since, opts.until]) {
    if (d !== undefined && (d.startsWith('-') || d.includes('\0'))) throw new UsageError(`bad date: ${JSON.stringify(d)}`);
  }
  const repo = opts.repoLabel ?? '.';
  const reader: BlobReader = opts.reader ?? ((b, o) => readLockfile(b, o));
  const targets = opts.targets;
  const signal = opts.signal;
  const gaps: Gap[] = [];
  const stats: SweepStats = {
    commits: 0,
    refs: 0,
    lockfileCommits: 0,
    distinctBlobs: 0,
    blobsRead: 0,
    blobsParsed: 0,
    blobsScanned: 0,
    bytesRead: 0,
  };
  const progress = (phase: SweepProgress['phase'], blobsRead = 0, blobsTotal = 0) =>
    opts.onProgress?.({ phase, commits: stats.commits, blobsRead, blobsTotal });

  // Commit graph storage (index-based).
  const shas: string[] = [];
  const index = new Map<string, number>();
  const ts: number[] = [];
  const parentIdx: number[][] = [];
  /** Parents outside the walked set (--since boundary), by commit index. */
  const outerParents: string[][] = [];
  /** Every parent id in git's order (first parent first), by commit index. */
  const rawParents: string[][] = [];
  const refs: { name: string; tip: string }[] = [];

  const blobVerdicts = new Map<string, BlobVerdict>(); // `${kind}:${oid}`
  const findingsById: FindingAcc[] = [];
  const findingByKey = new Map<string, FindingAcc>();
  const pairFindings = new Map<string, number[]>(); // `${path}\0${oid}` -> finding ids
  const gapSeen = new Set<string>();

  const shallow = safe(() => shallowCommits(repoDir), []);
  const partial = safe(() => isPartialClone(repoDir), false);

  const emptyResult = (): HistoryResult => makeResult([], new Map());

  function makeResult(findings: HistoryFinding[], stateOf: Map<number, LockState>): HistoryResult {
    const sortedShas = [...shas].sort();
    return {
      repo,
      findings,
      gaps,
      stats,
      shallow: shallow.length > 0,
      commitInfo(sha) {
        const i = index.get(sha);
        if (i === undefined) return undefined;
        return { commit: sha, date: isoDate(ts[i]!), parents: [...rawParents[i]!] };
      },
      resolveCommits: (ids) => resolveCommits(ids, sortedShas, stateOf, findings),
    };
  }

  // ---- verdicts on blobs -------------------------------------------------------------------------
  function verdictFor(bytes: Buffer | null, path: string): BlobVerdict {
    if (bytes === null) {
      return {
        matches: [],
        gap: {
          code: 'MISSING_OBJECT',
          reason: partial
            ? 'blob missing from this partial clone (not fetched): fetch it (git fetch --refetch, or clone without --filter) and scan again'
            : 'blob missing from the object database (corrupt or incomplete repository)',
        },
      };
    }
    const origin: Origin = { repo, path, commit: undefined };
    if (bytes.subarray(0, LFS_POINTER.length).equals(LFS_POINTER)) {
      return {
        matches: [],
        gap: { code: 'LFS_POINTER', reason: 'Git LFS pointer, not the lockfile: fetch the LFS object and scan again' },
      };
    }
    const kind = lockfileKind(path);
    if (!opts.fullParse) {
      const scan = scanLockfileBlob(kind, bytes, targets);
      if (scan && scan.text === null) return { matches: [] };
      if (scan) {
        try {
          const mini = reader(scan.text!, origin);
          if (!mini.warnings.some((w) => scan.fallbackOn.has(w.code))) {
            stats.blobsScanned++;
            const matches: BlobVerdict['matches'] = [];
            for (const entry of mini.entries) {
              const t = targets.match(entry);
              // The blob line is counted later, only for the blobs that become representatives
              // (counting lines in every matching multi-MB blob costs more than the scan): the line of
              // the small document is kept, negated, until fixLines() maps it.
              if (t.length > 0) matches.push({ entry: { ...entry, line: -entry.line }, targets: t, format: mini.format });
            }
            return { matches, format: mini.format };
          }
        } catch {
          // The fragments did not read: read the whole blob below.
        }
      }
    }
    // A name spelled with escapes has no literal bytes: such a blob is read whole.
    if (!targets.anyNameIn(bytes) && !hasEscapes(bytes)) return { matches: [] };
    stats.blobsParsed++;
    let parsed: ParseResult;
    try {
      parsed = reader(bytes, origin);
    } catch (e) {
      if (e instanceof LockfileError) return { matches: [], gap: { code: e.gapCode, reason: e.message } };
      return { matches: [], gap: { code: 'READ_ERROR', reason: `reader failed: ${(e as Error).message}` } };
    }
    const matches: BlobVerdict['matches'] = [];
    for (const entry of parsed.entries) {
      const t = targets.match(entry);
      if (t.length > 0) matches.push({ entry, targets: t, format: parsed.format });
    }
    return { matches, format: parsed.format };
  }

  function pairKey(path: string, oid: string): string {
    return `${path}\0${oid}`;
  }

  function recordPair(path: string, oid: string, v: BlobVerdict, firstCommit: string | undefined): number[] {
    const pk = pairKey(path, oid);
    const have = pairFindings.get(pk);
    if (have) return have;
    if (v.gap) {
      if (!gapSeen.has(pk)) {
        gapSeen.add(pk);
        gaps.push({ repo, path, commit: firstCommit, code: v.gap.code, reason: `${v.gap.reason} (blob ${oid})` });
      }
    }
    const ids: number[] = [];
    for (const m of v.matches) {
      const key = `${path}\0${m.entry.name}\0${m.entry.version}`;
      let f = findingByKey.get(key);
      if (!f) {
        f = {
          id: findingsById.length,
          path,
          pkg: m.entry.name,
          version: m.entry.version,
          format: m.format,
          targets: m.targets,
          blobs: new Map(),
        };
        findingsById.push(f);
        findingByKey.set(key, f);
      }
      if (!f.blobs.has(oid)) f.blobs.set(oid, m.entry);
      if (!ids.includes(f.id)) ids.push(f.id);
    }
    pairFindings.set(pk, ids);
    return ids;
  }

  /** Read and judge (path, oid) pairs not judged yet. */
  async function judgePairs(
    pairs: { path: string; oid: string; commit?: string }[],
    cats: ObjectReader | ObjectReader[],
    onRead?: (n: number) => void,
  ): Promise<void> {
    const todo = pairs.filter((p) => !pairFindings.has(pairKey(p.path, p.oid)));
    // Group by oid: each blob is read once, parsed once per lockfile kind.
    const byOid = new Map<string, { path: string; commit?: string }[]>();
    for (const p of todo) {
      const l = byOid.get(p.oid);
      if (l) l.push(p);
      else byOid.set(p.oid, [p]);
    }
    const oids = [...byOid.keys()].filter((oid) => {
      // Already-judged kinds need no read.
      return byOid.get(oid)!.some((p) => !blobVerdicts.has(`${lockfileKind(p.path)}:${oid}`));
    });
    const ahead = Math.max(1, opts.readAhead ?? 8);
    const readers = Array.isArray(cats) ? cats : [cats];
    let done = 0;
    // Contiguous chunks, one reader (one git process) each: consecutive lockfile versions share delta
    // bases, so a chunk keeps git's delta cache warm while the chunks decompress on separate cores.
    const chunk = Math.ceil(oids.length / readers.length);
    const drain = async (cat: ObjectReader, list: string[]) => {
      const inflight: Promise<Buffer | null | typeof SKIPPED>[] = [];
      const read = (oid: string): Promise<Buffer | null | typeof SKIPPED> => {
        const pr = cat.readFiltered ? cat.readFiltered(oid) : cat.read(oid);
        pr.catch(() => undefined); // awaited in order below; avoid unhandled rejections after a failure
        return pr;
      };
      for (let i = 0; i < Math.min(ahead, list.length); i++) inflight.push(read(list[i]!));
      for (let i = 0; i < list.length; i++) {
        throwIfAborted(signal);
        const bytes = await inflight[i]!;
        inflight[i] = undefined as unknown as Promise<Buffer | null | typeof SKIPPED>;
        if (i + ahead < list.length) inflight[i + ahead] = read(list[i + ahead]!);
        stats.blobsRead++;
        const oid = list[i]!;
        for (const p of byOid.get(oid)!) {
          const vk = `${lockfileKind(p.path)}:${oid}`;
          if (!blobVerdicts.has(vk)) blobVerdicts.set(vk, bytes === SKIPPED ? { matches: [] } : verdictFor(bytes, p.path));
        }
        onRead?.(++done);
      }
    };
    await Promise.all(readers.map((cat, k) => drain(cat, oids.slice(k * chunk, (k + 1) * chunk))));
    for (const p of todo) {
      const v = blobVerdicts.get(`${lockfileKind(p.path)}:${p.oid}`)!;
      recordPair(p.path, p.oid, v, p.commit);
    }
  }

  function stateFindings(state: LockState, cache: Map<LockState, Set<number>>): Set<number> {
    let s = cache.get(state);
    if (s) return s;
    s = new Set<number>();
    for (const [path, oid] of state) for (const id of pairFindings.get(pairKey(path, oid)) ?? []) s.add(id);
    cache.set(state, s);
    return s;
  }

  /**
   * Map the small-document lines of fast-path entries to blob lines: each blob is read again and
   * scanned again (the scan is deterministic), once.
   */
  async function fixLines(items: { oid: string; path: string; entry: Entry }[], reader: ObjectReader): Promise<void> {
    const todo = new Map<string, { path: string; entries: Entry[] }>();
    for (const it of items) {
      if (it.entry.line >= 0) continue;
      const t = todo.get(it.oid) ?? { path: it.path, entries: [] };
      if (!t.entries.includes(it.entry)) t.entries.push(it.entry);
      todo.set(it.oid, t);
    }
    for (const [oid, t] of todo) {
      const bytes = await reader.read(oid);
      const scan = bytes ? scanLockfileBlob(lockfileKind(t.path), bytes, targets) : null;
      for (const e of t.entries) if (e.line < 0) e.line = scan ? scan.lineOf(-e.line) : 1;
    }
  }

  async function fixRepresentativeLines(list: HistoryFinding[], reader: ObjectReader): Promise<void> {
    const reps = list.flatMap((f) => [f.representative, ...f.windowRepresentatives]);
    await fixLines(
      reps.map((r) => ({ oid: r.blob, path: r.path, entry: r.entry })),
      reader,
    );
    for (const r of reps) r.line = r.entry.line;
  }

  // ---- resolveCommits (for build records) --------------------------------------------------------
  async function resolveCommits(
    ids: string[],
    sortedShas: string[],
    stateOf: Map<number, LockState>,
    findings: HistoryFinding[],
  ): Promise<ResolveResult> {
    const resolved = new Map<string, ResolvedCommit>();
    const missing: string[] = [];
    const gapStart = gaps.length;
    const byKey = new Map(findings.map((f) => [f.key, f]));
    const cache = new Map<LockState, Set<number>>();
    const toFindings = (s: Set<number>) =>
      [...s]
        .map((id) => {
          const a = findingsById[id]!;
          return byKey.get(`${a.path}\0${a.pkg}\0${a.version}`);
        })
        .filter((f): f is HistoryFinding => f !== undefined);
    const outside: { input: string }[] = [];
    for (const raw of ids) {
      const id = raw.trim().toLowerCase();
      if (!/^[0-9a-f]{4,64}$/.test(id)) {
        missing.push(raw);
        continue;
      }
      const full = expand(id, sortedShas);
      if (full === 'ambiguous') {
        missing.push(raw);
        continue;
      }
      if (full) {
        const i = index.get(full)!;
        resolved.set(raw, { commit: full, reachable: true, findings: toFindings(stateFindings(stateOf.get(i)!, cache)) });
      } else outside.push({ input: raw });
    }
    if (outside.length > 0) {
      // Commits not reachable from the swept refs may still be in the object database.
      const check = await runGit(repoDir, ['cat-file', '--batch-check'], {
        input: outside.map((o) => `${o.input.trim().toLowerCase()}^{commit}`).join('\n') + '\n',
        signal,
      }).catch(() => null);
      const lines = check ? check.stdout.toString('utf8').split('\n') : [];
      const cat = new CatFileBatch(repoDir, signal);
      try {
        for (let k = 0; k < outside.length; k++) {
          const o = outside[k]!;
          const m = /^([0-9a-f]{40,64}) commit \d+$/.exec(lines[k] ?? '');
          if (!m) {
            missing.push(o.input);
            continue;
          }
          const full = m[1]!;
          let state: Map<string, string>;
          try {
            state = parseLsTree((await runGit(repoDir, ['ls-tree', '-r', '-z', '--full-tree', full], { signal })).stdout);
          } catch (e) {
            gaps.push({ repo, path: '.', commit: full, code: 'GIT_ERROR', reason: (e as Error).message });
            missing.push(o.input);
            continue;
          }
          await judgePairs(
            [...state].map(([path, oid]) => ({ path, oid, commit: full })),
            cat,
          );
          const fs = new Set<number>();
          for (const [path, oid] of state) for (const id of pairFindings.get(pairKey(path, oid)) ?? []) fs.add(id);
          // Findings met only outside the sweep have no HistoryFinding: build one without history.
          const out: HistoryFinding[] = [];
          for (const id of fs) {
            const a = findingsById[id]!;
            const hf = byKey.get(`${a.path}\0${a.pkg}\0${a.version}`) ?? bareFinding(a, full, state.get(a.path)!);
            out.push(hf);
          }
          await fixRepresentativeLines(out.filter((f) => !byKey.has(f.key)), cat);
          resolved.set(o.input, { commit: full, reachable: false, findings: out });
        }
      } finally {
        cat.close();
      }
    }
    const miss = new Set(missing);
    return { resolved, missing: ids.filter((x) => miss.has(x)), gaps: gaps.slice(gapStart) };
  }

  function bareFinding(a: FindingAcc, commit: string, oid: string): HistoryFinding {
    const entry = a.blobs.get(oid) ?? [...a.blobs.values()][0]!;
    const rep: Representative = { path: a.path, blob: oid, commit, line: entry.line, entry };
    return {
      key: `${a.path}\0${a.pkg}\0${a.version}`,
      repo,
      lockfile: a.path,
      format: a.format,
      package: a.pkg,
      version: a.version,
      target: `${a.targets[0]!.name}@${a.targets[0]!.range}`,
      targets: a.targets,
      history: { introduced: [], removed: [], affectedCommits: 0, refs: [], tags: [], windows: [] },
      representative: rep,
      windowRepresentatives: [],
    };
  }

  // ---- 1. refs ---------------------------------------------------------------------------------------
  progress('refs');
  let cat: CatFileBatch | null = null;
  try {
    if (shallow.length > 0) {
      for (const c of shallow.slice(0, 20)) {
        gaps.push({
          repo,
          path: '.',
          commit: c,
          code: 'SHALLOW_HISTORY',
          reason:
            'shallow clone: history before this commit is missing, so earlier exposure and the true introducing commit are unknown (run `git fetch --unshallow` and scan again)',
        });
      }
    }
    const fer = await runGit(
      repoDir,
      ['for-each-ref', '--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)', ...(opts.refs ?? [])],
      { signal },
    );
    const unpeeled: { name: string; oid: string }[] = [];
    for (const line of fer.stdout.toString('utf8').split('\n')) {
      if (!line) continue;
      const m = /^(\S+) (\S+) (\S*) (\S*) (.+)$/.exec(line);
      if (!m) continue;
      const [, oid, type, poid, ptype, name] = m;
      if (type === 'commit') refs.push({ name: name!, tip: oid! });
      else if (type === 'tag' && ptype === 'commit') refs.push({ name: name!, tip: poid! });
      else if (type === 'tag' && ptype === 'tag') unpeeled.push({ name: name!, oid: oid! });
    }
    if (unpeeled.length > 0) {
      const r = await runGit(repoDir, ['cat-file', '--batch-check'], {
        input: unpeeled.map((u) => `${u.oid}^{commit}`).join('\n') + '\n',
        signal,
      });
      r.stdout
        .toString('utf8')
        .split('\n')
        .forEach((l, k) => {
          const m = /^([0-9a-f]{40,64}) commit /.exec(l);
          if (m && unpeeled[k]) refs.push({ name: unpeeled[k]!.name, tip: m[1]! });
        });
    }
    if (!opts.refs || opts.refs.length === 0) {
      // A detached HEAD is a ref of its own (--all includes HEAD).
      try {
        const head = readFileSync(join(gitDirOfDir(repoDir), 'HEAD'), 'utf8').trim();
        if (/^[0-9a-f]{40,64}$/.test(head)) refs.push({ name: 'HEAD', tip: head });
      } catch {
        /* no HEAD file: nothing to add */
      }
    }
    stats.refs = refs.length;
    const tips = [...new Set(refs.map((r) => r.tip))];
    if (tips.length === 0) {
      progress('done');
      return emptyResult();
    }
    const range: string[] = [];
    if (opts.since) range.push(`--since=${opts.since}`);
    if (opts.until) range.push(`--until=${opts.until}`);

    // ---- 2. the commit graph -----------------------------------------------------------------------
    progress('walk');
    const rl = await runGit(repoDir, ['rev-list', '--timestamp', '--parents', '--topo-order', '--reverse', ...range, '--stdin'], {
      input: tips.join('\n') + '\n',
      signal,
    });
    const lines = rl.stdout.toString('latin1').split('\n');
    for (const line of lines) {
      if (!line) continue;
      const parts = line.split(' ');
      const i = shas.length;
      shas.push(parts[1]!);
      index.set(parts[1]!, i);
      ts.push(Number(parts[0]));
      rawParents.push(parts.slice(2));
    }
    stats.commits = shas.length;
    for (let i = 0; i < shas.length; i++) {
      const inside: number[] = [];
      const outer: string[] = [];
      for (const p of rawParents[i]!) {
        const pi = index.get(p);
        if (pi === undefined) outer.push(p);
        else inside.push(pi);
      }
      parentIdx.push(inside);
      outerParents.push(outer);
    }
    progress('walk');

    // ---- 3. lockfile changes against the first parent --------------------------------------------
    progress('diff');
    throwIfAborted(signal);
    const changes = new Map<string, { path: string; oid: string | null }[]>();
    const log = await runGit(
      repoDir,
      [
        'log',
        '--stdin',
        '--format=C%H',
        '-z',
        '--raw',
        '--no-abbrev',
        '--no-renames',
        '--diff-merges=first-parent',
        '--full-history',
        '--root',
        '--no-textconv',
        '--no-ext-diff',
        '--no-color',
        '--no-show-signature',
        '--no-decorate',
        ...range,
        '--',
        ...lockfilePathspecs(),
      ],
      { input: tips.join('\n') + '\n', signal },
    );
    {
      const tok = log.stdout.toString('utf8').split('\0');
      let cur: { path: string; oid: string | null }[] | null = null;
      for (let k = 0; k < tok.length; k++) {
        let t = tok[k]!;
        if (t.charCodeAt(0) === 10) t = t.replace(/^\n+/, '');
        if (t === '') continue;
        if (t.charCodeAt(0) === 67 /* C */ && /^C[0-9a-f]{40,64}$/.test(t)) {
          cur = [];
          changes.set(t.slice(1), cur);
          continue;
        }
        if (t.charCodeAt(0) === 58 /* : */) {
          const path = tok[++k] ?? '';
          const f = t.slice(1).split(' ');
          const newMode = f[1]!;
          const newOid = f[3]!;
          const status = f[4] ?? '';
          if (!cur || lockfileKind(path) === null) continue;
          const gone = status.startsWith('D') || ZERO.test(newOid) || newMode === '120000' || newMode === '160000';
          cur.push({ path, oid: gone ? null : newOid });
        }
      }
    }
    stats.lockfileCommits = changes.size;

    // States: replay first-parent diffs in topological order.
    const EMPTY: LockState = new Map();
    const stateOf = new Map<number, LockState>();
    const outerState = new Map<string, LockState>();
    for (const i of shas.keys()) {
      const first = rawParents[i]![0];
      if (first !== undefined && !index.has(first) && !outerState.has(first)) {
        try {
          outerState.set(first, parseLsTree((await runGit(repoDir, ['ls-tree', '-r', '-z', '--full-tree', first], { signal })).stdout));
        } catch (e) {
          if (e instanceof GitError) {
            gaps.push({ repo, path: '.', commit: first, code: 'GIT_ERROR', reason: e.message });
            outerState.set(first, EMPTY);
          } else throw e;
        }
      }
    }
    // Outer parents other than the first also need states for introduced/removed.
    for (const outer of outerParents) {
      for (const p of outer) {
        if (outerState.has(p)) continue;
        try {
          outerState.set(p, parseLsTree((await runGit(repoDir, ['ls-tree', '-r', '-z', '--full-tree', p], { signal })).stdout));
        } catch (e) {
          if (e instanceof GitError) outerState.set(p, EMPTY);
          else throw e;
        }
      }
    }
    const pairs: { path: string; oid: string; commit?: string }[] = [];
    const seenPair = new Set<string>();
    for (const [c, st] of outerState) {
      for (const [path, oid] of st) {
        const pk = pairKey(path, oid);
        if (!seenPair.has(pk)) {
          seenPair.add(pk);
          pairs.push({ path, oid, commit: c });
        }
      }
    }
    for (let i = 0; i < shas.length; i++) {
      const first = rawParents[i]![0];
      const base = first === undefined ? EMPTY : (index.has(first) ? stateOf.get(index.get(first)!) : outerState.get(first)) ?? EMPTY;
      const ch = changes.get(shas[i]!);
      if (!ch || ch.length === 0) {
        stateOf.set(i, base);
        continue;
      }
      const next = new Map(base);
      for (const c of ch) {
        if (c.oid === null) next.delete(c.path);
        else {
          next.set(c.path, c.oid);
          const pk = pairKey(c.path, c.oid);
          if (!seenPair.has(pk)) {
            seenPair.add(pk);
            pairs.push({ path: c.path, oid: c.oid, commit: shas[i] });
          }
        }
      }
      stateOf.set(i, next);
    }
    changes.clear();

    // ---- 4. read each distinct blob once ------------------------------------------------------------
    stats.distinctBlobs = new Set(pairs.map((p) => p.oid)).size;
    // With few targets the worker drops blobs holding none of the names before they reach this thread.
    // Optionally several git processes (git's inflate is single-threaded). Measured on 2 cores it trades
    // ~7% of sweep time for ~25% more peak memory, so one reader is the default; more cores may differ.
    const nReaders = stats.distinctBlobs >= 16 ? Math.max(1, Math.min(opts.readers ?? 1, availableParallelism(), 4)) : 1;
    const blobReaders: ObjectReader[] = Array.from({ length: nReaders }, () =>
      opts.threaded === false
        ? new CatFileBatch(repoDir, signal)
        : new ThreadedCatFile(repoDir, signal, targets.names.length <= NEEDLE_LIMIT ? targets.names : undefined),
    );
    let lastTick = 0;
    progress('read', 0, stats.distinctBlobs);
    try {
      await judgePairs(pairs, blobReaders, (n) => {
        const now = Date.now();
        if (now - lastTick > 100 || n === stats.distinctBlobs) {
          lastTick = now;
          progress('read', n, stats.distinctBlobs);
        }
      });
    } finally {
      for (const r of blobReaders) r.close();
    }
    stats.bytesRead = blobReaders.reduce((n, r) => n + r.bytesRead, 0);
    cat = new CatFileBatch(repoDir, signal);

    // ---- 5. verdicts on commits ---------------------------------------------------------------------
    progress('verdicts', stats.blobsRead, stats.distinctBlobs);
    throwIfAborted(signal);
    const cache = new Map<LockState, Set<number>>();
    const n = shas.length;
    const F: Set<number>[] = new Array(n);
    for (let i = 0; i < n; i++) F[i] = stateFindings(stateOf.get(i)!, cache);
    const outerF = new Map<string, Set<number>>();
    for (const [c, st] of outerState) outerF.set(c, stateFindings(st, cache));

    const nf = findingsById.length;
    const affected = new Array<number>(nf).fill(0);
    const introduced: number[][] = Array.from({ length: nf }, () => []);
    const removed: number[][] = Array.from({ length: nf }, () => []);
    const latest: number[] = new Array<number>(nf).fill(-1);
    /** First affected commit in topological order, and the earliest affected commit date. */
    const firstIdx: number[] = new Array<number>(nf).fill(-1);
    const minTs: number[] = new Array<number>(nf).fill(Infinity);
    const count = (f: number, i: number) => {
      affected[f]!++;
      if (latest[f]! < 0 || ts[i]! >= ts[latest[f]!]!) latest[f] = i;
      if (firstIdx[f]! < 0) firstIdx[f] = i;
      if (ts[i]! < minTs[f]!) minTs[f] = ts[i]!;
    };
    for (let i = 0; i < n; i++) {
      const Fi = F[i]!;
      const ps = parentIdx[i]!;
      const ops = outerParents[i]!;
      if (ps.length === 1 && ops.length === 0 && F[ps[0]!] === Fi) {
        for (const f of Fi) count(f, i);
        continue;
      }
      const parentSets = ps.map((p) => F[p]!).concat(ops.map((p) => outerF.get(p) ?? new Set<number>()));
      for (const f of Fi) {
        count(f, i);
        if (!parentSets.some((s) => s.has(f))) introduced[f]!.push(i);
      }
      const gone = new Set<number>();
      for (const s of parentSets) for (const f of s) if (!Fi.has(f)) gone.add(f);
      for (const f of gone) removed[f]!.push(i);
    }

    // Commit metadata (author, subject) for the commits named in the results.
    const named = new Set<number>();
    for (let f = 0; f < nf; f++) {
      if (affected[f] === 0) continue;
      for (const i of introduced[f]!) named.add(i);
      for (const i of removed[f]!) named.add(i);
    }
    const meta = new Map<number, { author: string; subject: string }>();
    {
      const list = [...named];
      const reads = list.map((i) => {
        const pr = cat!.read(shas[i]!);
        pr.catch(() => undefined);
        return pr;
      });
      for (let k = 0; k < list.length; k++) {
        const body = await reads[k]!;
        meta.set(list[k]!, parseCommitMeta(body));
      }
    }
    const commitRef = (i: number): CommitRef => {
      const m = meta.get(i) ?? { author: '', subject: '' };
      return { commit: shas[i]!, date: isoDate(ts[i]!), author: m.author, subject: m.subject };
    };

    // Per finding: refs, tags, windows.
    const tipRefs = refs
      .map((r) => ({ name: r.name, tip: index.get(r.tip) }))
      .filter((r): r is { name: string; tip: number } => r.tip !== undefined);
    const firstParent = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const first = rawParents[i]![0];
      if (first !== undefined) firstParent[i] = index.get(first) ?? -1;
    }
    const findings: HistoryFinding[] = [];
    const ever = new Uint8Array(n);
    interface Closed {
      from: number;
      to: number;
      prev: Closed | null;
    }
    interface WinState {
      open: number;
      closed: Closed | null;
    }
    const NOWIN: WinState = { open: -1, closed: null };
    const win: WinState[] = new Array(n);
    for (let f = 0; f < nf; f++) {
      if (affected[f] === 0) continue; // only seen in unreachable/outer states
      throwIfAborted(signal);
      const acc = findingsById[f]!;
      // Commits before the first affected one (topological order) can neither have it nor descend
      // from it: start there, and read anything earlier as "never".
      const start = firstIdx[f]!;
      for (let i = start; i < n; i++) {
        const a = F[i]!.has(f);
        let e = a;
        if (!e) for (const p of parentIdx[i]!) if (p >= start && ever[p]) e = true;
        ever[i] = e ? 1 : 0;
        const fp = firstParent[i]!;
        const base = fp >= start ? win[fp]! : NOWIN;
        const pa = fp >= start && F[fp]!.has(f);
        if (a && !pa) win[i] = { open: i, closed: base.closed };
        else if (!a && pa) win[i] = { open: -1, closed: { from: base.open, to: i, prev: base.closed } };
        else win[i] = base;
      }
      const refStates: RefState[] = [];
      const tags: string[] = [];
      const windows: ExposureWindow[] = [];
      const windowReps: HistoryFinding['windowRepresentatives'] = [];
      let openSomewhere = false;
      for (const r of tipRefs) {
        if (r.tip < start || !ever[r.tip]) continue;
        const atTip = F[r.tip]!.has(f);
        refStates.push({ name: r.name, affectedAtTip: atTip });
        if (r.name.startsWith('refs/tags/')) {
          if (atTip) tags.push(r.name.slice('refs/tags/'.length));
          continue;
        }
        if (atTip) openSomewhere = true;
        const w = win[r.tip]!;
        const list: ExposureWindow[] = [];
        if (w.open >= 0)
          list.push({ ref: r.name, from: isoDate(ts[w.open]!), to: null, fromCommit: shas[w.open]!, toCommit: null });
        for (let c = w.closed; c; c = c.prev) {
          if (c.from < 0) continue;
          list.push({
            ref: r.name,
            from: isoDate(ts[c.from]!),
            to: isoDate(ts[c.to]!),
            fromCommit: shas[c.from]!,
            toCommit: shas[c.to]!,
          });
        }
        list.reverse();
        for (const w2 of list) {
          windows.push(w2);
          const oid = stateOf.get(index.get(w2.fromCommit)!)!.get(acc.path)!;
          const entry = acc.blobs.get(oid)!;
          windowReps.push({
            ref: r.name,
            fromCommit: w2.fromCommit,
            path: acc.path,
            blob: oid,
            commit: w2.fromCommit,
            line: entry.line,
            entry,
          });
        }
      }
      const intro = introduced[f]!.map(commitRef);
      const rem = removed[f]!.map(commitRef);
      const byDate = (a: CommitRef, b: CommitRef) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.commit < b.commit ? -1 : 1);
      intro.sort(byDate);
      rem.sort(byDate);
      const firstSeen = minTs[f] === Infinity ? undefined : isoDate(minTs[f]!);
      const lastSeen = openSomewhere ? null : rem.length > 0 ? rem[rem.length - 1]!.date : null;
      const li = latest[f]!;
      const repOid = stateOf.get(li)!.get(acc.path)!;
      const repEntry = acc.blobs.get(repOid)!;
      const t0 = acc.targets[0]!;
      findings.push({
        key: `${acc.path}\0${acc.pkg}\0${acc.version}`,
        repo,
        lockfile: acc.path,
        format: acc.format,
        package: acc.pkg,
        version: acc.version,
        target: `${t0.name}@${t0.range}`,
        targets: acc.targets,
        history: {
          introduced: intro,
          removed: rem,
          affectedCommits: affected[f]!,
          refs: refStates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
          tags: tags.sort(),
          windows,
          firstSeen,
          lastSeen,
        },
        representative: { path: acc.path, blob: repOid, commit: shas[li]!, line: repEntry.line, entry: repEntry },
        windowRepresentatives: windowReps,
      });
    }
    // Blob lines for the representatives' entries (fast-path entries carry small-document lines).
    await fixRepresentativeLines(findings, cat);
    findings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    progress('done', stats.blobsRead, stats.distinctBlobs);
    return makeResult(findings, stateOf);
  } catch (e) {
    if (signal?.aborted) throw e;
    if (e instanceof GitError || (e as { code?: string }).code === 'GIT_ERROR') {
      gaps.push({ repo, path: '.', code: 'GIT_ERROR', reason: `history not read: ${(e as Error).message}` });
      return emptyResult();
    }
    throw e;
  } finally {
    cat?.close();
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function expand(id: string, sorted: string[]): string | null | 'ambiguous' {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  const a = sorted[lo];
  if (a === undefined || !a.startsWith(id)) return null;
  const b = sorted[lo + 1];
  if (b !== undefined && b.startsWith(id)) return 'ambiguous';
  return a;
}

/** Author (`Name <email>`) and subject from a raw commit object. Text stays raw (attacker-controlled). */
export function parseCommitMeta(body: Buffer | null): { author: string; subject: string } {
  if (!body) return { author: '', subject: '' };
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const header = end < 0 ? text : text.slice(0, end);
  const msg = end < 0 ? '' : text.slice(end + 2);
  const m = /^author (.*?) (\d+) ([+-]\d{4})$/m.exec(header);
  const subject = (msg.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return { author: m ? m[1]! : '', subject };
}
