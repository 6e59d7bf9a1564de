/**
 * `npm-ir secrets`: CI secret exposure for every repository found, whatever the lockfiles say: which
 * credentials a malicious install could reach, by tier.
 */
import { worktreeRepoFiles } from './ci/index.js';
import type { SecretExposure } from './report/model.js';
import { finalizeReport } from './scope/index.js';
import { repoEvidence } from './scope/evidence.js';
import { discover } from './sources/discover.js';
import type { Gap } from './types.js';
import { SCHEMA_VERSION, type Report } from './report/model.js';
import { VERSION } from './version.js';

export interface SecretsScan {
  report: Report;
  /** Per repository: the CI files read (empty when the repository has no CI configuration). */
  ciFiles: Record<string, string[]>;
}

export async function scanSecrets(opts: { paths?: string[] }): Promise<SecretsScan> {
  const found = await discover(opts.paths ?? ['.'], {});
  const secrets: SecretExposure[] = [];
  const gaps: Gap[] = [...found.gaps];
  const ciFiles: Record<string, string[]> = {};
  // Every repository, and every top-level folder scanned even when it holds no lockfile.
  const repos = found.repos.length ? found.repos : found.roots.map((r) => ({ label: '.', root: r, kind: 'folder' as const, lockfiles: [] }));
  for (const repo of repos) {
    if (repo.kind === 'bare') continue;
    const ev = repoEvidence(worktreeRepoFiles(repo.root), repo.label);
    secrets.push(...ev.secrets);
    gaps.push(...ev.gaps);
    ciFiles[repo.label] = ev.ciFiles;
  }
  const report = finalizeReport({
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'npm-ir', version: VERSION },
    targets: [],
    findings: [],
    builds: [],
    secrets,
    gaps,
    notes: found.notes,
    scanned: { repos: repos.length, lockfiles: 0 },
  });
  return { report, ciFiles };
}
