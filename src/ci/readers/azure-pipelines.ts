/**
 * Azure Pipelines reader (ci-secrets.md §6): `azure-pipelines*.yml` -> one Pipeline; stages/jobs/steps,
 * root-level `steps:` (one implicit job) and deployment jobs. Local `- template:` items (steps, jobs,
 * stages, variables) are expanded; `template@repo` is opaque. `$(X)` macros: a YAML variable -> var ref;
 * `$(System.AccessToken)` -> platform ref; any other name -> secret ref (pipeline secret or group member).
 * Variable groups and service connections are opaque job credentials; `checkout: self` with
 * `persistCredentials: true` and `npmAuthenticate@0` leave credentials for later steps.
 */
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type CiReaderEntry,
  type EnvVar,
  type Job,
  type JobCredential,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type Runner,
  type Step,
  type Trigger,
  type ValueRef,
} from '../model.js';
import { isMap, items, parseYaml, str, strings, type YamlFile } from '../yaml.js';
import { dirOf, entries, envVar, get, implicitCommand, input, label, normPath, parseGap, scriptCommands, type ValueOptions } from './_common.js';

const SYSTEM = 'azure-pipelines' as const;
const MAX_DEPTH = 5;

export function isAzurePipelines(path: string): boolean {
  return /(^|\/)azure-pipelines[^/]*\.ya?ml$/.test(path);
}

/** Predefined variables that are not credentials (`$(Build.SourcesDirectory)`...). */
const PREDEFINED = /^(Build|Agent|System|Pipeline|Release|Environment|Strategy|Resources|Checks|Common|TF)\./i;
const SERVICE_INPUTS = /^(azureSubscription|connectedServiceName(ARM)?|azureResourceManagerConnection|containerRegistry|dockerRegistryServiceConnection|kubernetesServiceConnection|kubernetesServiceEndpoint|serviceConnection|externalEndpoints?|customEndpoint|publishEndpoint|customFeed|gitHubConnection|sshEndpoint|serverEndpoint|awsCredentials)$/i;

interface Ctx {
  parse: CiParse;
  repo: RepoFiles;
  pipeline: Pipeline;
  /** Names defined as YAML variables (non-secret, auto-exported). */
  yamlVars: Set<string>;
}

interface Doc {
  y: YamlFile;
  file: string;
  depth: number;
}

function opts(c: Ctx): ValueOptions {
  return {
    noShellVars: false,
    extra: (t) => {
      const out: ValueRef[] = [];
      for (const m of t.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)) {
        const n = m[1]!;
        if (/^System\.AccessToken$/i.test(n)) out.push({ type: 'platform', name: 'System.AccessToken' });
        else if (PREDEFINED.test(n)) continue;
        else if (c.yamlVars.has(n)) out.push({ type: 'var', name: n });
        else out.push({ type: 'secret', name: n, store: 'azure:secret-variable-or-group' });
      }
      return out;
    },
  };
}

