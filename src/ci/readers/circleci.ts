/**
 * CircleCI reader (ci-secrets.md §4): `.circleci/config.yml` -> one Pipeline, one Job per job definition.
 * All steps of a job share one executor and environment (sharedEnv). Expands local `commands:` and
 * `when`/`unless` steps; orb commands are resolved from the small table below (circleci/node installs),
 * other orb commands are opaque. Workflows give `context:` (opaque stores), `requires` and filters.
 * Platform credentials per job: project environment variables (opaque), CIRCLE_OIDC_TOKEN(_V2).
 */
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type CiReaderEntry,
  type Command,
  type EnvVar,
  type Job,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type Runner,
  type SideEffect,
  type Step,
  type Trigger,
} from '../model.js';
import { isMap, isScalar, items, str, strings, type YamlFile } from '../yaml.js';
import { entries, envVar, get, getEntry, implicitCommand, input, label, parseGap, scriptCommands, yamlOrGap } from './_common.js';

const SYSTEM = 'circleci' as const;

export function isCircleCi(path: string): boolean {
  return path === '.circleci/config.yml' || path === '.circleci/config.yaml';
}

/** Well-known orb commands (§1.3): what they run, as commands the DC classifier understands. */
const ORB_COMMANDS: Record<string, (params: Map<string, string>) => string[]> = {
  'circleci/node/install-packages': (p) => {
    const pm = p.get('pkg-manager') ?? 'npm';
    const over = p.get('override-ci-command');
    if (over) return [over];
    return [pm === 'yarn' ? 'yarn install --frozen-lockfile' : pm === 'yarn-berry' ? 'yarn install --immutable' : pm === 'pnpm' ? 'pnpm install --frozen-lockfile' : 'npm ci'];
  },
  'circleci/node/test': (p) => {
    const pm = p.get('pkg-manager') ?? 'npm';
    const script = p.get('run-command') ?? 'test';
    return [pm === 'npm' ? 'npm ci' : `${pm} install`, pm === 'npm' ? `npm run ${script}` : `${pm} run ${script}`];
  },
  'circleci/node/install': () => [],
  'circleci/node/install-npm': () => [],
  'circleci/node/install-yarn': () => [],
};

interface Ctx {
  y: YamlFile;
  file: string;
  parse: CiParse;
  orbs: Map<string, string>;
  commands: Map<string, unknown>;
}

function envMap(c: Ctx, node: unknown, scope: EnvVar['scope']): EnvVar[] {
  const n = c.y.resolve(node);
  // environment: may be a map or a list of `KEY=value` / single-key maps.
  if (isMap(n)) return entries(c.y, n).map((e) => envVar(c.parse, c.file, e.key, str(c.y, e.value), e.line, scope));
  return items(c.y, n).flatMap((i) => {
    const s = str(c.y, i);
    if (s !== undefined) {
      const m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
      return m ? [envVar(c.parse, c.file, m[1]!, m[2]!, c.y.line(i), scope)] : [];
    }
    return entries(c.y, i).map((e) => envVar(c.parse, c.file, e.key, str(c.y, e.value), e.line, scope));
  });
}

/** The orb command a step name refers to: `node/install-packages` -> `circleci/node/install-packages`. */
function orbCommand(c: Ctx, name: string): { full: string; orbRef: string } | undefined {
  const m = name.match(/^([^/]+)\/(.+)$/);
  if (!m) return undefined;
  const ref = c.orbs.get(m[1]!);
  if (!ref) return undefined;
  return { full: `${ref.replace(/@.*$/, '')}/${m[2]}`, orbRef: ref };
}

