/**
 * Dependency-type flags computed from a lockfile's graph, for formats that do not write them
 * (pnpm 9.0, bun.lock): an entry is `dev` when only devDependencies of the roots reach it, and
 * `optional` when every way to it goes through an optional edge.
 */

/** A numeric key for the edge from -> to (entries < 2^21). */
export function edgeKey(from: number, to: number): number {
  return from * 2097152 + to;
}

/** One root's direct dependencies, split by type. */
export interface TypedRootDeps {
  prod: number[];
  dev: number[];
  optional: number[];
}

/**
 * Reachability flags over `edges` (entry index -> entry indices) with `optionalEdges` marking the
 * edges that are optional (keys from `edgeKey`). Returns, per entry, whether it is dev-only and
 * optional-only; unreachable entries get neither flag.
 */
export function computeFlags(
  count: number,
  edges: number[][],
  roots: TypedRootDeps[],
  optionalEdges: Set<number> = new Set(),
): { dev: boolean[]; optional: boolean[] } {
  const walk = (starts: number[], skipOptional: boolean): Uint8Array => {
    const seen = new Uint8Array(count);
    const stack = starts.filter((i) => i >= 0 && i < count);
    for (const s of stack) seen[s] = 1;
    while (stack.length > 0) {
      const from = stack.pop()!;
      for (const to of edges[from] ?? []) {
        if (seen[to]) continue;
        if (skipOptional && optionalEdges.has(edgeKey(from, to))) continue;
        seen[to] = 1;
        stack.push(to);
      }
    }
    return seen;
  };
  const all = walk(roots.flatMap((r) => [...r.prod, ...r.dev, ...r.optional]), false);
  const prod = walk(roots.flatMap((r) => [...r.prod, ...r.optional]), false);
  const required = walk(roots.flatMap((r) => [...r.prod, ...r.dev]), true);
  const dev: boolean[] = new Array(count);
  const optional: boolean[] = new Array(count);
  for (let i = 0; i < count; i++) {
    dev[i] = all[i] === 1 && prod[i] === 0;
    optional[i] = all[i] === 1 && required[i] === 0;
  }
  return { dev, optional };
}
