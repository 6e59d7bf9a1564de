/**
 * GitLab CI reader (ci-secrets.md §3): `.gitlab-ci.yml` -> one Pipeline. Resolves local includes
 * (`include: local|file path` without `project`), `extends:` (deep merge, up to 11 levels), hidden jobs,
 * `default:` and `!reference [...]`; names project/remote/template/component includes as opaque.
 * Each job is one shared-env step (before_script + script) plus an `after_script` post step (§3.2);
 * credentials: CI_JOB_TOKEN, project/group/instance CI/CD variables (opaque), `id_tokens`, `secrets:`.
 */
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type CiReaderEntry,
  type Command,
  type EnvVar,
  type Job,
  type JobCredential,
  type Opaque,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type Runner,
  type SideEffect,
  type Step,
  type Trigger,
} from '../model.js';
import { classifyName } from '../secrets.js';
import {
  deepMerge,
  envVar,
  globToRe,
  label,
  lentries,
  lget,
  litems,
  lkeyLine,
  lstr,
  lstrings,
  normPath,
  parseGap,
  scriptCommands,
  toLNode,
  type LMap,
  type LNode,
  type ValueOptions,
} from './_common.js';
import { parseYaml } from '../yaml.js';

const SYSTEM = 'gitlab-ci' as const;
const MAX_INCLUDE_DEPTH = 10;
const MAX_EXTENDS_DEPTH = 11;

/** Variables GitLab fills with job-scoped credentials. */
const PLATFORM_VARS = new Set(['CI_JOB_TOKEN', 'CI_REGISTRY_PASSWORD', 'CI_DEPENDENCY_PROXY_PASSWORD', 'CI_DEPLOY_PASSWORD', 'CI_JOB_JWT', 'CI_JOB_JWT_V1', 'CI_JOB_JWT_V2']);
const VALUE_OPTS: ValueOptions = { platform: PLATFORM_VARS };

/** Top-level keys that are not jobs. */
const GLOBAL_KEYS = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types', 'spec']);
/** Keys `default:` (and deprecated top-level globals) hand to every job. */
const DEFAULT_KEYS = ['image', 'services', 'cache', 'before_script', 'after_script', 'tags', 'artifacts', 'id_tokens', 'hooks', 'interruptible', 'retry', 'timeout'];

const OPAQUE_VARS: Opaque = {
  what: 'project/group/instance CI/CD variables',
  reason: 'CI/CD variables set in GitLab settings are given to every job and are not in the repository',
  resolveWith:
    'Settings > CI/CD > Variables of the project and of each ancestor group (`glab variable list`, `glab variable list --group <group>`; API GET /projects/:id/variables, GET /groups/:id/variables, admin GET /admin/ci/variables)',
};

export function isGitlabCi(path: string): boolean {
  return path === '.gitlab-ci.yml' || path === '.gitlab-ci.yaml';
}

interface Ctx {
  parse: CiParse;
  repo: RepoFiles;
  pipeline: Pipeline;
}

/** Read one config file into a located map, following its local includes (included first, file wins). */
function loadConfig(c: Ctx, file: string, text: string, depth: number, chain: string[], origin?: { file: string; line: number }): LMap | null {
  const p = parseYaml(text);
  if (!p.ok) {
    c.parse.gaps.push({ path: file, code: 'CI_PARSE_ERROR', reason: p.reason + (p.line ? ` (line ${p.line})` : '') + (origin ? ` (included from ${origin.file}:${origin.line})` : '') });
    return null;
  }
  const root = toLNode(p.file, file, p.file.root);
  if (!root) return { k: 'map', file, line: 1, entries: new Map() };
  if (root.k !== 'map') {
    c.parse.gaps.push({ path: file, code: 'CI_PARSE_ERROR', reason: 'GitLab CI configuration is not a YAML mapping' });
    return null;
  }
  let merged: LNode | null = null;
  const inc = root.entries.get('include');
  if (inc?.value) {
    for (const item of litems(inc.value)) {
      for (const local of includeTargets(c, item)) {
        if (depth >= MAX_INCLUDE_DEPTH || chain.includes(local.path)) {
          c.parse.warnings.push({ code: 'INCLUDE_DEPTH', message: `not following include ${local.path} (depth or cycle)`, file, line: local.line });
          continue;
        }
        const t = c.repo.read(local.path);
        if (t === undefined) {
          c.parse.gaps.push({ path: local.path, code: 'NOT_FOUND', reason: `local include from ${file}:${local.line} not found in the repository` });
          continue;
        }
        if (!c.parse.files.includes(local.path)) c.parse.files.push(local.path);
        const sub = loadConfig(c, local.path, t, depth + 1, [...chain, local.path], { file, line: local.line });
        if (sub) merged = mergeConfigs(merged, sub);
      }
    }
  }
  const own: LMap = { ...root, entries: new Map([...root.entries].filter(([k]) => k !== 'include')) };
  return mergeConfigs(merged, own) as LMap;
}

