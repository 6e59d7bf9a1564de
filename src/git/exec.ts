/**
 * The only module that runs git. Scanned repositories may belong to the attacker, so every call:
 * - passes `-c` overrides that disable every program a repository's config can name (fsmonitor, hooks,
 *   pager, credential helpers, ssh command, gpg, askpass) and forbids every transport (protocol.allow=never,
 *   which also stops a partial clone from lazily fetching missing objects);
 * - runs with an environment stripped of every inherited GIT_* variable (GIT_DIR, GIT_EXTERNAL_DIFF,
 *   GIT_CONFIG_PARAMETERS, GIT_SSH_COMMAND...), without the system or the user's global config;
 * - names the repository with --git-dir (no discovery upwards, bare repositories and mirrors work);
 * - uses plumbing that never applies filters or textconv (`cat-file --batch`, `rev-list`, `ls-tree`,
 *   `for-each-ref`, `log --raw --no-textconv --no-ext-diff`). Never checkout, never status.
 * `diff.external` is not overridden on the command line (git treats an empty value as a program to run);
 * raw output with `--no-ext-diff` never runs a diff program, and GIT_EXTERNAL_DIFF is stripped.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NpmIrError } from '../errors.js';

/** `-c` overrides for every call. */
export const HARDENING_CONFIG: readonly string[] = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.pager=cat',
  'pager.log=false',
  'core.askPass=',
  'core.sshCommand=false',
  'credential.helper=',
  'protocol.allow=never',
  'log.showSignature=false',
  'log.follow=false',
  'gpg.program=false',
  'gpg.ssh.program=false',
  'gpg.x509.program=false',
  'color.ui=false',
  'core.quotePath=false',
  'diff.renames=false',
  'fetch.recurseSubmodules=false',
  'submodule.recurse=false',
  'maintenance.auto=false',
  'gc.auto=0',
];

/** The environment every git call runs with: no inherited GIT_* variable, no system/global config. */
export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GIT_') || k === 'SSH_ASKPASS' || k === 'PAGER' || k === 'LESS' || k === 'EDITOR') continue;
    env[k] = v;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_NO_LAZY_FETCH: '1',
    GIT_PAGER: 'cat',
    GIT_PROTOCOL_FROM_USER: '0',
    LC_ALL: 'C',
  });
  return env;
}

/** Resolve the git directory of a working tree or a bare repository, without asking git. */
export function gitDirOf(repoDir: string): string {
  const dir = resolve(repoDir);
  const dotgit = join(dir, '.git');
  if (existsSync(dotgit)) return dotgit; // a directory, or a gitfile (`gitdir: ...`) git follows itself
  if (existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'))) return dir; // bare / mirror
  throw new NpmIrError('GIT_ERROR', 'not a git repository', { path: repoDir });
}

/** The full argument vector for one call: global hardening options, then the command. */
export function hardenedArgs(gitDir: string, args: readonly string[]): string[] {
  const out = ['--no-pager', '--no-replace-objects', `--git-dir=${gitDir}`];
  const work = gitDir.endsWith('/.git') ? gitDir.slice(0, -5) : null;
  out.push('-c', `safe.directory=${gitDir}`);
  if (work) out.push('-c', `safe.directory=${work}`);
  for (const c of HARDENING_CONFIG) out.push('-c', c);
  out.push(...args);
  return out;
}

export interface RunGitOptions {
  /** Written to stdin, then stdin is closed. */
  input?: string | Buffer;
  signal?: AbortSignal;
  /** Exit codes that are not errors (default [0]). */
  okCodes?: number[];
  /** Called with each stdout chunk instead of collecting stdout (stdout in the result is then empty). */
  onStdout?: (chunk: Buffer) => void;
}

export interface RunGitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** A git call that failed; `stderr` is git's own message (may contain repository text). */
export class GitError extends NpmIrError {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    path?: string,
  ) {
    super('GIT_ERROR', message, { path });
    this.name = 'GitError';
  }
}

