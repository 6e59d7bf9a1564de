/**
 * Dockerfile reader (ci-secrets.md §9): `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`.
 * One Job per build stage (`FROM ... AS name`), one Step per instruction that matters, in order:
 * `ARG`/`ENV` are env exports to later instructions of the stage (an ARG value is also recorded in the
 * image history: warning BUILD_ARG_IN_HISTORY), `RUN` is a shell step (so `RUN npm ci` is a DC step of the
 * image build), `RUN --mount=type=secret|ssh` a credential for that RUN only, `--mount=type=cache` a
 * cache, `COPY .npmrc`/`.env`/`COPY . .` credential files put in the build (`.dockerignore` applied),
 * `COPY --from=<stage>` a carrier from another stage. The host/CI environment is not visible to RUN.
 */
import {
  emptyParse,
  type CiParse,
  type CiReadResult,
  type CiReaderEntry,
  type Job,
  type JobCredential,
  type Pipeline,
  type RepoFile,
  type RepoFiles,
  type SecretKind,
  type SideEffect,
  type Step,
} from '../model.js';
import { classifyName, looksSecretName, redactText } from '../secrets.js';
import { baseOf, dirOf, globToRe, label, parseGap, parseValue, recordLiterals, scriptCommands } from './_common.js';

const SYSTEM = 'dockerfile' as const;

export function isDockerfile(path: string): boolean {
  if (/(^|\/)node_modules\//.test(path)) return false;
  const b = baseOf(path);
  return /^(Dockerfile|Containerfile)([.-][^/]+)?$/.test(b) && !/\.(md|txt|dockerignore)$/i.test(b) || /\.(Dockerfile|dockerfile)$/.test(b);
}

interface Instr {
  op: string;
  args: string;
  line: number;
  /** Heredoc bodies (`RUN <<EOF`), with their first line. */
  heredocs: { body: string; line: number }[];
}

/** Logical instructions: continuation lines joined, comments and blank lines skipped, heredocs collected. */
function instructions(text: string): Instr[] {
  const lines = text.split(/\r?\n/);
  const out: Instr[] = [];
  let escape = '\\';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const directive = raw.match(/^#\s*escape\s*=\s*(\S)/i);
    if (directive && out.length === 0) escape = directive[1]!;
    if (/^\s*(#|$)/.test(raw)) continue;
    const start = i + 1;
    let buf = raw;
    while (buf.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      buf = buf.trimEnd().slice(0, -1) + ' ';
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i]!)) i++;
      buf += lines[i] ?? '';
    }
    const m = buf.trim().match(/^([A-Za-z]+)\s*(.*)$/);
    if (!m) continue;
    const instr: Instr = { op: m[1]!.toUpperCase(), args: m[2]!, line: start, heredocs: [] };
    for (const h of instr.args.matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)) {
      const end = h[1]!;
      const bodyStart = i + 2;
      const body: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== end) body.push(lines[++i]!);
      i++;
      instr.heredocs.push({ body: body.join('\n'), line: bodyStart });
    }
    out.push(instr);
  }
  return out;
}

