/**
 * The yarn and pnpm fast paths must give exactly the matched entries a full read gives: over every
 * yarn classic, yarn berry and pnpm fixture, and over the real-lockfile corpus when it is there, for
 * every name alone, for names with ranges, and for many names at once; lines included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanLockfileBlob } from '../../src/git/scan-blocks.js';
import { NEEDLE_LIMIT } from '../../src/git/scan.js';
import { lockfileKind, readLockfile } from '../../src/lockfiles/index.js';
import { TargetIndex } from '../../src/match/index.js';
import type { Entry, Target } from '../../src/types.js';
import { repoRoot } from '../lockfiles/pnpm-bun-fixtures.js';

type Case = readonly [string, string, Buffer];

function fixtureCases(): Case[] {
  const out: Case[] = [];
  for (const [dir, file] of [
    ['yarn-classic', 'yarn.lock'],
    ['yarn-berry', 'yarn.lock'],
    ['pnpm', 'pnpm-lock.yaml'],
  ] as const) {
    const d = join('fixtures/lockfiles', dir);
    for (const c of readdirSync(d)) {
      const p = join(d, c, file);
      if (existsSync(p)) out.push([`${dir}/${c}`, file, readFileSync(p)]);
    }
  }
  return out;
}

const corpus = resolve(repoRoot, '../shared/lockfile-corpus');
function corpusCases(): Case[] {
  if (!existsSync(corpus)) return [];
  const out: Case[] = [];
  for (const dir of readdirSync(corpus)) {
    if (!/^(?:pnpm-|yarn-)/.test(dir)) continue;
    for (const c of readdirSync(join(corpus, dir))) {
      for (const file of ['yarn.lock', 'pnpm-lock.yaml']) {
        const p = join(corpus, dir, c, file);
        if (existsSync(p)) out.push([`${dir}/${c}`, file, readFileSync(p)]);
      }
    }
  }
  return out;
}

interface Core {
  name: string;
  version: string;
  kind: string;
  alias?: string;
  resolved?: string;
  integrity?: string;
  line: number;
}
const core = (e: Entry): Core => {
  const c: Core = { name: e.name, version: e.version, kind: e.kind, line: e.line };
  if (e.alias !== undefined) c.alias = e.alias;
  if (e.resolved !== undefined) c.resolved = e.resolved;
  if (e.integrity !== undefined) c.integrity = e.integrity;
  return c;
};
const sorted = (l: Core[]) => [...l].sort((a, b) => a.line - b.line || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));

/** What the history sweep does with a blob: the fast path, or 'whole' when it hands the blob on. */
function viaScan(file: string, bytes: Buffer, targets: TargetIndex): Core[] | 'whole' {
  const s = scanLockfileBlob(lockfileKind(file), bytes, targets);
  if (!s) return 'whole';
  if (s.text === null) return [];
  try {
    const r = readLockfile(s.text, { repo: '.', path: file });
    if (r.warnings.some((w) => s.fallbackOn.has(w.code))) return 'whole';
    return r.entries.filter((e) => targets.match(e).length > 0).map((e) => core({ ...e, line: s.lineOf(e.line) }));
  } catch {
    return 'whole';
  }
}

const fullCache = new WeakMap<Buffer, Entry[]>();
function viaFull(file: string, bytes: Buffer, targets: TargetIndex): Core[] {
  let all = fullCache.get(bytes);
  if (!all) {
    all = readLockfile(bytes, { repo: '.', path: file }).entries;
    fullCache.set(bytes, all);
  }
  return all.filter((e) => targets.match(e).length > 0).map(core);
}

/** Compare over target sets; returns how many were judged by the fast path. */
function compare(file: string, bytes: Buffer, sets: Target[][]): number {
  let fast = 0;
  for (const set of sets) {
    const t = new TargetIndex(set);
    const got = viaScan(file, bytes, t);
    if (got === 'whole') continue;
    fast++;
    expect({ targets: set.map((x) => `${x.name}@${x.range}`), entries: sorted(got) }).toEqual({
      targets: set.map((x) => `${x.name}@${x.range}`),
      entries: sorted(viaFull(file, bytes, t)),
    });
  }
  return fast;
}

