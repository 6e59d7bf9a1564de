/**
 * Bitbucket Pipelines reader (ci-secrets.md §7): `bitbucket-pipelines.yml` -> one Pipeline; every
 * `step` of every pipeline (default, branches, tags, pull-requests, custom; inside `parallel`/`stage`) is
 * a Job (a fresh container; its script lines share one env). Shell lines become run steps, `- pipe:` items
 * pipe steps with their variables as inputs (a pipe is a separate container). Workspace/repository and
 * deployment variables are opaque; `oidc: true` gives BITBUCKET_STEP_OIDC_TOKEN; caches and artifacts are
 * carriers (artifacts flow to every later step of the same pipeline unless `download: false`).
 */
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type CiReaderEntry,
  type Job,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type SideEffect,
  type Step,
  type Trigger,
} from '../model.js';
import { isMap, isScalar, items, str, strings, type YamlFile } from '../yaml.js';
import { entries, get, input, label, parseGap, scriptCommands, yamlOrGap } from './_common.js';

const SYSTEM = 'bitbucket' as const;

export function isBitbucketPipelines(path: string): boolean {
  return path === 'bitbucket-pipelines.yml' || path === 'bitbucket-pipelines.yaml';
}

/** Predefined caches (Bitbucket docs): name -> path. */
const PREDEFINED_CACHES: Record<string, string> = {
  node: 'node_modules',
  npm: '~/.npm',
  yarn: '/usr/local/share/.cache/yarn',
  pip: '~/.cache/pip',
  docker: '(docker layer cache)',
  gradle: '~/.gradle/caches',
  maven: '~/.m2/repository',
  composer: '~/.composer/cache',
  sbt: '~/.sbt',
  ivy2: '~/.ivy2/cache',
  dotnetcore: '~/.nuget/packages',
};

const OPAQUE_VARS = {
  what: 'workspace and repository variables',
  reason: 'Bitbucket workspace and repository variables are given to every step and are not in the repository',
  resolveWith: 'Repository settings > Pipelines > Repository variables; Workspace settings > Pipelines > Workspace variables (API GET /2.0/repositories/{workspace}/{repo}/pipelines_config/variables, GET /2.0/workspaces/{workspace}/pipelines-config/variables)',
};

interface Ctx {
  y: YamlFile;
  file: string;
  parse: CiParse;
  pipeline: Pipeline;
  customCaches: Map<string, string>;
  defaultImage?: string;
}