/** Files that hold credentials when copied into an image build (§9, §10). */
function credentialFileKind(path: string): { kind: SecretKind; what: string } | undefined {
  const b = baseOf(path.replace(/\/$/, ''));
  if (b === '.npmrc') return { kind: 'npm-token', what: '.npmrc (registry tokens, literal or ${VAR} resolved from ARG/ENV)' };
  if (b === '.yarnrc.yml' || b === '.yarnrc') return { kind: 'npm-token', what: `${b} (registry tokens)` };
  if (b === 'bunfig.toml') return { kind: 'npm-token', what: 'bunfig.toml (registry tokens)' };
  if (/^\.env(\..+)?$/.test(b) && !/\.(example|sample|template)$/.test(b)) return { kind: 'generic', what: `${b} (committed environment values)` };
  if (b === '.git-credentials' || b === '.netrc') return { kind: 'github-pat', what: `${b} (git credentials)` };
  if (/^id_(rsa|ed25519|ecdsa)$/.test(b)) return { kind: 'ci-platform', what: `${b} (SSH private key)` };
  if (b === 'config.json' && /\.docker\//.test(path)) return { kind: 'container-registry', what: 'docker config.json (registry auth)' };
  if (/\.(pem|key|p12|pfx)$/.test(b)) return { kind: 'signing', what: `${b} (key material)` };
  return undefined;
}

/** `.dockerignore` patterns of the build context (last match wins, `!` re-includes). */
function dockerignore(repo: RepoFiles, contextDir: string): (path: string) => boolean {
  const text = repo.read(contextDir ? `${contextDir}/.dockerignore` : '.dockerignore');
  if (text === undefined) return () => false;
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const neg = l.startsWith('!');
      const p = l.replace(/^!/, '').replace(/^\.?\//, '').replace(/\/$/, '');
      return { neg, re: globToRe(p), prefix: p };
    });
  return (path: string) => {
    let ignored = false;
    for (const r of rules) {
      if (r.re.test(path) || path.startsWith(r.prefix + '/') || r.re.test(path.split('/')[0]!)) ignored = !r.neg;
    }
    return ignored;
  };
}

function flags(args: string): { flags: Map<string, string[]>; rest: string } {
  const out = new Map<string, string[]>();
  let rest = args;
  for (;;) {
    const m = rest.match(/^--([a-z-]+)(?:=(\S+))?\s*/);
    if (!m) break;
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2] ?? 'true']);
    rest = rest.slice(m[0].length);
  }
  return { flags: out, rest };
}

function kv(spec: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',')) {
    const [k, ...v] = part.split('=');
    out.set(k!.trim(), v.join('=').trim());
  }
  return out;
}

/** `a b c dest` or `["a","b","dest"]` -> sources and destination. */
function copyArgs(rest: string): { sources: string[]; dest: string } {
  let parts: string[];
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      parts = (JSON.parse(t) as unknown[]).map(String);
    } catch {
      parts = t.split(/\s+/);
    }
  } else parts = t.split(/\s+/).filter(Boolean);
  return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] ?? '' };
}

