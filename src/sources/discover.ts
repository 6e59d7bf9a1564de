/**
 * Discovery: every lockfile below the scanned paths, grouped into repositories (the nearest enclosing git
 * work tree, a bare repository or mirror, or the lockfile's own folder outside git). fast-glob walks; its
 * fs adapter is wrapped so that a directory it cannot read becomes a gap instead of silence.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../errors.js';
import { LOCKFILE_BASENAMES, lockfileKind } from '../lockfiles/index.js';
import type { Gap } from '../types.js';
import { gitDirOfDir } from '../git/exec.js';

export type RepoKind = 'worktree' | 'bare' | 'folder';

export interface DiscoveredRepo {
  /** Label relative to the scanned --path ('.' for the path itself); POSIX separators. */
  label: string;
  /** Absolute path: the work tree top, the bare repository folder, or the plain folder. */
  root: string;
  kind: RepoKind;
  /** For git repositories: the git dir (…/.git or the bare folder). */
  gitDir?: string;
  /** Lockfiles in the working tree (paths inside the repo, POSIX), sorted. Empty for bare repositories. */
  lockfiles: string[];
}

export interface Discovery {
  repos: DiscoveredRepo[];
  gaps: Gap[];
  /** The resolved scan roots, in the order given. */
  roots: string[];
  notes: { code: string; message: string; source?: string }[];
}

export interface DiscoverOptions {
  /** Also read node_modules/.package-lock.json (installed trees). */
  installed?: boolean;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Resolve a --path argument: it must exist; a symlinked path is followed to its target. */
export function resolveScanRoot(p: string): string {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'path does not exist' : `cannot resolve path (${code})`, { path: p });
  }
  const st = fs.statSync(real);
  if (!st.isDirectory()) throw new UsageError('not a directory', { path: p });
  return real;
}

function isBareRepo(dir: string): boolean {
  try {
    return (
      fs.statSync(path.join(dir, 'objects')).isDirectory() &&
      fs.statSync(path.join(dir, 'refs')).isDirectory() &&
      fs.statSync(path.join(dir, 'HEAD')).isFile() &&
      fs.existsSync(path.join(dir, 'config'))
    );
  } catch {
    return false;
  }
}

/** The git dir of a work tree top (`.git` a folder, or a gitfile `gitdir: <path>`), or undefined. */
function gitDirOf(top: string): string | undefined {
  if (!fs.existsSync(path.join(top, '.git'))) return undefined;
  try {
    return gitDirOfDir(top);
  } catch {
    return undefined;
  }
}