function stepJob(c: Ctx, node: unknown, id: string, trigger: Trigger, earlier: Job[]): Job {
  const y = c.y;
  const line = y.line(node);
  const name = str(y, get(y, node, 'name'));
  const image = str(y, get(y, node, 'image')) ?? str(y, get(y, get(y, node, 'image'), 'name')) ?? c.defaultImage;
  const runsOn = strings(y, get(y, node, 'runs-on'));
  const self = runsOn.includes('self.hosted');
  const job: Job = {
    id,
    ...(name ? { name } : {}),
    file: c.file,
    line,
    runner: { type: self ? 'self-hosted' : 'hosted', labels: [...(image ? [`image:${image}`] : []), ...runsOn.map((r) => `runs-on:${r}`)], line, ...(self ? { persistent: true } : {}) },
    env: [],
    needs: earlier.map((j) => j.id),
    steps: [],
    credentials: [],
    sharedEnv: true,
    triggers: [trigger],
    opaque: [],
  };
  const deployment = str(y, get(y, node, 'deployment'));
  if (deployment) job.environment = { name: deployment, line: y.line(get(y, node, 'deployment')) };
  if (str(y, get(y, node, 'trigger')) === 'manual') job.condition = 'trigger: manual';
  job.credentials.push({ name: 'workspace/repository variables', kind: 'secret-store', source: 'opaque-store', inEnv: true, line, lifetime: 'unknown', opaque: OPAQUE_VARS });
  if (deployment) {
    job.credentials.push({
      name: `deployment variables (${deployment})`,
      kind: 'secret-store',
      source: 'opaque-store',
      inEnv: true,
      line: job.environment!.line,
      lifetime: 'unknown',
      opaque: { what: `deployment variables of ${deployment}`, reason: 'deployment variables are given only to steps with this deployment', resolveWith: `Repository settings > Deployments > ${deployment} (API GET /2.0/repositories/{workspace}/{repo}/deployments_config/environments/{environment_uuid}/variables)` },
    });
  }
  if (str(y, get(y, node, 'oidc')) === 'true') job.credentials.push({ name: 'BITBUCKET_STEP_OIDC_TOKEN', kind: 'oidc-capability', source: 'oidc-capability', inEnv: true, line: y.line(get(y, node, 'oidc')), lifetime: 'short-lived', note: 'OIDC token of this step (issuer per workspace)' });

  const first: SideEffect[] = [];
  const last: SideEffect[] = [];
  for (const cache of items(y, get(y, node, 'caches'))) {
    const cname = str(y, cache) ?? '';
    const path = c.customCaches.get(cname) ?? PREDEFINED_CACHES[cname] ?? cname;
    const cl = y.line(cache);
    first.push({ type: 'cache-restore', key: `cache:${cname}`, restoreKeys: [], paths: [path], line: cl, action: 'caches' });
    last.push({ type: 'cache-save', key: `cache:${cname}`, paths: [path], post: true, line: cl, action: 'caches' });
  }
  const art = get(y, node, 'artifacts');
  const artPaths = isMap(y.resolve(art)) ? strings(y, get(y, art, 'paths')) : strings(y, art);
  if (artPaths.length) last.push({ type: 'artifact-upload', name: id, paths: artPaths, line: y.line(art) });
  const download = !isMap(y.resolve(art)) || str(y, get(y, art, 'download')) !== 'false';
  if (download && earlier.length > 0) first.push({ type: 'artifact-download', name: '*', line });

  const steps: Step[] = [];
  let run: Step | undefined;
  const push = (s: Step) => {
    s.index = steps.length;
    steps.push(s);
  };
  for (const key of ['script', 'after-script'] as const) {
    run = undefined;
    for (const item of items(y, get(y, node, key))) {
      const il = y.line(item);
      if (isScalar(item)) {
        if (!run) {
          run = { index: 0, label: '', line: il, kind: 'run', commands: [], env: [], with: [], effects: [], phase: key === 'script' ? 'main' : 'post', ...(key === 'after-script' ? { name: 'after-script' } : {}) };
          push(run);
        }
        const r = scriptCommands(c.parse, c.file, str(y, item) ?? '', y.contentLine(item), 'bash');
        run.commands.push(...r.commands);
        run.effects.push(...r.effects);
        run.label = label(run.name, run.commands, key);
        continue;
      }
      const pipe = str(y, get(y, item, 'pipe'));
      if (pipe) {
        run = undefined;
        const at = pipe.lastIndexOf(':');
        const pname = at > 0 ? pipe.slice(0, at) : pipe;
        const withInputs = entries(y, get(y, item, 'variables')).map((e) => input(c.parse, c.file, e.key, str(y, e.value) ?? (strings(y, e.value).join(',') || undefined), e.line));
        push({ index: 0, label: pipe, line: il, kind: 'pipe', uses: { ref: pipe, name: pname, ...(at > 0 ? { version: pipe.slice(at + 1) } : {}), local: false }, commands: [], env: [], with: withInputs, effects: [], phase: key === 'script' ? 'main' : 'post' });
      }
    }
  }
  if (steps.length === 0) push({ index: 0, label: 'script', line, kind: 'run', commands: [], env: [], with: [], effects: [], phase: 'main' });
  steps[0]!.effects.unshift(...first);
  const main = [...steps].reverse().find((s) => s.phase === 'main') ?? steps[0]!;
  main.effects.push(...last);
  job.steps = steps;
  return job;
}