export function readDockerfile(file: RepoFile, repo: RepoFiles): CiReadResult {
  if (file.text.includes('\u0000')) return parseGap(file.path, 'binary content, not a Dockerfile');
  const parse: CiParse = emptyParse(SYSTEM, file.path);
  const instrs = instructions(file.text);
  if (!instrs.some((i) => i.op === 'FROM')) return parseGap(file.path, 'no FROM instruction: not a Dockerfile', instrs[0]?.line);
  const pipeline: Pipeline = { system: SYSTEM, file: file.path, line: 1, triggers: [], env: [], jobs: [], opaque: [] };
  const contextDir = dirOf(file.path);
  const ignored = dockerignore(repo, contextDir);
  let job: Job | undefined;
  const byName = new Map<string, Job>();
  const add = (s: Omit<Step, 'index' | 'with' | 'env' | 'effects' | 'commands' | 'phase'> & Partial<Step>): Step => {
    const step: Step = { index: job!.steps.length, commands: [], env: [], with: [], effects: [], phase: 'main', ...s };
    job!.steps.push(step);
    return step;
  };
  for (const ins of instrs) {
    if (ins.op === 'FROM') {
      const { rest } = flags(ins.args);
      const m = rest.match(/^(\S+)(?:\s+AS\s+(\S+))?/i);
      const image = m?.[1] ?? '';
      const id = m?.[2] ?? `stage-${pipeline.jobs.length}`;
      job = { id, file: file.path, line: ins.line, runner: { type: 'unknown', labels: [`image:${image}`], line: ins.line }, env: [], needs: [], steps: [], credentials: [], opaque: [] };
      const base = byName.get(image);
      if (base) job.needs.push(base.id);
      pipeline.jobs.push(job);
      byName.set(id, job);
      continue;
    }
    if (!job) continue; // ARG before the first FROM: visible to FROM lines only.
    const text = `${ins.op} ${ins.args}`;
    if (ins.op === 'ARG' || ins.op === 'ENV') {
      const pairs: { name: string; value?: string }[] = [];
      if (ins.op === 'ENV' && /^[A-Za-z_][A-Za-z0-9_]*\s+[^=\s]*(\s|$)/.test(ins.args) && !ins.args.includes('=')) {
        const m = ins.args.match(/^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/)!;
        pairs.push({ name: m[1]!, value: m[2]! });
      } else {
        for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) pairs.push({ name: m[1]!, ...(m[2] !== undefined ? { value: m[2].replace(/^["']|["']$/g, '') } : {}) });
      }
      const effects: SideEffect[] = [];
      for (const p of pairs) {
        const value = p.value === undefined ? { text: `--build-arg ${p.name}`, refs: [{ type: 'var' as const, name: p.name }] } : parseValue(p.value, p.name);
        if (p.value !== undefined && ins.op === 'ARG') value.refs.push({ type: 'var', name: p.name });
        recordLiterals(parse, file.path, p.name, value, ins.line);
        effects.push({ type: 'env-export', name: p.name, value, line: ins.line, by: ins.op });
        if (looksSecretName(p.name)) {
          parse.warnings.push({
            code: ins.op === 'ARG' ? 'BUILD_ARG_IN_HISTORY' : 'ENV_IN_IMAGE',
            message: `${ins.op} ${p.name} in stage ${job.id}: the value is recorded in the image ${ins.op === 'ARG' ? 'history (docker history)' : 'config (docker inspect)'}; rotate regardless of malware`,
            file: file.path,
            line: ins.line,
          });
        }
      }
      // Label with names only: values may be credentials.
      add({ label: `${ins.op} ${pairs.map((p) => p.name).join(', ')}`, line: ins.line, kind: 'builtin', effects });
      continue;
    }
    if (ins.op === 'RUN') {
      const { flags: f, rest } = flags(ins.args);
      let script = rest;
      let first = ins.line;
      if (/^\s*\[/.test(rest)) {
        try {
          script = (JSON.parse(rest) as unknown[]).map(String).join(' ');
        } catch {
          /* keep as written */
        }
      }
      if (ins.heredocs.length > 0) {
        script = ins.heredocs.map((h) => h.body).join('\n');
        first = ins.heredocs[0]!.line;
      }
      const { commands, effects } = scriptCommands(parse, file.path, script, first, 'sh');
      const step = add({ label: label(undefined, commands, 'RUN'), line: ins.line, kind: 'run', commands, effects });
      for (const mount of f.get('mount') ?? []) {
        const o = kv(mount);
        const type = o.get('type') ?? 'bind';
        if (type === 'secret') {
          const id = o.get('id') ?? baseOf(o.get('target') ?? o.get('dst') ?? 'secret');
          const env = o.get('env');
          const target = o.get('target') ?? o.get('dst') ?? `/run/secrets/${id}`;
          const guess = classifyName([id, env ?? '', target]);
          const kind = /npmrc/i.test(id + target) ? 'npm-token' : guess?.kind;
          job.credentials.push({
            name: id,
            ...(kind ? { kind } : {}),
            source: 'ci-secret',
            inEnv: env !== undefined,
            fromStep: step.index,
            toStep: step.index,
            line: ins.line,
            lifetime: 'unknown',
            refs: [{ type: 'secret', name: id, store: 'buildkit' }],
            note: `RUN --mount=type=secret: ${env ? `env ${env}` : `file ${target}`} for this RUN only (not stored in layers); value from the build's --secret id=${id}`,
          } satisfies JobCredential);
        } else if (type === 'ssh') {
          job.credentials.push({ name: `ssh agent${o.get('id') ? ` ${o.get('id')}` : ''}`, kind: 'ci-platform', source: 'ssh-key', inEnv: true, fromStep: step.index, toStep: step.index, line: ins.line, lifetime: 'long-lived', note: 'RUN --mount=type=ssh: the build host SSH agent socket is usable by this RUN' });
        } else if (type === 'cache') {
          const target = o.get('target') ?? o.get('dst') ?? '';
          const key = `buildkit-cache:${o.get('id') ?? target}`;
          step.effects.push({ type: 'cache-restore', key, restoreKeys: [], paths: [target], line: ins.line, action: 'RUN --mount=type=cache' });
          if (o.get('readonly') === undefined && o.get('ro') === undefined) step.effects.push({ type: 'cache-save', key, paths: [target], post: false, line: ins.line, action: 'RUN --mount=type=cache' });
        }
      }
      continue;
    }
    if (ins.op === 'COPY' || ins.op === 'ADD') {
      const { flags: f, rest } = flags(ins.args);
      const { sources, dest } = copyArgs(rest);
      const from = f.get('from')?.[0];
      const effects: SideEffect[] = [];
      if (from) {
        const src = byName.get(from);
        if (src) {
          job.needs.push(src.id);
          const last = src.steps[src.steps.length - 1];
          const up: SideEffect = { type: 'artifact-upload', name: `stage:${src.id}`, paths: sources, line: ins.line };
          if (last && !last.effects.some((e) => e.type === 'artifact-upload' && e.name === up.name)) last.effects.push(up);
        }
        effects.push({ type: 'artifact-download', name: `stage:${from}`, line: ins.line });
      } else {
        const files = repo.list();
        for (const s of sources) {
          if (/^https?:\/\//.test(s)) continue;
          const norm = s.replace(/^\.\//, '').replace(/\/$/, '');
          const whole = norm === '.' || norm === '' || norm === '*';
          const base = contextDir ? `${contextDir}/` : '';
          const matched = whole
            ? files.filter((p) => p.startsWith(base) && !/(^|\/)node_modules\//.test(p)).map((p) => p.slice(base.length))
            : /[*?]/.test(norm)
              ? files.map((p) => p.slice(base.length)).filter((p) => globToRe(norm).test(p))
              : files.some((p) => p === base + norm)
                ? [norm]
                : files.filter((p) => p.startsWith(base + norm + '/')).map((p) => p.slice(base.length));
          const direct = credentialFileKind(norm);
          if (direct && !matched.includes(norm)) matched.push(norm);
          for (const p of matched) {
            const k = credentialFileKind(p);
            if (!k || ignored(p)) continue;
            effects.push({ type: 'cred-persist', name: p, kind: k.kind, where: `image ${job.id}:${dest}`, refs: [], lifetime: 'long-lived', line: ins.line, note: `${ins.op} puts ${k.what} into the build; it stays in the layer unless removed in the same RUN` });
          }
          if (whole && !ignored('.git') && !ignored('.git/config')) {
            effects.push({ type: 'cred-persist', name: '.git/config (checkout credentials, if the CI checkout persisted them)', kind: 'generic', where: `image ${job.id}:${dest}`, refs: [], lifetime: 'unknown', line: ins.line, note: '.git is not excluded by .dockerignore' });
          }
        }
      }
      const shown = redactText(text).text;
      add({ label: shown.length > 60 ? shown.slice(0, 57) + '...' : shown, line: ins.line, kind: 'builtin', effects });
      continue;
    }
  }
  parse.pipelines.push(pipeline);
  return parse;
}

export const dockerfileReader: CiReaderEntry = {
  system: SYSTEM,
  description: 'Dockerfiles (ARG/ENV, RUN with secret/ssh/cache mounts, COPY of credential files, multi-stage)',
  match: isDockerfile,
  read: readDockerfile,
};
