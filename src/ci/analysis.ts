/**
 * The second pass (ci-secrets.md §11.1 steps 3-8): mark dependency-code (DC) steps, propagate what is
 * available in step order, link jobs through caches/artifacts/runner pools, and assign each credential a
 * tier (T0-T4), kind, reach chain, score, confidence, runner, triggers, delivery and escalations.
 * Input: every CiParse of one repository. Output: SecretExposure records (src/report/model.ts), sorted.
 */
import type { SecretExposure, Tier } from '../report/model.js';
import { classifyLine, majorOf, type CommandCategory } from './commands.js';
import { actionInfo, loadCiData, type ActionData, type RotationData } from './data.js';
import type {
  CiParse,
  CiSystem,
  Confidence,
  EnvVar,
  Fingerprint,
  Job,
  JobCredential,
  Lifetime,
  Opaque,
  PackageManagerSettings,
  Permissions,
  RegistryAuth,
  Pipeline,
  Runner,
  SecretKind,
  SideEffect,
  Step,
  Trigger,
  ValueRef,
} from './model.js';
import { classifyName, kindLifetime, kindWeight, showFingerprint } from './secrets.js';

export interface AnalyzeOptions {
  /** Repository path relative to the scanned --path ('.' for the path itself). */
  repo: string;
  /** owner/name, when known, for resolution hints (`gh secret list --repo owner/name`). */
  slug?: string;
  /** Promote memory-reachable T1 items to T0 ("worst case" report, §12.1). Default false. */
  assumeMemoryScraping?: boolean;
}

export type Escalation = 'workflow-write' | 'registry-publish' | 'secret-manager-read' | 'ci-admin';

/** Why a step is a DC step. */
export interface DcInfo {
  step: string;
  stepIndex: number;
  command: string;
  category: CommandCategory | 'action';
  confidence: Confidence;
  line: number;
  scriptsPolicy?: 'on' | 'off' | 'allow-listed';
  scriptsWhy?: string;
}

interface Holding {
  name: string;
  store: string;
  aliases: string[];
  kind?: SecretKind;
  kindConfidence?: Confidence;
  via: string[];
  line: number;
  file: string;
  inEnv: boolean;
  source: string;
  lifetime?: Lifetime;
  fingerprint?: Fingerprint;
  opaque?: Opaque;
  extra?: Record<string, unknown>;
}

interface Candidate extends Holding {
  tier: Tier;
  system: CiSystem;
  job?: string;
  step?: string;
  stepIndex?: number;
  workflow?: string;
  dc?: DcInfo;
  confidence: Confidence;
  runner?: Runner['type'];
  triggers: string[];
  delivered: 'yes' | 'no' | 'unknown';
  memoryReachable: boolean;
  carrier?: 'cache' | 'artifact' | 'runner-host' | 'workspace' | 'image';
  environment?: string;
  committed?: boolean;
}

const TIER_ORDER: Tier[] = ['T0', 'T1', 'T2', 'T3', 'T4'];
const TIER_BASE: Record<Tier, number> = { T0: 100, T1: 75, T2: 60, T3: 45, T4: 10 };
const CONF_RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };
const minConf = (a: Confidence, b: Confidence): Confidence => (CONF_RANK[a] >= CONF_RANK[b] ? a : b);

// ---------------------------------------------------------------------------------------------------
// Repository-wide facts.

interface RepoFacts {
  settings: PackageManagerSettings[];
  /** Env var names referenced from .npmrc/.yarnrc.yml (`${NPM_TOKEN}`) -> kind of that registry. */
  kindHints: Map<string, SecretKind>;
  hasYarnBerry: boolean;
  opts: AnalyzeOptions;
  /** Registry credentials of every .npmrc/.yarnrc.yml (a Dockerfile `COPY .npmrc` resolves them). */
  registryAuth: RegistryAuth[];
  /**
   * Docker build args set by CI steps (`docker build --build-arg NAME=...`, docker/build-push-action
   * `build-args:`): NAME -> the CI holdings its value carries, so Dockerfile findings show the CI names.
   */
  buildArgs: Map<string, { holdings: Holding[]; file: string; line: number; job: string }[]>;
}

/** Names that read as credentials (for variables of stores that live outside the repository). */
const SECRETISH = /(SECRET|TOKEN|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|CREDENTIAL|_AUTH\b|AUTH_|_KEY$|_IV$)/i;

/** How each system names write access to its dependency cache (§2.7, §3.4, §4.2, §7). */
const CACHE_CAPABILITY: Record<CiSystem, { name: string; aliases: string[] }> = {
  'github-actions': { name: 'Actions cache write', aliases: ['ACTIONS_RUNTIME_TOKEN'] },
  'gitlab-ci': { name: 'GitLab cache write (cache:)', aliases: [] },
  circleci: { name: 'CircleCI cache write (save_cache)', aliases: [] },
  jenkins: { name: 'Jenkins cache write', aliases: [] },
  'azure-pipelines': { name: 'Azure Pipelines cache write (Cache@2)', aliases: [] },
  bitbucket: { name: 'Bitbucket Pipelines cache write (caches:)', aliases: [] },
  travis: { name: 'Travis CI cache write (cache:)', aliases: [] },
  dockerfile: { name: 'BuildKit cache mount write (--mount=type=cache)', aliases: [] },
  'repo-file': { name: 'cache write', aliases: [] },
};

