/**
 * GitHub Actions reader (ci-secrets.md §2): `.github/workflows/*.y?ml` -> Pipeline. Resolves local
 * composite actions (`uses: ./path` with action.yml) and local reusable workflows
 * (`jobs.<id>.uses: ./.github/workflows/x.yml`, secrets mapped to the caller's names, `secrets: inherit`).
 * Syntactic only: records env/with/run references and side effects; tiers are decided in analysis.ts.
 */
import { actionInfo } from '../data.js';
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type Command,
  type EnvScope,
  type EnvVar,
  type Input,
  type Job,
  type JobCall,
  type Permissions,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type Runner,
  type SideEffect,
  type Step,
  type Trigger,
  type UsesRef,
  type Value,
  type ValueRef,
} from '../model.js';
import { fingerprint, isPlaceholder, isPublicDsn, looksSecretName, redactText } from '../secrets.js';
import { lineEffects, scriptLines, shellVarRefs } from '../shell.js';
import { entries, get, getEntry, isMap, isScalar, items, parseYaml, str, strings, type YamlFile } from '../yaml.js';

const SYSTEM = 'github-actions' as const;
const MAX_DEPTH = 4;

/** Whether a path is a workflow file this reader reads. */
export function isGithubWorkflow(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** How `secrets.X`, `inputs.X` and `toJSON(secrets)` resolve inside a called workflow or composite action. */
interface ExprCtx {
  /** secrets.NAME -> caller refs; undefined: identity (top-level workflow or `secrets: inherit`). */
  secretMap?: Map<string, ValueRef[]>;
  /** What `toJSON(secrets)` means in this context. */
  allSecrets?: ValueRef[];
  /** inputs.NAME -> caller refs (with: of a composite action / reusable workflow). */
  inputMap?: Map<string, ValueRef[]>;
}

function secretRef(name: string, ctx: ExprCtx): ValueRef[] {
  if (name.toUpperCase() === 'GITHUB_TOKEN') return [{ type: 'platform', name: 'GITHUB_TOKEN' }];
  if (ctx.secretMap) return ctx.secretMap.get(name) ?? [];
  return [{ type: 'secret', name }];
}

/** References inside one `${{ }}` expression. */
export function exprRefs(expr: string, ctx: ExprCtx = {}): ValueRef[] {
  const out: ValueRef[] = [];
  let e = expr;
  if (/\btoJSON\s*\(\s*secrets\s*\)/i.test(e) || /\bsecrets\s*\[\s*(?!['"])/.test(e)) {
    out.push(...(ctx.allSecrets ?? [{ type: 'all-secrets' as const, expr: expr.trim().slice(0, 80) }]));
    e = e.replace(/\btoJSON\s*\(\s*secrets\s*\)/gi, '');
  }
  for (const m of e.matchAll(/\bsecrets\s*\[\s*['"]([^'"]+)['"]\s*\]/g)) out.push(...secretRef(m[1]!, ctx));
  for (const m of e.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_-]*)/g)) out.push(...secretRef(m[1]!, ctx));
  if (/\bgithub\.token\b/.test(e)) out.push({ type: 'platform', name: 'GITHUB_TOKEN' });
  for (const m of e.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.push({ type: 'var', name: m[1]!, scope: 'env' });
  for (const m of e.matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.push({ type: 'var', name: m[1]!, scope: 'vars' });
  for (const m of e.matchAll(/\binputs\.([A-Za-z_][A-Za-z0-9_-]*)/g)) out.push(...(ctx.inputMap?.get(m[1]!) ?? []));
  if (out.length === 0 && /\bfromJSON\s*\(/i.test(e)) out.push({ type: 'opaque-expr', expr: expr.trim().slice(0, 80) });
  return dedupeRefs(out);
}

export function dedupeRefs(refs: ValueRef[]): ValueRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = JSON.stringify(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A value's references: `${{ }}` expressions, literal tokens (fingerprinted), a secret-looking literal. */
function parseValue(text: string | undefined, ctx: ExprCtx, name?: string): Value {
  if (text === undefined) return { text: '', refs: [] };
  const refs: ValueRef[] = [];
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) refs.push(...exprRefs(m[1]!, ctx));
  const red = redactText(text);
  for (const fp of red.found) refs.push({ type: 'literal-secret', fingerprint: fp });
  if (red.found.length === 0 && name && looksSecretName(name) && !/\$\{\{/.test(text) && !isPlaceholder(text) && !isPublicDsn(name, text) && text.trim().length >= 6) {
    refs.push({ type: 'literal-secret', fingerprint: fingerprint(text.trim()) });
    return { text: null, refs };
  }
  return { text: red.text, refs: dedupeRefs(refs) };
}

interface Ctx {
  y: YamlFile;
  file: string;
  repo: RepoFiles;
  parse: CiParse;
  expr: ExprCtx;
  depth: number;
  /** Workflow files on the current call chain (cycle guard). */
  chain: string[];
}

function envBlock(c: Ctx, node: unknown, scope: EnvScope): { env: EnvVar[]; opaque?: Value } {
  const n = c.y.resolve(node);
  if (isScalar(n)) {
    // env: ${{ fromJSON(...) }} - a whole block from an expression.
    const v = parseValue(str(c.y, n), c.expr);
    if (v.refs.length === 0) v.refs.push({ type: 'opaque-expr', expr: (v.text ?? '').slice(0, 80) });
    return { env: [{ name: '*', value: v, line: c.y.line(n), scope }], opaque: v };
  }
  const env: EnvVar[] = [];
  for (const e of entries(c.y, n)) {
    const value = parseValue(str(c.y, e.value), c.expr, e.key);
    env.push({ name: e.key, value, line: e.line, scope, ...(c.file !== c.parse.file ? { file: c.file } : {}) });
    recordLiterals(c, e.key, value, e.line);
  }
  return { env };
}

function recordLiterals(c: Ctx, name: string, value: Value, line: number): void {
  for (const r of value.refs) if (r.type === 'literal-secret') c.parse.literals.push({ file: c.file, line, name, fingerprint: r.fingerprint });
}

function inputsBlock(c: Ctx, node: unknown): Input[] {
  const out: Input[] = [];
  for (const e of entries(c.y, node)) {
    const value = parseValue(str(c.y, e.value) ?? '', c.expr, e.key);
    out.push({ name: e.key, value, line: e.line });
    recordLiterals(c, e.key, value, e.line);
  }
  return out;
}

function parseTriggers(c: Ctx, node: unknown, line: number): Trigger[] {
  const n = c.y.resolve(node);
  if (isScalar(n)) return [{ event: str(c.y, n) ?? '', filters: [], line }];
  const seq = items(c.y, n);
  if (!isMap(n)) return seq.map((i) => ({ event: str(c.y, i) ?? '', filters: [], line: c.y.line(i) || line }));
  return entries(c.y, n).map((e) => {
    const filters: string[] = [];
    for (const f of entries(c.y, e.value)) {
      const vals = strings(c.y, f.value);
      if (vals.length > 0) filters.push(...vals.map((v) => `${f.key}: ${v}`));
      else if (f.key !== 'secrets' && f.key !== 'inputs' && f.key !== 'outputs') filters.push(f.key);
    }
    return { event: e.key, filters, line: e.line };
  });
}

function parsePermissions(c: Ctx, node: unknown, line: number): Permissions {
  const n = c.y.resolve(node);
  const s = str(c.y, n);
  if (s === 'read-all' || s === 'write-all') return { shorthand: s, scopes: {}, line };
  const scopes: Permissions['scopes'] = {};
  const scopeLines: Record<string, number> = {};
  for (const e of entries(c.y, n)) {
    const v = str(c.y, e.value);
    if (v === 'read' || v === 'write' || v === 'none') {
      scopes[e.key] = v;
      scopeLines[e.key] = e.line;
    }
  }
  return Object.keys(scopes).length === 0 && isMap(n) ? { shorthand: 'none', scopes, line } : { scopes, line, scopeLines };
}

function parseRunner(c: Ctx, node: unknown, line: number): Runner {
  const n = c.y.resolve(node);
  let labels: string[];
  let group = false;
  if (isMap(n)) {
    labels = strings(c.y, get(c.y, n, 'labels'));
    const g = str(c.y, get(c.y, n, 'group'));
    if (g) {
      group = true;
      labels.push(`group:${g}`);
    }
  } else labels = strings(c.y, n);
  const text = labels.join(' ');
  const expression = /\$\{\{/.test(text);
  const self = group || labels.some((l) => l.toLowerCase() === 'self-hosted');
  const hosted = !self && !expression && labels.length > 0 && labels.every((l) => /^(ubuntu|macos|windows)-[\w.-]+$/i.test(l));
  const os = /windows/i.test(text) ? 'windows' : /macos/i.test(text) ? 'macos' : /ubuntu|linux/i.test(text) ? 'linux' : 'unknown';
  return {
    type: self ? 'self-hosted' : hosted ? 'hosted' : 'unknown',
    labels,
    os,
    ...(self ? { persistent: true } : {}),
    line,
    ...(expression ? { expression: true } : {}),
  };
}

function usesRef(ref: string): UsesRef {
  const local = ref.startsWith('./');
  const at = ref.lastIndexOf('@');
  const name = !local && at > 0 ? ref.slice(0, at) : ref;
  const version = !local && at > 0 ? ref.slice(at + 1) : undefined;
  return { ref, name, ...(version ? { version } : {}), local };
}

function majorVersion(version: string | undefined): number | undefined {
  const m = version?.match(/^v?(\d+)/);
  return m ? Number(m[1]) : undefined;
}

function inputValue(step: Step, name: string): Input | undefined {
  return step.with.find((w) => w.name === name);
}

function truthy(text: string | null | undefined): boolean {
  return text !== undefined && text !== null && text.trim() !== '' && !/^(false|0|no|off)$/i.test(text.trim());
}

/** Side effects of a `uses:` step, from data/ci/actions.json. */
function actionEffects(step: Step): SideEffect[] {
  const uses = step.uses!;
  const info = actionInfo(uses.name);
  const out: SideEffect[] = [];
  if (!info) return out;
  const w = (n: string) => inputValue(step, n);
  const line = step.line;
  switch (info.persists) {
    case 'checkout': {
      if (w('persist-credentials')?.value.text?.trim() === 'false') break;
      const token = w('token');
      const ssh = w('ssh-key');
      const v6 = (majorVersion(uses.version) ?? 0) >= 6;
      const where = v6 ? '$RUNNER_TEMP/git-credentials-<uuid>.config' : '.git/config (http.extraheader)';
      if (ssh && ssh.value.refs.length > 0) {
        out.push({ type: 'cred-persist', name: 'checkout ssh-key', kind: 'ci-platform', where: '~/.ssh (git config core.sshCommand)', refs: ssh.value.refs, lifetime: 'long-lived', line: ssh.line });
      }
      const refs = token?.value.refs.filter((r) => r.type !== 'opaque-expr') ?? [];
      const platform = refs.length === 0 || refs.every((r) => r.type === 'platform');
      out.push({
        type: 'cred-persist',
        name: platform ? 'GITHUB_TOKEN' : 'checkout token',
        kind: platform ? 'github-token' : 'github-pat',
        where,
        refs: platform ? [] : refs,
        lifetime: platform ? 'job-scoped' : 'long-lived',
        line: token?.line ?? line,
        note: 'actions/checkout persists the token for later git commands (persist-credentials defaults to true)',
      });
      break;
    }
    case 'setup-node': {
      const reg = w('registry-url');
      if (reg && truthy(reg.value.text)) {
        const authEnv = step.env.find((e) => e.name === 'NODE_AUTH_TOKEN');
        out.push({
          type: 'cred-persist',
          name: 'setup-node .npmrc',
          kind: 'npm-token',
          where: '$RUNNER_TEMP/.npmrc (NPM_CONFIG_USERCONFIG)',
          refs: authEnv?.value.refs ?? [{ type: 'var', name: 'NODE_AUTH_TOKEN' }],
          lifetime: 'long-lived',
          line: reg.line,
          note: `registry ${reg.value.text ?? ''}: _authToken=\${NODE_AUTH_TOKEN}`,
        });
        if (authEnv && authEnv.value.refs.length > 0) {
          out.push({ type: 'env-export', name: 'NODE_AUTH_TOKEN', value: authEnv.value, line: authEnv.line, by: 'actions/setup-node (registry-url)' });
        }
      }
      break;
    }
    case 'aws': {
      const role = w('role-to-assume');
      const key = w('aws-access-key-id');
      const secret = w('aws-secret-access-key');
      const refs = [...(key?.value.refs ?? []), ...(secret?.value.refs ?? []), ...(w('aws-session-token')?.value.refs ?? [])];
      const roleName = role?.value.text?.replace(/^.*:role\//, '') ?? '';
      const envOff = w('output-env-credentials')?.value.text?.trim() === 'false';
      const profile = w('aws-profile');
      out.push({
        type: 'cred-persist',
        name: role ? `AWS session (role ${roleName || 'from expression'})` : 'AWS credentials',
        kind: 'aws',
        where: profile ? '~/.aws/credentials' : envOff ? 'none (output-env-credentials: false)' : 'env',
        refs: [...(role?.value.refs ?? []), ...refs],
        lifetime: role && !key ? 'short-lived' : 'long-lived',
        line: (role ?? key ?? { line }).line,
        ...(envOff || profile ? {} : { exports: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] }),
        ...(role && !key ? { note: 'assumed through OIDC (id-token: write)' } : {}),
      });
      break;
    }
    case 'gcp': {
      const json = w('credentials_json');
      const wip = w('workload_identity_provider');
      out.push({
        type: 'cred-persist',
        name: json ? 'GCP service account key' : 'GCP workload identity session',
        kind: 'gcp',
        where: 'credentials file ($GOOGLE_APPLICATION_CREDENTIALS)',
        refs: json?.value.refs ?? [],
        lifetime: json ? 'long-lived' : 'short-lived',
        line: (json ?? wip ?? { line }).line,
        exports: ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH'],
      });
      break;
    }
    case 'docker': {
      const pw = w('password');
      const user = w('username');
      out.push({
        type: 'cred-persist',
        name: `registry login ${w('registry')?.value.text ?? 'docker.io'}`,
        kind: 'container-registry',
        where: '~/.docker/config.json',
        refs: [...(pw?.value.refs ?? []), ...(user?.value.refs.filter((r) => r.type === 'secret') ?? [])],
        lifetime: 'long-lived',
        line: (pw ?? { line }).line,
      });
      break;
    }
    case 'azure': {
      const creds = w('creds');
      out.push({
        type: 'cred-persist',
        name: creds ? 'Azure service principal' : 'Azure workload identity session',
        kind: 'azure',
        where: '~/.azure',
        refs: [...(creds?.value.refs ?? []), ...(w('client-secret')?.value.refs ?? [])],
        lifetime: creds ? 'long-lived' : 'short-lived',
        line: (creds ?? { line }).line,
      });
      break;
    }
  }
  if (info.cache && !info.cacheAction) {
    const enabledBy = info.cache.inputs?.map((i) => w(i)).find((i) => i && truthy(i.value.text));
    const disabled = info.cache.disableInput ? truthy(w(info.cache.disableInput)?.value.text) : false;
    if (enabledBy || (info.cache.default && !disabled)) {
      const pm = enabledBy?.value.text?.trim() ?? Object.keys(info.cache.paths ?? {})[0] ?? 'deps';
      const path = info.cache.paths?.[pm] ?? pm;
      const key = `${uses.name}:${pm}`;
      out.push({ type: 'cache-restore', key, restoreKeys: [], paths: [path], line: enabledBy?.line ?? line, action: uses.name });
      out.push({ type: 'cache-save', key, paths: [path], post: true, line: enabledBy?.line ?? line, action: uses.name });
    }
  }
  if (info.cacheAction) {
    const key = w('key')?.value.text ?? '';
    const paths = (w('path')?.value.text ?? '').split(/\r?\n/).map((p) => p.trim()).filter(Boolean);
    const restoreKeys = (w('restore-keys')?.value.text ?? '').split(/\r?\n/).map((p) => p.trim()).filter(Boolean);
    const lookupOnly = truthy(w('lookup-only')?.value.text);
    if (info.cacheAction !== 'save') out.push({ type: 'cache-restore', key, restoreKeys, paths, line, action: uses.name });
    if (info.cacheAction !== 'restore' && !lookupOnly) out.push({ type: 'cache-save', key, paths, post: info.cacheAction === 'both', line, action: uses.name });
  }
  if (info.artifact === 'upload') {
    out.push({ type: 'artifact-upload', name: w('name')?.value.text ?? 'artifact', paths: (w('path')?.value.text ?? '').split(/\r?\n/).map((p) => p.trim()).filter(Boolean), line });
  } else if (info.artifact === 'download') {
    out.push({ type: 'artifact-download', name: w('name')?.value.text ?? '*', line });
  }
  if (info.imageBuild) {
    const args = [w('build-args'), w('secrets'), w('secret-files')].filter((i): i is Input => i !== undefined);
    out.push({ type: 'image-build', ...(w('file')?.value.text ? { dockerfile: w('file')!.value.text! } : {}), args, line });
  }
  return out;
}

function stepLabel(name: string | undefined, commands: Command[], uses: UsesRef | undefined): string {
  if (name) return name;
  if (commands.length > 0) return commands[0]!.text.length > 60 ? commands[0]!.text.slice(0, 57) + '...' : commands[0]!.text;
  return uses?.ref ?? 'step';
}

function parseStep(c: Ctx, node: unknown, index: number): Step {
  const y = c.y;
  const name = str(y, get(y, node, 'name'));
  const id = str(y, get(y, node, 'id'));
  const usesText = str(y, get(y, node, 'uses'));
  const runEntry = getEntry(y, node, 'run');
  const env = envBlock(c, get(y, node, 'env'), 'step').env;
  const withInputs = inputsBlock(c, get(y, node, 'with'));
  const commands: Command[] = [];
  const effects: SideEffect[] = [];
  if (runEntry) {
    const script = str(y, runEntry.value) ?? '';
    for (const l of scriptLines(script, y.contentLine(runEntry.value))) {
      const v = parseValue(l.text, c.expr);
      const refs = dedupeRefs([...v.refs, ...shellVarRefs(l.text)]);
      const text = v.text ?? redactText(l.text).text;
      commands.push({ text, line: l.line, shell: str(y, get(y, node, 'shell')) ?? 'bash', ...(refs.length > 0 ? { refs } : {}) });
      effects.push(...lineEffects(l.text, refs, l.line, text));
      for (const r of v.refs) if (r.type === 'literal-secret') c.parse.literals.push({ file: c.file, line: l.line, name: 'run', fingerprint: r.fingerprint });
    }
  }
  const cond = str(y, get(y, node, 'if'));
  const step: Step = {
    index,
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    label: '',
    line: y.line(node),
    ...(c.file !== c.parse.file ? { file: c.file } : {}),
    kind: usesText ? 'uses' : 'run',
    ...(usesText ? { uses: usesRef(usesText) } : {}),
    commands,
    env,
    with: withInputs,
    ...(cond ? { condition: cond } : {}),
    effects,
    phase: 'main',
  };
  const wd = str(y, get(y, node, 'working-directory'));
  if (wd) step.workingDirectory = wd;
  if (cond) {
    const refs = parseValue(cond.includes('${{') ? cond : `\${{ ${cond} }}`, c.expr).refs;
    if (refs.length > 0) step.conditionRefs = refs;
  }
  step.label = stepLabel(name, commands, step.uses);
  if (step.uses) {
    step.effects.push(...actionEffects(step));
    if (step.uses.local) expandLocalAction(c, step);
  }
  return step;
}

/** `uses: ./path`: read path/action.y?ml; expand composite steps with inputs mapped to the caller's `with:`. */
function expandLocalAction(c: Ctx, step: Step): void {
  const base = step.uses!.name.replace(/^\.\//, '').replace(/\/$/, '');
  const candidates = [`${base}/action.yml`, `${base}/action.yaml`, base];
  const path = candidates.find((p) => (p.endsWith('.yml') || p.endsWith('.yaml')) && c.repo.read(p) !== undefined);
  if (!path) {
    c.parse.gaps.push({ path: `${base}/action.yml`, code: 'NOT_FOUND', reason: `local action used by ${c.file}:${step.line} not found in the repository` });
    return;
  }
  step.uses!.resolvedFile = path;
  if (!c.parse.files.includes(path)) c.parse.files.push(path);
  if (c.depth >= MAX_DEPTH) return;
  const parsed = parseYaml(c.repo.read(path)!);
  if (!parsed.ok) {
    c.parse.gaps.push({ path, code: 'CI_PARSE_ERROR', reason: parsed.reason + (parsed.line ? ` (line ${parsed.line})` : '') });
    return;
  }
  const y = parsed.file;
  const runs = get(y, y.root, 'runs');
  const using = str(y, get(y, runs, 'using')) ?? '';
  if (using !== 'composite') {
    // A local JS or Docker action: repository code, run with the step's inputs and env.
    step.uses!.resolvedFile = path;
    return;
  }
  const inputMap = new Map<string, ValueRef[]>();
  for (const w of step.with) inputMap.set(w.name, w.value.refs);
  for (const e of entries(y, get(y, y.root, 'inputs'))) {
    if (!inputMap.has(e.key)) {
      const def = str(y, get(y, e.value, 'default'));
      if (def) inputMap.set(e.key, parseValue(def, c.expr).refs);
    }
  }
  const sub: Ctx = { ...c, y, file: path, depth: c.depth + 1, expr: { ...c.expr, inputMap } };
  step.composite = items(y, get(y, runs, 'steps')).map((s) => {
    const inner = parseStep(sub, s, step.index);
    return inner;
  });
}

function parseJob(c: Ctx, id: string, node: unknown, line: number): Job {
  const y = c.y;
  const runsOn = getEntry(y, node, 'runs-on');
  const job: Job = {
    id,
    ...(str(y, get(y, node, 'name')) ? { name: str(y, get(y, node, 'name'))! } : {}),
    file: c.file,
    line,
    runner: runsOn ? parseRunner(c, runsOn.value, runsOn.line) : { type: 'unknown', labels: [], line },
    env: envBlock(c, get(y, node, 'env'), 'job').env,
    needs: strings(y, get(y, node, 'needs')),
    steps: [],
    credentials: [],
    opaque: [],
  };
  const perm = getEntry(y, node, 'permissions');
  if (perm) job.permissions = parsePermissions(c, perm.value, perm.line);
  const envEntry = getEntry(y, node, 'environment');
  if (envEntry) {
    const name = str(y, envEntry.value) ?? str(y, get(y, envEntry.value, 'name'));
    if (name) job.environment = { name, line: envEntry.line };
  }
  const cond = str(y, get(y, node, 'if'));
  if (cond) job.condition = cond;
  // Registry credentials for the job container and service containers reach the runner.
  for (const holder of ['container', ...entries(y, get(y, node, 'services')).map((s) => `services.${s.key}`)]) {
    const n = holder === 'container' ? get(y, node, 'container') : get(y, get(y, node, 'services'), holder.slice(9));
    const creds = getEntry(y, n, 'credentials');
    if (!creds) continue;
    const refs = dedupeRefs(entries(y, creds.value).flatMap((e) => parseValue(str(y, e.value), c.expr, e.key).refs));
    if (refs.length > 0) {
      job.credentials.push({ name: `${holder} registry credentials`, kind: 'container-registry', source: 'ci-secret', inEnv: false, line: creds.line, lifetime: 'long-lived', refs });
    }
    for (const e of entries(y, get(y, n, 'env'))) {
      const v = parseValue(str(y, e.value), c.expr, e.key);
      if (v.refs.some((r) => r.type === 'secret' || r.type === 'all-secrets')) {
        job.credentials.push({ name: e.key, source: 'ci-secret', inEnv: false, line: e.line, lifetime: 'unknown', refs: v.refs, note: `env of ${holder}` });
      }
    }
  }
  const usesEntry = getEntry(y, node, 'uses');
  if (usesEntry) {
    parseCall(c, job, node, str(y, usesEntry.value) ?? '', usesEntry.line);
    return job;
  }
  job.steps = items(y, get(y, node, 'steps')).map((s, i) => parseStep(c, s, i));
  return job;
}

/** `jobs.<id>.uses`: a reusable workflow call. Local callees are expanded; remote ones are opaque. */
function parseCall(c: Ctx, job: Job, node: unknown, usesText: string, line: number): void {
  const y = c.y;
  const secretsEntry = getEntry(y, node, 'secrets');
  const inherit = str(y, secretsEntry?.value) === 'inherit';
  const call: JobCall = {
    uses: usesRef(usesText),
    line,
    secretsInherit: inherit,
    secrets: inherit ? [] : inputsBlock(c, secretsEntry?.value),
    with: inputsBlock(c, get(y, node, 'with')),
  };
  job.call = call;
  job.runner = { type: 'unknown', labels: [], line };
  if (!call.uses.local) {
    job.opaque.push({
      what: `reusable workflow ${usesText}`,
      reason: 'remote reusable workflow: its jobs are not in this repository',
      resolveWith: `read ${usesText.replace(/@.*$/, '')} at ${call.uses.version ?? 'the pinned ref'} (gh api repos/<owner>/<repo>/contents/<path>?ref=<ref>)`,
    });
    return;
  }
  const path = usesText.replace(/^\.\//, '').replace(/@.*$/, '');
  const text = c.repo.read(path);
  if (text === undefined) {
    c.parse.gaps.push({ path, code: 'NOT_FOUND', reason: `reusable workflow called from ${c.file}:${line} not found` });
    return;
  }
  if (!c.parse.files.includes(path)) c.parse.files.push(path);
  if (c.depth >= MAX_DEPTH || c.chain.includes(path)) {
    c.parse.warnings.push({ code: 'CALL_DEPTH', message: `not expanding ${path} (depth or cycle)`, file: c.file, line });
    return;
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    c.parse.gaps.push({ path, code: 'CI_PARSE_ERROR', reason: parsed.reason + (parsed.line ? ` (line ${parsed.line})` : '') });
    return;
  }
  const secretMap = inherit ? c.expr.secretMap : new Map(call.secrets.map((s) => [s.name, s.value.refs]));
  const allSecrets: ValueRef[] = inherit
    ? (c.expr.allSecrets ?? [{ type: 'all-secrets', expr: `secrets: inherit (${c.file}:${line})` }])
    : call.secrets.flatMap((s) => s.value.refs);
  const inputMap = new Map(call.with.map((w) => [w.name, w.value.refs]));
  const sub: Ctx = { ...c, y: parsed.file, file: path, depth: c.depth + 1, chain: [...c.chain, path], expr: { secretMap, allSecrets, inputMap } };
  const callee = readWorkflowDoc(sub);
  if (!callee) return;
  job.calledJobs = callee.jobs.map((j) => ({
    ...j,
    id: `${job.id}/${j.id}`,
    // The callee's workflow env and permissions apply to its jobs.
    env: [...callee.env, ...j.env],
    ...(j.permissions ?? callee.permissions ?? job.permissions ? { permissions: j.permissions ?? callee.permissions ?? job.permissions } : {}),
  }));
}

function readWorkflowDoc(c: Ctx): Pipeline | undefined {
  const y = c.y;
  const root = y.root;
  if (!isMap(root)) {
    c.parse.gaps.push({ path: c.file, code: 'CI_PARSE_ERROR', reason: 'workflow is not a YAML mapping' });
    return undefined;
  }
  const jobsEntry = getEntry(y, root, 'jobs');
  if (!jobsEntry || !isMap(jobsEntry.value)) {
    c.parse.gaps.push({ path: c.file, code: 'CI_PARSE_ERROR', reason: 'workflow has no `jobs:` mapping' });
    return undefined;
  }
  const onEntry = getEntry(y, root, 'on');
  const perm = getEntry(y, root, 'permissions');
  const env = envBlock(c, get(y, root, 'env'), 'workflow').env;
  const pipeline: Pipeline = {
    system: SYSTEM,
    file: c.file,
    ...(str(y, get(y, root, 'name')) ? { name: str(y, get(y, root, 'name'))! } : {}),
    line: 1,
    triggers: onEntry ? parseTriggers(c, onEntry.value, onEntry.line) : [],
    env,
    ...(perm ? { permissions: parsePermissions(c, perm.value, perm.line) } : {}),
    jobs: [],
    opaque: [],
  };
  const call = getEntry(y, onEntry?.value, 'workflow_call');
  if (call) pipeline.declaredSecrets = entries(y, get(y, call.value, 'secrets')).map((e) => e.key);
  for (const e of entries(y, jobsEntry.value)) pipeline.jobs.push(parseJob(c, e.key, e.value, e.line));
  return pipeline;
}

/** The reader: one workflow file -> a CiParse (or a CI_PARSE_ERROR gap). */
export function readGithubWorkflow(file: RepoFile, repo: RepoFiles): CiReadResult {
  const parsed = parseYaml(file.text);
  if (!parsed.ok) {
    return { gap: { path: file.path, code: 'CI_PARSE_ERROR', reason: parsed.reason + (parsed.line ? ` (line ${parsed.line})` : '') } };
  }
  const parse = emptyParse(SYSTEM, file.path);
  const c: Ctx = { y: parsed.file, file: file.path, repo, parse, expr: {}, depth: 0, chain: [file.path] };
  const pipeline = readWorkflowDoc(c);
  if (!pipeline) {
    const own = parse.gaps.find((g) => g.path === file.path);
    if (own) return { gap: own };
    return { gap: { path: file.path, code: 'CI_PARSE_ERROR', reason: 'not a workflow' } };
  }
  parse.pipelines.push(pipeline);
  return parse;
}

