/**
 * Table-driven reader tests over fixtures/ci/<system>/<case>/: every file of the case is the repository;
 * each file the reader matches is read and the result projected to the fields that matter, then compared
 * with the case's expected.json. `UPDATE_CI_FIXTURES=1` rewrites expected.json (review the diff!).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { isCiGap, type CiReaderEntry, type Command, type EnvVar, type Input, type Job, type JobCredential, type RepoFiles, type SideEffect, type Step, type ValueRef } from '../../src/ci/model.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'ci');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The repository of one fixture case (expected.json and README.md excluded). */
export function caseRepo(dir: string): RepoFiles {
  const files = walk(dir)
    .map((p) => relative(dir, p).split('\\').join('/'))
    .filter((p) => p !== 'expected.json' && p !== 'README.md')
    .sort();
  return { list: () => files, read: (p) => (files.includes(p) ? readFileSync(join(dir, p), 'utf8') : undefined) };
}

export function cases(system: string): string[] {
  const dir = join(FIXTURES, system);
  return existsSync(dir) ? readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort() : [];
}

export function ref(r: ValueRef): string {
  switch (r.type) {
    case 'secret':
      return `secret:${r.name}${r.store ? `@${r.store}` : ''}`;
    case 'var':
      return `var:${r.name}`;
    case 'platform':
      return `platform:${r.name}`;
    case 'all-secrets':
      return 'all-secrets';
    case 'literal-secret':
      return `literal:${r.fingerprint.prefix}#${r.fingerprint.sha256}`;
    case 'opaque-expr':
      return `opaque:${r.expr}`;
  }
}

const env = (e: EnvVar) => ({ name: e.name, line: e.line, scope: e.scope, text: e.value.text, refs: e.value.refs.map(ref), ...(e.file ? { file: e.file } : {}) });
const inp = (i: Input) => ({ name: i.name, line: i.line, refs: i.value.refs.map(ref) });
const cmd = (c: Command) => ({ text: c.text, line: c.line, ...(c.shell === 'implicit' ? { implicit: true } : {}), ...(c.refs?.length ? { refs: c.refs.map(ref) } : {}) });

function effect(e: SideEffect): Record<string, unknown> {
  switch (e.type) {
    case 'env-export':
      return { type: e.type, name: e.name, line: e.line, refs: e.value.refs.map(ref) };
    case 'path-export':
      return { type: e.type, line: e.line };
    case 'file-write':
      return { type: e.type, path: e.path, line: e.line, refs: e.value.refs.map(ref) };
    case 'cred-persist':
      return { type: e.type, name: e.name, kind: e.kind, where: e.where, line: e.line, refs: e.refs.map(ref), ...(e.exports ? { exports: e.exports } : {}) };
    case 'cache-save':
      return { type: e.type, key: e.key, paths: e.paths, line: e.line };
    case 'cache-restore':
      return { type: e.type, key: e.key, paths: e.paths, line: e.line };
    case 'artifact-upload':
      return { type: e.type, name: e.name, paths: e.paths, line: e.line };
    case 'artifact-download':
      return { type: e.type, name: e.name, line: e.line };
    case 'image-build':
      return { type: e.type, dockerfile: e.dockerfile, args: e.args.map(inp), line: e.line };
  }
}

function step(s: Step): Record<string, unknown> {
  return {
    index: s.index,
    label: s.label,
    kind: s.kind,
    line: s.line,
    ...(s.file ? { file: s.file } : {}),
    ...(s.phase === 'post' ? { phase: 'post' } : {}),
    ...(s.uses ? { uses: s.uses.ref } : {}),
    ...(s.condition ? { condition: s.condition } : {}),
    commands: s.commands.map(cmd),
    ...(s.env.length ? { env: s.env.map(env) } : {}),
    ...(s.with.length ? { with: s.with.map(inp) } : {}),
    ...(s.effects.length ? { effects: s.effects.map(effect) } : {}),
  };
}