/** How a hardened git call is spawned: the argument vector, the working directory and the environment. */
export function gitSpawnSpec(repoDir: string, args: readonly string[]): { argv: string[]; cwd: string; env: NodeJS.ProcessEnv } {
  const gitDir = gitDirOf(repoDir);
  return { argv: hardenedArgs(gitDir, args), cwd: statSync(gitDir).isDirectory() ? gitDir : resolve(repoDir), env: gitEnv() };
}

function spawnGit(repoDir: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  const spec = gitSpawnSpec(repoDir, args);
  return spawn('git', spec.argv, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    shell: false,
    windowsHide: true,
  });
}

/** Run one git command (argument array, no shell) and collect its output. Rejects with GitError. */
export function runGit(repoDir: string, args: readonly string[], opts: RunGitOptions = {}): Promise<RunGitResult> {
  return new Promise((resolvePromise, reject) => {
    if (opts.signal?.aborted) return reject(abortError(opts.signal));
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(repoDir, args);
    } catch (e) {
      return reject(e);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errLen = 0;
    child.stdout.on('data', (c: Buffer) => (opts.onStdout ? opts.onStdout(c) : out.push(c)));
    child.stderr.on('data', (c: Buffer) => {
      if (errLen < 64 * 1024) {
        err.push(c);
        errLen += c.length;
      }
    });
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new GitError(`cannot run git: ${e.message}`, null, '', repoDir));
    });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(abortError(opts.signal));
      const stderr = Buffer.concat(err).toString('utf8');
      const ok = opts.okCodes ?? [0];
      if (code === null || !ok.includes(code)) {
        const first = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
        return reject(
          new GitError(`git ${args[0] ?? ''} failed (exit ${code}): ${first}`.trim(), code, stderr, repoDir),
        );
      }
      resolvePromise({ stdout: Buffer.concat(out), stderr, code });
    });
    child.stdin.on('error', () => {
      /* git may exit before reading all input; the close handler reports it */
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new NpmIrError('ABORTED', 'aborted');
}

/** Whether the repository is a shallow clone, and its boundary commits. */
export function shallowCommits(repoDir: string): string[] {
  const f = join(gitDirOfDir(repoDir), 'shallow');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{40,64}$/.test(l));
}

/** The git directory as a directory (a gitfile `gitdir: <path>` is followed). */
export function gitDirOfDir(repoDir: string): string {
  const g = gitDirOf(repoDir);
  if (statSync(g).isDirectory()) return g;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(g, 'utf8'));
  if (!m) throw new NpmIrError('GIT_ERROR', 'unreadable .git file', { path: g });
  return resolve(join(g, '..'), m[1]!);
}

/** Whether the repository is a partial clone (objects may be missing by design). */
export function isPartialClone(repoDir: string): boolean {
  try {
    const cfg = readFileSync(join(gitDirOfDir(repoDir), 'config'), 'utf8');
    return /^\s*partialclone\s*=/im.test(cfg) || /^\s*promisor\s*=\s*true/im.test(cfg);
  } catch {
    return false;
  }
}

interface Pending {
  oid: string;
  resolve: (b: Buffer | null) => void;
  reject: (e: Error) => void;
}

