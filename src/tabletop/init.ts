/**
 * `initScenario`: materialise a scenario's organisation as real git repositories (one `git fast-import` per
 * repository, fixed author and dates, so the same scenario always gives the same commit shas), with the
 * advisory, build records and runner logs the team receives. No network.
 *
 * Layout of the exercise folder D:
 *   D/repos/<name>/      plain git repositories, work tree checked out at main
 *   D/advisory.json      the advisory as received (an array of OSV records, MAL-style)
 *   D/ADVISORY.md        the same in words
 *   D/builds/<repo>.json `gh run list --json databaseId,headSha,headBranch,createdAt,workflowName,event,conclusion,url`
 *   D/logs/<runner>.log  runner egress logs
 *   D/SCENARIO.md        the brief for the team (no answers)
 *   D/.npm-ir-scenario.json  which scenario this is (read by `tabletop score`)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { NpmIrError, UsageError } from '../errors.js';
import {
  LOCKFILE_NAME,
  manifestOf,
  syntheticProject,
  writeLockfile,
  type GenFormat,
  type GenPackage,
  type GenProject,
} from '../generate/lockfiles.js';
import { npmrcText, workflowText } from './ci-templates.js';
import type { Scenario, ScenarioCommit, ScenarioRepo } from './scenario.js';

const execFileP = promisify(execFile);

export interface ScaleOptions {
  /** Total repositories: the scenario's plus generated clean ones. */
  repos?: number;
  /** Commits per repository: filler commits are added on main between the scenario's commits. */
  commits?: number;
  /** Synthetic packages per lockfile (filler). */
  lockfilePackages?: number;
}

export interface InitOptions {
  scale?: ScaleOptions;
  /** Remove an existing non-empty D first (default: refuse). */
  force?: boolean;
  /** Repositories built in parallel (default: the number of cores). */
  concurrency?: number;
  /** Where the scenario was loaded from when it is not bundled (written to .npm-ir-scenario.json). */
  scenarioFile?: string;
  /** Called after each repository is written (large generated organisations take minutes). */
  onProgress?: (p: { reposDone: number; repos: number; repo: string }) => void;
}

export interface InitRepo {
  name: string;
  path: string;
  format: GenFormat;
  lockfile: string;
  head: string;
  commits: number;
  generated: boolean;
}

export interface InitResult {
  dir: string;
  scenario: string;
  repos: InitRepo[];
  advisory: string;
  builds: string[];
  logs: string[];
  marker: string;
}

/** What `init` writes to D/.npm-ir-scenario.json. */
export interface ScenarioMarker {
  scenario: string;
  file?: string;
  scale?: ScaleOptions;
  repos: { name: string; head: string }[];
}

export const MARKER_FILE = '.npm-ir-scenario.json';
export const DEFAULT_AUTHOR = 'Casey Dev <casey@tabletop.example>';
const DEFAULT_FILLER = 12;

// ---------------------------------------------------------------------------------------------------------
// Git, for repositories we create (never for scanned ones: those go through src/git).

