/**
 * Evidence about an affected repository beyond its lockfiles: the CI secrets its installs could reach,
 * its CODEOWNERS, and whether it publishes npm packages (worm-style republishing checks). Works over a
 * RepoFiles view, so the same code reads a working tree or a git tree at an exposed commit.
 */
import { analyzeRepoSecrets, type RepoFiles } from '../ci/index.js';
import type { PublishingRepo, SecretExposure } from '../report/model.js';
import { pickCodeowners } from '../report/owners.js';
import type { Gap } from '../types.js';

export interface RepoEvidence {
  secrets: SecretExposure[];
  gaps: Gap[];
  codeowners?: { path: string; text: string };
  publishing: PublishingRepo[];
  ciFiles: string[];
}

const PUBLISH_RE =
  /\b(?:npm\s+publish|yarn\s+(?:npm\s+)?publish|pnpm\s+(?:-r\s+|--recursive\s+)?publish|bun\s+publish|changeset\s+publish|lerna\s+publish|semantic-release|release-it|np\s+--yolo|JS-DevTools\/npm-publish)\b/;

export function repoEvidence(files: RepoFiles, repo: string): RepoEvidence {
  const r = analyzeRepoSecrets(files, { repo });
  const codeowners = pickCodeowners((p) => files.read(p));
  return { secrets: r.secrets, gaps: r.gaps, codeowners, publishing: publishingOf(files, repo, r.ciFiles), ciFiles: r.ciFiles };
}

/** Packages a repository publishes: package.json not private, with publishConfig or a publish step in CI. */
export function publishingOf(files: RepoFiles, repo: string, ciFiles: string[]): PublishingRepo[] {
  let publishStep: string | undefined;
  for (const f of ciFiles) {
    const text = files.read(f);
    if (!text) continue;
    const lines = text.split('\n');
    const i = lines.findIndex((l) => PUBLISH_RE.test(l));
    if (i >= 0) {
      const m = PUBLISH_RE.exec(lines[i]!)!;
      publishStep = `${f}:${i + 1}: ${m[0]}`;
      break;
    }
  }
  const out: PublishingRepo[] = [];
  for (const p of files.list()) {
    if (!/(^|\/)package\.json$/.test(p) || p.split('/').includes('node_modules')) continue;
    const text = files.read(p);
    if (!text) continue;
    let pkg: { name?: unknown; private?: unknown; publishConfig?: unknown };
    try {
      pkg = JSON.parse(text) as typeof pkg;
    } catch {
      continue;
    }
    if (typeof pkg.name !== 'string' || pkg.private === true || pkg.private === 'true') continue;
    const evidence = pkg.publishConfig ? `${p}: publishConfig` : publishStep;
    if (evidence) out.push({ repo, package: pkg.name, evidence });
  }
  return out.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}

/** The identity of one exposure: the same credential at the same place, job, step and tier. */
export function secretKey(s: SecretExposure): string {
  return [s.repo, s.file, s.line, s.name, s.job ?? '', s.step ?? '', s.tier].join('\0');
}

/** One entry per exposure identity; the commits it was seen at are united. */
export function mergeSecrets(list: SecretExposure[]): SecretExposure[] {
  const byKey = new Map<string, SecretExposure>();
  for (const s of list) {
    const k = secretKey(s);
    const cur = byKey.get(k);
    if (!cur) {
      byKey.set(k, s);
      continue;
    }
    const commits = [...new Set([...((cur.commits as string[]) ?? []), ...((s.commits as string[]) ?? [])])];
    byKey.set(k, { ...cur, ...(commits.length ? { commits } : {}), ...(s.exposedAt || cur.exposedAt ? { exposedAt: 'working tree and history' } : {}) });
  }
  return [...byKey.values()];
}
