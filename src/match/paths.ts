/**
 * Dependency paths over a lockfile's DepGraph: the shortest chains from a root (the project or a
 * workspace) to an entry, bounded, with a count of the rest.
 */
import type { DepGraph, Entry } from '../types.js';

export interface PathsResult {
  direct: boolean;
  paths: string[][];
  /** How many further shortest-or-longer distinct chains were found beyond `paths` (bounded search). */
  more: number;
}

/** Precomputed reverse edges for repeated queries on one graph. */
export class PathFinder {
  private readonly parents: number[][];
  private readonly rootsOf: Map<number, number[]>;

  constructor(private readonly entries: Entry[], private readonly graph: DepGraph) {
    this.parents = entries.map(() => []);
    graph.edges.forEach((to, from) => {
      for (const t of to) if (t !== from && this.parents[t]) this.parents[t]!.push(from);
    });
    this.rootsOf = new Map();
    graph.roots.forEach((r, ri) => {
      for (const d of r.deps) {
        const l = this.rootsOf.get(d) ?? [];
        l.push(ri);
        this.rootsOf.set(d, l);
      }
    });
  }

  /**
   * Shortest chains root -> ... -> entries[target], root first. BFS backwards from the target over
   * reverse edges; each chain is simple (no repeated node). Returns at most `limit` chains.
   */
  find(target: number, limit = 5): PathsResult {
    const direct = this.rootsOf.has(target);
    const label = (i: number) => this.entries[i]!.alias ?? this.entries[i]!.name;
    const results: string[][] = [];
    let more = 0;
    const cap = limit + 50; // count a bounded number beyond the limit
    // BFS over partial chains (target ... x), expanding to parents; a chain ends at a root.
    let frontier: number[][] = [[target]];
    const bestDepth = new Map<number, number>([[target, 0]]);
    for (let depth = 0; frontier.length > 0 && results.length + more < cap && depth < 64; depth++) {
      const next: number[][] = [];
      for (const chain of frontier) {
        const head = chain[chain.length - 1]!;
        for (const ri of this.rootsOf.get(head) ?? []) {
          const names = [this.graph.roots[ri]!.name, ...chain.slice().reverse().map(label)];
          if (results.length < limit) results.push(names);
          else more++;
        }
        for (const p of this.parents[head] ?? []) {
          if (chain.includes(p)) continue;
          const d = bestDepth.get(p);
          if (d !== undefined && d < depth + 1) continue; // only shortest ways through each node
          bestDepth.set(p, depth + 1);
          next.push([...chain, p]);
        }
      }
      frontier = next.length > 2000 ? next.slice(0, 2000) : next;
    }
    results.sort((a, b) => a.length - b.length || a.join('>').localeCompare(b.join('>')));
    return { direct, paths: results, more };
  }
}
