/**
 * Deterministic lockfile writers for synthetic projects (tabletop organisations, benchmarks). They write
 * each format as the real package manager does for a flat (fully hoisted) tree: one version per name.
 * Nothing here touches the network; integrity values are derived from name@version.
 */
import { createHash } from 'node:crypto';

export interface GenPackage {
  name: string;
  version: string;
  /** Dependencies by name -> exact version of a package also in the list. */
  deps?: Record<string, string>;
  /** Reached only through devDependencies. */
  dev?: boolean;
  /** Has an install script (npm records hasInstallScript). */
  installScript?: boolean;
}

export interface GenProject {
  name: string;
  version: string;
  /** Direct dependencies: name -> exact version (the range written is ^version). */
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Every package of the tree, flat. */
  packages: GenPackage[];
}

export type GenFormat = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm' | 'bun';

export const LOCKFILE_NAME: Record<GenFormat, string> = {
  npm: 'package-lock.json',
  'yarn-classic': 'yarn.lock',
  'yarn-berry': 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
  bun: 'bun.lock',
};

const sorted = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const range = (v: string) => `^${v}`;
const base = (name: string) => name.slice(name.lastIndexOf('/') + 1);

export function integrity(name: string, version: string): string {
  return 'sha512-' + createHash('sha512').update(`${name}@${version}`).digest('base64');
}
function sha1(name: string, version: string): string {
  return createHash('sha1').update(`${name}@${version}`).digest('hex');
}
export function registryTarball(name: string, version: string, host = 'https://registry.npmjs.org'): string {
  return `${host}/${name}/-/${base(name)}-${version}.tgz`;
}

/** The package.json of a generated project. */
export function manifestOf(p: GenProject, extra: Record<string, unknown> = {}): string {
  const deps = Object.fromEntries(sorted(Object.entries(p.dependencies), (e) => e[0]).map(([n, v]) => [n, range(v)]));
  const dev = Object.fromEntries(sorted(Object.entries(p.devDependencies ?? {}), (e) => e[0]).map(([n, v]) => [n, range(v)]));
  const m: Record<string, unknown> = { name: p.name, version: p.version, private: true, ...extra, dependencies: deps };
  if (Object.keys(dev).length) m.devDependencies = dev;
  return JSON.stringify(m, null, 2) + '\n';
}

export interface WriteOptions {
  /** npm only: lockfileVersion 1 (npm 5-6, 2017-2020: nested `dependencies` with `requires`) or 3 (default). */
  npmLockfileVersion?: 1 | 3;
}

export function writeLockfile(format: GenFormat, p: GenProject, opts: WriteOptions = {}): string {
  switch (format) {
    case 'npm':
      return opts.npmLockfileVersion === 1 ? npmV1(p) : npmV3(p);
    case 'yarn-classic':
      return yarnClassic(p);
    case 'yarn-berry':
      return yarnBerry(p);
    case 'pnpm':
      return pnpm9(p);
    case 'bun':
      return bunLock(p);
  }
}

function depRanges(deps: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!deps || Object.keys(deps).length === 0) return undefined;
  return Object.fromEntries(sorted(Object.entries(deps), (e) => e[0]).map(([n, v]) => [n, range(v)]));
}