export async function discover(paths: string[], opts: DiscoverOptions = {}): Promise<Discovery> {
  const given = paths.length ? paths : ['.'];
  const roots = given.map(resolveScanRoot);
  const gaps: Gap[] = [];
  const notes: Discovery['notes'] = [];
  const repos = new Map<string, DiscoveredRepo>();
  const multi = roots.length > 1;

  for (let ri = 0; ri < roots.length; ri++) {
    const root = roots[ri]!;
    const labelOf = (abs: string) => {
      const rel = toPosix(path.relative(root, abs)) || '.';
      if (!multi) return rel;
      const prefix = toPosix(given[ri]!).replace(/\/+$/, '') || '.';
      return rel === '.' ? prefix : `${prefix}/${rel}`;
    };
    const unreadable: Gap[] = [];
    const adapter = wrappedFs(root, labelOf, unreadable);
    const patterns = [
      `**/{${LOCKFILE_BASENAMES.join(',')}}`,
      '**/.git', // work trees (dir) and worktrees/submodules (file)
      '**/HEAD', // bare repositories and mirrors
    ];
    if (opts.installed) patterns.push('**/.package-lock.json');
    const found = await fg(patterns, {
      cwd: root,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      suppressErrors: false,
      unique: true,
      // Never inside node_modules (with --installed, only its top-level .package-lock.json).
      ignore: [opts.installed ? '**/node_modules/*/**' : '**/node_modules/**', '**/.git/*'],
      fs: adapter,
    });
    found.sort();
    gaps.push(...unreadable);

    // Repositories first: work trees and bare repos.
    const repoTops: string[] = [];
    for (const rel of found) {
      const abs = path.join(root, rel);
      const base = path.basename(rel);
      if (rel.split('/').includes('node_modules') && base !== '.package-lock.json') continue;
      if (base === '.git') {
        const top = path.dirname(abs);
        const gitDir = gitDirOf(top);
        if (gitDir && !repos.has(top)) {
          repos.set(top, { label: labelOf(top), root: top, kind: 'worktree', gitDir, lockfiles: [] });
          repoTops.push(top);
        }
      } else if (base === 'HEAD') {
        const dir = path.dirname(abs);
        if (!repos.has(dir) && isBareRepo(dir) && path.basename(dir) !== '.git') {
          repos.set(dir, { label: labelOf(dir), root: dir, kind: 'bare', gitDir: dir, lockfiles: [] });
        }
      }
    }
    // The scan root may itself be inside a work tree: its history is not swept (it may be a large,
    // unrelated repository); say so, so the responder can point --path at it.
    const enclosing = findEnclosingWorkTree(root);
    if (enclosing) {
      notes.push({
        code: 'INSIDE_WORK_TREE',
        message: `the scanned folder is inside the git work tree ${enclosing}; projects below it are read as plain folders and that repository's history is not swept (pass --path ${enclosing} to sweep it)`,
        source: labelOf(root),
      });
    }

    for (const rel of found) {
      const base = path.basename(rel);
      if (base === '.git' || base === 'HEAD') continue;
      if (!lockfileKind(rel, { installed: opts.installed })) continue;
      const abs = path.join(root, rel);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch (e) {
        gaps.push({ path: labelOf(abs), code: 'READ_ERROR', reason: `cannot stat: ${(e as Error).message}` });
        continue;
      }
      if (st.isDirectory()) continue;
      const top = nearestRepo(path.dirname(abs), root, repos);
      let repo = top ? repos.get(top) : undefined;
      if (!repo) {
        // Outside git: the lockfile's own folder is the project. node_modules/.package-lock.json belongs
        // to the folder that holds node_modules.
        let dir = path.dirname(abs);
        if (base === '.package-lock.json') dir = path.dirname(dir);
        repo = repos.get(dir);
        if (!repo) {
          repo = { label: labelOf(dir), root: dir, kind: 'folder', lockfiles: [] };
          repos.set(dir, repo);
        }
      }
      repo.lockfiles.push(toPosix(path.relative(repo.root, abs)));
    }
  }

  const list = [...repos.values()];
  for (const r of list) r.lockfiles.sort();
  for (let ri = 0; ri < roots.length; ri++) gaps.push(...(await manifestsWithoutLockfile(roots[ri]!, given[ri]!, multi, list)));
  if (list.length === 0) {
    gaps.push({
      path: given.join(', '),
      code: 'NOTHING_TO_SCAN',
      reason: 'no lockfile and no git repository below the scanned path: nothing could be checked (wrong --path?)',
    });
  }
  list.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { repos: list, gaps, roots, notes };
}

function nearestRepo(dir: string, root: string, repos: Map<string, DiscoveredRepo>): string | undefined {
  let d = dir;
  for (;;) {
    const r = repos.get(d);
    if (r && r.kind === 'worktree') return d;
    if (d === root || d === path.dirname(d)) break;
    d = path.dirname(d);
  }
  return undefined;
}