/** GitLab merges included files with the including one: top-level keys deep-merge, the includer wins. */
function mergeConfigs(base: LNode | null, over: LMap): LNode {
  return deepMerge(base, over) ?? over;
}

/** Local files named by one `include:` item; remote/project/template/component includes become opaque. */
function includeTargets(c: Ctx, item: LNode): { path: string; line: number }[] {
  const line = item.line;
  const s = lstr(item);
  if (s !== undefined) {
    if (/^https?:\/\//.test(s)) {
      addOpaque(c, `remote include ${s}`, 'configuration fetched from a URL at pipeline time', `fetch ${s} as of the exposure window`);
      return [];
    }
    return expandLocal(c, s, line);
  }
  if (item.k !== 'map') return [];
  const local = lstr(lget(item, 'local'));
  const project = lstr(lget(item, 'project'));
  const files = lstrings(lget(item, 'file'));
  const remote = lstr(lget(item, 'remote'));
  const template = lstr(lget(item, 'template'));
  const component = lstr(lget(item, 'component'));
  if (project) {
    const ref = lstr(lget(item, 'ref'));
    addOpaque(
      c,
      `project include ${project}${files.length ? ` file ${files.join(', ')}` : ''}${ref ? ` ref ${ref}` : ''}`,
      'configuration from another GitLab project: its jobs, variables and scripts are not in this repository',
      `glab api "projects/${encodeURIComponent(project)}/repository/files/<url-encoded file>/raw?ref=${ref ?? '<default branch>'}"`,
    );
    return [];
  }
  if (remote) {
    addOpaque(c, `remote include ${remote}`, 'configuration fetched from a URL at pipeline time', `fetch ${remote} as of the exposure window`);
    return [];
  }
  if (template) {
    addOpaque(c, `template include ${template}`, 'GitLab-provided template (content depends on the GitLab version)', `read lib/gitlab/ci/templates/${template} of the GitLab version in use`);
    return [];
  }
  if (component) {
    addOpaque(c, `component include ${component}`, 'CI/CD component from the catalog: its jobs are not in this repository', `read the component project ${component.replace(/@.*$/, '')} at ${component.includes('@') ? component.replace(/^.*@/, '') : 'the pinned version'}`);
    return [];
  }
  const paths = local ? [local] : files;
  return paths.flatMap((p) => expandLocal(c, p, line));
}

function expandLocal(c: Ctx, path: string, line: number): { path: string; line: number }[] {
  const p = normPath(path);
  if (!/[*?]/.test(p)) return [{ path: p, line }];
  const re = globToRe(p);
  const found = c.repo.list().filter((f) => re.test(f) && /\.ya?ml$/.test(f)).sort();
  return found.map((f) => ({ path: f, line }));
}

function addOpaque(c: Ctx, what: string, reason: string, resolveWith: string): void {
  if (!c.pipeline.opaque.some((o) => o.what === what)) c.pipeline.opaque.push({ what, reason, resolveWith });
}

/** Resolve `extends:` recursively (templates first, the job last). */
function resolveExtends(c: Ctx, config: LMap, name: string, node: LNode, depth: number, seen: string[]): LNode {
  const ext = lget(node, 'extends');
  if (!ext) return node;
  let base: LNode | null = null;
  for (const parent of lstrings(ext)) {
    const pnode = config.entries.get(parent)?.value;
    if (!pnode || depth >= MAX_EXTENDS_DEPTH || seen.includes(parent)) {
      c.parse.warnings.push({
        code: pnode ? 'EXTENDS_DEPTH' : 'EXTENDS_NOT_FOUND',
        message: pnode ? `extends chain of ${name} too deep or cyclic at ${parent}` : `${name} extends ${parent}, which is not defined in the files read (it may come from an opaque include)`,
        file: node.file,
        line: lkeyLine(node, 'extends'),
      });
      continue;
    }
    base = deepMerge(base, resolveExtends(c, config, parent, pnode, depth + 1, [...seen, parent]));
  }
  return deepMerge(base, node) ?? node;
}