function npmV3(p: GenProject): string {
  const packages: Record<string, unknown> = {
    '': {
      name: p.name,
      version: p.version,
      dependencies: depRanges(p.dependencies),
      devDependencies: depRanges(p.devDependencies),
    },
  };
  for (const pkg of sorted(p.packages, (x) => x.name)) {
    packages[`node_modules/${pkg.name}`] = {
      version: pkg.version,
      resolved: registryTarball(pkg.name, pkg.version),
      integrity: integrity(pkg.name, pkg.version),
      ...(pkg.dev ? { dev: true } : {}),
      ...(pkg.installScript ? { hasInstallScript: true } : {}),
      license: 'MIT',
      dependencies: depRanges(pkg.deps),
    };
  }
  return JSON.stringify({ name: p.name, version: p.version, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n';
}

/** npm 5-6 package-lock.json (lockfileVersion 1) for a flat tree: every package under the top-level `dependencies`. */
function npmV1(p: GenProject): string {
  const dependencies: Record<string, unknown> = {};
  for (const pkg of sorted(p.packages, (x) => x.name)) {
    dependencies[pkg.name] = {
      version: pkg.version,
      resolved: registryTarball(pkg.name, pkg.version),
      integrity: integrity(pkg.name, pkg.version),
      ...(pkg.dev ? { dev: true } : {}),
      requires: depRanges(pkg.deps),
    };
  }
  return JSON.stringify({ name: p.name, version: p.version, lockfileVersion: 1, requires: true, dependencies }, null, 2) + '\n';
}

const yq = (s: string) => (/^[a-zA-Z]/.test(s) && !/[:\s@"]/.test(s.slice(1).replace(/@/g, '')) ? s : JSON.stringify(s));

function yarnClassic(p: GenProject): string {
  const out = ['# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.', '# yarn lockfile v1', '', ''];
  for (const pkg of sorted(p.packages, (x) => x.name)) {
    const key = `${pkg.name}@${range(pkg.version)}`;
    out.push(`${/^[a-z]/.test(key) && !key.includes(' ') && !key.startsWith('@') ? key : JSON.stringify(key)}:`);
    out.push(`  version "${pkg.version}"`);
    out.push(`  resolved "${registryTarball(pkg.name, pkg.version, 'https://registry.yarnpkg.com')}#${sha1(pkg.name, pkg.version)}"`);
    out.push(`  integrity ${integrity(pkg.name, pkg.version)}`);
    const deps = depRanges(pkg.deps);
    if (deps) {
      out.push('  dependencies:');
      for (const [n, r] of Object.entries(deps)) out.push(`    ${n.startsWith('@') ? JSON.stringify(n) : n} "${r}"`);
    }
    out.push('');
  }
  return out.join('\n');
}

function yarnBerry(p: GenProject): string {
  const out = [
    '# This file is generated by running "yarn install" inside your project.',
    '# Manual changes might be lost - proceed with caution!',
    '',
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10c0',
    '',
  ];
  const blocks: [string, string[]][] = [];
  for (const pkg of p.packages) {
    const lines = [`"${pkg.name}@npm:${range(pkg.version)}":`, `  version: ${pkg.version}`, `  resolution: "${pkg.name}@npm:${pkg.version}"`];
    const deps = depRanges(pkg.deps);
    if (deps) {
      lines.push('  dependencies:');
      for (const [n, r] of Object.entries(deps)) lines.push(`    ${yq(n)}: "npm:${r}"`);
    }
    lines.push(`  checksum: 10c0/${createHash('sha512').update(`${pkg.name}@${pkg.version}`).digest('hex')}`);
    lines.push('  languageName: node', '  linkType: hard');
    blocks.push([`${pkg.name}@npm:${range(pkg.version)}`, lines]);
  }
  const ws = [`"${p.name}@workspace:.":`, '  version: 0.0.0-use.local', `  resolution: "${p.name}@workspace:."`];
  const all = { ...p.dependencies, ...(p.devDependencies ?? {}) };
  if (Object.keys(all).length) {
    ws.push('  dependencies:');
    for (const [n, v] of sorted(Object.entries(all), (e) => e[0])) ws.push(`    ${yq(n)}: "npm:${range(v)}"`);
  }
  ws.push('  languageName: unknown', '  linkType: soft');
  blocks.push([`${p.name}@workspace:.`, ws]);
  for (const [, lines] of sorted(blocks, (b) => b[0])) out.push(...lines, '');
  return out.join('\n');
}

const pq = (s: string) => (/^[a-z0-9]/.test(s) ? s : `'${s}'`);

function pnpm9(p: GenProject): string {
  const out = ["lockfileVersion: '9.0'", '', 'settings:', '  autoInstallPeers: true', '  excludeLinksFromLockfile: false', '', 'importers:', '', '  .:'];
  const section = (title: string, deps: Record<string, string> | undefined) => {
    if (!deps || Object.keys(deps).length === 0) return;
    out.push(`    ${title}:`);
    for (const [n, v] of sorted(Object.entries(deps), (e) => e[0])) {
      out.push(`      ${pq(n)}:`, `        specifier: ${range(v)}`, `        version: ${v}`);
    }
  };
  section('dependencies', p.dependencies);
  section('devDependencies', p.devDependencies);
  out.push('', 'packages:', '');
  const pk = sorted(p.packages, (x) => `${x.name}@${x.version}`);
  for (const pkg of pk) {
    out.push(`  ${pq(`${pkg.name}@${pkg.version}`)}:`, `    resolution: {integrity: ${integrity(pkg.name, pkg.version)}}`);
    if (pkg.installScript) out.push('    requiresBuild: true');
    out.push('');
  }
  out.push('snapshots:', '');
  for (const pkg of pk) {
    const deps = pkg.deps && Object.keys(pkg.deps).length ? pkg.deps : undefined;
    out.push(`  ${pq(`${pkg.name}@${pkg.version}`)}:${deps ? '' : ' {}'}`);
    if (deps) {
      out.push('    dependencies:');
      for (const [n, v] of sorted(Object.entries(deps), (e) => e[0])) out.push(`      ${pq(n)}: ${v}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function bunLock(p: GenProject): string {
  const j = (x: unknown) => JSON.stringify(x);
  const out = ['{', '  "lockfileVersion": 1,', '  "workspaces": {', '    "": {', `      "name": ${j(p.name)},`];
  const sec = (title: string, deps: Record<string, string> | undefined) => {
    const d = depRanges(deps);
    if (!d) return;
    out.push(`      ${j(title)}: {`);
    for (const [n, r] of Object.entries(d)) out.push(`        ${j(n)}: ${j(r)},`);
    out.push('      },');
  };
  sec('dependencies', p.dependencies);
  sec('devDependencies', p.devDependencies);
  out.push('    },', '  },', '  "packages": {');
  for (const pkg of sorted(p.packages, (x) => x.name)) {
    const deps = depRanges(pkg.deps);
    const meta = deps ? `{ "dependencies": { ${Object.entries(deps).map(([n, r]) => `${j(n)}: ${j(r)}`).join(', ')} } }` : '{}';
    out.push(`    ${j(pkg.name)}: [${j(`${pkg.name}@${pkg.version}`)}, "", ${meta}, ${j(integrity(pkg.name, pkg.version))}],`, '');
  }
  out.push('  }', '}', '');
  return out.join('\n');
}

/** A small deterministic PRNG (mulberry32) so generated organisations are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A synthetic project with `size` packages (names `pkg-<i>` and some scoped `@scope-<k>/pkg-<i>`), a
 * random dependency DAG, and `extra` packages (name -> version) placed as transitive dependencies.
 */
export function syntheticProject(opts: { name: string; size: number; seed: number; extra?: Record<string, string> }): GenProject {
  const r = rng(opts.seed);
  const packages: GenPackage[] = [];
  for (let i = 0; i < opts.size; i++) {
    const name = i % 7 === 3 ? `@scope-${i % 13}/pkg-${i}` : `pkg-${i}`;
    const version = `${1 + Math.floor(r() * 9)}.${Math.floor(r() * 20)}.${Math.floor(r() * 30)}`;
    packages.push({ name, version, deps: {} });
  }
  // Edges only to later packages: a DAG.
  for (let i = 0; i < packages.length; i++) {
    const n = Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const j = i + 1 + Math.floor(r() * Math.max(1, packages.length - i - 1));
      if (j < packages.length) packages[i]!.deps![packages[j]!.name] = packages[j]!.version;
    }
  }
  const dependencies: Record<string, string> = {};
  for (let i = 0; i < Math.min(10, packages.length); i++) dependencies[packages[i]!.name] = packages[i]!.version;
  const synthetic = packages.length;
  for (const [name, version] of Object.entries(opts.extra ?? {})) {
    packages.push({ name, version, deps: {} });
    // Hang it under a random mid-tree package so it is transitive.
    const host = packages[Math.floor(r() * Math.max(1, synthetic))];
    if (host && host.name !== name) host.deps![name] = version;
    else dependencies[name] = version;
  }
  return { name: opts.name, version: '1.0.0', dependencies, packages };
}
