/**
 * Travis CI reader (ci-secrets.md §8): `.travis.yml` -> one Pipeline; the root job, or one Job per
 * `jobs.include` / `matrix.include` entry (merged over the root keys). All phases of a job share one VM
 * and env (sharedEnv); one step per phase. `language: node_js` without `install:` gets the implicit
 * install (and without `script:` the implicit `npm test`) as implicit commands. `env` plain `KEY=value`
 * entries are env vars (secret-looking literals fingerprinted); `secure:` entries are encrypted with their
 * name, so only "encrypted env var #n" is reported. `deploy: provider: npm` adds the npm api key and an
 * implicit `npm publish`; `openssl aes-256-cbc -K $encrypted_*_key` decrypted files are credentials.
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
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type SideEffect,
  type Step,
  type Trigger,
  type ValueRef,
} from '../model.js';
import { classifyName } from '../secrets.js';
import { isMap, isScalar, items, str, strings, type YamlFile } from '../yaml.js';
import { entries, envVar, get, implicitCommand, label, parseGap, scriptCommands, yamlOrGap } from './_common.js';

const SYSTEM = 'travis' as const;
const PHASES = ['before_install', 'install', 'before_script', 'script', 'before_cache', 'after_success', 'after_failure', 'before_deploy', 'after_deploy', 'after_script'];

export function isTravis(path: string): boolean {
  return path === '.travis.yml';
}

interface Ctx {
  y: YamlFile;
  file: string;
  parse: CiParse;
  lines: string[];
  secureCount: number;
}

/** A comment on the line of (or just above) an encrypted entry: a hint at its name, never proof. */
function commentHint(c: Ctx, line: number): string | undefined {
  const own = c.lines[line - 1]?.match(/#\s*(.+)$/)?.[1];
  const above = c.lines[line - 2]?.match(/^\s*#\s*(.+)$/)?.[1];
  return (own ?? above)?.trim().slice(0, 80);
}

/** `env:` in its forms: list, string, `{global: [...], jobs|matrix: [...]}`. */
function envEntries(c: Ctx, node: unknown, scope: EnvVar['scope'], env: EnvVar[], creds: JobCredential[]): void {
  const y = c.y;
  const n = y.resolve(node);
  if (isMap(n) && !get(y, n, 'secure')) {
    for (const k of ['global', 'jobs', 'matrix']) if (get(y, n, k)) envEntries(c, get(y, n, k), k === 'global' ? 'workflow' : scope, env, creds);
    return;
  }
  for (const i of items(y, n)) {
    const line = y.line(i);
    const secure = str(y, get(y, i, 'secure'));
    if (secure !== undefined) {
      c.secureCount++;
      const hint = commentHint(c, line);
      creds.push({ name: `encrypted env var #${c.secureCount}`, source: 'ci-secret', inEnv: true, line, lifetime: 'unknown', note: `travis encrypt NAME=value: name and value are encrypted together, the name is unknown${hint ? ` (comment: ${hint})` : ''}` });
      continue;
    }
    const s = str(y, i);
    if (s === undefined) continue;
    // One entry may hold several assignments: `A=1 B="two words"`.
    for (const m of s.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
      env.push(envVar(c.parse, c.file, m[1]!, m[2]!.replace(/^["']|["']$/g, ''), line, scope));
    }
  }
}

function phaseStep(c: Ctx, node: unknown, phase: string, index: number): Step | undefined {
  const y = c.y;
  const entry = entries(y, node).find((e) => e.key === phase);
  if (!entry) return undefined;
  const commands: Command[] = [];
  const effects: SideEffect[] = [];
  for (const i of items(y, entry.value)) {
    const s = str(y, i);
    if (s === undefined) continue;
    const r = scriptCommands(c.parse, c.file, s, y.contentLine(i), 'bash');
    commands.push(...r.commands);
    effects.push(...r.effects);
    for (const cmd of r.commands) {
      const m = cmd.text.match(/\bopenssl\s+aes-256-cbc\b.*?-K\s+\$\{?(encrypted_[0-9a-f]+_key)\}?.*?-iv\s+\$\{?(encrypted_[0-9a-f]+_iv)\}?/);
      const out = cmd.text.match(/\s-out\s+(\S+)/)?.[1];
      if (m && out) {
        const guess = classifyName([out]);
        effects.push({
          type: 'cred-persist',
          name: `decrypted file ${out}`,
          kind: /\.ssh\/|id_(rsa|ed25519|ecdsa)|deploy_key/.test(out) ? 'ci-platform' : (guess?.kind ?? 'generic'),
          where: out,
          refs: [{ type: 'var', name: m[1]! }, { type: 'var', name: m[2]! }],
          lifetime: 'long-lived',
          line: cmd.line,
          note: 'travis encrypt-file: key/iv are repository settings variables; the decrypted file is on disk for the rest of the job',
        });
      }
    }
  }
  return { index, name: phase, label: label(phase, commands, phase), line: entry.line, kind: 'run', commands, env: [], with: [], effects, phase: 'main' };
}

function buildJob(c: Ctx, node: unknown, root: unknown, id: string, line: number): Job {
  const y = c.y;
  const pick = (k: string) => (entries(y, node).some((e) => e.key === k) ? get(y, node, k) : get(y, root, k));
  const language = str(y, pick('language')) ?? 'ruby';
  // Implicit phases are reported at the `language:` line.
  const langLine = entries(y, node).find((e) => e.key === 'language')?.line ?? entries(y, root).find((e) => e.key === 'language')?.line ?? line;
  const os = str(y, pick('os')) ?? 'linux';
  const job: Job = { id, file: c.file, line, runner: { type: 'hosted', labels: [`os:${os}`, `language:${language}`, ...(str(y, pick('dist')) ? [`dist:${str(y, pick('dist'))}`] : [])], line }, env: [], needs: [], steps: [], credentials: [], sharedEnv: true, opaque: [] };
  const stage = str(y, get(y, node, 'stage'));
  if (stage) job.name = `${stage}: ${str(y, get(y, node, 'name')) ?? id}`;
  if (node !== root) envEntries(c, get(y, node, 'env'), 'job', job.env, job.credentials);
  const cond = str(y, get(y, node, 'if'));
  if (cond) job.condition = cond;
  const steps: Step[] = [];
  for (const phase of PHASES) {
    const holder = entries(y, node).some((e) => e.key === phase) ? node : root;
    let s = phaseStep(c, holder, phase, steps.length);
    if (!s && phase === 'install' && language === 'node_js') {
      s = { index: steps.length, name: 'install', label: 'install (implicit)', line: langLine, kind: 'run', commands: [implicitCommand('npm ci', langLine)], env: [], with: [], effects: [], phase: 'main' };
    }
    if (!s && phase === 'script' && language === 'node_js') {
      s = { index: steps.length, name: 'script', label: 'script (implicit)', line: langLine, kind: 'run', commands: [implicitCommand('npm test', langLine)], env: [], with: [], effects: [], phase: 'main' };
    }
    if (s) steps.push(s);
  }
  const cacheNode = pick('cache');
  const cacheKinds = isScalar(y.resolve(cacheNode)) ? [str(y, cacheNode) ?? ''] : isMap(y.resolve(cacheNode)) ? entries(y, cacheNode).filter((e) => str(y, e.value) !== 'false').map((e) => e.key) : strings(y, cacheNode);
  if (cacheNode && (cacheKinds.length > 0 || language === 'node_js') && steps[0]) {
    const paths = cacheKinds.flatMap((k) => (k === 'npm' ? ['node_modules', '~/.npm'] : k === 'yarn' ? ['~/.cache/yarn'] : k === 'directories' ? strings(y, get(y, cacheNode, 'directories')) : [k])).filter(Boolean);
    const cl = y.line(cacheNode);
    steps[0].effects.unshift({ type: 'cache-restore', key: `travis-cache:${id}`, restoreKeys: [], paths, line: cl, action: 'cache' });
    steps[steps.length - 1]!.effects.push({ type: 'cache-save', key: `travis-cache:${id}`, paths, post: true, line: cl, action: 'cache' });
  }
  // deploy: a map or a list of providers.
  const deploy = pick('deploy');
  for (const d of isMap(y.resolve(deploy)) ? [deploy] : items(y, deploy)) {
    const provider = str(y, get(y, d, 'provider')) ?? 'unknown';
    const dl = y.line(d);
    const keyEntry = entries(y, d).find((e) => ['api_key', 'api_token', 'token', 'github_token', 'password', 'secret_access_key', 'access_key_id'].includes(e.key));
    const refs: ValueRef[] = [];
    if (keyEntry) {
      const secure = str(y, get(y, keyEntry.value, 'secure'));
      if (secure !== undefined) refs.push({ type: 'secret', name: `deploy.${provider}.${keyEntry.key} (encrypted)`, store: 'travis:secure' });
      else refs.push(...envVar(c.parse, c.file, keyEntry.key, str(y, keyEntry.value), keyEntry.line, 'step').value.refs);
    }
    const on = get(y, d, 'on');
    const step: Step = {
      index: steps.length,
      name: `deploy (${provider})`,
      label: `deploy (${provider})`,
      line: dl,
      kind: 'builtin',
      commands: provider === 'npm' ? [implicitCommand('npm publish', dl)] : [],
      env: [],
      with: [],
      effects: [],
      phase: 'main',
      ...(on ? { condition: `on: ${entries(y, on).map((e) => `${e.key}=${str(y, e.value) ?? strings(y, e.value).join(',')}`).join(' ')}` } : {}),
    };
    steps.push(step);
    if (keyEntry) {
      job.credentials.push({
        name: `deploy ${provider} ${keyEntry.key}`,
        kind: provider === 'npm' ? 'npm-token' : (classifyName([provider, keyEntry.key])?.kind ?? 'generic'),
        source: 'ci-secret',
        inEnv: true,
        line: keyEntry.line,
        lifetime: 'long-lived',
        refs,
        note: `deploy provider ${provider}: the key is present in the job that deploys (all phases share the VM)`,
      });
    }
    if (str(y, get(y, on, 'tags')) === 'true') (job.triggers ??= []).push({ event: 'tag', filters: ['deploy on tags'], line: y.line(on) });
  }
  job.steps = steps;
  job.credentials.push({
    name: 'repository settings environment variables',
    kind: 'secret-store',
    source: 'opaque-store',
    inEnv: true,
    line,
    lifetime: 'unknown',
    opaque: { what: 'Travis repository environment variables', reason: 'set in Repository Settings > Environment Variables (optionally branch-restricted)', resolveWith: 'Repository Settings > Environment Variables (travis env list; API GET /repo/{repository.id}/env_vars)' },
  });
  return job;
}

export function readTravis(file: RepoFile, _repo: RepoFiles): CiReadResult {
  const r = yamlOrGap(file.path, file.text);
  if ('gap' in r) return r.gap;
  const y = r.y;
  if (!isMap(y.root)) return parseGap(file.path, '.travis.yml is not a YAML mapping');
  const parse = emptyParse(SYSTEM, file.path);
  const c: Ctx = { y, file: file.path, parse, lines: file.text.split(/\r?\n/), secureCount: 0 };
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [], env: [], jobs: [], opaque: [] };
  const root = y.root;
  const rootCreds: JobCredential[] = [];
  envEntries(c, get(y, root, 'env'), 'workflow', pipeline.env, rootCreds);
  const branches = get(y, root, 'branches');
  const trig: Trigger = { event: 'push', filters: [...strings(y, get(y, branches, 'only')).map((b) => `only: ${b}`), ...strings(y, get(y, branches, 'except')).map((b) => `except: ${b}`)], line: branches ? y.line(branches) : 1 };
  pipeline.triggers.push(trig, { event: 'pull_request', filters: ['secure variables are not given to fork pull requests'], line: 1 });
  for (const imp of items(y, get(y, root, 'import'))) pipeline.opaque.push({ what: `imported config ${str(y, imp) ?? str(y, get(y, imp, 'source')) ?? ''}`, reason: 'shared build config imported from another place', resolveWith: 'read the imported file' });
  const include = get(y, get(y, root, 'jobs'), 'include') ?? get(y, get(y, root, 'matrix'), 'include');
  const includes = items(y, include);
  if (includes.length === 0) pipeline.jobs.push(buildJob(c, root, root, 'default', 1));
  else includes.forEach((inc, i) => pipeline.jobs.push(buildJob(c, inc, root, str(y, get(y, inc, 'name')) ?? `job-${i}`, y.line(inc))));
  for (const j of pipeline.jobs) j.credentials.unshift(...rootCreds);
  parse.pipelines.push(pipeline);
  return parse;
}

export const travisReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'Travis CI (.travis.yml: env global/secure, phases, implicit node_js install, deploy provider npm)',
  match: isTravis,
  read: readTravis,
};