function findEnclosingWorkTree(dir: string): string | undefined {
  let d = path.dirname(dir);
  if (gitDirOf(dir)) return undefined; // the root itself is found by the glob
  for (;;) {
    if (gitDirOf(d)) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** fs adapter for fast-glob that turns unreadable directories into gaps (and keeps walking). */
function wrappedFs(root: string, labelOf: (abs: string) => string, gaps: Gap[]) {
  const note = (p: string, e: NodeJS.ErrnoException) => {
    const abs = path.isAbsolute(p) ? p : path.join(root, p);
    gaps.push({
      path: labelOf(abs),
      code: e.code === 'EACCES' || e.code === 'EPERM' ? 'PERMISSION_DENIED' : 'READ_ERROR',
      reason: `directory could not be listed (${e.code ?? e.message}); lockfiles below it were not scanned`,
    });
  };
  // Symbolic links to directories are not followed (no loops, no escaping the scan root): each one is
  // a gap naming its target, so the responder can scan it with --path.
  const links = (dir: string, res: unknown) => {
    if (!Array.isArray(res)) return;
    for (const d of res as fs.Dirent[]) {
      if (typeof d !== 'object' || !d.isSymbolicLink?.()) continue;
      if (d.name === 'node_modules' || d.name === '.git') continue;
      const abs = path.join(path.isAbsolute(dir) ? dir : path.join(root, dir), d.name);
      let target: string;
      try {
        if (!fs.statSync(abs).isDirectory()) continue;
        target = fs.realpathSync(abs);
      } catch {
        continue; // dangling link: nothing behind it
      }
      if (abs.split(path.sep).includes('node_modules')) continue;
      gaps.push({
        path: labelOf(abs),
        code: 'SYMLINK_NOT_FOLLOWED',
        reason: `symbolic link to the directory ${target}: not followed; scan it with --path ${target}`,
      });
    }
  };
  type Cb = (err: NodeJS.ErrnoException | null, res?: unknown) => void;
  return {
    ...fs,
    readdir: ((p: string, o: unknown, cb: Cb) => {
      fs.readdir(p, o as never, (err: NodeJS.ErrnoException | null, res: unknown) => {
        if (err && err.code !== 'ENOENT' && err.code !== 'ENOTDIR') {
          note(p, err);
          cb(null, []);
        } else {
          if (!err) links(p, res);
          cb(err, res);
        }
      });
    }) as unknown as typeof fs.readdir,
    readdirSync: ((p: string, o: unknown) => {
      try {
        return fs.readdirSync(p, o as never);
      } catch (e) {
        note(p, e as NodeJS.ErrnoException);
        return [];
      }
    }) as unknown as typeof fs.readdirSync,
  };
}

/**
 * A package.json that declares dependencies with no lockfile beside it or above it (up to the scan root)
 * resolved versions nobody recorded: it cannot be called clean.
 */
async function manifestsWithoutLockfile(root: string, given: string, multi: boolean, repos: DiscoveredRepo[]): Promise<Gap[]> {
  const manifests = await fg('**/package.json', {
    cwd: root,
    ignore: ['**/node_modules/**', '**/.git/**'],
    followSymbolicLinks: false,
    suppressErrors: true,
  });
  const lockDirs = new Set<string>();
  for (const r of repos) for (const l of r.lockfiles) lockDirs.add(path.dirname(path.join(r.root, l)));
  const gaps: Gap[] = [];
  for (const rel of manifests.sort()) {
    const abs = path.join(root, rel);
    let pkg: { dependencies?: object; devDependencies?: object; optionalDependencies?: object };
    try {
      const st = fs.statSync(abs);
      if (st.size > 1024 * 1024) continue;
      pkg = JSON.parse(fs.readFileSync(abs, 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}), ...(pkg.optionalDependencies ?? {}) };
    if (Object.keys(deps).length === 0) continue;
    let d = path.dirname(abs);
    let covered = false;
    for (;;) {
      if (lockDirs.has(d)) {
        covered = true;
        break;
      }
      if (d === root || d === path.dirname(d)) break;
      d = path.dirname(d);
    }
    if (covered) continue;
    const relDir = toPosix(path.dirname(rel));
    const label = multi ? `${toPosix(given).replace(/\/+$/, '') || '.'}/${rel}` : rel;
    gaps.push({
      path: label,
      code: 'NO_LOCKFILE',
      reason: `package.json declares ${Object.keys(deps).length} dependencies but ${relDir === '.' ? 'the folder' : relDir} has no lockfile: the versions installed from it are unknown (check installed trees with --installed, or build logs)`,
    });
  }
  return gaps;
}