function walkItems(c: Ctx, node: unknown, prefix: string, trigger: Trigger): void {
  const y = c.y;
  const earlier: Job[] = [];
  let n = 0;
  const addStep = (s: unknown, into: Job[]) => {
    const name = str(y, get(y, s, 'name'));
    const id = `${prefix}/${name ?? `step-${n}`}`;
    n++;
    into.push(stepJob(c, s, id, trigger, earlier));
  };
  for (const item of items(y, node)) {
    const batch: Job[] = [];
    const step = get(y, item, 'step');
    const parallel = get(y, item, 'parallel');
    const stage = get(y, item, 'stage');
    if (step) addStep(step, batch);
    else if (parallel) {
      const list = isMap(y.resolve(parallel)) ? get(y, parallel, 'steps') : parallel;
      for (const p of items(y, list)) if (get(y, p, 'step')) addStep(get(y, p, 'step'), batch);
    } else if (stage) {
      for (const p of items(y, get(y, stage, 'steps'))) {
        const inner: Job[] = [];
        const s = get(y, p, 'step');
        if (!s) continue;
        // Stage-level deployment applies to its steps.
        addStep(s, inner);
        const dep = str(y, get(y, stage, 'deployment'));
        for (const j of inner) if (dep && !j.environment) j.environment = { name: dep, line: y.line(stage) };
        batch.push(...inner);
        earlier.push(...inner);
      }
    } else if (get(y, item, 'import')) {
      c.pipeline.opaque.push({ what: `shared pipeline ${str(y, get(y, item, 'import'))}`, reason: 'imported from another repository', resolveWith: 'read the exported pipeline in the source repository' });
    }
    c.pipeline.jobs.push(...batch);
    if (!stage) earlier.push(...batch);
  }
}

export function readBitbucket(file: RepoFile, _repo: RepoFiles): CiReadResult {
  const r = yamlOrGap(file.path, file.text);
  if ('gap' in r) return r.gap;
  const y = r.y;
  if (!isMap(y.root)) return parseGap(file.path, 'bitbucket-pipelines.yml is not a YAML mapping');
  const pipelines = get(y, y.root, 'pipelines');
  if (!isMap(pipelines)) return parseGap(file.path, 'no `pipelines:` mapping');
  const parse = emptyParse(SYSTEM, file.path);
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [], env: [], jobs: [], opaque: [] };
  const defs = get(y, y.root, 'definitions');
  const customCaches = new Map<string, string>();
  for (const e of entries(y, get(y, defs, 'caches'))) customCaches.set(e.key, str(y, e.value) ?? str(y, get(y, e.value, 'path')) ?? e.key);
  const img = get(y, y.root, 'image');
  const c: Ctx = { y, file: file.path, parse, pipeline, customCaches };
  const defaultImage = str(y, img) ?? str(y, get(y, img, 'name'));
  if (defaultImage) c.defaultImage = defaultImage;
  for (const group of entries(y, pipelines)) {
    if (group.key === 'default') {
      const t: Trigger = { event: 'push', filters: ['(any branch without a specific pipeline)'], line: group.line };
      pipeline.triggers.push(t);
      walkItems(c, group.value, 'default', t);
      continue;
    }
    const event = group.key === 'branches' ? 'push' : group.key === 'tags' ? 'tag' : group.key === 'pull-requests' ? 'pull_request' : group.key === 'custom' ? 'workflow_dispatch' : group.key;
    for (const p of entries(y, group.value)) {
      const t: Trigger = { event, filters: [`${group.key}: ${p.key}`], line: p.line };
      pipeline.triggers.push(t);
      walkItems(c, p.value, `${group.key}/${p.key}`, t);
    }
  }
  parse.pipelines.push(pipeline);
  return parse;
}

export const bitbucketReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'Bitbucket Pipelines (bitbucket-pipelines.yml: steps, pipes, caches, artifacts, deployments, OIDC)',
  match: isBitbucketPipelines,
  read: readBitbucket,
};