function cred(c: JobCredential): Record<string, unknown> {
  return {
    name: c.name,
    source: c.source,
    ...(c.kind ? { kind: c.kind } : {}),
    inEnv: c.inEnv,
    line: c.line,
    ...(c.fromStep !== undefined ? { fromStep: c.fromStep } : {}),
    ...(c.toStep !== undefined ? { toStep: c.toStep } : {}),
    ...(c.refs?.length ? { refs: c.refs.map(ref) } : {}),
    ...(c.opaque ? { opaque: c.opaque.resolveWith } : {}),
  };
}

function job(j: Job): Record<string, unknown> {
  return {
    id: j.id,
    file: j.file,
    line: j.line,
    runner: { type: j.runner.type, labels: j.runner.labels, ...(j.runner.persistent !== undefined ? { persistent: j.runner.persistent } : {}) },
    ...(j.sharedEnv ? { sharedEnv: true } : {}),
    ...(j.environment ? { environment: j.environment.name } : {}),
    ...(j.needs.length ? { needs: j.needs } : {}),
    ...(j.triggers ? { triggers: j.triggers.map((t) => ({ event: t.event, line: t.line, ...(t.filters.length ? { filters: t.filters } : {}) })) } : {}),
    env: j.env.map(env),
    credentials: j.credentials.map(cred),
    steps: j.steps.map(step),
    ...(j.opaque.length ? { opaque: j.opaque.map((o) => o.what) } : {}),
  };
}

/** Everything the readers of `entries` produce for one fixture case, projected. */
export function readCase(entries: CiReaderEntry[], dir: string): Record<string, unknown>[] {
  const repo = caseRepo(dir);
  const out: Record<string, unknown>[] = [];
  for (const path of repo.list()) {
    for (const entry of entries) {
      if (!entry.match(path)) continue;
      const r = entry.read({ path, text: repo.read(path)! }, repo);
      if (isCiGap(r)) {
        out.push({ file: path, gap: { code: r.gap.code, reason: r.gap.reason } });
        continue;
      }
      out.push({
        file: path,
        system: r.system,
        files: r.files,
        pipelines: r.pipelines.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          triggers: p.triggers.map((t) => ({ event: t.event, line: t.line, ...(t.filters.length ? { filters: t.filters } : {}) })),
          env: p.env.map(env),
          jobs: p.jobs.map(job),
          ...(p.opaque.length ? { opaque: p.opaque.map((o) => o.what) } : {}),
        })),
        ...(r.literals.length ? { literals: r.literals.map((l) => ({ file: l.file, line: l.line, name: l.name, fingerprint: `${l.fingerprint.prefix}#${l.fingerprint.sha256}` })) } : {}),
        ...(r.gaps.length ? { gaps: r.gaps.map((g) => ({ path: g.path, code: g.code })) } : {}),
        ...(r.warnings.length ? { warnings: r.warnings.map((w) => ({ code: w.code, line: w.line })) } : {}),
      });
    }
  }
  return out;
}

/** Compare a case with its expected.json (or write it when UPDATE_CI_FIXTURES=1). */
export function checkCase(entries: CiReaderEntry[], dir: string): void {
  const got = readCase(entries, dir);
  const file = join(dir, 'expected.json');
  if (process.env.UPDATE_CI_FIXTURES === '1') writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
  expect(existsSync(file), `${file} missing (run with UPDATE_CI_FIXTURES=1 and review it)`).toBe(true);
  expect(got.length, 'the reader matched no file of the case').toBeGreaterThan(0);
  expect(got).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** No stored text may contain any of these raw secret values. */
export function assertNoValues(entries: CiReaderEntry[], dir: string, values: string[]): void {
  const repo = caseRepo(dir);
  const raw = repo.list().flatMap((path) => entries.filter((e) => e.match(path)).map((e) => e.read({ path, text: repo.read(path)! }, repo)));
  expect(raw.length).toBeGreaterThan(0);
  const text = JSON.stringify(raw);
  for (const v of values) expect(text.includes(v), `secret value ${v.slice(0, 4)}… leaked into the parse`).toBe(false);
}