function targetSets(all: Entry[], group: number): Target[][] {
  const names = [...new Set(all.filter((e) => e.kind === 'registry').map((e) => e.name))].sort();
  const sets: Target[][] = [];
  for (let i = 0; i < names.length; i += group) sets.push(names.slice(i, i + group).map((n) => ({ name: n, range: '*', source: 't' })));
  // Ranges: exact versions, and ranges below and above a version, over a sample.
  const reg = all.filter((e) => e.kind === 'registry' && /^\d+\.\d+\.\d+/.test(e.version));
  const step = Math.max(1, Math.floor(reg.length / 40));
  for (let i = 0; i < reg.length; i += step) {
    const e = reg[i]!;
    sets.push([{ name: e.name, range: e.version, source: 't' }]);
    sets.push([{ name: e.name, range: `<${e.version}`, source: 't' }]);
    sets.push([{ name: e.name, range: `>=${e.version} <99`, source: 't' }]);
  }
  // Many names at once (above the needle limit, most of them absent).
  const many: Target[] = names.slice(0, 5).map((n) => ({ name: n, range: '*', source: 't' }));
  for (let i = 0; many.length <= NEEDLE_LIMIT + 8; i++) many.push({ name: `absent-filler-${i}`, range: '*', source: 't' });
  sets.push(many);
  return sets;
}

function readable(file: string, bytes: Buffer): Entry[] | null {
  try {
    return readLockfile(bytes, { repo: '.', path: file }).entries;
  } catch {
    return null;
  }
}