/** Expand `!reference [.job, key, ...]` anywhere in a node; in sequences a referenced list is spliced in. */
function expandReferences(c: Ctx, config: LMap, node: LNode | null, depth = 0): LNode | null {
  if (!node || depth > 10) return node;
  if (node.k === 'seq' && node.tag === '!reference') {
    const path = lstrings(node);
    let cur: LNode | null = config.entries.get(path[0] ?? '')?.value ?? null;
    for (const k of path.slice(1)) cur = lget(cur, k);
    if (!cur) {
      c.parse.warnings.push({ code: 'REFERENCE_NOT_FOUND', message: `!reference [${path.join(', ')}] not found in the files read`, file: node.file, line: node.line });
      return null;
    }
    return expandReferences(c, config, cur, depth + 1);
  }
  if (node.k === 'seq') {
    const items: LNode[] = [];
    for (const i of node.items) {
      const r = expandReferences(c, config, i, depth + 1);
      if (!r) continue;
      if (i.k === 'seq' && i.tag === '!reference' && r.k === 'seq') items.push(...r.items);
      else items.push(r);
    }
    return { ...node, items };
  }
  if (node.k === 'map') {
    const out: LMap = { ...node, entries: new Map() };
    for (const [k, v] of node.entries) out.entries.set(k, { keyLine: v.keyLine, value: expandReferences(c, config, v.value, depth + 1) });
    return out;
  }
  return node;
}

function variablesOf(c: Ctx, node: LNode | null, scope: 'workflow' | 'job'): EnvVar[] {
  const out: EnvVar[] = [];
  for (const e of lentries(node)) {
    // `VAR: value` or `VAR: {value, description, expand, options}`.
    const text = lstr(e.value) ?? lstr(lget(e.value, 'value')) ?? '';
    const file = e.value?.file ?? (node as LMap).file;
    out.push(envVar(c.parse, file, e.key, text, e.keyLine, scope, VALUE_OPTS));
  }
  return out;
}

/** Triggers from `rules:` / `only:` / `except:` (merge-request pipelines, tags, branches, schedules). */
function triggersOf(node: LNode | null): Trigger[] | undefined {
  const out: Trigger[] = [];
  const rules = lget(node, 'rules');
  for (const r of litems(rules)) {
    if (lstr(lget(r, 'when')) === 'never') continue;
    const cond = lstr(lget(r, 'if'));
    const line = r.line;
    if (!cond) {
      out.push({ event: 'any', filters: lstrings(lget(r, 'changes')).map((f) => `changes: ${f}`), line });
      continue;
    }
    out.push(...triggersFromIf(cond, line));
  }
  for (const key of ['only', 'except'] as const) {
    const n = lget(node, key);
    if (!n) continue;
    const refs = n.k === 'map' ? lstrings(lget(n, 'refs')) : lstrings(n);
    const line = n.line;
    if (key === 'except') {
      if (refs.length > 0) out.push({ event: 'any', filters: refs.map((r) => `except: ${r}`), line });
      continue;
    }
    for (const r of refs) {
      if (r === 'tags') out.push({ event: 'tag', filters: [], line });
      else if (r === 'merge_requests') out.push({ event: 'merge_request', filters: [], line });
      else if (r === 'branches' || r === 'pushes') out.push({ event: 'push', filters: [], line });
      else if (['schedules', 'web', 'api', 'triggers', 'pipelines', 'external', 'chat', 'external_pull_requests'].includes(r)) out.push({ event: r.replace(/s$/, ''), filters: [], line });
      else out.push({ event: 'push', filters: [`branch: ${r}`], line });
    }
  }
  return rules || lget(node, 'only') || lget(node, 'except') ? out : undefined;
}

