/**
 * Targets: CLI specs and advisory files (text lists, CSV, OSV JSON) -> one sorted, de-duplicated TargetSet.
 * Every bad spec, line, cell or file is a UsageError naming the place (the command layer exits 2).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import semver from 'semver';
import { UsageError } from '../errors.js';
import type { Target, TargetNote, TargetSet } from '../types.js';
import { parseCsvList } from './csv.js';
import { looksLikeOsv, parseOsvJson } from './osv.js';
import { parseSpec, quote } from './spec.js';
import { parseTextList } from './text.js';
import { cmp } from '../compare.js';

export { parseSpec, packageNameError, readSpec, splitVersions, ALL_VERSIONS } from './spec.js';
export type { SpecResult } from './spec.js';
export { parseTextList } from './text.js';
export { parseCsvList } from './csv.js';
export { parseOsvJson, osvRecordTargets, looksLikeOsv } from './osv.js';

export type AdvisoryFormat = 'text' | 'csv' | 'osv';

/**
 * The format of an advisory text: JSON content is OSV; otherwise the extension decides (`.csv`, `.txt`),
 * otherwise the first meaningful line: a comma with no `name@version` form in it means CSV.
 */
export function detectAdvisoryFormat(text: string, file: string): AdvisoryFormat {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('{') || body.startsWith('[')) return 'osv';
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'osv';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.txt' || ext === '.list' || ext === '.lst') return 'text';
  const first = body.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  return /[,;\t]/.test(first) && first.indexOf('@', 1) < 0 ? 'csv' : 'text';
}

/** Parse an advisory text already read; `file` names it in sources and errors. Pure. */
export function parseAdvisoryText(text: string, file: string, format = detectAdvisoryFormat(text, file)): TargetSet {
  if (text.includes('\u0000') || text.startsWith('PK\u0003\u0004')) {
    throw new UsageError('not a text advisory file (binary content; unpack archives first)', { path: file });
  }
  let set: TargetSet;
  if (format === 'osv') {
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new UsageError(`invalid JSON: ${(e as Error).message}`, { path: file, cause: e });
    }
    if (!looksLikeOsv(value)) {
      throw new UsageError('unknown advisory format: JSON that is not an OSV record, an array of them or {"vulns": [...]}', {
        path: file,
      });
    }
    set = parseOsvJson(value, file);
  } else if (format === 'csv') {
    set = parseCsvList(text, file);
  } else {
    set = parseTextList(text, file);
  }
  if (set.targets.length === 0 && set.notes.length === 0) {
    set.notes.push({ code: 'EMPTY', message: `${quote(file)} names no targets`, source: file });
  }
  return set;
}

/** Read and parse one advisory file (format detected from content, extension as a hint); de-duplicated, sorted. */
export async function loadAdvisoryFile(path: string): Promise<TargetSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`cannot read advisory file: ${why}`, { path, cause: e });
  }
  return combine([parseAdvisoryText(text, path)]);
}

/** An advisory file, or a directory of OSV `.json` records (searched recursively, read in sorted order). */
export async function loadAdvisoryPath(path: string): Promise<TargetSet> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    // loadAdvisoryFile reports it
  }
  if (!isDir) return loadAdvisoryFile(path);
  let files: string[];
  try {
    files = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.json'))
      .map((d) => join(d.parentPath, d.name))
      .sort();
  } catch (e) {
    throw new UsageError(`cannot read advisory directory: ${(e as Error).message}`, { path, cause: e });
  }
  if (files.length === 0) throw new UsageError('advisory directory holds no .json records', { path });
  const sets = await Promise.all(files.map((f) => loadAdvisoryFile(f)));
  return combine(sets);
}

/** Concatenate sets, then de-duplicate and sort. */
function combine(sets: TargetSet[]): TargetSet {
  const targets: Target[] = [];
  const notes: TargetNote[] = [];
  for (const s of sets) {
    for (const t of s.targets) targets.push(t);
    for (const n of s.notes) notes.push(n);
  }
  return { targets: dedupeTargets(targets), notes };
}

/**
 * Remove duplicates (same name and range; the first keeps its source and id) and sort by name then range,
 * by code point so the order is the same everywhere. O(n log n).
 */
export function dedupeTargets(targets: Target[]): Target[] {
  const seen = new Map<string, Target>();
  for (const t of targets) {
    const key = `${t.name}\u0000${t.range}`;
    const had = seen.get(key);
    if (!had) seen.set(key, t);
    else if (had.id === undefined && t.id !== undefined) seen.set(key, { ...had, id: t.id });
  }
  return [...seen.values()].sort((a, b) => cmp(a.name, b.name) || cmpRange(a.range, b.range));
}


/** Exact versions first, in semver order; then ranges by code point. A total order. */
function cmpRange(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb) || cmp(a, b);
  if (va) return -1;
  if (vb) return 1;
  return cmp(a, b);
}

/** CLI specs and advisory paths (files or directories), combined, de-duplicated and sorted. */
export async function loadTargets(specs: string[], advisoryPaths: string[]): Promise<TargetSet> {
  const fromSpecs: TargetSet = { targets: specs.map((s) => parseSpec(s)), notes: [] };
  const fromFiles = await Promise.all(advisoryPaths.map((p) => loadAdvisoryPath(p)));
  return combine([fromSpecs, ...fromFiles]);
}