function parseSteps(c: Ctx, node: unknown, job: Job, out: Step[], depth: number): void {
  for (const s of items(c.y, node)) {
    const line = c.y.line(s);
    let name: string;
    let body: unknown = null;
    if (isScalar(s)) name = str(c.y, s) ?? '';
    else {
      const first = entries(c.y, s)[0];
      if (!first) continue;
      name = first.key;
      body = first.value;
    }
    const base = (extra: Partial<Step> & Pick<Step, 'label' | 'kind'>): Step => ({ index: out.length, line, commands: [], env: [], with: [], effects: [], phase: 'main', ...extra });
    if (name === 'run') {
      const cmdNode = isScalar(c.y.resolve(body)) ? body : get(c.y, body, 'command');
      const script = str(c.y, cmdNode) ?? '';
      const shell = str(c.y, get(c.y, body, 'shell')) ?? 'bash';
      const { commands, effects } = scriptCommands(c.parse, c.file, script, c.y.contentLine(cmdNode), shell);
      const stepName = str(c.y, get(c.y, body, 'name'));
      const cond = str(c.y, get(c.y, body, 'when'));
      out.push(base({ ...(stepName ? { name: stepName } : {}), label: label(stepName, commands, 'run'), kind: 'run', commands, effects, env: envMap(c, get(c.y, body, 'environment'), 'step'), ...(cond ? { condition: `when: ${cond}` } : {}) }));
    } else if (name === 'checkout') {
      out.push(base({ label: 'checkout', kind: 'checkout', effects: [{ type: 'cred-persist', name: 'checkout key', kind: 'ci-platform', where: '~/.ssh (project checkout key)', refs: [], lifetime: 'long-lived', line, note: 'deploy key (this repository, read-only by default) or a user key (every repository of that user): Project Settings > SSH Keys' }] }));
    } else if (name === 'add_ssh_keys') {
      const fps = strings(c.y, get(c.y, body, 'fingerprints'));
      const effects: SideEffect[] = (fps.length ? fps : ['(all additional SSH keys of the project)']).map((fp) => ({ type: 'cred-persist', name: `ssh key ${fp}`, kind: 'ci-platform', where: '~/.ssh', refs: [], lifetime: 'long-lived', line, note: 'Project Settings > SSH Keys > Additional SSH Keys: find which hosts/repositories trust it' }));
      out.push(base({ label: 'add_ssh_keys', kind: 'builtin', effects }));
    } else if (name === 'save_cache' || name === 'restore_cache') {
      const key = str(c.y, get(c.y, body, 'key')) ?? '';
      const keys = strings(c.y, get(c.y, body, 'keys'));
      const paths = strings(c.y, get(c.y, body, 'paths'));
      const effects: SideEffect[] = name === 'save_cache' ? [{ type: 'cache-save', key, paths, post: false, line, action: 'save_cache' }] : [{ type: 'cache-restore', key: key || keys[0] || '', restoreKeys: keys.slice(key ? 0 : 1), paths, line, action: 'restore_cache' }];
      out.push(base({ label: name, kind: 'builtin', effects }));
    } else if (name === 'persist_to_workspace') {
      out.push(base({ label: name, kind: 'builtin', effects: [{ type: 'artifact-upload', name: `workspace:${job.id}`, paths: strings(c.y, get(c.y, body, 'paths')).map((p) => `${str(c.y, get(c.y, body, 'root')) ?? '.'}/${p}`), line }] }));
    } else if (name === 'attach_workspace') {
      out.push(base({ label: name, kind: 'builtin', effects: [{ type: 'artifact-download', name: 'workspace:*', line }] }));
    } else if (name === 'when' || name === 'unless') {
      if (depth < 8) parseSteps(c, get(c.y, body, 'steps'), job, out, depth + 1);
    } else if (c.commands.has(name)) {
      if (depth < 8) parseSteps(c, get(c.y, c.commands.get(name), 'steps'), job, out, depth + 1);
    } else if (orbCommand(c, name)) {
      const orb = orbCommand(c, name)!;
      const params = new Map(entries(c.y, body).map((e) => [e.key, str(c.y, e.value) ?? '']));
      const known = ORB_COMMANDS[orb.full];
      const commands: Command[] = known ? known(params).map((t) => implicitCommand(t, line)) : [];
      const withInputs = entries(c.y, body).map((e) => input(c.parse, c.file, e.key, str(c.y, e.value), e.line));
      if (!known) job.opaque.push({ what: `orb command ${name} (${orb.orbRef})`, reason: 'orb command not in the table: what it runs is not known', resolveWith: `circleci orb source ${orb.orbRef}` });
      out.push(base({ label: name, kind: 'orb', uses: { ref: `${orb.orbRef}#${name}`, name: orb.full, version: orb.orbRef.replace(/^.*@/, ''), local: false }, commands, with: withInputs }));
    } else if (['store_artifacts', 'store_test_results', 'setup_remote_docker', 'deploy'].includes(name)) {
      out.push(base({ label: name, kind: 'builtin' }));
    } else {
      job.opaque.push({ what: `step ${name}`, reason: 'unknown step or command', resolveWith: 'read the orb or command definition' });
      out.push(base({ label: name, kind: 'builtin' }));
    }
  }
  out.forEach((s, i) => (s.index = i));
}

