/**
 * YAML access for CI readers: the `yaml` package with the failsafe schema (every scalar stays a string:
 * `1.10` is not `1.1`, `on` is not `true`) and a LineCounter for 1-based lines. Aliases and `<<` merge
 * keys are resolved by the helpers. Shared by every YAML CI reader.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface YamlFile {
  doc: Document;
  lc: LineCounter;
  root: Node | null;
  /** 1-based line of a node (0 when unknown). */
  line(node: unknown): number;
  /** First content line of a scalar: the line after `|`/`>` for block scalars. */
  contentLine(node: unknown): number;
  /** Resolve an alias to its target node. */
  resolve(node: unknown): Node | null;
}

export type YamlParse = { ok: true; file: YamlFile } | { ok: false; reason: string; line?: number };

/** Parse YAML text; errors (not warnings) make the parse fail with a reason and a line. */
export function parseYaml(text: string): YamlParse {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return { ok: false, reason: `YAML parse error: ${(e as Error).message.split('\n')[0]}` };
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lc.linePos(err.pos[0]);
    return { ok: false, reason: `invalid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, line: pos.line };
  }
  const resolve = (node: unknown): Node | null => {
    let n = node as Node | null | undefined;
    for (let i = 0; i < 32 && n && isAlias(n); i++) n = n.resolve(doc) as Node | undefined;
    return n ?? null;
  };
  const line = (node: unknown): number => {
    const n = node as { range?: [number, number, number] } | null | undefined;
    return n?.range ? lc.linePos(n.range[0]).line : 0;
  };
  const contentLine = (node: unknown): number => {
    const n = resolve(node);
    if (isScalar(n) && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED')) return line(n) + 1;
    return line(n);
  };
  return { ok: true, file: { doc, lc, root: resolve(doc.contents), line, contentLine, resolve } };
}

/** A key/value pair of a map with the key's line. */
export interface Entry {
  key: string;
  value: Node | null;
  line: number;
  keyNode: Node | null;
}

function isMergeKey(v: unknown): boolean {
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

/**
 * Entries of a map (aliases resolved, `<<` merges expanded, explicit keys win), or [] when not a map.
 * Merges nest at most 32 deep: a hostile file can make a merge refer to itself.
 */
export function entries(y: YamlFile, node: unknown, depth = 0): Entry[] {
  const n = y.resolve(node);
  if (!isMap(n) || depth > 32) return [];
  const out: Entry[] = [];
  const merged: Entry[] = [];
  for (const item of n.items) {
    if (!isPair(item)) continue;
    const keyNode = y.resolve(item.key);
    const raw = isScalar(keyNode) ? keyNode.value : '';
    if (isMergeKey(raw)) {
      const v = y.resolve(item.value);
      for (const s of isSeq(v) ? v.items : [v]) merged.push(...entries(y, s, depth + 1));
      continue;
    }
    out.push({ key: String(raw), value: y.resolve(item.value), line: y.line(item.key), keyNode });
  }
  for (const m of merged) if (!out.some((o) => o.key === m.key)) out.push(m);
  return out;
}

/** The value of `key` in a map, or null. */
export function get(y: YamlFile, node: unknown, key: string): Node | null {
  return entries(y, node).find((e) => e.key === key)?.value ?? null;
}

/** The entry of `key` in a map (with its line), or undefined. */
export function getEntry(y: YamlFile, node: unknown, key: string): Entry | undefined {
  return entries(y, node).find((e) => e.key === key);
}

/** A scalar's string value, or undefined for maps/sequences/null. */
export function str(y: YamlFile, node: unknown): string | undefined {
  const n = y.resolve(node);
  if (isScalar(n)) return n.value === null || n.value === undefined ? undefined : String(n.value);
  return undefined;
}

/** Items of a sequence (aliases resolved); a scalar counts as a one-item list; else []. */
export function items(y: YamlFile, node: unknown): Node[] {
  const n = y.resolve(node);
  if (isSeq(n)) return n.items.map((i) => y.resolve(i)).filter((i): i is Node => i !== null);
  if (isScalar(n) && n.value !== null && n.value !== '') return [n];
  return [];
}

/** String items of a scalar or a sequence of scalars. */
export function strings(y: YamlFile, node: unknown): string[] {
  return items(y, node)
    .map((i) => str(y, i))
    .filter((s): s is string => s !== undefined);
}

export { isMap, isScalar, isSeq };