/**
 * One long-lived `git cat-file --batch` (no --filters, no --textconv: raw object bytes). Reads are
 * queued and answered in order; a missing object reads as null.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly queue: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the object body being read (plus its trailing LF), once its header was parsed. */
  private bodyLen = -1;
  private failed: Error | null = null;
  private stderr = '';
  /** Bytes of object bodies read so far. */
  bytesRead = 0;
  /** Times the process was restarted after an object it could not fetch (partial clones). */
  restarts = 0;
  private abortHooked = false;

  constructor(
    private readonly repoDir: string,
    private readonly signal?: AbortSignal,
  ) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawnGit(this.repoDir, ['cat-file', '--batch']);
    this.child = child;
    child.stdout.on('data', (c: Buffer) => this.onData(c));
    child.stderr.on('data', (c: Buffer) => {
      if (this.stderr.length < 16384) this.stderr += c.toString('utf8');
    });
    child.stdin.on('error', () => {
      /* reported on close */
    });
    child.on('error', (e) => this.fail(new GitError(`cannot run git cat-file: ${e.message}`, null, '', this.repoDir)));
    child.on('close', (code) => {
      if (this.child === child) this.child = null;
      if (this.queue.length === 0 || this.failed) return;
      // In a partial clone git dies on an object it would have to fetch ("could not fetch <oid> from
      // promisor remote") instead of printing "missing": answer that read with null and start again.
      const m = /could not fetch ([0-9a-f]{40,64})/.exec(this.stderr);
      const head = this.queue[0]!;
      if (m && m[1]!.startsWith(head.oid.toLowerCase()) && this.bodyLen < 0) {
        this.queue.shift();
        head.resolve(null);
        this.restarts++;
        this.stderr = '';
        this.chunks = [];
        this.buffered = 0;
        if (this.queue.length > 0) {
          const next = this.start();
          next.stdin.write(this.queue.map((p) => p.oid + '\n').join(''));
        }
        return;
      }
      const first = this.stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('warning:')) ?? '';
      this.fail(new GitError(`git cat-file exited (${code}): ${first}`.trim(), code, this.stderr, this.repoDir));
    });
    if (this.signal && !this.abortHooked) {
      this.abortHooked = true;
      const onAbort = () => {
        this.fail(abortError(this.signal!));
        this.close();
      };
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    }
    return child;
  }

  /** The raw bytes of an object, or null when the repository does not have it. */
  read(oid: string): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    if (!/^[0-9a-f]{4,64}$/i.test(oid)) return Promise.reject(new NpmIrError('GIT_ERROR', `bad object id: ${oid}`));
    return new Promise((res, rej) => {
      this.queue.push({ oid, resolve: res, reject: rej });
      this.start().stdin.write(oid + '\n');
    });
  }

  /** The blob at `path` in `commit` (null when absent). The path is repository text: no newlines allowed. */
  readPath(commit: string, path: string): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    if (!/^[0-9a-f]{4,64}$/i.test(commit)) return Promise.reject(new NpmIrError('GIT_ERROR', `bad commit id: ${commit}`));
    if (/[\r\n\0]/.test(path) || path.startsWith('/')) return Promise.resolve(null);
    const name = `${commit}:${path}`;
    return new Promise((res, rej) => {
      this.queue.push({ oid: name, resolve: res, reject: rej });
      this.start().stdin.write(name + '\n');
    });
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    for (const p of this.queue.splice(0)) p.reject(e);
  }

  private onData(c: Buffer): void {
    this.chunks.push(c);
    this.buffered += c.length;
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      if (this.bodyLen < 0) {
        const buf = this.flat();
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        const line = buf.subarray(0, nl).toString('latin1');
        this.setRest(buf.subarray(nl + 1));
        if (line.endsWith(' missing') || line.endsWith(' ambiguous')) {
          this.queue.shift();
          head.resolve(null);
          continue;
        }
        const m = /^[0-9a-f]+ \S+ (\d+)$/.exec(line);
        if (!m) {
          this.fail(new GitError(`unexpected cat-file output: ${line.slice(0, 100)}`, null, '', this.repoDir));
          this.close();
          return;
        }
        this.bodyLen = Number(m[1]) + 1;
      }
      if (this.buffered < this.bodyLen) return;
      const buf = this.flat();
      const body = buf.subarray(0, this.bodyLen - 1);
      this.setRest(buf.subarray(this.bodyLen));
      this.bodyLen = -1;
      this.bytesRead += body.length;
      this.queue.shift();
      head.resolve(body);
    }
  }

  private flat(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private setRest(rest: Buffer): void {
    // Copy small remainders so a large chunk is not kept alive by a tiny view.
    this.chunks = rest.length === 0 ? [] : [rest];
    this.buffered = rest.length;
  }

  /** End the process. Pending reads are rejected. */
  close(): void {
    const c = this.child;
    this.child = null;
    if (c) {
      c.stdin.end();
      if (this.queue.length > 0) c.kill('SIGKILL');
    }
  }
}