function runnerOf(c: Ctx, node: unknown, executors: unknown, line: number): { runner: Runner; env: EnvVar[]; creds: { line: number; refs: ReturnType<typeof envVar>['value']['refs'] }[] } {
  const y = c.y;
  let exec = node;
  const ex = get(y, node, 'executor');
  if (ex) {
    const exName = str(y, ex) ?? str(y, get(y, ex, 'name')) ?? '';
    const def = get(y, executors, exName);
    if (def) exec = def;
    else if (exName.includes('/')) return { runner: { type: 'hosted', labels: [`executor:${exName}`], line }, env: envMap(c, get(y, node, 'environment'), 'job'), creds: [] };
  }
  const env = [...envMap(c, get(y, exec, 'environment'), 'executor')];
  const creds: { line: number; refs: EnvVar['value']['refs'] }[] = [];
  const labels: string[] = [];
  for (const d of items(y, get(y, exec, 'docker'))) {
    labels.push(`docker:${str(y, get(y, d, 'image')) ?? ''}`);
    const auth = getEntry(y, d, 'auth');
    if (auth) creds.push({ line: auth.line, refs: entries(y, auth.value).flatMap((e) => envVar(c.parse, c.file, e.key, str(y, e.value), e.line, 'executor').value.refs) });
    if (exec === node && labels.length === 1) env.push(...envMap(c, get(y, d, 'environment'), 'executor'));
  }
  const machine = get(y, exec, 'machine');
  if (machine) labels.push(`machine:${str(y, machine) ?? str(y, get(y, machine, 'image')) ?? ''}`);
  if (get(y, exec, 'macos')) labels.push('macos');
  const rc = str(y, get(y, node, 'resource_class')) ?? str(y, get(y, exec, 'resource_class'));
  if (rc) labels.push(`resource_class:${rc}`);
  // A resource class `<namespace>/<name>` is a self-hosted runner.
  const self = rc !== undefined && rc.includes('/');
  return { runner: { type: self ? 'self-hosted' : 'hosted', labels, line, ...(self ? { persistent: true } : {}) }, env, creds };
}

