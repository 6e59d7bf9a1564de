/**
 * Differential test: Arborist's virtual tree (loadVirtual over the same lockfile) is the oracle for
 * which package depends on which. For every package node, our `direct` flag and the set of shortest
 * chains (PathFinder over our DepGraph) must equal those computed from Arborist's edgesIn.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpmLock } from '../../src/lockfiles/npm.js';
import { PathFinder } from '../../src/match/paths.js';
import type { ParseResult } from '../../src/types.js';

interface AEdge {
  from: ANode | null;
  to: ANode | null;
}
interface ANode {
  location: string;
  path: string;
  isLink: boolean;
  isRoot: boolean;
  edgesIn: Set<AEdge>;
  linksIn: Set<ANode>;
  target: ANode;
}
interface ATree extends ANode {
  inventory: Map<string, ANode>;
  workspaces?: Map<string, string> | null;
}
const require = createRequire(import.meta.url);
const Arborist = require('@npmcli/arborist') as new (o: { path: string }) => { loadVirtual(): Promise<ATree> };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(repoRoot, 'fixtures/lockfiles/npm');
const CORPUS = resolve(repoRoot, '../shared/lockfile-corpus');
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** Our packages keys, in entry order (entries come from packages in key order, root excluded). */
function keysOf(text: string): string[] {
  const doc = JSON.parse(text) as { packages: Record<string, unknown> };
  return Object.keys(doc.packages).filter((k) => k !== '');
}

/** All shortest chains root -> target over Arborist's edgesIn (links stand for their targets). */
function arboristChains(tree: ATree, target: ANode, label: (n: ANode, asRoot: boolean) => string, cap: number) {
  const starts = new Set<ANode>([tree]);
  const wsPaths = new Set(tree.workspaces?.values() ?? []);
  for (const n of tree.inventory.values()) if (!n.isLink && wsPaths.has(n.path)) starts.add(n);
  const parents = (x: ANode): ANode[] => {
    const out = new Set<ANode>();
    for (const e of x.edgesIn) if (e.from && e.to) out.add(e.from.isLink ? e.from.target : e.from);
    for (const l of x.linksIn ?? []) for (const e of l.edgesIn) if (e.from && e.to) out.add(e.from);
    out.delete(x);
    return [...out];
  };
  const chains: string[][] = [];
  let direct = false;
  for (const p of parents(target)) if (starts.has(p)) direct = true;
  // BFS over partial chains (target, ..., x), by length; stop at the first length that reaches a start.
  let frontier: ANode[][] = [[target]];
  for (let depth = 0; frontier.length > 0 && chains.length === 0 && depth < 64; depth++) {
    const next: ANode[][] = [];
    for (const chain of frontier) {
      for (const p of parents(chain[chain.length - 1]!)) {
        if (chain.includes(p)) continue;
        if (starts.has(p)) chains.push([label(p, true), ...chain.slice().reverse().map((n) => label(n, false))]);
        next.push([...chain, p]);
      }
    }
    if (next.length > cap) return null; // too many chains to enumerate: skip this node
    frontier = next;
  }
  return { direct, chains: dedupe(chains) };
}

function dedupe(chains: string[][]): string[][] {
  return [...new Set(chains.map((c) => JSON.stringify(c)))].map((s) => JSON.parse(s) as string[]).sort();
}

async function compare(dir: string, lockName: string, sample?: number) {
  const text = readFileSync(join(dir, lockName), 'utf8');
  const r: ParseResult = readNpmLock(text, { repo: '.', path: lockName });
  const keys = keysOf(text);
  expect(keys.length).toBe(r.entries.length);
  const index = new Map(keys.map((k, i) => [k, i]));
  const tree = await new Arborist({ path: dir }).loadVirtual();
  const rootByPath = new Map(r.graph!.roots.map((x) => [x.path === '.' ? '' : x.path, x.name]));
  const label = (n: ANode, asRoot: boolean): string => {
    if (asRoot) return rootByPath.get(n.location) ?? `?${n.location}`;
    const e = r.entries[index.get(n.location)!];
    return e ? (e.alias ?? e.name) : `?${n.location}`;
  };
  const pf = new PathFinder(r.entries, r.graph!);
  let nodes = [...tree.inventory.values()].filter((n) => !n.isRoot && !n.isLink && n.location.includes('node_modules/'));
  if (sample) {
    const step = Math.max(1, Math.floor(nodes.length / sample));
    nodes = nodes.filter((_, i) => i % step === 0);
  }
  let compared = 0;
  for (const n of nodes) {
    const i = index.get(n.location);
    expect(i, n.location).toBeDefined();
    const oracle = arboristChains(tree, n, label, 500);
    if (!oracle) continue;
    const ours = pf.find(i!, 1000);
    const min = Math.min(...ours.paths.map((p) => p.length));
    const shortest = dedupe(ours.paths.filter((p) => p.length === min));
    expect({ at: n.location, direct: ours.direct, chains: shortest }).toEqual({ at: n.location, direct: oracle.direct, chains: oracle.chains });
    compared++;
  }
  return compared;
}

const fixtureCases = readdirSync(FIXTURES)
  .filter((c) => /\.v[23]$/.test(c) && existsSync(join(FIXTURES, c, 'package.json')))
  .filter((c) => ['package-lock.json', 'npm-shrinkwrap.json'].some((f) => existsSync(join(FIXTURES, c, f))))
  .sort();

describe('npm reader agrees with Arborist on fixtures', () => {
  it.each(fixtureCases)('%s', async (c) => {
    const lock = existsSync(join(FIXTURES, c, 'npm-shrinkwrap.json')) ? 'npm-shrinkwrap.json' : 'package-lock.json';
    expect(await compare(join(FIXTURES, c), lock)).toBeGreaterThan(0);
  });
});

const corpusFiles = existsSync(CORPUS)
  ? ['npm-lock-v2', 'npm-lock-v3', 'npm-shrinkwrap'].flatMap((f) =>
      existsSync(join(CORPUS, f))
        ? readdirSync(join(CORPUS, f)).flatMap((s) =>
            ['package-lock.json', 'npm-shrinkwrap.json']
              .map((n) => join(f, s, n))
              .filter((p) => existsSync(join(CORPUS, p)) && /"lockfileVersion": [23]/.test(readFileSync(join(CORPUS, p), 'utf8').slice(0, 300))),
          )
        : [],
    )
  : [];

describe.runIf(existsSync(CORPUS))('npm reader agrees with Arborist on the corpus (sampled nodes)', () => {
  it.each(corpusFiles)('%s', async (p) => {
    // Arborist reads the root manifest from package.json: give it the lockfile's own root entry.
    const dir = mkdtempSync(join(tmpdir(), 'npm-ir-arborist-'));
    scratch.push(dir);
    const name = p.split('/').pop()!;
    copyFileSync(join(CORPUS, p), join(dir, name));
    const doc = JSON.parse(readFileSync(join(CORPUS, p), 'utf8')) as { packages: Record<string, unknown> };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(doc.packages[''] ?? {}));
    // Arborist maps workspaces from their folders: write each folder entry's manifest from the lockfile.
    for (const [k, v] of Object.entries(doc.packages)) {
      if (k === '' || k.includes('node_modules/') || k.split('/').includes('..')) continue;
      mkdirSync(join(dir, k), { recursive: true });
      writeFileSync(join(dir, k, 'package.json'), JSON.stringify(v));
    }
    expect(await compare(dir, name, 60)).toBeGreaterThan(0);
  });
});