/** The answer of ThreadedCatFile.readFiltered for a blob that cannot hold any target name. */
export const SKIPPED: unique symbol = Symbol('skipped');

/** A reader of raw objects: CatFileBatch, or ThreadedCatFile. */
export interface ObjectReader {
  read(oid: string): Promise<Buffer | null>;
  readFiltered?(oid: string): Promise<Buffer | null | typeof SKIPPED>;
  close(): void;
  readonly bytesRead: number;
}

/**
 * The worker side of ThreadedCatFile: plain JavaScript (it runs from sources and from dist alike).
 * It only moves bytes: it spawns the hardened `git cat-file --batch` the main thread describes, drains
 * its output at full speed and posts each object (its memory transferred, not copied) back.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { argv, cwd, env, needles } = workerData;
const NEEDLES = (needles || []).map((n) => Buffer.from(n, 'utf8'));
const LFS = Buffer.from('version https://git-lfs.github.com/spec/v1');
// A blob is skipped (not posted) only when it cannot matter: not an LFS pointer, no backslash (no
// escape could spell a name), and none of the target names in its bytes.
function skippable(b) {
  if (!NEEDLES.length || b.length === 0) return false;
  if (b.subarray(0, LFS.length).equals(LFS)) return false;
  if (b.indexOf(92) >= 0) return false;
  for (const n of NEEDLES) if (b.indexOf(n) >= 0) return false;
  return true;
}
let child = null, queue = [], chunks = [], buffered = 0, bodyLen = -1, stderr = '', failed = null;
function post(id, buf, filter) {
  if (buf === null) return parentPort.postMessage({ type: 'blob', id, buf: null });
  if (filter && skippable(buf)) return parentPort.postMessage({ type: 'skip', id, size: buf.length });
  const own = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? buf : Buffer.from(buf);
  const ab = own.byteOffset === 0 && own.buffer.byteLength === own.length ? own.buffer : new Uint8Array(own).buffer;
  parentPort.postMessage({ type: 'blob', id, buf: ab }, [ab]);
}
function fail(message) {
  if (failed) return;
  failed = message;
  parentPort.postMessage({ type: 'error', message, stderr });
}
function flat() {
  if (chunks.length !== 1) chunks = [Buffer.concat(chunks, buffered)];
  return chunks[0];
}
function rest(r) { chunks = r.length ? [r] : []; buffered = r.length; }
function onData(c) {
  chunks.push(c); buffered += c.length;
  for (;;) {
    const head = queue[0];
    if (!head) return;
    if (bodyLen < 0) {
      const b = flat();
      const nl = b.indexOf(10);
      if (nl < 0) return;
      const line = b.subarray(0, nl).toString('latin1');
      rest(b.subarray(nl + 1));
      if (line.endsWith(' missing') || line.endsWith(' ambiguous')) { queue.shift(); post(head.id, null); continue; }
      const m = /^[0-9a-f]+ \S+ (\d+)$/.exec(line);
      if (!m) { fail('unexpected cat-file output: ' + line.slice(0, 100)); if (child) child.kill('SIGKILL'); return; }
      bodyLen = Number(m[1]) + 1;
    }
    if (buffered < bodyLen) return;
    const b = flat();
    const body = b.subarray(0, bodyLen - 1);
    rest(b.subarray(bodyLen));
    bodyLen = -1;
    queue.shift();
    post(head.id, body, head.filter);
  }
}
function start() {
  const me = spawn('git', argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
  child = me;
  me.stdout.on('data', onData);
  me.stderr.on('data', (c) => { if (stderr.length < 16384) stderr += c.toString('utf8'); });
  me.stdin.on('error', () => {});
  me.on('error', (e) => fail('cannot run git cat-file: ' + e.message));
  me.on('close', (code) => {
    if (child === me) child = null;
    if (queue.length === 0 || failed) return;
    const m = /could not fetch ([0-9a-f]{40,64})/.exec(stderr);
    const head = queue[0];
    if (m && m[1].startsWith(head.oid) && bodyLen < 0) {
      queue.shift(); post(head.id, null);
      stderr = ''; chunks = []; buffered = 0;
      if (queue.length) { start(); child.stdin.write(queue.map((q) => q.oid + '\n').join('')); }
      return;
    }
    const first = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('warning:')) || '';
    fail(('git cat-file exited (' + code + '): ' + first).trim());
  });
}
parentPort.on('message', (m) => {
  if (m.type === 'read') {
    if (failed) return parentPort.postMessage({ type: 'error', message: failed, stderr });
    queue.push(m);
    if (!child) start();
    child.stdin.write(m.oid + '\n');
  } else if (m.type === 'close') {
    if (child) { child.stdin.end(); if (queue.length) child.kill('SIGKILL'); }
    parentPort.close();
  }
});
`;

/**
 * CatFileBatch with the pipe drained by a worker thread: git never waits for the main thread while
 * it parses, so reading and judging blobs overlap on two cores. Same hardening (the spawn spec comes
 * from gitSpawnSpec), same answers: raw bytes, or null for a missing object.
 */