function triggersFromIf(cond: string, line: number): Trigger[] {
  const out: Trigger[] = [];
  const filters = [`if: ${cond}`];
  const src = cond.match(/\$CI_PIPELINE_SOURCE\s*==\s*["']([a-z_]+)["']/);
  if (src) {
    const map: Record<string, string> = { merge_request_event: 'merge_request', push: 'push', schedule: 'schedule', web: 'web', api: 'api', trigger: 'trigger', pipeline: 'pipeline', parent_pipeline: 'pipeline', external_pull_request_event: 'external_pull_request' };
    out.push({ event: map[src[1]!] ?? src[1]!, filters, line });
  }
  if (/\$CI_MERGE_REQUEST_(IID|ID|SOURCE_BRANCH_NAME|TARGET_BRANCH_NAME)\b/.test(cond) && !out.some((t) => t.event === 'merge_request')) out.push({ event: 'merge_request', filters, line });
  if (/\$CI_COMMIT_TAG\b/.test(cond) && !/\$CI_COMMIT_TAG\s*==\s*null|!\$CI_COMMIT_TAG/.test(cond)) out.push({ event: 'tag', filters, line });
  if (/\$CI_COMMIT_BRANCH\b|\$CI_COMMIT_REF_NAME\b|\$CI_DEFAULT_BRANCH\b/.test(cond) && out.length === 0) out.push({ event: 'push', filters, line });
  if (out.length === 0) out.push({ event: 'any', filters, line });
  return out;
}

function runnerOf(job: LNode, line: number): Runner {
  const tags = lstrings(lget(job, 'tags'));
  const image = lstr(lget(job, 'image')) ?? lstr(lget(lget(job, 'image'), 'name'));
  const services = litems(lget(job, 'services'))
    .map((s) => lstr(s) ?? lstr(lget(s, 'name')))
    .filter((s): s is string => s !== undefined);
  const labels = [...tags.map((t) => `tag:${t}`), ...(image ? [`image:${image}`] : []), ...services.map((s) => `service:${s}`)];
  const tagsLine = lget(job, 'tags')?.line ?? line;
  if (tags.length === 0) return { type: 'unknown', labels, line };
  if (tags.every((t) => /^saas-/.test(t))) return { type: 'hosted', labels, line: tagsLine };
  // Tagged jobs run on runners someone registered: self-managed unless proven otherwise; shell executors persist.
  const shell = tags.some((t) => /\bshell\b/i.test(t));
  return { type: 'self-hosted', labels, line: tagsLine, ...(shell ? { persistent: true } : {}) };
}

function cacheEffects(node: LNode | null, job: string, file: string): SideEffect[] {
  const out: SideEffect[] = [];
  for (const cache of node?.k === 'seq' ? node.items : node ? [node] : []) {
    const paths = lstrings(lget(cache, 'paths'));
    if (lstr(lget(cache, 'untracked')) === 'true') paths.push('(untracked files)');
    const keyNode = lget(cache, 'key');
    let key = lstr(keyNode) ?? 'default';
    if (keyNode?.k === 'map') {
      const files = lstrings(lget(keyNode, 'files'));
      const prefix = lstr(lget(keyNode, 'prefix'));
      key = `${prefix ? prefix + '-' : ''}files:${files.join(',')}`;
    }
    const fallback = lstrings(lget(cache, 'fallback_keys'));
    const policy = lstr(lget(cache, 'policy')) ?? 'pull-push';
    const line = cache.line;
    const where = cache.file !== file ? ` from ${cache.file}` : '';
    const inFile = cache.file !== file ? { file: cache.file } : {};
    if (policy !== 'push') out.push({ type: 'cache-restore', key, restoreKeys: fallback, paths, line, action: `cache (${job})${where}`, ...inFile });
    if (policy !== 'pull') out.push({ type: 'cache-save', key, paths, post: true, line, action: `cache (${job})${where}`, ...inFile });
  }
  return out;
}

function buildJob(c: Ctx, config: LMap, name: string, raw: LNode, keyLine: number, defaults: LMap): Job {
  let node = resolveExtends(c, config, name, raw, 0, [name]);
  node = expandReferences(c, config, node) ?? node;
  // default: applies to keys the job (after extends) does not set, unless `inherit: default: false`.
  const inheritDefault = lget(lget(node, 'inherit'), 'default');
  const inheritList = inheritDefault ? lstrings(inheritDefault) : [];
  const noDefault = lstr(inheritDefault) === 'false';
  if (node.k === 'map' && !noDefault) {
    const merged: LMap = { ...node, entries: new Map(node.entries) };
    for (const k of DEFAULT_KEYS) {
      if (merged.entries.has(k)) continue;
      if (inheritList.length > 0 && lstr(inheritDefault) !== 'true' && !inheritList.includes(k)) continue;
      const d = defaults.entries.get(k);
      if (d?.value) merged.entries.set(k, { keyLine: d.keyLine, value: expandReferences(c, config, d.value) });
    }
    node = merged;
  }
  const file = raw.file;
  const job: Job = {
    id: name,
    file,
    line: keyLine,
    runner: runnerOf(node, keyLine),
    env: variablesOf(c, lget(node, 'variables'), 'job'),
    needs: litems(lget(node, 'needs'))
      .map((n) => lstr(n) ?? lstr(lget(n, 'job')))
      .filter((s): s is string => s !== undefined),
    steps: [],
    credentials: [],
    sharedEnv: true,
    opaque: [],
  };
  // Service container variables are committed values: keep only fingerprints of secret-looking ones.
  for (const svc of litems(lget(node, 'services'))) for (const e of lentries(lget(svc, 'variables'))) envVar(c.parse, e.value?.file ?? file, e.key, lstr(e.value), e.keyLine, 'job', VALUE_OPTS);
  const inheritVars = lget(lget(node, 'inherit'), 'variables');
  if (inheritVars && lstr(inheritVars) !== 'true') {
    const keep = lstr(inheritVars) === 'false' ? [] : lstrings(inheritVars);
    c.parse.warnings.push({ code: 'INHERIT_VARIABLES', message: `job ${name} inherits only these global variables: ${keep.join(', ') || 'none'}`, file, line: lkeyLine(node, 'inherit') });
  }
  const triggers = triggersOf(node);
  if (triggers) job.triggers = triggers;
  const envNode = lget(node, 'environment');
  const envName = lstr(envNode) ?? lstr(lget(envNode, 'name'));
  if (envName) job.environment = { name: envName, line: lkeyLine(node, 'environment') };
  if (lget(node, 'when') && lstr(lget(node, 'when')) === 'manual') job.condition = 'when: manual';

  // Steps: before_script + script share one shell (§3.2); after_script runs in a separate shell (post).
  const commands: Command[] = [];
  const effects: SideEffect[] = [];
  for (const key of ['before_script', 'script']) {
    for (const item of litems(lget(node, key))) {
      if (item.k !== 'scalar') continue;
      const r = scriptCommands(c.parse, item.file, item.value, item.contentLine, 'bash', VALUE_OPTS);
      commands.push(...r.commands.map((cmd) => (item.file !== file ? { ...cmd, shell: `bash (${item.file})` } : cmd)));
      effects.push(...r.effects);
    }
  }
  effects.push(...cacheEffects(lget(node, 'cache'), name, file));
  const artifacts = lget(node, 'artifacts');
  if (artifacts) {
    const paths = lstrings(lget(artifacts, 'paths'));
    if (lstr(lget(artifacts, 'untracked')) === 'true') paths.push('(untracked files)');
    if (lget(artifacts, 'reports')) paths.push(...lentries(lget(artifacts, 'reports')).map((e) => `report:${e.key}`));
    effects.push({ type: 'artifact-upload', name, paths, line: artifacts.line });
  }
  for (const n of litems(lget(node, 'needs'))) {
    const j = lstr(n) ?? lstr(lget(n, 'job'));
    if (j && lstr(lget(n, 'artifacts')) !== 'false') effects.push({ type: 'artifact-download', name: j, line: n.line });
  }
  const deps = lget(node, 'dependencies');
  if (deps) for (const d of litems(deps)) if (lstr(d)) effects.push({ type: 'artifact-download', name: lstr(d)!, line: d.line });
  if (!deps && !lget(node, 'needs')) effects.push({ type: 'artifact-download', name: '*', line: keyLine });
  const scriptLine = lget(node, 'before_script')?.line ?? lget(node, 'script')?.line ?? keyLine;
  const main: Step = { index: 0, label: label(undefined, commands, 'script'), name: 'script', line: scriptLine, kind: 'run', commands, env: [], with: [], effects, phase: 'main' };
  if (file !== c.parse.file) main.file = file;
  job.steps.push(main);
  const after = lget(node, 'after_script');
  if (after) {
    const cmds: Command[] = [];
    const eff: SideEffect[] = [];
    for (const item of litems(after)) {
      if (item.k !== 'scalar') continue;
      const r = scriptCommands(c.parse, item.file, item.value, item.contentLine, 'bash', VALUE_OPTS);
      cmds.push(...r.commands);
      eff.push(...r.effects);
    }
    job.steps.push({ index: 1, name: 'after_script', label: 'after_script', line: after.line, kind: 'run', commands: cmds, env: [], with: [], effects: eff, phase: 'post' });
  }
  if (lget(node, 'trigger')) {
    const t = lget(node, 'trigger');
    const what = lstr(t) ?? lstr(lget(t, 'project')) ?? lstrings(lget(t, 'include')).join(', ') ?? 'child pipeline';
    job.opaque.push({ what: `downstream pipeline ${what}`, reason: 'trigger job: the downstream pipeline runs its own configuration', resolveWith: 'read the downstream configuration (child include or project .gitlab-ci.yml)' });
  }

  // Credentials.
  const creds: JobCredential[] = job.credentials;
  creds.push({ name: 'CI_JOB_TOKEN', kind: 'job-token', source: 'platform-token', inEnv: true, line: keyLine, lifetime: 'job-scoped', note: 'job token: package/container registry, releases, allow-listed projects, as the user who ran the pipeline (also CI_REGISTRY_PASSWORD)' });
  const protectedNote = (job.triggers ?? []).some((t) => t.event === 'tag') ? '; the job runs for tags (usually protected), so protected variables are included' : '; protected variables only on protected branches/tags';
  creds.push({ name: 'project/group CI/CD variables', kind: 'secret-store', source: 'opaque-store', inEnv: true, line: keyLine, lifetime: 'unknown', opaque: OPAQUE_VARS, note: `every variable whose environment scope matches${envName ? ` environment ${envName}` : ' (no environment: only scope *)'}${protectedNote}` });
  for (const e of lentries(lget(node, 'id_tokens'))) {
    const aud = lstrings(lget(e.value, 'aud')).join(', ');
    creds.push({ name: e.key, kind: 'oidc-capability', source: 'oidc-capability', inEnv: true, line: e.keyLine, file: e.value?.file ?? file, lifetime: 'short-lived', note: `ID token (JWT)${aud ? ` aud ${aud}` : ''}: mints access for every relying party trusting this project/ref` });
  }
  for (const e of lentries(lget(node, 'secrets'))) {
    const v = e.value;
    const provider = ['vault', 'gcp_secret_manager', 'azure_key_vault', 'akeyless', 'aws_secrets_manager', 'gitlab_secrets_manager'].find((p) => lget(v, p)) ?? 'unknown';
    const p = lget(v, provider);
    const path = lstr(p) ?? (p ? [lstr(lget(p, 'path')), lstr(lget(p, 'field')), lstr(lget(p, 'name')), lstr(lget(p, 'engine') && lget(lget(p, 'engine'), 'path'))].filter(Boolean).join('/') : '');
    const asFile = lstr(lget(v, 'file')) !== 'false';
    const guess = classifyName([e.key, path]);
    creds.push({
      name: e.key,
      ...(guess ? { kind: guess.kind } : {}),
      source: 'vault',
      inEnv: true,
      line: e.keyLine,
      file: v?.file ?? file,
      lifetime: 'unknown',
      refs: [{ type: 'secret', name: e.key, store: `gitlab:${provider}${path ? `:${path}` : ''}` }],
      note: `${provider}${path ? ` ${path}` : ''}; ${asFile ? 'file variable (path to a temp file holding the value)' : 'value in the variable (file: false)'}`,
    });
  }
  return job;
}

export function readGitlabCi(file: RepoFile, repo: RepoFiles): CiReadResult {
  const p = parseYaml(file.text);
  if (!p.ok) return parseGap(file.path, p.reason, p.line);
  const parse = emptyParse(SYSTEM, file.path);
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [], env: [], jobs: [], opaque: [] };
  const c: Ctx = { parse, repo, pipeline };
  const config = loadConfig(c, file.path, file.text, 0, [file.path]);
  if (!config) {
    const own = parse.gaps.find((g) => g.path === file.path);
    return own ? { gap: own } : parseGap(file.path, 'unreadable GitLab CI configuration');
  }
  pipeline.env = variablesOf(c, lget(config, 'variables'), 'workflow');
  const wf = triggersOf(lget(config, 'workflow'));
  pipeline.triggers = wf ?? [{ event: 'push', filters: [], line: 1 }];
  const defaults: LMap = { k: 'map', file: file.path, line: 1, entries: new Map() };
  for (const k of DEFAULT_KEYS) {
    const top = config.entries.get(k);
    if (top?.value) defaults.entries.set(k, top);
  }
  const def = lget(config, 'default');
  for (const e of lentries(def)) defaults.entries.set(e.key, { keyLine: e.keyLine, value: e.value });
  for (const [name, { keyLine, value }] of config.entries) {
    if (GLOBAL_KEYS.has(name) || name.startsWith('.') || !value || value.k !== 'map') continue;
    pipeline.jobs.push(buildJob(c, config, name, value, keyLine, defaults));
  }
  parse.pipelines.push(pipeline);
  return parse;
}

export const gitlabCiReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'GitLab CI (.gitlab-ci.yml with local includes, extends, default, !reference)',
  match: isGitlabCi,
  read: readGitlabCi,
};
