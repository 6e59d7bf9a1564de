/**
 * Shell script helpers shared by readers and the analysis: logical lines with their file lines, shell
 * variable reads, and the side effects a line has (env exports, file writes). Text only; nothing runs.
 */
import type { SideEffect, Value, ValueRef } from './model.js';

/** Split a script into logical lines (backslash continuations joined), skipping blanks and comments. */
export function scriptLines(script: string, firstLine: number): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = script.split(/\r?\n/);
  let buf = '';
  let start = firstLine;
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i]!;
    if (buf === '') start = firstLine + i;
    if (/\\\s*$/.test(l)) {
      buf += l.replace(/\\\s*$/, ' ');
      continue;
    }
    buf += l;
    const t = buf.trim();
    if (t !== '' && !t.startsWith('#')) out.push({ text: t, line: start });
    buf = '';
  }
  if (buf.trim() !== '') out.push({ text: buf.trim(), line: start });
  return out;
}

const SHELL_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** Variables the shell itself sets or that never hold credentials. */
const NOT_CREDS = new Set(['HOME', 'PATH', 'PWD', 'USER', 'SHELL', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_WORKSPACE', 'RUNNER_TEMP', 'RUNNER_OS', 'GITHUB_SHA', 'GITHUB_REF', 'CI']);

/** `$VAR` / `${VAR}` reads in a shell text (not inside `${{ }}`), as var refs. */
export function shellVarRefs(text: string): ValueRef[] {
  const out: ValueRef[] = [];
  const seen = new Set<string>();
  const cleaned = text.replace(/\$\{\{[\s\S]*?\}\}/g, ' ').replace(/\$\([A-Za-z0-9_.]+\)/g, ' ');
  for (const m of cleaned.matchAll(SHELL_VAR)) {
    const name = m[1] ?? m[2]!;
    if (NOT_CREDS.has(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({ type: 'var', name });
  }
  return out;
}

const SPECIAL_TARGETS = /^"?\$\{?(GITHUB_ENV|GITHUB_OUTPUT|GITHUB_STEP_SUMMARY|GITHUB_PATH|GITHUB_STATE)\}?"?$|^\/dev\/(null|stderr|stdout)$|^&\d$/;

/**
 * Side effects of one logical shell line: `>> $GITHUB_ENV` exports, `>> $GITHUB_PATH`, and writes of a
 * credential-bearing value into a file (`echo ... > ~/.npmrc`, `tee`, `npm config set ...:_authToken`).
 * `refs` are the references of the line (templated secrets and shell vars).
 */
export function lineEffects(text: string, refs: ValueRef[], line: number, redacted: string): SideEffect[] {
  const out: SideEffect[] = [];
  const value: Value = { text: redacted, refs };
  if (/GITHUB_ENV/.test(text) && />>?/.test(text)) {
    const names = new Set<string>();
    for (const m of text.matchAll(/(?:echo|printf)\s+(?:-[a-zA-Z]+\s+)*["']?([A-Za-z_][A-Za-z0-9_]*)(?:=|<<)/g)) names.add(m[1]!);
    for (const name of names) out.push({ type: 'env-export', name, value, line, by: 'GITHUB_ENV' });
  }
  if (/GITHUB_PATH/.test(text) && />>?/.test(text)) out.push({ type: 'path-export', line });
  const credRefs = refs.filter((r) => r.type !== 'opaque-expr');
  if (credRefs.length === 0) return out;
  const targets = new Set<string>();
  for (const m of text.matchAll(/(?:^|[^0-9&<>])>>?\s*("[^"]+"|'[^']+'|[^\s;|&)]+)/g)) targets.add(m[1]!.replace(/^["']|["']$/g, ''));
  for (const m of text.matchAll(/\btee\s+(?:-a\s+)?("[^"]+"|[^\s;|&)]+)/g)) targets.add(m[1]!.replace(/^["']|["']$/g, ''));
  if (/\b(npm|pnpm|yarn)\s+config\s+set\b/.test(text) && /_auth|token/i.test(text)) targets.add('~/.npmrc');
  for (const t of targets) {
    if (SPECIAL_TARGETS.test(t)) continue;
    out.push({ type: 'file-write', path: t, value, line });
  }
  return out;
}