function gitEnv(at?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  Object.assign(env, { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', TZ: 'UTC' });
  if (at) Object.assign(env, { GIT_AUTHOR_DATE: at, GIT_COMMITTER_DATE: at });
  return env;
}

const GIT_CONFIG = ['-c', 'user.name=npm-ir tabletop', '-c', 'user.email=tabletop@npm-ir.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', '-c', 'core.autocrlf=false'];

async function git(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileP('git', [...GIT_CONFIG, ...args], { cwd: dir, env: gitEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    throw new NpmIrError('GIT_ERROR', `git ${args[0]} failed in ${dir}: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, { path: dir, cause: e });
  }
}

function fastImport(dir: string, chunks: Buffer[], marksFile: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('git', [...GIT_CONFIG, 'fast-import', '--quiet', '--done', `--export-marks=${marksFile}`], {
      cwd: dir,
      env: gitEnv(),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok() : fail(new NpmIrError('GIT_ERROR', `git fast-import failed in ${dir}: ${err.trim()}`, { path: dir }))));
    child.stdin.on('error', () => undefined);
    (async () => {
      for (const c of chunks) if (!child.stdin.write(c)) await new Promise((r) => child.stdin.once('drain', r));
      child.stdin.end('done\n');
    })().catch(fail);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Repository state: dependencies -> files.

interface RepoState {
  deps: Map<string, string>;
  devDeps: Map<string, string>;
  transitive: Map<string, string>;
  files: Map<string, string>;
  /** Filler lockfile churn: how many synthetic version bumps have landed. */
  fillerRev: number;
}

const cloneState = (s: RepoState): RepoState => ({
  deps: new Map(s.deps),
  devDeps: new Map(s.devDeps),
  transitive: new Map(s.transitive),
  files: new Map(s.files),
  fillerRev: s.fillerRev,
});

function applyMap(target: Map<string, string>, edits: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(edits ?? {})) {
    if (v === '-') target.delete(k);
    else target.set(k, v);
  }
}

/** Three-way merge of `theirs` into `ours`: a key changed on their side since `base` takes their value. */
function merge3(ours: Map<string, string>, theirs: Map<string, string>, base: Map<string, string>): Map<string, string> {
  const out = new Map(ours);
  for (const k of new Set([...theirs.keys(), ...base.keys()])) {
    const t = theirs.get(k);
    if (t === base.get(k)) continue;
    if (t === undefined) out.delete(k);
    else out.set(k, t);
  }
  return out;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

function bump(version: string, n: number): string {
  const [maj, min, pat] = version.split('.');
  return `${maj}.${min}.${Number(pat) + n}`;
}

interface Filler {
  packages: GenPackage[];
  direct: string[];
}

function fillerFor(repo: string, size: number): Filler {
  if (size <= 0) return { packages: [], direct: [] };
  const p = syntheticProject({ name: repo, size, seed: seedOf(`filler:${repo}`) });
  return { packages: p.packages, direct: Object.keys(p.dependencies) };
}

/**
 * The project (flat tree) for a state: the scenario's direct dependencies and their catalog closure, with
 * transitive overrides, plus the synthetic filler. One version per name (the first reached wins).
 */
export function projectOf(
  name: string,
  version: string,
  state: Pick<RepoState, 'deps' | 'devDeps' | 'transitive' | 'fillerRev'>,
  catalog: Record<string, Record<string, string>>,
  filler: Filler,
): GenProject {
  const pk = new Map<string, { version: string; deps: string[]; dev: boolean }>();
  const walk = (roots: [string, string][], dev: boolean) => {
    const queue = [...roots].sort((a, b) => byKey(a[0], b[0]));
    while (queue.length) {
      const [n, v] = queue.shift()!;
      if (pk.has(n)) continue;
      const deps = Object.entries(catalog[`${n}@${v}`] ?? {})
        .map(([dn, dv]): [string, string | undefined] => [dn, state.transitive.get(dn) ?? dv])
        .filter((d): d is [string, string] => d[1] !== '-' && d[1] !== undefined)
        .sort((a, b) => byKey(a[0], b[0]));
      pk.set(n, { version: v, deps: deps.map((d) => d[0]), dev });
      queue.push(...deps);
    }
  };
  walk([...state.deps], false);
  walk([...state.devDeps], true);
  const fillerVersions = new Map(filler.packages.map((p) => [p.name, p.version]));
  for (let i = 0; i < state.fillerRev && filler.packages.length; i++) {
    const target = filler.packages[(i * 7) % filler.packages.length]!.name;
    fillerVersions.set(target, bump(fillerVersions.get(target)!, 1));
  }
  for (const f of filler.packages) {
    if (!pk.has(f.name)) pk.set(f.name, { version: fillerVersions.get(f.name)!, deps: Object.keys(f.deps ?? {}), dev: false });
  }
  const packages: GenPackage[] = [...pk].map(([n, p]) => ({
    name: n,
    version: p.version,
    dev: p.dev || undefined,
    deps: Object.fromEntries(p.deps.filter((d) => pk.has(d)).map((d) => [d, pk.get(d)!.version])),
  }));
  const dependencies: Record<string, string> = {};
  for (const [n] of state.deps) dependencies[n] = pk.get(n)!.version;
  for (const n of filler.direct) if (!state.deps.has(n)) dependencies[n] = pk.get(n)!.version;
  const devDependencies: Record<string, string> = {};
  for (const [n] of state.devDeps) if (!state.deps.has(n)) devDependencies[n] = pk.get(n)!.version;
  return { name, version, dependencies, devDependencies, packages };
}

// ---------------------------------------------------------------------------------------------------------
// Timeline -> fast-import stream.

function epoch(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function authorLine(kind: 'author' | 'committer', who: string, at: string): string {
  const m = /^(.*?)\s*<([^>]*)>$/.exec(who);
  const name = (m ? m[1]! : who).replace(/[<>\n]/g, '');
  const email = (m ? m[2]! : 'dev@tabletop.example').replace(/[<>\n]/g, '');
  return `${kind} ${name} <${email}> ${epoch(at)} +0000\n`;
}

function dataBlock(text: string): Buffer[] {
  const body = Buffer.from(text, 'utf8');
  return [Buffer.from(`data ${body.length}\n`), body, Buffer.from('\n')];
}

interface Branch {
  mark: number;
  state: RepoState;
  base: RepoState;
}

interface TimelineCommit extends ScenarioCommit {
  filler?: number;
}

/** The scenario's commits with `commits` filler commits spread over main (dates interpolated). */
function withFiller(history: ScenarioCommit[], total: number | undefined): TimelineCommit[] {
  const extra = Math.max(0, (total ?? 0) - history.length);
  if (extra === 0) return history;
  const mainIdx = history.map((c, i) => ((c.branch ?? 'main') === 'main' ? i : -1)).filter((i) => i > 0);
  const slots = Math.max(1, mainIdx.length);
  const out: TimelineCommit[] = [];
  let made = 0;
  let prevMain = history[0]!.at;
  let slot = 0;
  for (const [i, c] of history.entries()) {
    if (i > 0 && (c.branch ?? 'main') === 'main') {
      const n = Math.floor((extra * (slot + 1)) / slots) - Math.floor((extra * slot) / slots);
      const t0 = Date.parse(prevMain);
      const t1 = Date.parse(c.at);
      for (let k = 0; k < n; k++) {
        const at = new Date(t0 + Math.floor(((t1 - t0) * (k + 1)) / (n + 1))).toISOString().replace(/\.\d+Z$/, 'Z');
        out.push({ at, message: `chore: routine change ${made + 1}`, filler: made++ });
      }
      slot++;
    }
    if ((c.branch ?? 'main') === 'main') prevMain = c.at;
    out.push(c);
  }
  // Scenario with a single main commit: the filler goes after it, an hour apart.
  const t = Date.parse(prevMain);
  while (made < extra) {
    out.push({ at: new Date(t + (made + 1) * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'), message: `chore: routine change ${made + 1}`, filler: made++ });
  }
  return out;
}

interface RepoPlan {
  spec: ScenarioRepo;
  generated: boolean;
}

function staticFiles(repo: ScenarioRepo, org: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set('README.md', `# ${repo.name}\n\nOwned by ${repo.team} at ${org}.\n`);
  const owners = repo.codeowners ?? [`* ${repo.team}`];
  files.set('.github/CODEOWNERS', owners.join('\n') + '\n');
  for (const ci of repo.ci ?? []) files.set(ci.file, workflowText(ci, repo.format));
  if (repo.npmrc === 'auth' || (repo.npmrc === undefined && repo.publishes)) files.set('.npmrc', npmrcText());
  if (repo.format === 'yarn-berry') files.set('.yarnrc.yml', 'nodeLinker: node-modules\n');
  files.set('src/index.js', `export const name = ${JSON.stringify(repo.name)};\n`);
  return files;
}

type RenderCache = Map<string, [string, string]>;

const stateKey = (s: RepoState) =>
  JSON.stringify([[...s.deps].sort(), [...s.devDeps].sort(), [...s.transitive].sort(), s.fillerRev]);

function renderFiles(plan: RepoPlan, state: RepoState, scenario: Scenario, filler: Filler, cache: RenderCache): Map<string, string> {
  const r = plan.spec;
  const files = new Map(state.files);
  const key = stateKey(state);
  const hit = cache.get(key);
  if (hit) {
    files.set('package.json', hit[0]);
    files.set(LOCKFILE_NAME[r.format], hit[1]);
    return files;
  }
  const name = r.publishes?.name ?? `@${scenario.org.name}/${r.name}`;
  const version = r.publishes?.version ?? '1.0.0';
  const project = projectOf(name, version, state, scenario.catalog ?? {}, filler);
  const extra: Record<string, unknown> = {
    scripts: { build: 'node scripts/build.js', test: 'node --test' },
    ...(r.publishes ? { private: undefined, publishConfig: { access: 'public' } } : {}),
    ...(r.format === 'yarn-berry' ? { packageManager: 'yarn@4.5.0' } : r.format === 'pnpm' ? { packageManager: 'pnpm@9.12.0' } : {}),
  };
  const rendered: [string, string] = [manifestOf(project, extra), writeLockfile(r.format, project, { npmLockfileVersion: r.lockfileVersion === '1' ? 1 : 3 })];
  if (cache.size > 64) cache.clear();
  cache.set(key, rendered);
  files.set('package.json', rendered[0]);
  files.set(LOCKFILE_NAME[r.format], rendered[1]);
  return files;
}

function fileChanges(prev: Map<string, string> | undefined, next: Map<string, string>): Buffer[] {
  const out: Buffer[] = [];
  for (const p of [...new Set([...(prev?.keys() ?? []), ...next.keys()])].sort(byKey)) {
    const a = prev?.get(p);
    const b = next.get(p);
    if (a === b) continue;
    if (b === undefined) out.push(Buffer.from(`D ${p}\n`));
    else out.push(Buffer.from(`M ${p.endsWith('.sh') ? '100755' : '100644'} inline ${p}\n`), ...dataBlock(b));
  }
  return out;
}

interface BuiltRepo {
  labels: Map<string, number>;
  commits: number;
}

function buildStream(plan: RepoPlan, scenario: Scenario, scale: ScaleOptions): { chunks: Buffer[]; labels: Map<string, number>; commits: number } {
  const r = plan.spec;
  const filler = fillerFor(r.name, scale.lockfilePackages ?? Number(r.filler ?? DEFAULT_FILLER));
  const chunks: Buffer[] = [];
  const branches = new Map<string, Branch>();
  const labels = new Map<string, number>();
  const labelStates = new Map<string, RepoState>();
  const rendered = new Map<number, Map<string, string>>();
  const cache: RenderCache = new Map();
  let mark = 0;
  const empty: RepoState = { deps: new Map(), devDeps: new Map(), transitive: new Map(), files: staticFiles(r, scenario.org.name), fillerRev: 0 };
  for (const c of withFiller(r.history, scale.commits)) {
    const bname = c.branch ?? 'main';
    let br = branches.get(bname);
    let parent: number | undefined;
    let state: RepoState;
    if (br) {
      parent = br.mark;
      state = cloneState(br.state);
    } else {
      const from = c.from ?? 'main';
      const src = branches.get(from);
      const labelled = labels.get(from);
      if (src) {
        parent = src.mark;
        state = cloneState(src.state);
      } else if (labelled !== undefined) {
        parent = labelled;
        state = cloneState(labelStates.get(from)!);
      } else if (bname === 'main' && branches.size === 0) {
        state = cloneState(empty);
      } else {
        throw new UsageError(`repo ${r.name}: commit '${c.message}' starts branch ${bname} from unknown '${from}'`);
      }
      br = { mark: 0, state, base: cloneState(state) };
      branches.set(bname, br);
    }
    let mergeMark: number | undefined;
    if (c.merge) {
      const other = branches.get(c.merge);
      if (!other) throw new UsageError(`repo ${r.name}: merge of unknown branch ${c.merge}`);
      mergeMark = other.mark;
      state.deps = merge3(state.deps, other.state.deps, other.base.deps);
      state.devDeps = merge3(state.devDeps, other.state.devDeps, other.base.devDeps);
      state.transitive = merge3(state.transitive, other.state.transitive, other.base.transitive);
      state.files = merge3(state.files, other.state.files, other.base.files);
    }
    applyMap(state.deps, c.deps);
    applyMap(state.devDeps, c.devDeps);
    applyMap(state.transitive, c.transitive);
    applyMap(state.files, c.files);
    if (c.filler !== undefined) {
      if (c.filler % 10 === 9) state.fillerRev++;
      else state.files.set(`src/module-${c.filler % 40}.js`, `// routine change ${c.filler + 1}\nexport const revision = ${c.filler + 1};\n`);
    }
    const files = renderFiles(plan, state, scenario, filler, cache);
    mark++;
    const who = c.author ?? DEFAULT_AUTHOR;
    chunks.push(Buffer.from(`commit refs/heads/${bname}\nmark :${mark}\n`), Buffer.from(authorLine('author', who, c.at)), Buffer.from(authorLine('committer', who, c.at)));
    chunks.push(...dataBlock(c.message));
    if (parent !== undefined) chunks.push(Buffer.from(`from :${parent}\n`));
    if (mergeMark !== undefined) chunks.push(Buffer.from(`merge :${mergeMark}\n`));
    chunks.push(...fileChanges(parent === undefined ? undefined : rendered.get(parent), files), Buffer.from('\n'));
    rendered.set(mark, files);
    if (parent !== undefined && parent !== mergeMark && !labelsUse(labels, parent) && [...branches.values()].every((b) => b.mark !== parent || b === br)) {
      rendered.delete(parent);
    }
    br.mark = mark;
    br.state = state;
    if (c.id) {
      labels.set(c.id, mark);
      labelStates.set(c.id, cloneState(state));
    }
    for (const t of c.tags ?? []) {
      labels.set(t, mark);
      chunks.push(Buffer.from(`reset refs/tags/${t}\nfrom :${mark}\n\n`));
    }
  }
  return { chunks, labels, commits: mark };
}

function labelsUse(labels: Map<string, number>, m: number): boolean {
  for (const v of labels.values()) if (v === m) return true;
  return false;
}

async function materialiseRepo(dir: string, plan: RepoPlan, scenario: Scenario, scale: ScaleOptions): Promise<BuiltRepo & { head: string; marks: Map<number, string> }> {
  mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  const { chunks, labels, commits } = buildStream(plan, scenario, scale);
  const marksFile = join(dir, '.git', 'npm-ir-marks');
  await fastImport(dir, chunks, marksFile);
  const marks = new Map<number, string>();
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]+)$/.exec(line);
    if (m) marks.set(Number(m[1]), m[2]!);
  }
  rmSync(marksFile);
  await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  await git(dir, ['reset', '-q', '--hard', 'refs/heads/main']);
  const head = await git(dir, ['rev-parse', 'HEAD']);
  return { labels, commits, head, marks };
}

// ---------------------------------------------------------------------------------------------------------
// Advisory, builds, logs, brief.

/** The advisory as an array of OSV records (one per malicious package). */
export function advisoryRecords(scenario: Scenario): Record<string, unknown>[] {
  return scenario.releases.map((rel, i) => {
    const whole = rel.wholePackage === 'true';
    return {
      schema_version: '1.6.0',
      id: `TABLETOP-${scenario.id.toUpperCase()}-${i + 1}`,
      summary: `Malicious code in ${rel.package} (npm)`,
      details: `${whole ? `Every version of ${rel.package}` : `${rel.package} ${rel.versions.join(', ')}`} contained malicious code. Published ${rel.published}${rel.removed ? `, removed ${rel.removed}` : ''}. Tabletop replay "${scenario.id}"; source: ${rel.source}.`,
      ...(rel.aliases?.length ? { aliases: rel.aliases } : {}),
      published: rel.removed ?? rel.published,
      modified: rel.removed ?? rel.published,
      affected: [
        {
          package: { ecosystem: 'npm', name: rel.package },
          ...(whole ? { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] } : { versions: rel.versions }),
        },
      ],
      database_specific: { 'npm-ir-tabletop': scenario.id, source: rel.source },
    };
  });
}

function advisoryMarkdown(scenario: Scenario): string {
  const out = [`# Advisory: ${scenario.title}`, '', scenario.summary.trim(), '', '## Malicious releases', ''];
  for (const rel of scenario.releases) {
    const what = rel.wholePackage === 'true' ? 'every version' : rel.versions.map((v) => `\`${v}\``).join(', ');
    out.push(`- \`${rel.package}\`: ${what}; published ${rel.published}${rel.removed ? `, removed ${rel.removed}` : ''}${rel.aliases?.length ? ` (${rel.aliases.join(', ')})` : ''}. Source: ${rel.source}`);
  }
  if (scenario.indicators?.length) {
    out.push('', '## Indicators', '');
    for (const ind of scenario.indicators) out.push(`- ${ind.kind}: \`${ind.value}\`${ind.illustrative === 'true' ? ' (illustrative stand-in for this exercise)' : ''}${ind.source ? ` — ${ind.source}` : ''}`);
  }
  out.push('', `Sources: ${scenario.sources.join('; ')}. Confidence: ${scenario.confidence}.`, '');
  if (scenario.notes) out.push(scenario.notes.trim(), '');
  return out.join('\n');
}

function scenarioMarkdown(scenario: Scenario, repos: InitRepo[]): string {
  const out = [`# Tabletop: ${scenario.title}`, '', scenario.summary.trim(), '', `Exercise clock starts at ${scenario.start} (T+00:00).`, '', '## The organisation', ''];
  for (const r of repos) {
    const spec = scenario.org.repos.find((x) => x.name === r.name);
    out.push(`- \`repos/${r.name}\` (${r.format}, \`${r.lockfile}\`, ${r.commits} commit${r.commits === 1 ? '' : 's'})${spec ? `, owned by ${spec.team}` : ''}`);
  }
  out.push(
    '',
    '## What you have',
    '',
    '- `advisory.json` (OSV) and `ADVISORY.md`: the advisory as it reached you.',
    '- `builds/*.json`: CI run records (`gh run list --json ...` exports).',
    '- `logs/`: runner egress logs.',
    '',
    '## First moves',
    '',
    ...(scenario.firstMoves ?? [
      'Scope the organisation: `npm-ir scope --advisories advisory.json --path repos --builds builds/*.json --out report.json`.',
      'Turn the Report into a checklist: `npm-ir checklist report.json`.',
      'Replay the injects: `npm-ir tabletop run <scenario> --dir .`.',
    ]).map((m) => `- ${m}`),
    '',
    '## Scoring',
    '',
    'When done: `npm-ir tabletop score --dir . --report report.json [--checklist checklist.md]`.',
    '',
  );
  return out.join('\n');
}

function buildRecords(scenario: Scenario, repo: string, resolveSha: (commit: string) => string | undefined): Record<string, unknown>[] {
  return (scenario.builds ?? [])
    .filter((b) => b.repo === repo)
    .map((b) => ({
      databaseId: Number(b.id),
      headSha: resolveSha(b.commit) ?? '',
      headBranch: b.branch ?? (/^v\d/.test(b.commit) ? b.commit : 'main'),
      createdAt: b.at,
      workflowName: b.workflow,
      event: b.event ?? 'push',
      conclusion: b.conclusion ?? 'success',
      url: `https://github.com/${scenario.org.name}/${repo}/actions/runs/${b.id}`,
    }));
}

// ---------------------------------------------------------------------------------------------------------

/** Materialise `scenario` in `dir` (see the layout above). Deterministic: same scenario and scale, same shas. */
export async function initScenario(scenario: Scenario, dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    if (!opts.force) throw new UsageError('the folder is not empty (use --force to replace it)', { path: root });
    rmSync(root, { recursive: true, force: true });
  }
  const scale = opts.scale ?? {};
  mkdirSync(join(root, 'repos'), { recursive: true });
  const plans: RepoPlan[] = scenario.org.repos.map((spec) => ({ spec, generated: false }));
  const formats: GenFormat[] = ['npm', 'yarn-classic', 'pnpm', 'yarn-berry', 'bun'];
  const first = scenario.org.repos[0]!.history[0]!.at;
  for (let i = plans.length; i < (scale.repos ?? 0); i++) {
    const name = `svc-${String(i - scenario.org.repos.length + 1).padStart(3, '0')}`;
    plans.push({
      generated: true,
      spec: {
        name,
        team: `@${scenario.org.name}/platform`,
        format: formats[i % formats.length]!,
        ci: [{ file: '.github/workflows/ci.yml', template: 'test' }],
        history: [{ at: first, message: `initial import of ${name}` }],
      },
    });
  }
  const built: InitRepo[] = [];
  const shas = new Map<string, (c: string) => string | undefined>();
  const queue = [...plans];
  let reposDone = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), plans.length)) }, async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      const path = join(root, 'repos', plan.spec.name);
      const res = await materialiseRepo(path, plan, scenario, scale);
      opts.onProgress?.({ reposDone: ++reposDone, repos: plans.length, repo: plan.spec.name });
      const p = plan;
      shas.set(p.spec.name, (c) => {
        const m = res.labels.get(c);
        return m === undefined ? undefined : res.marks.get(m);
      });
      if (scenario.builds?.some((b) => b.repo === p.spec.name && !res.labels.has(b.commit))) {
        // Branch names: resolve now, while we are in this repo.
        const tips = new Map<string, string>();
        for (const b of scenario.builds.filter((x) => x.repo === p.spec.name && !res.labels.has(x.commit))) {
          tips.set(b.commit, await git(path, ['rev-parse', `refs/heads/${b.commit}`]));
        }
        shas.set(p.spec.name, (c) => (res.labels.has(c) ? res.marks.get(res.labels.get(c)!) : tips.get(c)));
      }
      built.push({ name: p.spec.name, path, format: p.spec.format, lockfile: LOCKFILE_NAME[p.spec.format], head: res.head, commits: res.commits, generated: p.generated });
    }
  });
  await Promise.all(workers);
  built.sort((a, b) => byKey(a.name, b.name));

  const advisory = join(root, 'advisory.json');
  writeFileSync(advisory, JSON.stringify(advisoryRecords(scenario), null, 2) + '\n');
  writeFileSync(join(root, 'ADVISORY.md'), advisoryMarkdown(scenario));
  mkdirSync(join(root, 'builds'), { recursive: true });
  const builds: string[] = [];
  for (const repo of [...new Set((scenario.builds ?? []).map((b) => b.repo))].sort(byKey)) {
    const file = join(root, 'builds', `${repo}.json`);
    writeFileSync(file, JSON.stringify(buildRecords(scenario, repo, shas.get(repo) ?? (() => undefined)), null, 2) + '\n');
    builds.push(file);
  }
  mkdirSync(join(root, 'logs'), { recursive: true });
  const logs: string[] = [];
  const byRunner = new Map<string, string[]>();
  for (const l of [...(scenario.logs ?? [])].sort((a, b) => byKey(a.at, b.at))) {
    const lines = byRunner.get(l.runner) ?? [];
    lines.push(`${l.at} ${l.runner}${l.build ? ` run=${l.build}` : ''} ${l.line}`);
    byRunner.set(l.runner, lines);
  }
  for (const [runner, lines] of [...byRunner].sort((a, b) => byKey(a[0], b[0]))) {
    const file = join(root, 'logs', `${runner}.log`);
    writeFileSync(file, lines.join('\n') + '\n');
    logs.push(file);
  }
  writeFileSync(join(root, 'SCENARIO.md'), scenarioMarkdown(scenario, built));
  const marker: ScenarioMarker = {
    scenario: scenario.id,
    ...(opts.scenarioFile ? { file: resolve(opts.scenarioFile) } : {}),
    ...(opts.scale ? { scale: opts.scale } : {}),
    repos: built.map((r) => ({ name: r.name, head: r.head })),
  };
  const markerFile = join(root, MARKER_FILE);
  writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
  return { dir: root, scenario: scenario.id, repos: built, advisory, builds, logs, marker: markerFile };
}

/** Read D/.npm-ir-scenario.json. */
export function readMarker(dir: string): ScenarioMarker {
  const file = join(resolve(dir), MARKER_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ScenarioMarker;
  } catch {
    throw new UsageError(`${file}: not a tabletop folder (run \`npm-ir tabletop init <scenario> --dir ${dir}\` first)`, { path: file });
  }
}