describe('yarn and pnpm fast paths agree with the full readers', () => {
  const cases = fixtureCases();

  it('has yarn classic, yarn berry and pnpm fixtures', () => {
    expect(cases.filter(([n]) => n.startsWith('yarn-classic/')).length).toBeGreaterThan(5);
    expect(cases.filter(([n]) => n.startsWith('yarn-berry/')).length).toBeGreaterThan(5);
    expect(cases.filter(([n]) => n.startsWith('pnpm/')).length).toBeGreaterThan(10);
  });

  it.each(cases)('%s', (_name, file, bytes) => {
    const all = readable(file, bytes);
    if (all === null) {
      // A blob the full reader rejects must not be judged clean by the fast path for a name that
      // keys one of its entries (the full read makes it a gap; the fast path a finding, or a full read).
      const keyed = /^ {0,2}['"]?\/?((?:@[a-z0-9.-]+\/)?[a-z0-9][a-z0-9._-]*)[@/]/gm;
      const names = [...new Set([...bytes.toString('utf8').matchAll(keyed)].map((m) => m[1]!))];
      for (const n of names) {
        const got = viaScan(file, bytes, new TargetIndex([{ name: n, range: '*', source: 't' }]));
        if (got !== 'whole') expect({ n, got }).not.toEqual({ n, got: [] });
      }
      return;
    }
    compare(file, bytes, targetSets(all, 1));
  });

  it('takes the fast path for most readable fixtures of each format', () => {
    for (const prefix of ['yarn-classic/', 'yarn-berry/', 'pnpm/']) {
      const mine = cases.filter(([n, f, b]) => n.startsWith(prefix) && readable(f, b) !== null);
      const fast = mine.filter(([, f, b]) => {
        const e = readable(f, b)!.find((x) => x.kind === 'registry');
        return e !== undefined && viaScan(f, b, new TargetIndex([{ name: e.name, range: '*', source: 't' }])) !== 'whole';
      });
      expect(fast.length, prefix).toBeGreaterThan(mine.length / 2);
    }
  });
});

const corpusList = corpusCases();
describe.runIf(corpusList.length > 0)('yarn and pnpm fast paths over the real-lockfile corpus', () => {
  it.each(corpusList)('%s', (_name, file, bytes) => {
    const all = readable(file, bytes);
    expect(all).not.toBeNull();
    const fast = compare(file, bytes, targetSets(all!, 7));
    expect(fast).toBeGreaterThan(0);
  });
});

describe('scanLockfileBlob hands unusual blobs to the full reader', () => {
  const t = new TargetIndex([{ name: 'evil', range: '*', source: 't' }]);
  const classic = '# yarn lockfile v1\n\n\nevil@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/evil/-/evil-1.0.0.tgz"\n\nok@^1.0.0:\n  version "1.0.0"\n';
  const berry = '__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"evil@npm:^1.0.0":\n  version: 1.0.0\n  resolution: "evil@npm:1.0.0"\n  languageName: node\n  linkType: hard\n';
  const pnpm = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      evil:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  evil@1.0.0:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  evil@1.0.0: {}\n";

  it('reads the regular shapes fast, lines mapped to the blob', () => {
    for (const [file, text] of [
      ['yarn.lock', classic],
      ['yarn.lock', berry],
      ['pnpm-lock.yaml', pnpm],
    ] as const) {
      const got = viaScan(file, Buffer.from(text), t);
      expect(got).not.toBe('whole');
      expect((got as Core[]).map((e) => [e.name, e.version, e.line])).toEqual(
        viaFull(file, Buffer.from(text), t).map((e) => [e.name, e.version, e.line]),
      );
      expect((got as Core[]).length).toBeGreaterThan(0);
    }
  });

  it('says "clean" without a reader when no block can name a target', () => {
    const s = scanLockfileBlob('pnpm', Buffer.from(pnpm.replaceAll('evil', 'good')), t);
    expect(s?.text).toBeNull();
  });

  it.each([
    ['yarn.lock', 'CR line ends', classic.replaceAll('\n', '\r\n')],
    ['yarn.lock', 'an escape', classic.replace('evil@^1.0.0:', '"\\u0065vil@^1.0.0":')],
    ['yarn.lock', 'conflict markers', classic.replace('ok@^1.0.0:', '<<<<<<< ours\nok@^1.0.0:') + '=======\n>>>>>>> theirs\n'],
    ['yarn.lock', 'a classic file without its header', classic.replace('# yarn lockfile v1\n', '')],
    ['yarn.lock', 'an unknown berry version', berry.replace('version: 8', 'version: 99')],
    ['pnpm-lock.yaml', 'an unknown pnpm version', pnpm.replace("'9.0'", "'10.0'")],
    ['pnpm-lock.yaml', 'several documents', `---\n${pnpm}`],
    ['pnpm-lock.yaml', 'another indentation', pnpm.replace('\n  evil@1.0.0:\n    resolution', '\n    evil@1.0.0:\n      resolution')],
    ['pnpm-lock.yaml', 'an alias', pnpm.replace('      evil:\n        specifier: ^1.0.0\n        version: 1.0.0', '      nice:\n        specifier: npm:evil@^1.0.0\n        version: evil@1.0.0')],
    ['pnpm-lock.yaml', 'a link', pnpm.replace('        version: 1.0.0\n', '        version: link:../evil\n')],
    ['pnpm-lock.yaml', 'a name field', pnpm.replace('  evil@1.0.0:\n    resolution: {integrity: sha512-x}', '  x@1.0.0:\n    resolution: {integrity: sha512-x}\n    name: evil')],
    ['pnpm-lock.yaml', 'a comment', pnpm.replace('\npackages:', '\n# evil\npackages:')],
    ['pnpm-lock.yaml', 'an unknown section', `${pnpm}\nsomethingNew:\n  evil: 1.0.0\n`],
  ])('%s with %s', (file, _what, text) => {
    expect(viaScan(file, Buffer.from(text), t)).toBe('whole');
  });
});
