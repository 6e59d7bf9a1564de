/**
 * Helpers shared by the non-GitHub CI readers (GitLab CI, CircleCI, Jenkins, Azure Pipelines, Bitbucket,
 * Travis, Dockerfiles): value parsing with shell-style references, redacted command lists with their side
 * effects, a located plain tree for YAML that needs merging (GitLab `extends`, Travis jobs), gaps.
 * Nothing here keeps a secret value: literals become fingerprints, command texts are redacted.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { CiParse, CiReadResult, Command, EnvScope, EnvVar, Input, SideEffect, Value, ValueRef } from '../model.js';
import { fingerprint, isPlaceholder, isPublicDsn, looksSecretName, redactText } from '../secrets.js';
import { lineEffects, scriptLines, shellVarRefs } from '../shell.js';
import { parseYaml, type YamlFile } from '../yaml.js';

/** A file-level parse failure as a CI_PARSE_ERROR gap. */
export function parseGap(path: string, reason: string, line?: number): CiReadResult {
  return { gap: { path, code: 'CI_PARSE_ERROR', reason: reason + (line ? ` (line ${line})` : '') } };
}

/** Parse a YAML file, or return the gap for it. */
export function yamlOrGap(path: string, text: string): { y: YamlFile } | { gap: CiReadResult } {
  const p = parseYaml(text);
  if (!p.ok) return { gap: parseGap(path, p.reason, p.line) };
  return { y: p.file };
}