function rootSettings(f: RepoFacts): PackageManagerSettings {
  const out: PackageManagerSettings = { file: '', dir: '' };
  for (const s of f.settings.filter((s) => s.dir === '')) Object.assign(out, Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
  return out;
}

function triggerText(t: Trigger): string {
  return t.filters.length > 0 ? `${t.event} (${t.filters.join(', ')})` : t.event;
}

/**
 * Whether the platform delivers secrets to the job (§2.9, R2.9; §4.2 CircleCI, §6.2 Azure, §8 Travis):
 * fork pull-request builds get no secrets by default.
 */
function delivered(triggers: Trigger[], conditions: (string | undefined)[], system: CiSystem = 'github-actions'): 'yes' | 'no' | 'unknown' {
  const cond = conditions.filter(Boolean).join(' && ');
  // Travis `if: fork = true`, Azure `eq(variables['System.PullRequest.IsFork'], 'True')`.
  if (system === 'travis' && /(^|[^!\w])fork\s*(==?|IS)\s*true\b/i.test(cond)) return 'no';
  if (system === 'azure-pipelines' && /eq\(\s*variables\[['"]System\.PullRequest\.IsFork['"]\]\s*,\s*'?true'?\s*\)/i.test(cond)) return 'no';
  // CircleCI builds forked pull requests on `pull/<n>` branches; secrets are withheld unless the
  // "Pass secrets to builds from forked pull requests" setting is on.
  if (system === 'circleci' && triggers.length > 0 && triggers.every((t) => t.filters.length > 0 && t.filters.every((f) => /^branches: \/?\^?pull\\?\//.test(f)))) return 'no';
  if (triggers.length === 0) return 'unknown';
  const prOnly = triggers.every((t) => /^pull_request(_review(_comment)?)?$/.test(t.event));
  if (prOnly && system === 'github-actions') {
    const forkOnly =
      /(^|[^!\w.])github\.event\.pull_request\.head\.repo\.fork(\s*==\s*true)?(?!\s*[!=]=\s*false)/.test(cond) ||
      /head\.repo\.full_name\s*!=\s*github\.repository/.test(cond);
    const dependabotOnly = /github\.actor\s*==\s*'dependabot\[bot\]'/.test(cond);
    if (forkOnly || dependabotOnly) return 'no';
  }
  return 'yes';
}

interface EffectivePermissions {
  source: 'job' | 'workflow' | 'repository default (unknown)';
  write: string[];
  read: string[];
  idTokenWrite: boolean;
  idTokenLine?: number;
  line?: number;
}

function effectivePermissions(job: Job, pipeline: Pipeline, triggers: Trigger[]): EffectivePermissions {
  const p: Permissions | undefined = job.permissions ?? pipeline.permissions;
  const source = job.permissions ? 'job' : pipeline.permissions ? 'workflow' : 'repository default (unknown)';
  if (!p) {
    const prt = triggers.some((t) => t.event === 'pull_request_target' || t.event === 'workflow_run');
    return { source, write: prt ? ['(read/write: pull_request_target/workflow_run)'] : ['(assumed permissive: check Settings > Actions > Workflow permissions)'], read: [], idTokenWrite: false };
  }
  if (p.shorthand === 'write-all') return { source, write: ['all'], read: [], idTokenWrite: true, idTokenLine: p.line, line: p.line };
  if (p.shorthand === 'read-all') return { source, write: [], read: ['all'], idTokenWrite: false, line: p.line };
  const write = Object.entries(p.scopes).filter(([, v]) => v === 'write').map(([k]) => k);
  const read = Object.entries(p.scopes).filter(([, v]) => v === 'read').map(([k]) => k);
  return {
    source,
    write,
    read,
    idTokenWrite: p.scopes['id-token'] === 'write',
    ...(p.scopeLines?.['id-token'] ? { idTokenLine: p.scopeLines['id-token'] } : { idTokenLine: p.line }),
    line: p.line,
  };
}

// ---------------------------------------------------------------------------------------------------
// Holdings from references.

function envStore(job: Job): string {
  return job.environment ? `github:environment:${job.environment.name}` : 'repo';
}

/** Turn value references into holdings. `var` refs must be resolved before. */
function refsToHoldings(
  refs: ValueRef[],
  base: { via: string[]; line: number; file: string; alias?: string; inEnv: boolean; store: string; source?: string },
  facts: RepoFacts,
): Holding[] {
  const out: Holding[] = [];
  const aliases = base.alias && base.alias !== '*' ? [base.alias] : [];
  for (const r of refs) {
    const common = { aliases, via: base.via, line: base.line, file: base.file, inEnv: base.inEnv };
    switch (r.type) {
      case 'secret':
        out.push({ ...common, name: r.name, store: base.store, source: base.source ?? 'ci-secret' });
        break;
      case 'platform':
        out.push({ ...common, name: r.name, store: 'platform', source: 'platform-token', kind: r.name === 'GITHUB_TOKEN' ? 'github-token' : 'job-token', kindConfidence: 'high', lifetime: 'job-scoped' });
        break;
      case 'all-secrets':
        out.push({
          ...common,
          name: 'all Actions secrets (toJSON(secrets) / secrets: inherit)',
          store: base.store,
          source: 'opaque-store',
          kind: 'secret-store',
          kindConfidence: 'high',
          opaque: {
            what: 'every repository, organization and environment secret the workflow can see',
            reason: `the whole secret store is sent to the runner (${r.expr})`,
            resolveWith: secretListHint(facts.opts.slug),
          },
        });
        break;
      case 'literal-secret':
        out.push({
          ...common,
          name: base.alias && base.alias !== '*' ? base.alias : 'literal in workflow',
          store: `committed:${base.file}:${base.line}`,
          source: 'committed-file',
          fingerprint: r.fingerprint,
          ...(r.fingerprint.kind ? { kind: r.fingerprint.kind, kindConfidence: 'high' as const } : {}),
          extra: { committed: true, rotateRegardless: true },
        });
        break;
      case 'var':
        if (r.scope === 'vars' && classifyName([r.name])) {
          out.push({ ...common, name: `vars.${r.name}`, store: 'github:variables', source: 'ci-variable', kindConfidence: 'low' });
        }
        break;
      case 'opaque-expr':
        break;
    }
  }
  return out;
}

function secretListHint(slug: string | undefined): string {
  const repo = slug ?? '<owner/name>';
  return `gh secret list --repo ${repo}; gh secret list --org <org>; gh secret list --env <environment> --repo ${repo} (Settings > Secrets and variables > Actions)`;
}

/** Resolve `var` refs (env.X, $X) through an env map, keeping other refs. */
function resolveRefs(refs: ValueRef[], env: Map<string, EnvVar>, depth = 0): ValueRef[] {
  const out: ValueRef[] = [];
  for (const r of refs) {
    if (r.type === 'var' && r.scope !== 'vars') {
      const e = env.get(r.name);
      if (e && depth < 4) out.push(...resolveRefs(e.value.refs, env, depth + 1));
    } else out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// DC classification of a step.

interface WalkState {
  landed: boolean;
  npmMajor?: number;
  pnpmMajor?: number;
}

function scriptsPolicy(pm: string, inline: boolean, env: Map<string, EnvVar>, facts: RepoFacts, st: WalkState): { policy: 'on' | 'off' | 'allow-listed'; why: string } {
  if (inline) return { policy: 'off', why: '--ignore-scripts on the command line' };
  const envIgnore = [...env.values()].find((e) => /^npm_config_ignore_scripts$/i.test(e.name) && /^true$/i.test(e.value.text ?? ''));
  if (envIgnore && pm !== 'bun') return { policy: 'off', why: 'npm_config_ignore_scripts=true in the step env' };
  const root = rootSettings(facts);
  const declared = root.packageManager?.match(/^(npm|yarn|pnpm|bun)@(.+)$/);
  switch (pm) {
    case 'npm': {
      if (root.ignoreScripts) return { policy: 'off', why: `.npmrc ignore-scripts=true` };
      const major = st.npmMajor ?? (declared?.[1] === 'npm' ? majorOf(declared[2]) : undefined);
      if (major !== undefined && major >= 12) {
        return root.allowScripts && root.allowScripts.length > 0
          ? { policy: 'allow-listed', why: `npm ${major} runs only allowScripts packages (${root.allowScripts.length} allowed; a name-only entry allows every version)` }
          : { policy: 'off', why: `npm ${major} blocks dependency scripts without allowScripts` };
      }
      return { policy: 'on', why: major !== undefined ? `npm ${major} runs dependency scripts` : 'npm < 12 (or version unknown) runs dependency scripts' };
    }
    case 'yarn': {
      const berry = (declared?.[1] === 'yarn' && (majorOf(declared[2]) ?? 1) >= 2) || facts.hasYarnBerry;
      if (berry && root.enableScripts === false) return { policy: 'off', why: '.yarnrc.yml enableScripts: false' };
      if (!berry && root.ignoreScripts) return { policy: 'off', why: 'ignore-scripts in .yarnrc/.npmrc' };
      return { policy: 'on', why: `yarn ${berry ? 'berry' : 'classic'} runs dependency scripts` };
    }
    case 'pnpm': {
      const major = st.pnpmMajor ?? (declared?.[1] === 'pnpm' ? majorOf(declared[2]) : undefined);
      if (root.ignoreScripts) return { policy: 'off', why: '.npmrc ignore-scripts=true' };
      if (major !== undefined && major >= 10) {
        return root.onlyBuiltDependencies && root.onlyBuiltDependencies.length > 0
          ? { policy: 'allow-listed', why: `pnpm ${major} runs scripts of onlyBuiltDependencies only (${root.onlyBuiltDependencies.length} allowed)` }
          : { policy: 'off', why: `pnpm ${major} blocks dependency scripts by default` };
      }
      return { policy: 'on', why: major !== undefined ? `pnpm ${major} runs dependency scripts` : 'pnpm version unknown (pnpm < 10 runs dependency scripts)' };
    }
    case 'bun':
      return root.trustedDependencies && root.trustedDependencies.length > 0
        ? { policy: 'allow-listed', why: `bun runs trustedDependencies scripts (${root.trustedDependencies.length}) and its built-in allow-list` }
        : { policy: 'off', why: "bun blocks dependency scripts (except its built-in allow-list of popular packages)" };
    default:
      return { policy: 'on', why: 'scripts policy unknown' };
  }
}

function truthyInput(step: Step, name: string | undefined, dflt: boolean | undefined): boolean {
  if (!name) return false;
  const w = step.with.find((i) => i.name === name);
  if (!w) return dflt ?? false;
  const t = (w.value.text ?? '').trim();
  return t !== '' && !/^(false|0|no|off)$/i.test(t);
}

/** The DC classification of a step (first DC command), updating the walk state (landing, versions). */
function classifyStep(step: Step, env: Map<string, EnvVar>, facts: RepoFacts, st: WalkState): DcInfo | undefined {
  // A Bitbucket pipe runs in its own container with only the variables passed to it: not project code (§7).
  if (step.kind === 'pipe') return undefined;
  // Orb commands and tasks the reader expanded into commands (circleci/node install-packages, Npm@1) are
  // classified by those commands; other `uses` go through the action table.
  if (step.uses && !(step.commands.length > 0 && !actionInfo(step.uses.name))) {
    const info = actionInfo(step.uses.name);
    if (step.uses.name.toLowerCase() === 'pnpm/action-setup') {
      const v = step.with.find((w) => w.name === 'version')?.value.text;
      if (v) st.pnpmMajor = majorOf(v);
    }
    if (!info) return undefined;
    const installs = info.installs === 'always' || (info.installs === 'input' && truthyInput(step, info.installInput, info.installDefault));
    if (installs) {
      st.landed = true;
      const pm = step.uses.name.toLowerCase() === 'pnpm/action-setup' ? 'pnpm' : 'npm';
      const pol = scriptsPolicy(pm, false, env, facts, st);
      if (pol.policy !== 'off' || info.dc) {
        return { step: step.label, stepIndex: step.index, command: `uses: ${step.uses.ref} (installs)`, category: 'install', confidence: pol.policy === 'on' ? 'high' : 'medium', line: step.line, scriptsPolicy: pol.policy, scriptsWhy: pol.why };
      }
      return undefined;
    }
    if (info.dc) return { step: step.label, stepIndex: step.index, command: `uses: ${step.uses.ref}`, category: 'action', confidence: 'medium', line: step.line };
    return undefined;
  }
  let first: DcInfo | undefined;
  for (const cmd of step.commands) {
    const g = cmd.text.match(/\bnpm\s+(?:i|install)\s+(?:-g|--global)\s+npm@(\S+)/);
    if (g) st.npmMajor = majorOf(g[1]);
    for (const c of classifyLine(cmd.text)) {
      let dc: DcInfo | undefined;
      const base = { step: step.label, stepIndex: step.index, command: c.segment, category: c.category, line: cmd.line };
      if (c.category === 'install') {
        const pol = scriptsPolicy(c.pm, c.inlineIgnoreScripts, env, facts, st);
        st.landed = true;
        if (pol.policy !== 'off') dc = { ...base, confidence: pol.policy === 'on' ? c.confidence : 'medium', scriptsPolicy: pol.policy, scriptsWhy: pol.why };
      } else if (c.category === 'download-run') {
        dc = { ...base, confidence: 'high' };
      } else if (c.category === 'project-script') {
        dc = { ...base, confidence: st.landed ? 'high' : 'low' };
      } else if (c.category === 'publish') {
        const scripts = rootSettings(facts).publishScripts;
        dc = { ...base, confidence: scripts && scripts.length > 0 ? 'high' : 'medium' };
      } else if (c.category === 'node-tool' && st.landed) {
        dc = { ...base, confidence: c.confidence };
      }
      if (dc && !first) first = dc;
    }
  }
  return first;
}

// ---------------------------------------------------------------------------------------------------
// The job walk.

interface JobScope {
  pipeline: Pipeline;
  job: Job;
  /** Env inherited from the pipeline (empty for called jobs, whose callee env is in job.env). */
  pipelineEnv: EnvVar[];
  triggers: Trigger[];
  system: CiSystem;
  callerFile?: string;
}

interface JobResult {
  scope: JobScope;
  candidates: Candidate[];
  firstDc?: DcInfo;
  /** All holdings the job references (for T2/T3/T4 of consumers). */
  referenced: Holding[];
  cacheSaves: { key: string; paths: string[]; line: number; afterDc: boolean; action?: string; file?: string }[];
  cacheRestores: { keys: string[]; line: number }[];
  artifactUploads: { name: string; afterDc: boolean; line: number }[];
  artifactDownloads: { name: string; line: number }[];
  perms: EffectivePermissions;
  delivered: 'yes' | 'no' | 'unknown';
  publishes: boolean;
}

/** Flatten local composite actions: their steps run in place of the `uses: ./x` step. */
function flatSteps(steps: Step[]): Step[] {
  const out: Step[] = [];
  for (const s of steps) {
    if (s.composite && s.composite.length > 0) {
      for (const inner of flatSteps(s.composite)) {
        out.push({ ...inner, index: s.index, label: `${s.label} > ${inner.label}`, env: [...s.env, ...inner.env] });
      }
    } else out.push(s);
  }
  return out;
}

function envMapFor(scope: JobScope, exported: EnvVar[], step: Step): Map<string, EnvVar> {
  const m = new Map<string, EnvVar>();
  for (const e of [...scope.pipelineEnv, ...scope.job.env, ...exported, ...step.env]) m.set(e.name === '*' ? `*${m.size}` : e.name, e);
  return m;
}

const SCOPE_LABEL: Record<string, string> = { workflow: 'workflow env', job: 'job env', step: 'step env', exported: 'exported env', executor: 'executor env', platform: 'platform env' };

function stepOwnHoldings(scope: JobScope, step: Step, env: Map<string, EnvVar>, facts: RepoFacts): Holding[] {
  const store = envStore(scope.job);
  const file = step.file ?? scope.job.file;
  const out: Holding[] = [];
  for (const e of env.values()) {
    if (e.scope === 'exported') continue; // reported through the exporting side effect
    const refs = resolveRefs(e.value.refs, env);
    const base = { via: [SCOPE_LABEL[e.scope] ?? e.scope], line: e.line, file: e.file ?? (e.scope === 'workflow' ? scope.pipeline.file : file), alias: e.name, inEnv: true, store };
    out.push(...refsToHoldings(refs, base, facts));
    out.push(...storeVarHoldings(e.value.refs, env, scope, base, e.name));
  }
  for (const w of step.with) {
    const refs = resolveRefs(w.value.refs, env);
    const base = { via: [step.kind === 'pipe' ? `passed as ${w.name} to pipe ${step.uses?.ref ?? step.label} (its own container)` : `with: ${w.name} of \`${step.label}\``], line: w.line, file, alias: w.name, inEnv: true, store };
    out.push(...refsToHoldings(refs, base, facts));
    out.push(...storeVarHoldings(w.value.refs, env, scope, base, w.name));
  }
  for (const c of step.commands) {
    const refs = (c.refs ?? []).filter((r) => r.type !== 'var');
    out.push(...refsToHoldings(refs, { via: ['templated into the run script'], line: c.line, file, inEnv: true, store }, facts));
  }
  return out;
}

function consumptionKind(h: Holding, step: Step): void {
  if (h.kind || !step.uses) return;
  const n = step.uses.name.toLowerCase();
  const alias = h.aliases[0] ?? '';
  if (n === 'aws-actions/configure-aws-credentials' && /aws/i.test(alias)) h.kind = 'aws';
  else if (n === 'docker/login-action' && alias === 'password') h.kind = 'container-registry';
  else if (n === 'google-github-actions/auth' && alias === 'credentials_json') h.kind = 'gcp';
  else if (n === 'azure/login' && alias === 'creds') h.kind = 'azure';
  else if (n === 'actions/checkout' && alias === 'token') h.kind = 'github-pat';
  else if (n === 'actions/checkout' && alias === 'ssh-key') h.kind = 'ci-platform';
  if (h.kind) h.kindConfidence = 'high';
}

/**
 * Variables a non-GitHub job reads that are defined nowhere in the repository (`$NPM_TOKEN` passed to a
 * Bitbucket pipe, Travis `$encrypted_<id>_key`): members of the system's settings store. Only names that
 * read as credentials become holdings.
 */
function storeVarHoldings(refs: ValueRef[], env: Map<string, EnvVar>, scope: JobScope, base: { via: string[]; line: number; file: string; inEnv: boolean }, alias?: string): Holding[] {
  if (scope.system === 'github-actions' || scope.system === 'dockerfile') return [];
  return refs
    .filter((r): r is Extract<ValueRef, { type: 'var' }> => r.type === 'var' && r.scope !== 'vars' && !env.has(r.name) && (SECRETISH.test(r.name) || SECRETISH.test(alias ?? '')))
    .map((r) => ({ name: r.name, store: `${scope.system}:variables`, aliases: alias && alias !== r.name ? [alias] : [], via: [...base.via, `$${r.name} is set outside the repository (CI settings store)`], line: base.line, file: base.file, inEnv: base.inEnv, source: 'ci-variable' }));
}

/** Per-job state of a Dockerfile stage: what each ARG/ENV name carries. */
interface ImageState {
  args: Map<string, Holding[]>;
}

/** ARG/ENV in a Dockerfile stage: the CI secrets a `--build-arg` put there, or the arg itself (§9). */
function imageEnvHoldings(eff: Extract<SideEffect, { type: 'env-export' }>, step: Step, scope: JobScope, facts: RepoFacts, img: ImageState): Holding[] {
  const file = step.file ?? scope.job.file;
  const isArg = /^ARG\b/.test(step.label);
  const history = isArg ? `ARG ${eff.name}: the value is recorded in the image history of stage ${scope.job.id} (rotate regardless)` : `ENV ${eff.name}: persisted in the image config of stage ${scope.job.id} (rotate regardless)`;
  const out: Holding[] = [];
  for (const r of eff.value.refs) {
    if (r.type !== 'var') {
      out.push(...refsToHoldings([r], { via: [history], line: eff.line, file, alias: eff.name, inEnv: true, store: `dockerfile:${file}` }, facts));
      continue;
    }
    const carried = img.args.get(r.name);
    if (carried) {
      out.push(...carried.map((h) => ({ ...h, aliases: [...new Set([...h.aliases, eff.name])], via: [...h.via, history], line: eff.line, file })));
      continue;
    }
    if (r.name !== eff.name) continue;
    const fromCi = facts.buildArgs.get(r.name) ?? [];
    for (const b of fromCi) {
      for (const h of b.holdings) {
        out.push({ ...h, aliases: [...new Set([...h.aliases, eff.name])], via: [...h.via, history], line: eff.line, file, extra: { ...h.extra, buildArgFrom: { file: b.file, line: b.line, job: b.job } } });
      }
    }
    if (fromCi.length === 0 && (SECRETISH.test(r.name) || facts.kindHints.has(r.name))) {
      out.push({ name: r.name, store: `dockerfile:${file}`, aliases: [], via: [`--build-arg ${r.name} (set by a build not seen in the repository)`, history], line: eff.line, file, inEnv: true, source: 'ci-variable' });
    }
  }
  const marked = out.map((h) => ({ ...h, extra: { ...h.extra, imageHistory: `stage ${scope.job.id}`, rotateRegardless: true } }));
  img.args.set(eff.name, marked);
  return marked;
}

function effectHoldings(eff: SideEffect, step: Step, env: Map<string, EnvVar>, scope: JobScope, facts: RepoFacts, perms: EffectivePermissions, img: ImageState): Holding[] {
  const file = step.file ?? scope.job.file;
  const store = envStore(scope.job);
  switch (eff.type) {
    case 'env-export': {
      if (scope.system === 'dockerfile') return imageEnvHoldings(eff, step, scope, facts, img);
      const refs = resolveRefs(eff.value.refs, env);
      return refsToHoldings(refs, { via: [`exported to later steps by ${eff.by} in \`${step.label}\``], line: eff.line, file, alias: eff.name, inEnv: true, store }, facts);
    }
    case 'file-write': {
      const refs = resolveRefs(eff.value.refs, env);
      return refsToHoldings(refs, { via: [`written to ${eff.path} by \`${step.label}\``], line: eff.line, file, inEnv: false, store }, facts).map((h) => ({
        ...h,
        extra: { ...h.extra, persistedIn: eff.path },
        ...(/npmrc/.test(eff.path) && !h.kind ? { kind: 'npm-token' as const, kindConfidence: 'medium' as const } : {}),
        ...(/npm\.pkg\.github\.com/.test(eff.value.text ?? '') ? { kind: 'github-pat' as const, kindConfidence: 'high' as const } : {}),
      }));
    }
    case 'cred-persist': {
      const by = step.uses ? step.uses.ref : step.label;
      const via = [`persisted by ${by} in ${eff.where}`];
      const resolved = resolveRefs(eff.refs, env);
      const refs = resolved.filter((r) => r.type !== 'var');
      if (scope.system !== 'github-actions') {
        // The credential itself (checkout key, add_ssh_keys key, decrypted file, npmAuthenticate .npmrc,
        // a COPY'd .npmrc), plus the named values it is built from.
        const named = refs.filter((r) => r.type !== 'platform' || r.name === eff.name);
        const out: Holding[] = named.length > 0
          ? refsToHoldings(named, { via, line: eff.line, file, inEnv: (eff.exports ?? []).length > 0, store }, facts).map((h) => ({ ...h, aliases: [...h.aliases, ...(eff.exports ?? [])], ...(h.kind ? {} : { kind: eff.kind, kindConfidence: 'high' as const }) }))
          : [{ name: eff.name, store: refs.some((r) => r.type === 'platform') ? 'platform' : `${scope.system}:${file}`, aliases: eff.exports ?? [], kind: eff.kind, kindConfidence: 'high', via, line: eff.line, file, inEnv: (eff.exports ?? []).length > 0, source: refs.some((r) => r.type === 'platform') ? 'platform-token' : 'credentials-binding', lifetime: eff.lifetime, ...(eff.note ? { extra: { note: eff.note } } : {}) }];
        out.push(...storeVarHoldings(eff.refs, env, scope, { via, line: eff.line, file, inEnv: true }).map((h) => ({ ...h, kind: eff.kind, kindConfidence: 'medium' as const })));
        if (scope.system === 'dockerfile' && /(^|\/)\.npmrc$/.test(eff.name)) {
          // `COPY .npmrc`: its `${VAR}` references resolve from the stage's ARG/ENV.
          for (const a of facts.registryAuth) {
            if (a.value.type !== 'var' || !/(^|\/)\.npmrc$/.test(a.file)) continue;
            for (const h of img.args.get(a.value.name) ?? []) out.push({ ...h, kind: h.kind ?? a.kind, via: [...h.via, `${a.file} copied into the image (${a.host}:${a.key}=\${${a.value.name}})`, ...via] });
          }
        }
        return out;
      }
      if (eff.kind === 'github-token' && refs.length === 0) {
        const extra: Record<string, unknown> = { permissions: { source: perms.source, write: perms.write, read: perms.read } };
        if (eff.note) extra.note = eff.note;
        return [{ name: eff.name, store: 'platform', aliases: [], kind: eff.kind, kindConfidence: 'high', via, line: eff.line, file, inEnv: false, source: 'platform-token', lifetime: eff.lifetime, extra }];
      }
      if (refs.length > 0) {
        return refsToHoldings(refs, { via, line: eff.line, file, inEnv: (eff.exports ?? []).length > 0, store }, facts).map((h) => ({
          ...h,
          aliases: [...h.aliases, ...(eff.exports ?? [])],
          ...(h.kind ? {} : { kind: eff.kind, kindConfidence: 'high' as const }),
        }));
      }
      if (eff.lifetime === 'short-lived') {
        // Cloud sessions from OIDC (role-to-assume, workload identity): the session itself is the credential.
        return [{ name: eff.name, store: `session:${eff.name}`, aliases: eff.exports ?? [], kind: eff.kind, kindConfidence: 'high', via, line: eff.line, file, inEnv: (eff.exports ?? []).length > 0, source: 'oidc-capability', lifetime: eff.lifetime }];
      }
      return [];
    }
    default:
      return [];
  }
}

const PUBLISH_RE = /\b(npm|pnpm|yarn(\s+npm)?|bun)\s+publish\b|changeset\s+publish|semantic-release|lerna\s+publish/;

function jobPublishes(scope: JobScope, steps: Step[]): boolean {
  const triggers = scope.triggers;
  const releaseTrigger = triggers.some((t) => t.event === 'release' || t.filters.some((f) => /^tags/.test(f) || /release/i.test(f)));
  const publishCmd = steps.some((s) => s.commands.some((c) => PUBLISH_RE.test(c.text)) || (s.uses && actionInfo(s.uses.name)?.publisher));
  return releaseTrigger || publishCmd || /release|publish/i.test(scope.job.id);
}

function oidcRelyingParties(pipeline: Pipeline, job: Job, steps: Step[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    for (const e of s.effects) if (e.type === 'cred-persist' && e.lifetime === 'short-lived') out.push(e.name);
    if (s.commands.some((c) => /\bnpm\s+publish\b[^\n]*--provenance|\bnpm\s+publish\b/.test(c.text))) out.push('npm trusted publishing / provenance (npm publish in an id-token: write job)');
    if (s.uses?.name.toLowerCase() === 'pypa/gh-action-pypi-publish') out.push('PyPI trusted publishing');
    if (s.uses?.name.toLowerCase().startsWith('sigstore/') || s.commands.some((c) => /\bcosign\s+sign\b/.test(c.text))) out.push('Sigstore keyless signing');
    if (s.uses?.name.toLowerCase() === 'hashicorp/vault-action') out.push('Vault JWT auth');
  }
  void pipeline;
  void job;
  return [...new Set(out)];
}

/** The reach chain of a step that runs after the first DC step. */
function afterDcVia(step: Step, dc: DcInfo): string {
  if (step.phase === 'post') return `\`${step.label}\` runs after DC step \`${dc.step}\` in a separate shell with the same workspace (tampered node_modules/.bin, files, hooks)`;
  return `\`${step.label}\` runs after DC step \`${dc.step}\` (tampered node_modules/.bin, action code, PATH or hooks)`;
}

/** Holdings of one job-level credential: its references, or the credential itself (opaque store, OIDC, platform token). */
function credentialHoldings(cred: JobCredential, scope: JobScope, store: string, facts: RepoFacts): Holding[] {
  const file = cred.file ?? scope.job.file;
  if (scope.system === 'github-actions') {
    // Container/service registry credentials: in runner memory only.
    if (!cred.refs) return [];
    return refsToHoldings(cred.refs, { via: [cred.note ?? cred.name], line: cred.line, file, alias: cred.name, inEnv: cred.inEnv, store }, facts).map((h) => ({ ...h, ...(cred.kind && !h.kind ? { kind: cred.kind } : {}) }));
  }
  const via = [cred.note ?? (cred.opaque ? cred.opaque.reason : cred.name)];
  const refs = (cred.refs ?? []).filter((r) => r.type !== 'var' && r.type !== 'opaque-expr');
  if (refs.length > 0) {
    return refsToHoldings(refs, { via, line: cred.line, file, alias: cred.name, inEnv: cred.inEnv, store, source: cred.source }, facts).map((h) => ({
      ...h,
      ...(cred.kind && !h.kind ? { kind: cred.kind, kindConfidence: 'high' as const } : {}),
      ...(h.lifetime ? {} : { lifetime: cred.lifetime }),
    }));
  }
  const platform = cred.source === 'platform-token' || cred.source === 'oidc-capability';
  return [
    {
      name: cred.name,
      store: platform ? 'platform' : `${scope.system}:${cred.source}`,
      aliases: [],
      ...(cred.kind ? { kind: cred.kind, kindConfidence: 'high' as const } : {}),
      via,
      line: cred.line,
      file,
      inEnv: cred.inEnv,
      source: cred.source,
      lifetime: cred.lifetime,
      ...(cred.opaque ? { opaque: cred.opaque } : {}),
      ...(cred.kind === 'oidc-capability' ? { extra: { relyingParties: [] as string[] } } : {}),
    },
  ];
}

function analyseJob(scope: JobScope, facts: RepoFacts): JobResult {
  const { job, pipeline } = scope;
  // Post phases (GitLab after_script, Bitbucket after-script, Jenkins post {}) run after every main step.
  const flat = flatSteps(job.steps);
  const steps = [...flat.filter((s) => s.phase !== 'post'), ...flat.filter((s) => s.phase === 'post')];
  const perms = effectivePermissions(job, pipeline, scope.triggers);
  const deliv = delivered(scope.triggers, [job.condition], scope.system);
  const triggers = scope.triggers.map(triggerText);
  const res: JobResult = { scope, candidates: [], referenced: [], cacheSaves: [], cacheRestores: [], artifactUploads: [], artifactDownloads: [], perms, delivered: deliv, publishes: jobPublishes(scope, steps) };
  const st: WalkState = { landed: false };
  const ambient: Holding[] = [];
  const exported: EnvVar[] = [];
  const early: { h: Holding; step: Step }[] = [];
  const img: ImageState = { args: new Map() };
  /** Side-effect holdings that reached a DC step, and those created after the first DC step. */
  const reached = new Set<Holding>();
  const persistedAfterDc: { h: Holding; step: Step }[] = [];
  /** DC classification of each step (by position in `steps`). */
  const dcAt: (DcInfo | undefined)[] = [];
  const common = (): Pick<Candidate, 'system' | 'job' | 'workflow' | 'runner' | 'triggers' | 'delivered' | 'memoryReachable' | 'environment'> => ({
    system: scope.system,
    job: job.id,
    workflow: pipeline.name ?? pipeline.file,
    runner: job.runner.type,
    triggers,
    delivered: deliv,
    memoryReachable: false,
    ...(job.environment ? { environment: job.environment.name } : {}),
  });
  const oidcHolding = (): Holding => ({
    name: 'OIDC token (id-token: write)',
    store: 'platform',
    aliases: ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
    kind: 'oidc-capability',
    kindConfidence: 'high',
    via: ['id-token: write', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN in the env of every run step'],
    line: perms.idTokenLine ?? job.line,
    file: job.permissions ? job.file : pipeline.file,
    inEnv: true,
    source: 'oidc-capability',
    lifetime: 'short-lived',
    extra: { relyingParties: oidcRelyingParties(pipeline, job, steps) },
  });

  for (const step of steps) {
    const env = envMapFor(scope, exported, step);
    const own = stepOwnHoldings(scope, step, env, facts);
    for (const h of own) consumptionKind(h, step);
    res.referenced.push(...own);
    const dc = classifyStep(step, env, facts, st);
    dcAt.push(dc);
    if (dc && !res.firstDc) res.firstDc = dc;
    const platform = perms.idTokenWrite ? [oidcHolding()] : [];
    if (dc) {
      for (const h of [...own, ...ambient, ...platform]) {
        reached.add(h);
        const last = h.inEnv ? `env of \`${step.label}\` (${dc.category}: ${dc.command})` : `readable by \`${step.label}\` (${dc.category}: ${dc.command})`;
        res.candidates.push({ ...h, ...common(), tier: 'T0', step: step.label, stepIndex: step.index, dc, confidence: dc.confidence, via: [...h.via, last] });
      }
    } else if (res.firstDc) {
      for (const h of own) {
        res.candidates.push({
          ...h,
          ...common(),
          tier: 'T1',
          step: step.label,
          stepIndex: step.index,
          dc: res.firstDc,
          confidence: 'medium',
          via: [...h.via, afterDcVia(step, res.firstDc)],
        });
      }
    } else {
      for (const h of own) early.push({ h, step });
    }
    // Side effects take effect for later steps.
    for (const eff of step.effects) {
      const hs = effectHoldings(eff, step, env, scope, facts, perms, img);
      for (const h of hs) consumptionKind(h, step);
      ambient.push(...hs);
      if (res.firstDc) for (const h of hs) persistedAfterDc.push({ h, step });
      res.referenced.push(...hs.filter((h) => h.source !== 'platform-token' && h.source !== 'oidc-capability'));
      if (eff.type === 'env-export') {
        exported.push({ name: eff.name, value: { text: eff.value.text, refs: resolveRefs(eff.value.refs, env) }, line: eff.line, scope: 'exported' });
      } else if (eff.type === 'cache-save') {
        res.cacheSaves.push({ key: eff.key, paths: eff.paths, line: eff.line, afterDc: eff.post || res.firstDc !== undefined, ...(eff.action ? { action: eff.action } : {}), file: eff.file ?? job.file });
      } else if (eff.type === 'cache-restore') {
        res.cacheRestores.push({ keys: [eff.key, ...eff.restoreKeys], line: eff.line });
        const sensitive = loadCiData<ActionData>('actions').cacheSensitivePaths;
        if (eff.paths.some((p) => /node_modules/.test(p)) && sensitive.length > 0) st.landed = true;
      } else if (eff.type === 'artifact-upload') {
        res.artifactUploads.push({ name: eff.name, afterDc: res.firstDc !== undefined, line: eff.line });
      } else if (eff.type === 'artifact-download') {
        res.artifactDownloads.push({ name: eff.name, line: eff.line });
      }
    }
  }
  // Job-level credentials: platform tokens, opaque stores, OIDC, vault secrets, bindings scoped to a step
  // range (Jenkins withCredentials, BuildKit secret mounts, Azure service connections), and references
  // in `if:` that reach the runner only.
  const store = envStore(job);
  const memoryOnly: Holding[] = [];
  const stepKeys = new Set(res.referenced.map((h) => `${h.store}\u0000${h.name}`));
  for (const cred of job.credentials) {
    const hs = credentialHoldings(cred, scope, store, facts).filter((h) => scope.system === 'github-actions' || !stepKeys.has(`${h.store}\u0000${h.name}`));
    res.referenced.push(...hs);
    if (!res.firstDc) continue;
    const ranged = cred.fromStep !== undefined || cred.toStep !== undefined;
    if (ranged) {
      const from = cred.fromStep ?? 0;
      const to = cred.toStep ?? Number.MAX_SAFE_INTEGER;
      const at = steps.findIndex((s, i) => s.index >= from && s.index <= to && dcAt[i] !== undefined);
      const firstIn = steps.find((s) => s.index >= from && s.index <= to);
      for (const h of hs) {
        if (at >= 0) {
          const dc = dcAt[at]!;
          const s = steps[at]!;
          res.candidates.push({ ...h, ...common(), tier: 'T0', step: s.label, stepIndex: s.index, dc, confidence: dc.confidence, via: [...h.via, `${h.inEnv ? 'env of' : 'readable by'} \`${s.label}\` (${dc.category}: ${dc.command})`] });
        } else if (firstIn && from > res.firstDc.stepIndex) {
          res.candidates.push({ ...h, ...common(), tier: 'T1', step: firstIn.label, stepIndex: firstIn.index, dc: res.firstDc, confidence: 'medium', via: [...h.via, afterDcVia(firstIn, res.firstDc)] });
        } else {
          memoryOnly.push(h);
        }
      }
    } else if (cred.inEnv && scope.system !== 'github-actions') {
      // In the environment of every command of the job (GitLab/CircleCI/Travis/Bitbucket variables,
      // id_tokens, vault file variables, CI_JOB_TOKEN): the first DC command has them.
      const dc = res.firstDc;
      for (const h of hs) res.candidates.push({ ...h, ...common(), tier: 'T0', step: dc.step, stepIndex: dc.stepIndex, dc, confidence: dc.confidence, via: [...h.via, `env of \`${dc.step}\` (${dc.category}: ${dc.command})`] });
    } else {
      memoryOnly.push(...hs);
    }
  }
  for (const s of steps) if (s.conditionRefs) memoryOnly.push(...refsToHoldings(s.conditionRefs.filter((r) => r.type !== 'var'), { via: [`if: of \`${s.label}\``], line: s.line, file: s.file ?? job.file, inEnv: false, store }, facts));
  res.referenced.push(...memoryOnly.filter((h) => !res.referenced.includes(h)));

  if (res.firstDc && scope.system !== 'github-actions') {
    // Sharing one environment (§3.2, §4.2, §8, §7): env of steps before the first DC command is still in
    // the process that runs it.
    if (job.sharedEnv) {
      const dc = res.firstDc;
      for (const { h, step } of early.filter((e) => e.step.phase !== 'post' && e.h.inEnv)) {
        res.candidates.push({ ...h, ...common(), tier: 'T0', step: dc.step, stepIndex: dc.stepIndex, dc, confidence: dc.confidence, via: [...h.via, `\`${step.label}\` shares the job environment with \`${dc.step}\` (${dc.category}: ${dc.command})`] });
      }
    }
    // Credentials left on disk or exported after the last DC step are still reachable by tampering.
    for (const { h, step } of persistedAfterDc.filter((p) => !reached.has(p.h))) {
      res.candidates.push({ ...h, ...common(), tier: 'T1', step: step.label, stepIndex: step.index, dc: res.firstDc, confidence: 'medium', via: [...h.via, afterDcVia(step, res.firstDc)] });
    }
  }

  if (res.firstDc) {
    const hostedOrSelf = job.runner.type === 'self-hosted' || (job.runner.type === 'hosted' && job.runner.os !== 'windows') || job.runner.type === 'unknown';
    for (const { h, step } of early) {
      res.candidates.push({ ...h, ...common(), tier: 'T1', step: step.label, stepIndex: step.index, dc: res.firstDc, confidence: 'low', via: [...h.via, `\`${step.label}\` runs before the first DC step; the value stays in runner memory`] });
    }
    for (const h of memoryOnly) res.candidates.push({ ...h, ...common(), tier: 'T1', dc: res.firstDc, confidence: 'low', via: [...h.via, 'sent to the runner; in runner memory during the DC step'] });
    // GITHUB_TOKEN is always in runner memory of a DC job, even without checkout persistence.
    if (scope.system === 'github-actions' && !res.candidates.some((c) => c.name === 'GITHUB_TOKEN' && c.tier === 'T0')) {
      res.candidates.push({
        name: 'GITHUB_TOKEN', store: 'platform', aliases: [], kind: 'github-token', kindConfidence: 'high', via: ['job token held by the runner', `in runner memory while \`${res.firstDc.step}\` runs`],
        line: job.line, file: job.file, inEnv: false, source: 'platform-token', lifetime: 'job-scoped', ...common(), tier: 'T1', dc: res.firstDc, confidence: 'low',
        extra: { permissions: { source: perms.source, write: perms.write, read: perms.read } },
      });
    }
    for (const c of res.candidates) c.memoryReachable = hostedOrSelf;
    // A DC job that saves a cache after dependency code ran holds cache write access (poisoning, §2.7).
    const poison = res.cacheSaves.filter((s) => s.afterDc);
    if (poison.length > 0) {
      const cap = CACHE_CAPABILITY[scope.system];
      res.candidates.push({
        name: cap.name, store: 'platform', aliases: cap.aliases, kind: 'cache-capability', kindConfidence: 'high',
        via: [`cache ${poison.map((p) => `\`${p.key}\``).join(', ')} saved after \`${res.firstDc.step}\` ran`], line: poison[0]!.line, file: poison[0]!.file ?? job.file,
        inEnv: false, source: 'cache-capability', lifetime: 'job-scoped', ...common(), tier: 'T0', dc: res.firstDc, confidence: 'high', memoryReachable: hostedOrSelf,
        extra: { cacheKeys: poison.map((p) => p.key), publishingWorkflow: res.publishes },
      });
    }
    if (job.runner.type === 'self-hosted') {
      res.candidates.push({
        name: `runner host credentials (${job.runner.labels.join(', ')})`, store: `runner:${job.runner.labels.join(',')}`, aliases: [], kind: 'runner-host', kindConfidence: 'medium',
        via: ['self-hosted runner', `DC step \`${res.firstDc.step}\` ran on a persistent host`], line: job.runner.line, file: job.file, inEnv: false, source: 'runner-host',
        lifetime: 'long-lived', ...common(), tier: 'T2', dc: res.firstDc, confidence: 'medium', carrier: 'runner-host', memoryReachable: true,
        opaque: { what: 'instance role (IMDS), ~/.npmrc, ~/.docker/config.json, ~/.aws, kube service-account token, other jobs on the pool', reason: 'runner host is outside the repository', resolveWith: 'inventory the runner group (Settings > Actions > Runners; gh api orgs/<org>/actions/runners) and look for unknown runners such as SHA1HULUD' },
      });
      for (const h of ambient) {
        const path = h.extra?.persistedIn;
        if (typeof path === 'string' && path.startsWith('~')) {
          res.candidates.push({ ...h, ...common(), tier: 'T2', dc: res.firstDc, confidence: 'high', carrier: 'runner-host', memoryReachable: true, via: [...h.via, `${path} survives the job on the persistent host`] });
        }
      }
    }
  } else {
    for (const h of res.referenced) {
      if (h.source === 'platform-token' || h.source === 'oidc-capability' || h.store.startsWith('session:')) continue;
      res.candidates.push({ ...h, ...common(), tier: 'T4', step: undefined, confidence: 'high', via: [...h.via, `job \`${job.id}\` runs no dependency code`] });
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------------
// Cross-job links, scoring, output.

function literalPrefix(key: string): string {
  const i = key.indexOf('${{');
  return (i < 0 ? key : key.slice(0, i)).trim();
}

function cacheMatches(saveKey: string, restoreKeys: string[]): boolean {
  const p = literalPrefix(saveKey);
  if (p === '') return false;
  return restoreKeys.some((k) => {
    const q = literalPrefix(k);
    return q !== '' && (p.startsWith(q) || q.startsWith(p));
  });
}

function consumerCandidates(consumer: JobResult, via: string[], carrier: 'cache' | 'artifact' | 'runner-host', tier: Tier, facts: RepoFacts): Candidate[] {
  const { job, pipeline } = consumer.scope;
  const out: Candidate[] = [];
  const base = {
    system: consumer.scope.system,
    job: job.id,
    workflow: pipeline.name ?? pipeline.file,
    runner: job.runner.type,
    triggers: consumer.scope.triggers.map(triggerText),
    delivered: consumer.delivered,
    memoryReachable: false,
    ...(job.environment ? { environment: job.environment.name } : {}),
    tier,
    carrier,
    confidence: 'medium' as Confidence,
  };
  for (const h of consumer.referenced) out.push({ ...h, ...base, via: [...via, ...h.via] });
  if (consumer.perms.idTokenWrite) {
    out.push({ name: 'OIDC token (id-token: write)', store: 'platform', aliases: [], kind: 'oidc-capability', kindConfidence: 'high', via: [...via, 'id-token: write in the consuming job'], line: consumer.perms.idTokenLine ?? job.line, file: job.permissions ? job.file : pipeline.file, inEnv: true, source: 'oidc-capability', lifetime: 'short-lived', ...base, extra: { relyingParties: oidcRelyingParties(pipeline, job, flatSteps(job.steps)) } });
  }
  void facts;
  return out;
}

function escalationsFor(c: Candidate): Escalation[] {
  const out: Escalation[] = [];
  switch (c.kind) {
    case 'npm-token':
    case 'other-registry':
      out.push('registry-publish');
      break;
    case 'github-pat':
      out.push('workflow-write');
      break;
    case 'aws':
    case 'gcp':
    case 'azure':
      out.push('secret-manager-read');
      break;
    case 'ci-platform':
      if (/GITLAB|CIRCLE|TRAVIS|AZDO|BUILDKITE/i.test(c.name)) out.push('ci-admin');
      break;
    case 'oidc-capability': {
      const rp = (c.extra?.relyingParties as string[] | undefined) ?? [];
      if (rp.some((r) => /trusted publishing/i.test(r))) out.push('registry-publish');
      break;
    }
    case 'github-token': {
      const w = ((c.extra?.permissions as { write?: string[] } | undefined)?.write ?? []).join(' ');
      if (/packages|all/.test(w)) out.push('registry-publish');
      break;
    }
  }
  return out;
}

function score(c: Candidate, kind: SecretKind, lifetime: Lifetime, escalations: Escalation[]): number {
  let s = TIER_BASE[c.tier] + kindWeight(kind);
  s += lifetime === 'long-lived' ? 10 : lifetime === 'short-lived' || lifetime === 'job-scoped' ? -25 : 0;
  if (c.delivered === 'no') s -= 60;
  if (c.triggers.some((t) => /^(pull_request_target|workflow_run)\b/.test(t))) s += 10;
  s += c.confidence === 'medium' ? -10 : c.confidence === 'low' ? -20 : 0;
  return s + 20 * escalations.length;
}

function finish(c: Candidate, facts: RepoFacts): SecretExposure & { score: number; delivered: string } {
  let kind = c.kind;
  let kindConfidence = c.kindConfidence ?? 'medium';
  if (!kind) {
    const hint = [c.name, ...c.aliases].map((n) => facts.kindHints.get(n)).find(Boolean);
    const guess = classifyName([c.name, ...c.aliases]);
    if (guess && guess.kind !== 'generic') {
      kind = guess.kind;
      kindConfidence = guess.confidence;
    } else if (hint) {
      kind = hint;
      kindConfidence = 'high';
    } else {
      kind = 'generic';
      kindConfidence = 'low';
    }
  }
  const lifetime = c.lifetime ?? kindLifetime(kind);
  let tier = c.tier;
  const promoted = facts.opts.assumeMemoryScraping && tier === 'T1' && c.memoryReachable;
  if (promoted) tier = 'T0';
  const withTier = { ...c, tier };
  const escalations = escalationsFor({ ...withTier, kind });
  const confidence = minConf(c.confidence, kindConfidence === 'low' ? 'medium' : 'high');
  const sc = score({ ...withTier, confidence }, kind, lifetime, escalations);
  const rotation = loadCiData<RotationData>('rotation').kinds[kind];
  const out: SecretExposure & { score: number; delivered: string } = {
    repo: facts.opts.repo,
    system: c.system,
    file: c.file,
    line: c.line,
    name: c.name,
    kind,
    tier,
    ...(c.job !== undefined ? { job: c.job } : {}),
    ...(c.step !== undefined ? { step: c.step } : {}),
    ...(c.stepIndex !== undefined ? { stepIndex: c.stepIndex } : {}),
    ...(c.workflow ? { workflow: c.workflow } : {}),
    via: c.via,
    score: sc,
    confidence,
    kindConfidence,
    source: c.source,
    store: c.store,
    lifetime,
    ...(c.aliases.length > 0 ? { aliases: [...new Set(c.aliases)] } : {}),
    ...(c.dc ? { dcStep: { step: c.dc.step, command: c.dc.command, line: c.dc.line, category: c.dc.category, confidence: c.dc.confidence, ...(c.dc.scriptsPolicy ? { scriptsPolicy: c.dc.scriptsPolicy, scriptsWhy: c.dc.scriptsWhy } : {}) } } : {}),
    ...(c.runner ? { runner: c.runner } : {}),
    triggers: c.triggers,
    delivered: c.delivered,
    memoryReachable: c.memoryReachable,
    ...(promoted ? { promotedFrom: 'T1 (memory)' } : {}),
    ...(c.carrier ? { carrier: c.carrier } : {}),
    ...(c.environment ? { environment: c.environment } : {}),
    escalations,
    ...(c.fingerprint ? { fingerprint: showFingerprint(c.fingerprint) } : {}),
    ...(c.opaque ? { opaque: c.opaque } : {}),
    ...(rotation ? { rotation } : {}),
    ...(c.extra ?? {}),
  };
  if (c.environment && c.source === 'ci-secret') {
    out.opaqueStore = { what: `environment ${c.environment}`, resolveWith: `gh secret list --env ${c.environment} --repo ${facts.opts.slug ?? '<owner/name>'}` };
  }
  return out;
}

type Out = SecretExposure & { score: number; delivered: string };

function compare(a: Out, b: Out): number {
  return (
    TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) ||
    (a.delivered === 'no' ? 1 : 0) - (b.delivered === 'no' ? 1 : 0) ||
    b.score - a.score ||
    a.repo.localeCompare(b.repo) ||
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.name.localeCompare(b.name)
  );
}

/** Sort exposures: tier, then delivered before not delivered, score (desc), repo, file, line, name. Stable. */
export function sortExposures<T extends SecretExposure>(list: T[]): T[] {
  return list
    .map((x, i) => ({ x, i }))
    .sort((p, q) => compare(p.x as unknown as Out, q.x as unknown as Out) || p.i - q.i)
    .map((p) => p.x);
}

const BUILD_ARG_RE = /--build-arg(?:=|\s+)(?:"|')?([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\$\{\{[^}]*\}\}|\S+)/g;

/**
 * CI steps that build images with build args (`docker build --build-arg NAME=${{ secrets.X }}`,
 * docker/build-push-action `build-args:`): NAME -> the holdings of the value, for the Dockerfile stages (§9).
 */
function collectBuildArgs(pipelines: Pipeline[], facts: RepoFacts): void {
  const add = (name: string, value: string, refs: ValueRef[], env: Map<string, EnvVar>, job: Job, file: string, line: number, label: string) => {
    const mine = refs.filter((r) => 'name' in r && value.includes(r.name));
    const holdings = refsToHoldings(resolveRefs(mine, env), { via: [`--build-arg ${name} in \`${label}\` (${file}:${line})`], line, file, alias: name, inEnv: true, store: envStore(job) }, facts);
    if (holdings.length === 0) return;
    const list = facts.buildArgs.get(name) ?? [];
    list.push({ holdings, file, line, job: job.id });
    facts.buildArgs.set(name, list);
  };
  for (const p of pipelines) {
    if (p.system === 'dockerfile') continue;
    for (const job of p.jobs) {
      for (const step of flatSteps(job.steps)) {
        const env = new Map<string, EnvVar>();
        for (const e of [...p.env, ...job.env, ...step.env]) env.set(e.name, e);
        const file = step.file ?? job.file;
        for (const c of step.commands) {
          for (const m of c.text.matchAll(BUILD_ARG_RE)) add(m[1]!, m[2]!, c.refs ?? [], env, job, file, c.line, step.label);
        }
        for (const eff of step.effects) {
          if (eff.type !== 'image-build') continue;
          for (const a of eff.args.filter((x) => x.name === 'build-args')) {
            for (const l of (a.value.text ?? '').split(/\r?\n/)) {
              const m = l.trim().match(/^([A-Za-z_]\w*)=(.*)$/);
              if (m) add(m[1]!, m[2]!, a.value.refs, env, job, file, a.line, step.label);
            }
          }
        }
      }
    }
  }
}

/** Analyse every parse of one repository. */
export function analyzeParses(parses: CiParse[], opts: AnalyzeOptions): SecretExposure[] {
  const facts: RepoFacts = {
    settings: parses.flatMap((p) => p.settings),
    kindHints: new Map(),
    hasYarnBerry: parses.some((p) => /(^|\/)\.yarnrc\.yml$/.test(p.file) && !p.file.includes('/')),
    opts,
    registryAuth: parses.flatMap((p) => p.registryAuth),
    buildArgs: new Map(),
  };
  for (const p of parses) for (const a of p.registryAuth) if (a.value.type === 'var') facts.kindHints.set(a.value.name, a.kind);

  const pipelines = parses.flatMap((p) => p.pipelines);
  collectBuildArgs(pipelines, facts);
  // Workflows that are only `workflow_call` and are called locally are analysed under their callers.
  const calledFiles = new Set(pipelines.flatMap((p) => p.jobs.map((j) => (j.call?.uses.local ? j.call.uses.name.replace(/^\.\//, '') : '')).filter(Boolean)));
  const results: JobResult[] = [];
  const extra: Candidate[] = [];
  for (const pipeline of pipelines) {
    if (calledFiles.has(pipeline.file) && pipeline.triggers.every((t) => t.event === 'workflow_call')) continue;
    for (const job of pipeline.jobs) {
      const scope: JobScope = { pipeline, job, pipelineEnv: pipeline.env, triggers: job.triggers ?? pipeline.triggers, system: pipeline.system };
      if (job.call) {
        const called = (job.calledJobs ?? []).map((cj) => analyseJob({ pipeline, job: { ...cj, permissions: cj.permissions ?? job.permissions ?? pipeline.permissions }, pipelineEnv: [], triggers: pipeline.triggers, system: pipeline.system, callerFile: pipeline.file }, facts));
        results.push(...called);
        const anyDc = called.find((r) => r.firstDc);
        const base = { system: pipeline.system, job: job.id, workflow: pipeline.name ?? pipeline.file, runner: job.runner.type, triggers: pipeline.triggers.map(triggerText), delivered: delivered(pipeline.triggers, [job.condition]), memoryReachable: false, aliases: [], file: pipeline.file, line: job.call.line, inEnv: true };
        if (job.call.secretsInherit) {
          extra.push({
            ...base, name: 'whole secret store (secrets: inherit)', store: envStore(job), kind: 'secret-store', kindConfidence: 'high', source: 'opaque-store',
            tier: anyDc ? 'T0' : job.call.uses.local ? 'T4' : 'T1', confidence: anyDc ? anyDc.firstDc!.confidence : 'medium',
            via: ['secrets: inherit', anyDc ? `called workflow ${job.call.uses.ref} runs DC step \`${anyDc.firstDc!.step}\`` : job.call.uses.local ? 'called workflow runs no dependency code' : `passed into opaque reusable workflow ${job.call.uses.ref}`],
            ...(anyDc?.firstDc ? { dc: anyDc.firstDc } : {}),
            opaque: { what: 'every secret the caller can see', reason: 'secrets: inherit passes the whole store; names are not in the repository', resolveWith: secretListHint(opts.slug) },
          });
        }
        if (!job.call.uses.local) {
          for (const s of job.call.secrets) {
            for (const h of refsToHoldings(s.value.refs, { via: [`passed as ${s.name} to opaque reusable workflow ${job.call.uses.ref}`], line: s.line, file: pipeline.file, alias: s.name, inEnv: true, store: envStore(job) }, facts)) {
              extra.push({ ...base, ...h, tier: 'T1', confidence: 'low' });
            }
          }
        }
        continue;
      }
      results.push(analyseJob(scope, facts));
    }
  }

  // Cross-job carriers: caches (T3), artifacts (T3), self-hosted pools (T2).
  for (const producer of results) {
    if (!producer.firstDc) continue;
    const saves = producer.cacheSaves.filter((s) => s.afterDc);
    for (const consumer of results) {
      if (consumer === producer) continue;
      const hit = saves.find((s) => consumer.cacheRestores.some((r) => cacheMatches(s.key, r.keys)));
      if (hit) {
        const via = [`restores cache \`${hit.key}\` saved by DC job \`${producer.scope.job.id}\` (${producer.scope.pipeline.file}) after \`${producer.firstDc.step}\` ran`];
        for (const c of consumerCandidates(consumer, via, 'cache', 'T3', facts)) extra.push({ ...c, extra: { ...c.extra, carrierFrom: { file: producer.scope.pipeline.file, job: producer.scope.job.id }, releaseConsumer: consumer.publishes } });
      }
      const ups = producer.artifactUploads.filter((u) => u.afterDc);
      const sameRun = consumer.scope.pipeline === producer.scope.pipeline || consumer.scope.triggers.some((t) => t.event === 'workflow_run');
      const art = sameRun ? ups.find((u) => consumer.artifactDownloads.some((d) => d.name === u.name || d.name === '*')) : undefined;
      if (art) {
        const via = [`downloads artifact \`${art.name}\` uploaded by DC job \`${producer.scope.job.id}\``];
        for (const c of consumerCandidates(consumer, via, 'artifact', 'T3', facts)) extra.push({ ...c, extra: { ...c.extra, carrierFrom: { file: producer.scope.pipeline.file, job: producer.scope.job.id } } });
      }
      if (producer.scope.job.runner.type === 'self-hosted' && consumer.scope.job.runner.type === 'self-hosted' && !consumer.firstDc) {
        const shared = producer.scope.job.runner.labels.filter((l) => l !== 'self-hosted' && consumer.scope.job.runner.labels.includes(l));
        if (shared.length > 0 || producer.scope.job.runner.labels.length <= 1) {
          const via = [`runs on the self-hosted pool (${consumer.scope.job.runner.labels.join(', ')}) where DC job \`${producer.scope.job.id}\` ran`];
          extra.push(...consumerCandidates(consumer, via, 'runner-host', 'T2', facts));
        }
      }
    }
  }

  const candidates: Candidate[] = [...results.flatMap((r) => r.candidates), ...extra];
  // Outside GitHub (whose GITHUB_TOKEN findings are kept per repository), a job-scoped platform token or
  // OIDC token is one per job: an audit item for what that job did.
  for (const c of candidates) if (c.system !== 'github-actions' && c.store === 'platform' && c.job) c.store = `platform:${c.job}`;

  // Committed literals in repo files (.npmrc, .yarnrc.yml, bunfig.toml, .env*) and workflow literals.
  for (const p of parses) {
    for (const a of p.registryAuth) {
      if (a.value.type !== 'literal-secret') continue;
      candidates.push(committed(p.system, a.file, a.line, `${a.host || '(default registry)'}:${a.key}`, a.value.fingerprint, a.value.fingerprint.kind ?? a.kind, 'high', `committed in ${a.file}`));
    }
    for (const e of p.committedEnv) {
      const kind = e.fingerprint.kind ?? classifyName([e.name])?.kind;
      candidates.push(committed(p.system, e.file, e.line, e.name, e.fingerprint, kind, e.confidence, `committed in ${e.file}`));
    }
    for (const l of p.literals) {
      if (p.system === 'repo-file') continue;
      candidates.push(committed(p.system, l.file, l.line, l.name === 'run' ? 'literal in run script' : l.name, l.fingerprint, l.fingerprint.kind ?? classifyName([l.name])?.kind, 'high', `committed in ${l.file}`));
    }
  }

  // Opaque repo-level store: GitHub secrets that no workflow names (T4; escalated by a workflow-write credential).
  if (pipelines.some((p) => p.system === 'github-actions')) {
    const first = pipelines.find((p) => p.system === 'github-actions')!;
    candidates.push({
      name: 'Actions secrets not referenced by any workflow', store: 'github:unreferenced', aliases: [], kind: 'secret-store', kindConfidence: 'high', via: ['repository, organization and environment secret stores'],
      line: 1, file: first.file, inEnv: false, source: 'opaque-store', tier: 'T4', system: 'github-actions', confidence: 'low', triggers: [], delivered: 'unknown', memoryReachable: false,
      opaque: { what: 'secrets configured outside the repository', reason: 'names and values live in GitHub settings', resolveWith: secretListHint(opts.slug) },
    });
  }

  // Deduplicate by (store, name): keep the worst path, list the others.
  const finished = candidates.map((c) => ({ c, out: finish(c, facts) }));
  const groups = new Map<string, { c: Candidate; out: Out }[]>();
  for (const f of finished) {
    const key = `${f.c.store}\u0000${f.c.name}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const out: Out[] = [];
  for (const g of groups.values()) {
    const sorted = [...g].sort((a, b) => compare(a.out, b.out));
    const best = sorted[0]!.out;
    const seen = new Set<string>();
    const paths = sorted
      .map((x) => ({ tier: x.out.tier, file: x.out.file, line: x.out.line, ...(x.out.job ? { job: x.out.job } : {}), ...(x.out.step ? { step: x.out.step } : {}), via: x.out.via as string[] }))
      .filter((p) => {
        const k = JSON.stringify(p);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    if (paths.length > 1) best.paths = paths;
    // A job-scoped token's permissions differ per job: the audit must cover the union of every path's grants.
    const perms = sorted.map((x) => x.out.permissions as { source?: string; write?: string[]; read?: string[] } | undefined).filter((p) => !!p);
    if (perms.length > 1) {
      const write = [...new Set(perms.flatMap((p) => p.write ?? []))].sort();
      const read = [...new Set(perms.flatMap((p) => p.read ?? []))].filter((r) => !write.includes(r)).sort();
      best.permissions = { source: [...new Set(perms.map((p) => p.source).filter(Boolean))].join(', '), write, read };
    }
    out.push(best);
  }
  // workflow-write escalation: repo secrets no workflow names become reachable.
  const ww = out.find((o) => (o.escalations as Escalation[]).includes('workflow-write') && (o.tier === 'T0' || o.tier === 'T1') && o.delivered !== 'no');
  const unref = out.find((o) => o.store === 'github:unreferenced');
  if (ww && unref) unref.escalatedBy = { name: ww.name, file: ww.file, line: ww.line, escalation: 'workflow-write' };
  return sortExposures(out);

  function committed(system: CiSystem, file: string, line: number, name: string, fp: Fingerprint, kind: SecretKind | undefined, confidence: Confidence, via: string): Candidate {
    return {
      name, store: `committed:${file}:${line}`, aliases: [], ...(kind ? { kind, kindConfidence: fp.kind ? 'high' as const : 'medium' as const } : {}), via: [via, 'readable by every dependency installed from this repository'],
      line, file, inEnv: false, source: 'committed-file', fingerprint: fp, tier: 'T0', system, confidence, triggers: [], delivered: 'yes', memoryReachable: false,
      extra: { committed: true, rotateRegardless: true },
    };
  }
}