export class ThreadedCatFile implements ObjectReader {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { oid: string; resolve: (b: Buffer | null | typeof SKIPPED) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failed: Error | null = null;
  private closed = false;
  bytesRead = 0;

  /**
   * `needles`: target names; readFiltered() then answers SKIPPED for a blob that holds none of them,
   * no backslash and is no LFS pointer, without moving its bytes to this thread.
   */
  constructor(
    private readonly repoDir: string,
    private readonly signal?: AbortSignal,
    needles?: readonly string[],
  ) {
    const spec = gitSpawnSpec(repoDir, ['cat-file', '--batch']);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...spec, needles: needles ?? [] } });
    this.worker.on('message', (m: { type: string; id?: number; buf?: ArrayBuffer | null; size?: number; message?: string; stderr?: string }) => {
      if (m.type === 'skip') {
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        this.bytesRead += m.size ?? 0;
        p.resolve(SKIPPED);
      } else if (m.type === 'blob') {
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        const b = m.buf ? Buffer.from(m.buf) : null;
        if (b) this.bytesRead += b.length;
        p.resolve(b);
      } else if (m.type === 'error') {
        this.fail(new GitError(m.message ?? 'git cat-file failed', null, m.stderr ?? '', this.repoDir));
      }
    });
    this.worker.on('error', (e) => this.fail(new GitError(`cat-file worker failed: ${e.message}`, null, '', this.repoDir)));
    this.worker.on('exit', () => {
      if (this.pending.size > 0) this.fail(new GitError('cat-file worker exited', null, '', this.repoDir));
    });
    if (signal) {
      const onAbort = () => {
        this.fail(abortError(signal));
        this.close();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  read(oid: string): Promise<Buffer | null> {
    return this.request(oid, false) as Promise<Buffer | null>;
  }

  /** Like read(), but SKIPPED for a blob that cannot hold a target (see the constructor). */
  readFiltered(oid: string): Promise<Buffer | null | typeof SKIPPED> {
    return this.request(oid, true);
  }

  private request(oid: string, filter: boolean): Promise<Buffer | null | typeof SKIPPED> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new NpmIrError('GIT_ERROR', 'reader closed'));
    if (!/^[0-9a-f]{4,64}$/i.test(oid)) return Promise.reject(new NpmIrError('GIT_ERROR', `bad object id: ${oid}`));
    const id = this.nextId++;
    return new Promise((res, rej) => {
      this.pending.set(id, { oid, resolve: res, reject: rej });
      this.worker.postMessage({ type: 'read', id, oid: oid.toLowerCase(), filter });
    });
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.size > 0) void this.worker.terminate();
    else this.worker.postMessage({ type: 'close' });
  }
}
