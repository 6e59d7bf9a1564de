/**
 * The working-tree pass: read every lockfile found by discovery, skip those whose bytes hold no target
 * name, parse the rest once, and turn matches into findings. Unreadable files become gaps.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { isNpmIrError, LockfileError } from '../errors.js';
import { checkLockfileText, decodeLockfile, detectFormat, readLockfile } from '../lockfiles/index.js';
import type { TargetIndex } from '../match/index.js';
import type { Finding } from '../report/model.js';
import type { DiscoveredRepo } from '../sources/discover.js';
import type { Gap, GapCode, Origin, ReadContext } from '../types.js';
import { hitsOf, toFinding } from './lockfile-findings.js';

export const MAX_LOCKFILE_BYTES = 512 * 1024 * 1024;

export interface WorktreeResult {
  findings: Finding[];
  gaps: Gap[];
  notes: { code: string; message: string; source?: string }[];
  lockfilesRead: number;
  lockfilesParsed: number;
}

export function gapFromError(e: unknown, origin: Origin): Gap {
  const base = { repo: origin.repo, path: origin.path, ...(origin.commit ? { commit: origin.commit } : {}) };
  if (e instanceof LockfileError) return { ...base, code: e.gapCode, reason: e.message };
  if (isNpmIrError(e)) return { ...base, code: 'CORRUPT', reason: e.message };
  const err = e as NodeJS.ErrnoException;
  const code: GapCode = err?.code === 'EACCES' || err?.code === 'EPERM' ? 'PERMISSION_DENIED' : 'READ_ERROR';
  return { ...base, code, reason: `${err?.code ? err.code + ': ' : ''}${err?.message ?? String(e)}`.replace(/\s+/g, ' ') };
}

function readSmallText(file: string, limit = 4 * 1024 * 1024): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > limit) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The manifests beside a lockfile: its package.json and the workspaces it declares. */
export function manifestContext(lockDir: string): ReadContext | undefined {
  const manifest = readSmallText(path.join(lockDir, 'package.json'));
  if (manifest === undefined) return undefined;
  const ctx: ReadContext = { manifest };
  let patterns: string[] = [];
  try {
    const pkg = JSON.parse(manifest) as { workspaces?: string[] | { packages?: string[] } };
    const ws = Array.isArray(pkg.workspaces) ? pkg.workspaces : pkg.workspaces?.packages;
    if (Array.isArray(ws)) patterns = ws.filter((w): w is string => typeof w === 'string' && !w.includes('..'));
  } catch {
    return ctx;
  }
  if (patterns.length) {
    const files = fg.sync(
      patterns.map((p) => `${p.replace(/\/+$/, '')}/package.json`),
      { cwd: lockDir, ignore: ['**/node_modules/**'], followSymbolicLinks: false, suppressErrors: true },
    );
    ctx.workspaceManifests = {};
    for (const f of files.sort()) {
      const t = readSmallText(path.join(lockDir, f));
      if (t !== undefined) ctx.workspaceManifests[path.posix.dirname(f)] = t;
    }
  }
  return ctx;
}

export function scanWorktree(repo: DiscoveredRepo, idx: TargetIndex): WorktreeResult {
  const out: WorktreeResult = { findings: [], gaps: [], notes: [], lockfilesRead: 0, lockfilesParsed: 0 };
  for (const lockfile of repo.lockfiles) {
    const origin: Origin = { repo: repo.label, path: lockfile };
    const abs = path.join(repo.root, lockfile);
    let bytes: Buffer;
    try {
      const st = fs.statSync(abs);
      if (st.size > MAX_LOCKFILE_BYTES) {
        out.gaps.push({ repo: repo.label, path: lockfile, code: 'TOO_LARGE', reason: `${st.size} bytes is over the ${MAX_LOCKFILE_BYTES}-byte limit` });
        continue;
      }
      bytes = fs.readFileSync(abs);
    } catch (e) {
      out.gaps.push(gapFromError(e, origin));
      continue;
    }
    out.lockfilesRead++;
    try {
      // The checks every format shares run on every file (empty, binary, LFS pointer), so that a file
      // npm-ir cannot read is a gap even when it holds no target name.
      const text = decodeLockfile(bytes, origin);
      const format = detectFormat(text, origin);
      // A backslash may escape a name (`"\u0064ebug"` is `debug` once parsed): such files are parsed.
      if (!idx.anyNameIn(bytes) && !bytes.includes(0x5c)) {
        // Cheap structural checks so an empty, LFS or cut-off file is not called clean; a JSON lockfile
        // that does not end in `}` is parsed, so the reader reports it as truncated.
        checkLockfileText(text, origin);
        if (!((format === 'npm' || format === 'bun') && !/\}\s*$/.test(text))) continue;
      }
      const parsed = readLockfile(text, origin, manifestContext(path.dirname(abs)));
      out.lockfilesParsed++;
      for (const w of parsed.warnings) {
        out.notes.push({ code: w.code, message: w.message, source: `${repo.label}/${lockfile}${w.line ? `:${w.line}` : ''}` });
      }
      for (const hit of hitsOf(parsed, idx)) {
        // A root without a name (no manifest) is shown as the repository.
        hit.paths = hit.paths.map((p) => (p[0] === '.' ? [repo.label, ...p.slice(1)] : p));
        out.findings.push(
          toFinding(hit, { repo: repo.label, lockfile, format: parsed.format ?? format, present: true }),
        );
      }
    } catch (e) {
      out.gaps.push(gapFromError(e, origin));
    }
  }
  return out;
}