/** Load a local template relative to the including file (`x.yml`, `/x.yml` from the root); `@repo` is opaque. */
function loadTemplate(c: Ctx, d: Doc, ref: string, line: number): Doc | undefined {
  if (ref.includes('@')) {
    c.pipeline.opaque.push({ what: `template ${ref}`, reason: 'template from another repository (resources.repositories)', resolveWith: `read ${ref.replace(/@.*$/, '')} in the repository aliased ${ref.replace(/^.*@/, '')}` });
    return undefined;
  }
  if (/\$\{\{/.test(ref)) {
    c.parse.warnings.push({ code: 'DYNAMIC_TEMPLATE', message: `template path is an expression: ${ref}`, file: d.file, line });
    return undefined;
  }
  const path = ref.startsWith('/') ? normPath(ref) : normPath(`${dirOf(d.file)}/${ref}`);
  const text = c.repo.read(path);
  if (text === undefined) {
    c.parse.gaps.push({ path, code: 'NOT_FOUND', reason: `template referenced from ${d.file}:${line} not found in the repository` });
    return undefined;
  }
  if (d.depth >= MAX_DEPTH) {
    c.parse.warnings.push({ code: 'TEMPLATE_DEPTH', message: `not expanding ${path}`, file: d.file, line });
    return undefined;
  }
  const p = parseYaml(text);
  if (!p.ok) {
    c.parse.gaps.push({ path, code: 'CI_PARSE_ERROR', reason: p.reason + (p.line ? ` (line ${p.line})` : '') });
    return undefined;
  }
  if (!c.parse.files.includes(path)) c.parse.files.push(path);
  return { y: p.file, file: path, depth: d.depth + 1 };
}

/** Items of a list with local `- template:` entries replaced by that template's `key:` list. */
function expand(c: Ctx, d: Doc, node: unknown, key: string): { d: Doc; node: unknown }[] {
  const out: { d: Doc; node: unknown }[] = [];
  for (const i of items(d.y, node)) {
    const t = str(d.y, get(d.y, i, 'template'));
    if (t !== undefined && !get(d.y, i, 'stage') && !get(d.y, i, 'job') && !get(d.y, i, 'deployment')) {
      const sub = loadTemplate(c, d, t, d.y.line(i));
      if (sub) out.push(...expand(c, sub, get(sub.y, sub.y.root, key), key));
      continue;
    }
    out.push({ d, node: i });
  }
  return out;
}

/** `variables:` in map or list form: YAML values -> env; groups -> opaque credentials. */
function variables(c: Ctx, d: Doc, node: unknown, scope: 'workflow' | 'job'): { env: EnvVar[]; groups: JobCredential[] } {
  const env: EnvVar[] = [];
  const groups: JobCredential[] = [];
  const n = d.y.resolve(node);
  if (isMap(n)) {
    for (const e of entries(d.y, n)) {
      c.yamlVars.add(e.key);
      env.push(envVar(c.parse, d.file, e.key, str(d.y, e.value), e.line, scope, opts(c)));
    }
    return { env, groups };
  }
  for (const { d: dd, node: i } of expand(c, d, n, 'variables')) {
    const name = str(dd.y, get(dd.y, i, 'name'));
    const group = str(dd.y, get(dd.y, i, 'group'));
    const line = dd.y.line(i);
    if (group) {
      groups.push({
        name: `variable group ${group}`,
        kind: 'secret-store',
        source: 'variable-group',
        inEnv: false,
        line,
        ...(dd.file !== c.parse.file ? { file: dd.file } : {}),
        lifetime: 'unknown',
        opaque: { what: `variable group ${group}`, reason: 'Pipelines > Library variable group (maybe linked to Azure Key Vault): plain members are in every step env, secret members only where mapped', resolveWith: `az pipelines variable-group list --group-name "${group}" then az pipelines variable-group show --id <id>` },
        note: 'plain members are exported to every step; secret members only through $(NAME) / env: mapping',
      });
    } else if (name) {
      c.yamlVars.add(name);
      env.push(envVar(c.parse, dd.file, name, str(dd.y, get(dd.y, i, 'value')), line, scope, opts(c)));
    } else if (isMap(dd.y.resolve(i))) {
      const t = str(dd.y, get(dd.y, i, 'template'));
      if (!t) for (const e of entries(dd.y, i)) env.push(envVar(c.parse, dd.file, e.key, str(dd.y, e.value), e.line, scope, opts(c)));
    }
  }
  return { env, groups };
}

function runnerOf(d: Doc, node: unknown, inherited: Runner): Runner {
  const pool = get(d.y, node, 'pool');
  if (!pool) return inherited;
  const line = d.y.line(pool);
  const s = str(d.y, pool);
  if (s !== undefined) return { type: 'self-hosted', labels: [`pool:${s}`], line, persistent: true };
  const vm = str(d.y, get(d.y, pool, 'vmImage'));
  if (vm) return { type: 'hosted', labels: [`vmImage:${vm}`], line, os: /windows/i.test(vm) ? 'windows' : /macos/i.test(vm) ? 'macos' : 'linux' };
  const name = str(d.y, get(d.y, pool, 'name'));
  const demands = strings(d.y, get(d.y, pool, 'demands'));
  if (name && /^Azure Pipelines$/i.test(name)) return { type: 'hosted', labels: [`pool:${name}`], line };
  return { type: name ? 'self-hosted' : 'unknown', labels: [...(name ? [`pool:${name}`] : []), ...demands.map((x) => `demand:${x}`)], line, ...(name ? { persistent: true } : {}) };
}

function triggers(d: Doc, root: unknown): Trigger[] {
  const out: Trigger[] = [];
  const y = d.y;
  for (const [key, event] of [['trigger', 'push'], ['pr', 'pull_request']] as const) {
    const e = entries(y, root).find((x) => x.key === key);
    if (!e) {
      out.push({ event, filters: ['(default: all branches)'], line: 1 });
      continue;
    }
    if (str(y, e.value) === 'none') continue;
    const filters = isMap(y.resolve(e.value))
      ? entries(y, e.value).flatMap((f) => (isMap(y.resolve(f.value)) ? entries(y, f.value).flatMap((g) => strings(y, g.value).map((v) => `${f.key}.${g.key}: ${v}`)) : strings(y, f.value).map((v) => `${f.key}: ${v}`)))
      : strings(y, e.value).map((v) => `branches: ${v}`);
    out.push({ event, filters, line: e.line });
  }
  for (const s of items(y, get(y, root, 'schedules'))) out.push({ event: 'schedule', filters: [str(y, get(y, s, 'cron')) ?? ''], line: y.line(s) });
  for (const r of items(y, get(y, get(y, root, 'resources'), 'pipelines'))) out.push({ event: 'pipeline', filters: [str(y, get(y, r, 'source')) ?? ''], line: y.line(r) });
  return out;
}

function taskEffects(c: Ctx, step: Step, task: string, inputs: Map<string, string>, job: Job): void {
  const name = task.replace(/@.*$/, '');
  const line = step.line;
  if (/^Npm$/i.test(name)) {
    const cmd = inputs.get('command') ?? 'install';
    const text = cmd === 'custom' ? `npm ${inputs.get('customCommand') ?? ''}`.trim() : `npm ${cmd}`;
    step.commands.push(implicitCommand(text, line));
  } else if (/^(Yarn|YarnInstaller)$/i.test(name) && name.toLowerCase() === 'yarn') {
    step.commands.push(implicitCommand(`yarn ${inputs.get('arguments') ?? inputs.get('Arguments') ?? 'install'}`.trim(), line));
  } else if (/^npmAuthenticate$/i.test(name)) {
    const endpoints = (inputs.get('customEndpoint') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    step.effects.push({
      type: 'cred-persist',
      name: endpoints.length ? `npm service connection ${endpoints.join(', ')}` : 'Azure Artifacts feed credential (job access token)',
      kind: endpoints.length ? 'npm-token' : 'job-token',
      where: inputs.get('workingFile') ?? '.npmrc',
      refs: endpoints.length ? [] : [{ type: 'platform', name: 'System.AccessToken' }],
      lifetime: endpoints.length ? 'long-lived' : 'job-scoped',
      line,
      note: 'npmAuthenticate writes credentials into the .npmrc for the rest of the job',
    });
  } else if (/^Cache$/i.test(name)) {
    const key = inputs.get('key') ?? '';
    const paths = [inputs.get('path') ?? ''];
    step.effects.push({ type: 'cache-restore', key, restoreKeys: (inputs.get('restoreKeys') ?? '').split('\n').map((s) => s.trim()).filter(Boolean), paths, line, action: task });
    step.effects.push({ type: 'cache-save', key, paths, post: true, line, action: task });
  } else if (/^(PublishPipelineArtifact|PublishBuildArtifacts)$/i.test(name)) {
    step.effects.push({ type: 'artifact-upload', name: inputs.get('artifact') ?? inputs.get('ArtifactName') ?? inputs.get('artifactName') ?? 'drop', paths: [inputs.get('targetPath') ?? inputs.get('PathtoPublish') ?? inputs.get('path') ?? ''], line });
  } else if (/^(DownloadPipelineArtifact|DownloadBuildArtifacts)$/i.test(name)) {
    step.effects.push({ type: 'artifact-download', name: inputs.get('artifact') ?? inputs.get('artifactName') ?? '*', line });
  } else if (/^Docker$/i.test(name) && /login|buildAndPush|push/.test(inputs.get('command') ?? 'buildAndPush')) {
    step.effects.push({ type: 'cred-persist', name: `docker registry ${inputs.get('containerRegistry') ?? ''}`.trim(), kind: 'container-registry', where: '~/.docker/config.json', refs: [], lifetime: 'long-lived', line });
  }
  for (const [k, v] of inputs) {
    if (!SERVICE_INPUTS.test(k) || !v) continue;
    for (const conn of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const spn = /^AzureCLI$/i.test(name) && /^true$/i.test(inputs.get('addSpnToEnvironment') ?? '');
      job.credentials.push({
        name: `service connection ${conn}`,
        kind: /azure|arm/i.test(k) ? 'azure' : /docker|container/i.test(k) ? 'container-registry' : /kube/i.test(k) ? 'ci-platform' : /aws/i.test(k) ? 'aws' : /endpoint|feed/i.test(k) ? 'npm-token' : 'ci-platform',
        source: 'service-connection',
        inEnv: spn,
        fromStep: step.index,
        toStep: step.index,
        line: step.line,
        lifetime: 'unknown',
        opaque: { what: `service connection ${conn}`, reason: 'service connection credentials live in Project Settings > Service connections', resolveWith: `az devops service-endpoint list --query "[?name=='${conn}']"` },
        note: `used by ${task} input ${k}${spn ? '; addSpnToEnvironment puts the service principal secret / id token into the script env' : ''}`,
      });
    }
  }
}

function parseStep(c: Ctx, d: Doc, node: unknown, index: number, job: Job): Step {
  const y = d.y;
  const line = y.line(node);
  const name = str(y, get(y, node, 'displayName')) ?? str(y, get(y, node, 'name'));
  const env = entries(y, get(y, node, 'env')).map((e) => envVar(c.parse, d.file, e.key, str(y, e.value), e.line, 'step', opts(c)));
  const cond = str(y, get(y, node, 'condition'));
  const step: Step = { index, line, label: '', kind: 'run', commands: [], env, with: [], effects: [], phase: 'main', ...(name ? { name } : {}), ...(cond ? { condition: cond } : {}), ...(d.file !== c.parse.file ? { file: d.file } : {}) };
  const scriptKey = ['script', 'bash', 'pwsh', 'powershell'].find((k) => get(y, node, k) !== null);
  const task = str(y, get(y, node, 'task'));
  const checkout = str(y, get(y, node, 'checkout'));
  if (scriptKey) {
    const s = get(y, node, scriptKey);
    const r = scriptCommands(c.parse, d.file, str(y, s) ?? '', y.contentLine(s), scriptKey === 'script' ? 'script' : scriptKey, opts(c));
    step.commands = r.commands;
    step.effects = r.effects;
    for (const cmd of r.commands) {
      const m = cmd.text.match(/##vso\[task\.setvariable\s+variable=([A-Za-z_][\w.]*)([^\]]*)\]/);
      if (m && !/issecret=true/i.test(m[2]!)) step.effects.push({ type: 'env-export', name: m[1]!, value: { text: cmd.text, refs: cmd.refs ?? [] }, line: cmd.line, by: 'task.setvariable' });
    }
  } else if (task) {
    step.kind = 'task';
    step.uses = { ref: task, name: task.replace(/@.*$/, ''), ...(task.includes('@') ? { version: task.replace(/^.*@/, '') } : {}), local: false };
    const inputs = new Map<string, string>();
    for (const e of entries(y, get(y, node, 'inputs'))) {
      const v = str(y, e.value) ?? '';
      inputs.set(e.key, v);
      step.with.push(input(c.parse, d.file, e.key, v, e.line, opts(c)));
      if (/^(inlineScript|script|Inline)$/i.test(e.key)) {
        const r = scriptCommands(c.parse, d.file, v, y.contentLine(e.value), 'task', opts(c));
        step.commands.push(...r.commands);
        step.effects.push(...r.effects);
      }
    }
    taskEffects(c, step, task, inputs, job);
  } else if (checkout !== undefined) {
    step.kind = 'checkout';
    step.name = step.name ?? `checkout: ${checkout}`;
    if (/^true$/i.test(str(y, get(y, node, 'persistCredentials')) ?? '')) {
      step.effects.push({ type: 'cred-persist', name: 'System.AccessToken', kind: 'job-token', where: '.git/config (http.extraheader)', refs: [{ type: 'platform', name: 'System.AccessToken' }], lifetime: 'job-scoped', line, note: 'checkout persistCredentials: true leaves the job access token in git config for later steps' });
    }
  } else {
    const k = entries(y, node)[0]?.key ?? 'step';
    step.kind = 'builtin';
    step.name = step.name ?? k;
    if (k === 'download') step.effects.push({ type: 'artifact-download', name: str(y, get(y, node, 'artifact')) ?? `${str(y, get(y, node, 'download')) ?? ''}:*`, line });
  }
  step.label = label(step.name, step.commands, step.uses?.ref ?? 'step');
  return step;
}

function buildJob(c: Ctx, d: Doc, node: unknown, id: string, line: number, runner: Runner, extraEnv: EnvVar[], extraCreds: JobCredential[]): Job {
  const y = d.y;
  const vars = node === d.y.root ? { env: [], groups: [] } : variables(c, d, get(y, node, 'variables'), 'job');
  const job: Job = { id, file: d.file, line, runner: runnerOf(d, node, runner), env: [...extraEnv, ...vars.env], needs: strings(y, get(y, node, 'dependsOn')), steps: [], credentials: [...extraCreds, ...vars.groups], opaque: [] };
  const envName = str(y, get(y, node, 'environment')) ?? str(y, get(y, get(y, node, 'environment'), 'name'));
  if (envName) job.environment = { name: envName, line: y.line(get(y, node, 'environment')) };
  const cond = str(y, get(y, node, 'condition'));
  if (cond) job.condition = cond;
  // Deployment jobs: strategy.<runOnce|rolling|canary>.<hook>.steps.
  let stepsNode = get(y, node, 'steps');
  const stepSources: { d: Doc; node: unknown }[] = [];
  if (!stepsNode && get(y, node, 'strategy')) {
    for (const s of entries(y, get(y, node, 'strategy'))) for (const h of entries(y, s.value)) if (get(y, h.value, 'steps')) stepSources.push(...expand(c, d, get(y, h.value, 'steps'), 'steps'));
  } else stepSources.push(...expand(c, d, stepsNode, 'steps'));
  stepsNode = null;
  stepSources.forEach((s, i) => job.steps.push(parseStep(c, s.d, s.node, i, job)));
  if (!job.steps.some((s) => s.kind === 'checkout') && !get(y, node, 'strategy')) {
    // Implicit `checkout: self` first (persistCredentials defaults to false).
    job.steps.forEach((s) => (s.index += 1));
    job.steps.unshift({ index: 0, line, label: 'checkout: self (implicit)', name: 'checkout: self', kind: 'checkout', commands: [], env: [], with: [], effects: [], phase: 'main' });
  }
  return job;
}

export function readAzurePipelines(file: RepoFile, repo: RepoFiles): CiReadResult {
  const p = parseYaml(file.text);
  if (!p.ok) return parseGap(file.path, p.reason, p.line);
  const y = p.file;
  if (!isMap(y.root)) return parseGap(file.path, 'Azure Pipelines file is not a YAML mapping');
  const parse = emptyParse(SYSTEM, file.path);
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [], env: [], jobs: [], opaque: [] };
  const c: Ctx = { parse, repo, pipeline, yamlVars: new Set() };
  let d: Doc = { y, file: file.path, depth: 0 };
  pipeline.triggers = triggers(d, y.root);
  const name = str(y, get(y, y.root, 'name'));
  if (name) pipeline.name = name;
  const top = variables(c, d, get(y, y.root, 'variables'), 'workflow');
  pipeline.env = top.env;
  let root: unknown = y.root;
  const ext = get(y, y.root, 'extends');
  if (ext) {
    const t = str(y, get(y, ext, 'template'));
    const sub = t ? loadTemplate(c, d, t, y.line(ext)) : undefined;
    if (!sub) {
      parse.pipelines.push(pipeline);
      return parse;
    }
    d = sub;
    root = sub.y.root;
  }
  const runner = runnerOf(d, root, runnerOf({ y, file: file.path, depth: 0 }, y.root, { type: 'unknown', labels: [], line: 1 }));
  const jobNodes = (dd: Doc, n: unknown, stage: string | undefined, stageEnv: EnvVar[], stageCreds: JobCredential[], stageRunner: Runner) => {
    for (const { d: jd, node } of expand(c, dd, n, 'jobs')) {
      const id = str(jd.y, get(jd.y, node, 'job')) ?? str(jd.y, get(jd.y, node, 'deployment')) ?? `job${pipeline.jobs.length}`;
      pipeline.jobs.push(buildJob(c, jd, node, stage ? `${stage}.${id}` : id, jd.y.line(node), stageRunner, stageEnv, stageCreds));
    }
  };
  const stages = get(d.y, root, 'stages');
  if (stages) {
    for (const { d: sd, node } of expand(c, d, stages, 'stages')) {
      const sid = str(sd.y, get(sd.y, node, 'stage')) ?? 'stage';
      const sv = variables(c, sd, get(sd.y, node, 'variables'), 'job');
      const before = pipeline.jobs.length;
      jobNodes(sd, get(sd.y, node, 'jobs'), sid, sv.env, [...top.groups, ...sv.groups], runnerOf(sd, node, runner));
      // Stage dependsOn: every job of the stage waits for every job of those stages.
      const deps = strings(sd.y, get(sd.y, node, 'dependsOn'));
      for (const j of pipeline.jobs.slice(before)) for (const dep of deps) j.needs.push(...pipeline.jobs.filter((x) => x.id.startsWith(`${dep}.`)).map((x) => x.id));
    }
  } else if (get(d.y, root, 'jobs')) jobNodes(d, get(d.y, root, 'jobs'), undefined, [], top.groups, runner);
  else if (get(d.y, root, 'steps')) pipeline.jobs.push(buildJob(c, d, root, 'Job', 1, runner, [], top.groups));
  else if (!ext) return parseGap(file.path, 'no stages, jobs or steps: not an Azure Pipelines file');
  for (const j of pipeline.jobs) {
    j.opaque.push({ what: 'pipeline variables set in the UI', reason: 'variables defined in the pipeline settings (secret or not) are not in the YAML', resolveWith: 'Pipelines > <pipeline> > Edit > Variables (az pipelines variable list --pipeline-name <name>)' });
  }
  parse.pipelines.push(pipeline);
  return parse;
}

export const azurePipelinesReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'Azure Pipelines (azure-pipelines*.yml: variables, groups, $(secret) mapping, tasks, local templates)',
  match: isAzurePipelines,
  read: readAzurePipelines,
};