export function dedupe(refs: ValueRef[]): ValueRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = JSON.stringify(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface ValueOptions {
  /** Names that are platform credentials when read as variables (CI_JOB_TOKEN, System.AccessToken). */
  platform?: ReadonlySet<string>;
  /** Extra references found by a system-specific syntax (Azure `$(X)`, Groovy `${env.X}`). */
  extra?: (text: string) => ValueRef[];
  /** Skip `$VAR` reads (Azure, where `$(X)` is the macro syntax and `$X` is rare). */
  noShellVars?: boolean;
}

/** References in a text: shell variable reads, system-specific refs, known-format tokens (fingerprinted). */
export function textRefs(text: string, opts: ValueOptions = {}): { refs: ValueRef[]; redacted: string } {
  const refs: ValueRef[] = [];
  if (opts.extra) refs.push(...opts.extra(text));
  if (!opts.noShellVars) {
    for (const r of shellVarRefs(text)) {
      if (r.type === 'var' && opts.platform?.has(r.name)) refs.push({ type: 'platform', name: r.name });
      else refs.push(r);
    }
  }
  const red = redactText(text);
  for (const fp of red.found) refs.push({ type: 'literal-secret', fingerprint: fp });
  return { refs: dedupe(refs), redacted: red.text };
}

/**
 * A value as written. When `name` looks like a credential and the text is a literal (no reference, not a
 * placeholder), the whole value is replaced by a fingerprint (`text: null`).
 */
export function parseValue(text: string | undefined, name: string | undefined, opts: ValueOptions = {}): Value {
  if (text === undefined) return { text: '', refs: [] };
  const { refs, redacted } = textRefs(text, opts);
  const hasRef = refs.some((r) => r.type !== 'literal-secret');
  if (!refs.some((r) => r.type === 'literal-secret') && name && looksSecretName(name) && !hasRef && !isPlaceholder(text) && !isPublicDsn(name, text) && text.trim().length >= 6) {
    return { text: null, refs: [{ type: 'literal-secret', fingerprint: fingerprint(text.trim()) }] };
  }
  return { text: redacted, refs };
}

/** Record the literal credentials of a value in the parse. */
export function recordLiterals(parse: CiParse, file: string, name: string, value: Value, line: number): void {
  for (const r of value.refs) if (r.type === 'literal-secret') parse.literals.push({ file, line, name, fingerprint: r.fingerprint });
}

/** One env entry (literal fingerprints recorded). */
export function envVar(parse: CiParse, file: string, name: string, text: string | undefined, line: number, scope: EnvScope, opts: ValueOptions = {}): EnvVar {
  const value = parseValue(text, name, opts);
  recordLiterals(parse, file, name, value, line);
  return { name, value, line, scope, ...(file !== parse.file ? { file } : {}) };
}

/** One input (`with:`, task input, pipe variable). */
export function input(parse: CiParse, file: string, name: string, text: string | undefined, line: number, opts: ValueOptions = {}): Input {
  const value = parseValue(text ?? '', name, opts);
  recordLiterals(parse, file, name, value, line);
  return { name, value, line };
}

/** Commands of a script text starting at `firstLine`, with refs and side effects. */
export function scriptCommands(
  parse: CiParse,
  file: string,
  script: string,
  firstLine: number,
  shell: string,
  opts: ValueOptions = {},
): { commands: Command[]; effects: SideEffect[] } {
  const commands: Command[] = [];
  const effects: SideEffect[] = [];
  for (const l of scriptLines(script, firstLine)) {
    const { refs, redacted } = textRefs(l.text, opts);
    commands.push({ text: redacted, line: l.line, shell, ...(refs.length > 0 ? { refs } : {}) });
    effects.push(...lineEffects(l.text, refs, l.line, redacted));
    for (const r of refs) if (r.type === 'literal-secret') parse.literals.push({ file, line: l.line, name: 'script', fingerprint: r.fingerprint });
  }
  return { commands, effects };
}

/**
 * A command the platform runs on the job's behalf (Travis implicit install, CircleCI node orb, Azure Npm@1).
 * Kept as a command so the DC classifier sees it; `shell: 'implicit'` marks it as not written by the user.
 */
export function implicitCommand(text: string, line: number): Command {
  return { text, line, shell: 'implicit' };
}

/** A step label from its name or first command. */
export function label(name: string | undefined, commands: Command[], fallback: string): string {
  if (name) return name;
  const t = commands[0]?.text;
  if (t) return t.length > 60 ? t.slice(0, 57) + '...' : t;
  return fallback;
}

// ---------------------------------------------------------------------------------------------------
// Map access with YAML merge keys. With `merge: true` the `yaml` package gives the `<<` key the value
// Symbol('<<'), which `String()` turns into 'Symbol(<<)'; these helpers recognise both spellings.

// Map helpers with `<<` merges expanded (and a depth guard): shared with the GitHub reader.
import { entries } from '../yaml.js';
export { entries, get, getEntry } from '../yaml.js';

// ---------------------------------------------------------------------------------------------------
// A located plain tree: YAML converted once, so that GitLab `extends`/`default:`/includes can deep-merge
// nodes coming from several files while every scalar keeps its file and line.

export type LNode = LScalar | LMap | LSeq;
export interface LScalar {
  k: 'scalar';
  value: string;
  file: string;
  line: number;
  /** First content line (after `|`/`>` for block scalars). */
  contentLine: number;
  tag?: string;
}
export interface LMap {
  k: 'map';
  file: string;
  line: number;
  entries: Map<string, { keyLine: number; value: LNode | null }>;
}
export interface LSeq {
  k: 'seq';
  file: string;
  line: number;
  items: LNode[];
  tag?: string;
}

/** Convert a YAML node (aliases and `<<` merges resolved) into a located tree. */
export function toLNode(y: YamlFile, file: string, node: unknown, depth = 0): LNode | null {
  const n = y.resolve(node) as Node | null;
  if (!n || depth > 64) return null;
  if (isScalar(n)) {
    if (n.value === null || n.value === undefined) return null;
    return { k: 'scalar', value: String(n.value), file, line: y.line(n), contentLine: y.contentLine(n), ...(n.tag ? { tag: n.tag } : {}) };
  }
  if (isSeq(n)) {
    const items: LNode[] = [];
    for (const i of n.items) {
      const c = toLNode(y, file, i, depth + 1);
      if (c) items.push(c);
    }
    return { k: 'seq', file, line: y.line(n), items, ...(n.tag ? { tag: n.tag } : {}) };
  }
  if (isMap(n)) {
    const m: LMap = { k: 'map', file, line: y.line(n), entries: new Map() };
    for (const e of entries(y, n)) m.entries.set(e.key, { keyLine: e.line, value: toLNode(y, file, e.value, depth + 1) });
    return m;
  }
  return null;
}

export function lget(n: LNode | null | undefined, key: string): LNode | null {
  return n?.k === 'map' ? (n.entries.get(key)?.value ?? null) : null;
}

export function lkeyLine(n: LNode | null | undefined, key: string): number {
  return n?.k === 'map' ? (n.entries.get(key)?.keyLine ?? n.line) : 0;
}

export function lstr(n: LNode | null | undefined): string | undefined {
  return n?.k === 'scalar' ? n.value : undefined;
}

/** Items of a sequence; a scalar or map counts as one item. */
export function litems(n: LNode | null | undefined): LNode[] {
  if (!n) return [];
  return n.k === 'seq' ? n.items : [n];
}

export function lstrings(n: LNode | null | undefined): string[] {
  return litems(n)
    .map(lstr)
    .filter((s): s is string => s !== undefined);
}

export function lentries(n: LNode | null | undefined): { key: string; keyLine: number; value: LNode | null }[] {
  if (n?.k !== 'map') return [];
  return [...n.entries].map(([key, v]) => ({ key, keyLine: v.keyLine, value: v.value }));
}

/** Deep merge (GitLab `extends` semantics): maps merge key by key, anything else is replaced by `over`. */
export function deepMerge(base: LNode | null, over: LNode | null): LNode | null {
  if (!over) return base;
  if (!base || base.k !== 'map' || over.k !== 'map') return over;
  const out: LMap = { k: 'map', file: over.file, line: over.line, entries: new Map(base.entries) };
  for (const [k, v] of over.entries) {
    const prev = out.entries.get(k);
    out.entries.set(k, { keyLine: v.keyLine, value: prev ? deepMerge(prev.value, v.value) : v.value });
  }
  return out;
}

/** Strip a leading `./` or `/`, collapse `a/../b` segments. */
export function normPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.replace(/^\.?\//, '').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A simple glob (`*`, `**`, `?`) to a RegExp anchored on the whole path. */
export function globToRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
