/**
 * Jenkinsfile reader (ci-secrets.md §5). Groovy is not parsed: a tolerant lexer masks comments and
 * strings, braces give the block tree (`pipeline`, `stage('x')`, `environment`, `withCredentials([...])`,
 * wrappers), and `sh`/`bat`/`powershell` calls become steps in source order. One build = one Job (all
 * stages share the workspace, §5.3). Pipeline `environment` -> pipeline env; stage `environment` -> the
 * env of that stage's steps; `credentials('id')` -> secret refs (store `jenkins`, plus `_USR`/`_PSW`);
 * `withCredentials`/`withNPM`/`configFileProvider`/`sshagent`/`withAWS`/`docker.withRegistry` -> job
 * credentials scoped to the steps inside the block. Scripted pipelines are read best-effort.
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
  type SecretKind,
  type Step,
  type Trigger,
  type ValueRef,
} from '../model.js';
import { classifyName } from '../secrets.js';
import { baseOf, envVar, label, parseGap, scriptCommands, type ValueOptions } from './_common.js';

const SYSTEM = 'jenkins' as const;
const STORE = 'jenkins';

export function isJenkinsfile(path: string): boolean {
  const b = baseOf(path);
  return /^Jenkinsfile([._-][^/]*)?$/.test(b) || /\.jenkinsfile$/i.test(b);
}

/** Groovy `${env.X}` / `env.X` reads, on top of shell `$X` / `${X}`. */
const GROOVY_OPTS: ValueOptions = {
  extra: (t) => [...t.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ type: 'var' as const, name: m[1]! })),
};

interface Str {
  start: number;
  end: number;
  value: string;
  line: number;
  quote: string;
}

interface Lexed {
  /** Same length as the text: comments blanked, string contents replaced by `_`, newlines kept. */
  masked: string;
  strings: Str[];
  lineAt(pos: number): number;
}

function lex(text: string): Lexed | { error: string; line: number } {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const lineAt = (pos: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const out = text.split('');
  const strings: Str[] = [];
  const blank = (a: number, b: number, ch: string) => {
    for (let k = a; k < b; k++) if (out[k] !== '\n') out[k] = ch;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const e = text.indexOf('\n', i);
      const end = e < 0 ? text.length : e;
      blank(i, end, ' ');
      i = end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return { error: 'unterminated /* comment', line: lineAt(i) };
      blank(i, e + 2, ' ');
      i = e + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const triple = text.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      let value = '';
      let closed = false;
      while (j < text.length) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[j + 1]!;
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n === '\n' ? '' : n === '$' || n === '\\' || n === "'" || n === '"' ? n : '\\' + n;
          j += 2;
          continue;
        }
        if (text.startsWith(q, j)) {
          closed = true;
          break;
        }
        if (!triple && text[j] === '\n') break;
        value += text[j];
        j++;
      }
      if (!closed) return { error: `unterminated string starting with ${q}`, line: lineAt(i) };
      strings.push({ start: i, end: j + q.length, value, line: lineAt(i), quote: q });
      blank(i + q.length, j, '_');
      i = j + q.length;
      continue;
    }
    i++;
  }
  return { masked: out.join(''), strings, lineAt };
}

interface Block {
  /** Header text (masked) before `{`, trimmed: `stage('__')`, `withCredentials([...])`, `environment`. */
  head: string;
  /** Start offset of the header. */
  headStart: number;
  open: number;
  close: number;
  line: number;
}

function blocks(lx: Lexed): Block[] | { error: string; line: number } {
  const m = lx.masked;
  const out: Block[] = [];
  const stack: { open: number; headStart: number }[] = [];
  let stmtStart = 0;
  let paren = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m[i]!;
    if (c === '(' || c === '[') paren++;
    else if (c === ')' || c === ']') paren = Math.max(0, paren - 1);
    else if (c === '{') {
      stack.push({ open: i, headStart: stmtStart });
      stmtStart = i + 1;
      paren = 0;
    } else if (c === '}') {
      const b = stack.pop();
      if (!b) return { error: 'unbalanced `}`', line: lx.lineAt(i) };
      const head = m.slice(b.headStart, b.open).trim();
      const hs = b.headStart + (m.slice(b.headStart, b.open).length - m.slice(b.headStart, b.open).trimStart().length);
      out.push({ head, headStart: hs, open: b.open, close: i, line: lx.lineAt(hs) });
      stmtStart = i + 1;
      paren = 0;
    } else if ((c === '\n' || c === ';') && paren === 0) stmtStart = i + 1;
  }
  if (stack.length > 0) return { error: 'unbalanced `{` (file truncated?)', line: lx.lineAt(stack[stack.length - 1]!.open) };
  return out.sort((a, b) => a.open - b.open);
}