export function readCircleCi(file: RepoFile, _repo: RepoFiles): CiReadResult {
  const r = yamlOrGap(file.path, file.text);
  if ('gap' in r) return r.gap;
  const y = r.y;
  if (!isMap(y.root)) return parseGap(file.path, 'CircleCI configuration is not a YAML mapping');
  const jobsNode = get(y, y.root, 'jobs');
  if (!isMap(jobsNode)) return parseGap(file.path, 'CircleCI configuration has no `jobs:` mapping');
  const parse = emptyParse(SYSTEM, file.path);
  const c: Ctx = {
    y,
    file: file.path,
    parse,
    orbs: new Map(entries(y, get(y, y.root, 'orbs')).map((e) => [e.key, str(y, e.value) ?? `inline:${e.key}`])),
    commands: new Map(entries(y, get(y, y.root, 'commands')).map((e) => [e.key, e.value])),
  };
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [{ event: 'push', filters: [], line: 1 }], env: [], jobs: [], opaque: [] };
  if (str(y, get(y, y.root, 'setup')) === 'true') pipeline.opaque.push({ what: 'dynamic configuration (setup: true)', reason: 'the real pipeline is generated at run time', resolveWith: 'read the continuation config the setup job produces' });
  for (const [alias, ref] of c.orbs) if (!ref.startsWith('circleci/node@')) pipeline.opaque.push({ what: `orb ${alias}: ${ref}`, reason: 'orb source not in the repository', resolveWith: `circleci orb source ${ref}` });
  const executors = get(y, y.root, 'executors');
  const byId = new Map<string, Job>();
  for (const e of entries(y, jobsNode)) {
    const rr = runnerOf(c, e.value, executors, e.line);
    const job: Job = { id: e.key, file: file.path, line: e.line, runner: rr.runner, env: [...rr.env, ...envMap(c, get(y, e.value, 'environment'), 'job')], needs: [], steps: [], credentials: [], sharedEnv: true, opaque: [] };
    for (const cr of rr.creds) if (cr.refs.length) job.credentials.push({ name: 'docker image registry auth', kind: 'container-registry', source: 'ci-variable', inEnv: false, line: cr.line, lifetime: 'long-lived', refs: cr.refs });
    job.credentials.push({
      name: 'project environment variables',
      kind: 'secret-store',
      source: 'opaque-store',
      inEnv: true,
      line: e.line,
      lifetime: 'unknown',
      opaque: { what: 'CircleCI project environment variables', reason: 'set in Project Settings > Environment Variables; given to every job', resolveWith: 'Project Settings > Environment Variables (API GET /api/v2/project/{project-slug}/envvar)' },
    });
    job.credentials.push({ name: 'CIRCLE_OIDC_TOKEN', kind: 'oidc-capability', source: 'oidc-capability', inEnv: true, line: e.line, lifetime: 'short-lived', note: 'CIRCLE_OIDC_TOKEN and CIRCLE_OIDC_TOKEN_V2 (audience: the organization id; `circleci run oidc get` mints custom audiences)' });
    const steps: Step[] = [];
    parseSteps(c, get(y, e.value, 'steps'), job, steps, 0);
    job.steps = steps;
    pipeline.jobs.push(job);
    byId.set(e.key, job);
  }
  // Workflows: contexts, requires, filters.
  for (const wf of entries(y, get(y, y.root, 'workflows'))) {
    if (wf.key === 'version') continue;
    const wfTriggers: Trigger[] = items(y, get(y, wf.value, 'triggers')).map((t) => ({ event: get(y, t, 'schedule') ? 'schedule' : 'trigger', filters: [str(y, get(y, get(y, t, 'schedule'), 'cron')) ?? ''].filter(Boolean), line: y.line(t) }));
    for (const item of items(y, get(y, wf.value, 'jobs'))) {
      const name = str(y, item) ?? entries(y, item)[0]?.key ?? '';
      const cfg = isScalar(item) ? null : entries(y, item)[0]?.value;
      const job = byId.get(name) ?? (orbCommand(c, name) ? undefined : undefined);
      if (!job) {
        if (orbCommand(c, name)) pipeline.opaque.push({ what: `orb job ${name}`, reason: 'job defined in an orb', resolveWith: `circleci orb source ${orbCommand(c, name)!.orbRef}` });
        continue;
      }
      for (const ctx of items(y, get(y, cfg, 'context'))) {
        const ctxName = str(y, ctx) ?? '';
        if (job.credentials.some((cr) => cr.name === `context:${ctxName}`)) continue;
        job.credentials.push({
          name: `context:${ctxName}`,
          kind: 'secret-store',
          source: 'context',
          inEnv: true,
          line: y.line(ctx),
          lifetime: 'unknown',
          opaque: { what: `CircleCI context ${ctxName}`, reason: 'context variables live in Organization Settings > Contexts', resolveWith: `Organization Settings > Contexts > ${ctxName} (circleci context show <vcs> <org> ${ctxName}; API GET /api/v2/context?owner-id=<org-id> then /context/<id>/environment-variable)` },
        });
      }
      for (const r of strings(y, get(y, cfg, 'requires'))) if (!job.needs.includes(r)) job.needs.push(r);
      const filters = get(y, cfg, 'filters');
      const triggers: Trigger[] = [...(job.triggers ?? []), ...wfTriggers];
      const fLine = filters ? y.line(filters) : y.line(item);
      const tagsOnly = strings(y, get(y, get(y, filters, 'tags'), 'only'));
      const branchesOnly = strings(y, get(y, get(y, filters, 'branches'), 'only'));
      const branchesIgnore = strings(y, get(y, get(y, filters, 'branches'), 'ignore'));
      if (tagsOnly.length) triggers.push({ event: 'tag', filters: tagsOnly.map((t) => `tags: ${t}`), line: fLine });
      if (branchesOnly.length || branchesIgnore.length || (!tagsOnly.length && wfTriggers.length === 0)) triggers.push({ event: 'push', filters: [...branchesOnly.map((b) => `branches: ${b}`), ...branchesIgnore.map((b) => `ignore: ${b}`)], line: fLine });
      job.triggers = triggers;
    }
  }
  parse.pipelines.push(pipeline);
  return parse;
}

export const circleciReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'CircleCI (.circleci/config.yml: jobs, commands, node orb, contexts, caches, workspaces)',
  match: isCircleCi,
  read: readCircleCi,
};