/** Original text of a range with strings restored (for header argument parsing). */
function original(text: string, a: number, b: number): string {
  return text.slice(a, b);
}

function blockName(head: string): string {
  const m = head.match(/([A-Za-z_][\w.]*)\s*(\(|$)/);
  const words = head.match(/[A-Za-z_][\w.]*/g) ?? [];
  return m ? m[1]! : (words[words.length - 1] ?? '');
}

function firstString(lx: Lexed, a: number, b: number): Str | undefined {
  return lx.strings.find((s) => s.start >= a && s.start < b);
}

function namedArg(src: string, name: string): string | undefined {
  const m = src.match(new RegExp(`\\b${name}\\s*:\\s*(['"])([^'"]*)\\1`));
  return m?.[2];
}

function namedArgs(src: string, name: string): string[] {
  return [...src.matchAll(new RegExp(`\\b${name}\\s*:\\s*(['"])([^'"]*)\\1`, 'g'))].map((m) => m[2]!);
}

interface Binding {
  id: string;
  vars: string[];
  kind?: SecretKind;
  what: string;
  inEnv: boolean;
  line: number;
}

/** Credential bindings named in a wrapper block's header. */
function bindings(name: string, src: string, line: number): Binding[] {
  const out: Binding[] = [];
  if (name === 'withCredentials') {
    for (const m of src.matchAll(/\b(string|usernamePassword|usernameColonPassword|file|sshUserPrivateKey|certificate|dockerCert|aws|amazonWebServicesCredentialsBinding|gitUsernamePassword|zip|\$class)\s*[(:]\s*([^)]*)\)?/g)) {
      const args = m[2]!;
      const id = namedArg(args, 'credentialsId');
      if (!id) continue;
      const vars = ['variable', 'usernameVariable', 'passwordVariable', 'keyFileVariable', 'passphraseVariable', 'accessKeyVariable', 'secretKeyVariable', 'keystoreVariable', 'aliasVariable'].flatMap((v) => namedArgs(args, v));
      const type = m[1]!;
      const kind: SecretKind | undefined = type === 'sshUserPrivateKey' ? 'ci-platform' : type === 'aws' || type === 'amazonWebServicesCredentialsBinding' ? 'aws' : type === 'dockerCert' ? 'container-registry' : undefined;
      out.push({ id, vars: vars.length ? vars : ['GIT_USERNAME', 'GIT_PASSWORD'].filter(() => type === 'gitUsernamePassword'), ...(kind ? { kind } : {}), what: `${type} binding`, inEnv: true, line });
    }
  } else if (name === 'withNPM') {
    const id = namedArg(src, 'npmrcConfig') ?? src.match(/['"]([^'"]+)['"]/)?.[1];
    if (id) out.push({ id, vars: [], kind: 'npm-token', what: 'managed .npmrc copied into the workspace (contents in Jenkins, likely a registry token)', inEnv: false, line });
  } else if (name === 'configFileProvider') {
    for (const m of src.matchAll(/configFile\s*\(([^)]*)\)/g)) {
      const id = namedArg(m[1]!, 'fileId');
      if (!id) continue;
      const target = namedArg(m[1]!, 'targetLocation') ?? '';
      const variable = namedArg(m[1]!, 'variable');
      out.push({ id, vars: variable ? [variable] : [], ...(/npmrc/i.test(target + id) ? { kind: 'npm-token' as const } : {}), what: `managed config file${target ? ` at ${target}` : ''}`, inEnv: false, line });
    }
  } else if (name === 'nodejs') {
    const id = namedArg(src, 'configId');
    if (id) out.push({ id, vars: [], kind: 'npm-token', what: 'managed .npmrc (nodejs configId)', inEnv: false, line });
  } else if (name === 'docker.withRegistry' || /withRegistry$/.test(name)) {
    const strs = [...src.matchAll(/(['"])([^'"]*)\1/g)].map((m) => m[2]!);
    const id = strs[1];
    if (id) out.push({ id, vars: [], kind: 'container-registry', what: `docker registry login ${strs[0] ?? ''}`.trim(), inEnv: false, line });
  } else if (name === 'sshagent') {
    for (const m of src.matchAll(/(['"])([^'"]+)\1/g)) out.push({ id: m[2]!, vars: ['SSH_AUTH_SOCK'], kind: 'ci-platform', what: 'SSH key in ssh-agent', inEnv: false, line });
  } else if (name === 'withAWS') {
    const id = namedArg(src, 'credentials');
    const role = namedArg(src, 'role');
    if (id) out.push({ id, vars: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], kind: 'aws', what: 'AWS credentials', inEnv: true, line });
    if (role) out.push({ id: `AWS role ${role}`, vars: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'], kind: 'aws', what: 'assumed AWS role session', inEnv: true, line });
  } else if (name === 'withVault') {
    const vars = namedArgs(src, 'envVar');
    const paths = namedArgs(src, 'path');
    out.push({ id: `vault ${paths.join(', ') || '(configured secrets)'}`, vars, what: 'HashiCorp Vault secrets', inEnv: true, line });
  } else if (name === 'azureKeyVault') {
    const vars = namedArgs(src, 'envVariable');
    out.push({ id: `azureKeyVault ${namedArgs(src, 'name').join(', ')}`.trim(), vars, kind: 'azure', what: 'Azure Key Vault secrets', inEnv: true, line });
  } else if (name === 'withKubeConfig') {
    const id = namedArg(src, 'credentialsId');
    if (id) out.push({ id, vars: ['KUBECONFIG'], kind: 'ci-platform', what: 'kubeconfig', inEnv: true, line });
  }
  return out;
}

function agentRunner(lx: Lexed, text: string, bs: Block[], agentStart: number, line: number): Runner {
  const rest = lx.masked.slice(agentStart, agentStart + 400);
  if (/^agent\s+any\b/.test(rest)) return { type: 'self-hosted', labels: ['any'], line, persistent: true };
  if (/^agent\s+none\b/.test(rest)) return { type: 'unknown', labels: ['none (per-stage agents)'], line };
  const block = bs.find((b) => b.headStart === agentStart);
  const body = block ? original(text, block.open + 1, block.close) : '';
  const structure = block ? lx.masked.slice(block.open + 1, block.close) : '';
  const labels = [...body.matchAll(/\b(label|image)\s+(['"])([^'"]*)\2/g)].map((m) => `${m[1]}:${m[3]}`);
  if (/\bkubernetes\b/.test(structure)) return { type: 'self-hosted', labels: ['kubernetes', ...labels], line, persistent: false };
  if (/\bdocker(file)?\b/.test(structure)) return { type: 'self-hosted', labels: ['docker', ...labels], line };
  return { type: 'self-hosted', labels, line, persistent: true };
}

const STEP_RE = /\b(sh|bat|powershell|pwsh)\b\s*(\(|(?=['"]))/g;

export function readJenkinsfile(file: RepoFile, _repo: RepoFiles): CiReadResult {
  const text = file.text;
  if (text.includes('\u0000')) return parseGap(file.path, 'binary content, not a Jenkinsfile');
  const lx = lex(text);
  if ('error' in lx) return parseGap(file.path, lx.error, lx.line);
  const bsr = blocks(lx);
  if ('error' in bsr) return parseGap(file.path, bsr.error, bsr.line);
  const bs = bsr;
  const parse: CiParse = emptyParse(SYSTEM, file.path);
  const m = lx.masked;
  const pipelineBlock = bs.find((b) => /^pipeline$/.test(b.head));
  const declarative = pipelineBlock !== undefined;
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: pipelineBlock?.line ?? 1, triggers: [], env: [], jobs: [], opaque: [] };
  if (!declarative) parse.warnings.push({ code: 'SCRIPTED_PIPELINE', message: 'scripted pipeline read best-effort (sh/bat steps, credential wrappers, node labels)', file: file.path });
  for (const lib of m.matchAll(/@Library\s*\(/g)) {
    const s = firstString(lx, lib.index, lib.index + 200);
    pipeline.opaque.push({ what: `shared library ${s?.value ?? ''}`.trim(), reason: 'Jenkins shared library: its steps run with the job credentials and are not in this repository', resolveWith: 'read the library repository configured in Manage Jenkins > System > Global Pipeline Libraries (or the folder)' });
  }
  for (const ld of m.matchAll(/\bload\s*\(?\s*(?=['"])/g)) {
    const s = firstString(lx, ld.index, ld.index + 200);
    if (s) pipeline.opaque.push({ what: `loaded script ${s.value}`, reason: 'Groovy loaded at run time; not read', resolveWith: `read ${s.value} in the repository` });
  }

  const enclosing = (pos: number) => bs.filter((b) => b.open < pos && pos < b.close);
  const isName = (b: Block, n: string | RegExp) => (typeof n === 'string' ? blockName(b.head) === n : n.test(blockName(b.head)));
  const stageName = (b: Block): string => firstString(lx, b.headStart, b.open)?.value ?? 'stage';

  // Environment blocks: pipeline-level -> pipeline env; stage-level -> attached to steps of that stage.
  const stageEnv = new Map<Block, EnvVar[]>();
  for (const b of bs.filter((x) => x.head === 'environment')) {
    const encl = enclosing(b.open);
    const stage = [...encl].reverse().find((x) => isName(x, 'stage'));
    const vars: EnvVar[] = [];
    const body = original(text, b.open + 1, b.close);
    const maskedLines = m.slice(b.open + 1, b.close).split('\n');
    const bodyLine = lx.lineAt(b.open);
    body.split('\n').forEach((full, k) => {
      // Comments are blank in the masked text: cut the line where its masked twin ends.
      const l = full.slice(0, maskedLines[k]!.trimEnd().length);
      const mm = l.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$/);
      if (!mm) return;
      const name = mm[1]!;
      const rhs = mm[2]!;
      const line = bodyLine + k;
      const scope = stage ? 'step' : 'workflow';
      const cred = rhs.match(/^credentials\s*\(\s*(['"])([^'"]+)\1\s*\)/);
      if (cred) {
        const ref: ValueRef = { type: 'secret', name: cred[2]!, store: STORE };
        for (const n of [name, `${name}_USR`, `${name}_PSW`]) vars.push({ name: n, value: { text: `credentials('${cred[2]}')`, refs: [ref] }, line, scope });
        return;
      }
      const lit = rhs.match(/^(['"])(.*)\1$/);
      vars.push(envVar(parse, file.path, name, lit ? lit[2]! : rhs, line, scope, GROOVY_OPTS));
    });
    if (stage) stageEnv.set(stage, [...(stageEnv.get(stage) ?? []), ...vars]);
    else pipeline.env.push(...vars);
  }

  // Steps in source order.
  const steps: Step[] = [];
  const stepPos: number[] = [];
  for (const call of m.matchAll(STEP_RE)) {
    const pos = call.index;
    const encl = enclosing(pos);
    if (encl.some((b) => b.head === 'environment' || b.head === 'when')) continue;
    const argEnd = call[2] === '(' ? matchParen(m, pos + call[0].length - 1) : pos + call[0].length + 1;
    const args = original(text, pos, argEnd);
    let s: Str | undefined;
    if (/\bscript\s*:/.test(m.slice(pos, argEnd))) {
      const at = m.indexOf('script', pos + call[1]!.length);
      s = firstString(lx, at, argEnd);
    } else s = firstString(lx, pos, Math.max(argEnd, pos + call[0].length + 1));
    if (!s) {
      parse.warnings.push({ code: 'DYNAMIC_SCRIPT', message: `${call[1]} step with a non-literal script`, file: file.path, line: lx.lineAt(pos) });
      continue;
    }
    const stage = [...encl].reverse().find((x) => isName(x, 'stage'));
    const sName = stage ? stageName(stage) : undefined;
    const shell = call[1] === 'sh' ? 'groovy-sh' : call[1]!;
    const { commands, effects } = scriptCommands(parse, file.path, s.value, s.line, shell, GROOVY_OPTS);
    const env: EnvVar[] = [...(stage ? (stageEnv.get(stage) ?? []) : [])];
    for (const w of encl.filter((b) => isName(b, 'withEnv'))) {
      const src = original(text, w.headStart, w.open);
      for (const e of src.matchAll(/(['"])([A-Za-z_][A-Za-z0-9_]*)=([^'"]*)\1/g)) env.push(envVar(parse, file.path, e[2]!, e[3]!, w.line, 'step', GROOVY_OPTS));
    }
    const when = stage ? bs.find((b) => b.head === 'when' && enclosing(b.open).includes(stage) && enclosing(b.open).filter((x) => isName(x, 'stage')).pop() === stage) : undefined;
    const step: Step = {
      index: steps.length,
      ...(sName ? { name: sName } : {}),
      label: `${sName ? sName + ': ' : ''}${label(undefined, commands, call[1]!)}`,
      line: lx.lineAt(pos),
      kind: 'run',
      commands,
      env,
      with: [],
      effects,
      phase: 'main',
      ...(when ? { condition: original(text, when.open + 1, when.close).trim().replace(/\s+/g, ' ') } : {}),
    };
    if (/\breturnStdout\s*:\s*true/.test(args)) step.name = step.name ?? 'returnStdout';
    steps.push(step);
    stepPos.push(pos);
  }
  // post { always/success/failure { ... } } steps run after the stages.
  for (const st of steps) {
    const pos = stepPos[st.index]!;
    if (enclosing(pos).some((b) => b.head === 'post')) st.phase = 'post';
  }

  // Runner.
  let runner: Runner = { type: 'unknown', labels: [], line: pipeline.line };
  if (declarative) {
    const agent = [...m.matchAll(/\bagent\b/g)].find((a) => {
      const encl = enclosing(a.index);
      return encl.length === 1 && encl[0] === pipelineBlock;
    });
    if (agent) runner = agentRunner(lx, text, bs, agent.index, lx.lineAt(agent.index));
    const stageAgents = [...m.matchAll(/\bagent\b/g)].filter((a) => enclosing(a.index).some((b) => isName(b, 'stage')));
    if (stageAgents.length > 0) parse.warnings.push({ code: 'STAGE_AGENT', message: 'some stages choose their own agent: they do not share the workspace with other stages', file: file.path, line: lx.lineAt(stageAgents[0]!.index) });
  } else {
    const node = bs.find((b) => blockName(b.head) === 'node');
    if (node) {
      const l = firstString(lx, node.headStart, node.open);
      runner = { type: 'self-hosted', labels: l ? [`label:${l.value}`] : [], line: node.line, persistent: true };
    }
  }

  // Triggers.
  for (const b of bs.filter((x) => x.head === 'triggers')) {
    const body = original(text, b.open + 1, b.close);
    const bodyLine = lx.lineAt(b.open);
    body.split('\n').forEach((l, k) => {
      const t = l.match(/^\s*(cron|pollSCM|upstream|githubPush|gitlab|GenericTrigger|issueCommentTrigger)\b\s*\(?\s*(.*?)\)?\s*$/);
      if (t) pipeline.triggers.push({ event: t[1] === 'cron' ? 'schedule' : t[1] === 'pollSCM' || t[1] === 'githubPush' || t[1] === 'gitlab' ? 'push' : t[1]!, filters: t[2] ? [t[2].replace(/['"]/g, '')] : [], line: bodyLine + k } satisfies Trigger);
    });
  }

  // Credential wrappers scoped to the steps they enclose.
  const credentials: JobCredential[] = [];
  for (const b of bs) {
    const name = blockName(b.head);
    const src = original(text, b.headStart, b.open);
    const found = bindings(name, src, b.line);
    if (found.length === 0) continue;
    const inside = steps.filter((s) => stepPos[s.index]! > b.open && stepPos[s.index]! < b.close);
    if (inside.length === 0) {
      parse.warnings.push({ code: 'EMPTY_BINDING', message: `${name} block without sh/bat steps`, file: file.path, line: b.line });
    }
    for (const f of found) {
      const guess = f.kind ? undefined : classifyName([f.id, ...f.vars]);
      const kind = f.kind ?? guess?.kind;
      credentials.push({
        name: f.id,
        ...(kind ? { kind } : {}),
        source: 'credentials-binding',
        inEnv: f.inEnv,
        ...(inside.length > 0 ? { fromStep: inside[0]!.index, toStep: inside[inside.length - 1]!.index } : { fromStep: steps.length, toStep: steps.length - 1 }),
        line: f.line,
        lifetime: 'long-lived',
        refs: [{ type: 'secret', name: f.id, store: STORE }],
        note: `${name}: ${f.what}${f.vars.length ? ` -> ${f.vars.join(', ')}` : ''}`,
      });
    }
  }

  const job: Job = {
    id: declarative ? 'pipeline' : 'node',
    file: file.path,
    line: pipelineBlock?.line ?? runner.line,
    runner,
    env: [],
    needs: [],
    steps,
    credentials,
    opaque: [
      {
        what: 'Jenkins global/folder environment and job parameters',
        reason: 'controller-level environment variables, folder properties and job configuration are not in the repository',
        resolveWith: 'Manage Jenkins > System > Global properties; the folder/job configuration (config.xml); credentials by id under Manage Jenkins > Credentials',
      },
    ],
  };
  if (steps.length === 0 && !declarative && bs.length === 0) return parseGap(file.path, 'no pipeline, node or sh/bat steps found: not a Jenkinsfile');
  pipeline.jobs.push(job);
  parse.pipelines.push(pipeline);
  return parse;
}

/** Offset just after the `)` matching the `(` at `open` (masked text). */
function matchParen(m: string, open: number): number {
  let depth = 0;
  for (let i = open; i < m.length; i++) {
    if (m[i] === '(') depth++;
    else if (m[i] === ')' && --depth === 0) return i + 1;
  }
  return m.length;
}

export const jenkinsReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'Jenkinsfile (declarative; scripted best-effort): environment credentials(), withCredentials and npm wrappers, sh/bat steps',
  match: isJenkinsfile,
  read: readJenkinsfile,
};
