/**
 * The Report: the versioned JSON contract between every command (DESIGN.md "The Report contract").
 * Field names here are read by tests and downstream tools: add fields freely, rename none without a
 * schema bump. Keep it apart from internal types: only plain JSON data goes in.
 */
import type { Gap, LockfileFormat } from '../types.js';

export const SCHEMA_VERSION = 1 as const;

export interface ReportTarget {
  name: string;
  range: string;
  source: string;
  id?: string;
}

export interface CommitRef {
  commit: string;
  /** ISO 8601 commit date. */
  date: string;
  author: string;
  subject?: string;
}

export interface RefState {
  /** Full ref name, e.g. refs/heads/main, refs/remotes/origin/main, refs/pull/12/head. */
  name: string;
  /** Whether the commit the ref points to still resolves the version. */
  affectedAtTip: boolean;
}

export interface ExposureWindow {
  /** The ref (branch) the window is on. */
  ref: string;
  /** ISO date of the first affected commit on the ref's first-parent line. */
  from: string;
  /** ISO date of the removing commit, or null while still open at the tip. */
  to: string | null;
  fromCommit: string;
  toCommit: string | null;
}

export interface FindingHistory {
  introduced: CommitRef[];
  removed: CommitRef[];
  affectedCommits: number;
  refs: RefState[];
  tags: string[];
  windows: ExposureWindow[];
  /** Earliest affected commit date and latest removal date (null when still open somewhere). */
  firstSeen?: string;
  lastSeen?: string | null;
}

export interface Finding {
  repo: string;
  lockfile: string;
  format: LockfileFormat;
  package: string;
  version: string;
  /** The target spec that matched, as `name@range`. */
  target: string;
  direct: boolean;
  /** Shortest chains from a root (project or workspace) to the package, root first, package last. */
  paths: string[][];
  /** How many further chains exist beyond those listed. */
  morePaths?: number;
  /** 1-based line of the entry in the lockfile (in the working tree, or in the representative blob). */
  line: number;
  /** Resolved in the working tree now: true/false; null in a bare repository. */
  present: boolean | null;
  alias?: string;
  dev?: boolean;
  optional?: boolean;
  resolved?: string;
  integrity?: string;
  /** The lockfile records install scripts for this version (npm hasInstallScript, pnpm requiresBuild). */
  installScript?: boolean;
  history?: FindingHistory;
  /** Owning team (issue: response/owners). */
  owner?: { team: string; contact?: string; source: 'CODEOWNERS' | 'teams' | 'unowned'; rule?: string };
}

export interface Build {
  repo: string;
  id: string;
  commit: string;
  workflow?: string;
  startedAt?: string;
  url?: string;
  ref?: string;
  /** The findings (`package@version` in `lockfile`) the build's commit resolved. */
  packages?: string[];
  source?: string;
}

export type Tier = 'T0' | 'T1' | 'T2' | 'T3' | 'T4';

export interface SecretExposure {
  repo: string;
  /** CI system or file family: github-actions, gitlab-ci, circleci, jenkins, azure-pipelines, bitbucket, travis, dockerfile, repo-file. */
  system: string;
  file: string;
  line: number;
  /** The credential's name (env var, secret name, file). Never its value. */
  name: string;
  kind: string;
  tier: Tier;
  job?: string;
  step?: string;
  [extra: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named alias kept for the Report contract
export interface ReportGap extends Gap {}

/**
 * A repository that publishes npm packages (filled from package.json: `private` not true, a publish step in CI
 * or `publishConfig`). A worm with a stolen npm token republishes the victim's own packages, so the checklist
 * asks to check these packages' published versions in the exposure window.
 */
export interface PublishingRepo {
  repo: string;
  /** The package name as published. */
  package: string;
  /** Why the repo is believed to publish it, e.g. "package.json: publishConfig", ".github/workflows/release.yml:31: npm publish". */
  evidence: string;
}

/** Evidence of the attacker's own code in a repository (a worm's workflow, branch or payload file). */
export interface Indicator {
  repo: string;
  /** A file path, or a ref name for `kind: 'ref'`. */
  path: string;
  kind: 'file' | 'ref';
  /** Indicator id from data/ci/indicators.json. */
  id: string;
  incident: string;
  meaning: string;
  /** Commits at which the file was present (history), or 'working tree'. */
  seenAt: string[];
  weak?: boolean;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool?: { name: 'npm-ir'; version: string };
  targets: ReportTarget[];
  findings: Finding[];
  builds: Build[];
  secrets: SecretExposure[];
  gaps: ReportGap[];
  /** Non-fatal notes: withdrawn advisories skipped, conflicting ranges, warnings from readers. */
  notes?: { code: string; message: string; source?: string }[];
  /** What was scanned, for the reader of the report. */
  scanned?: { repos: number; lockfiles: number; blobs?: number; commits?: number };
  /** Repositories that publish npm packages (see PublishingRepo). */
  publishing?: PublishingRepo[];
  /** Indicators of compromise found in the affected repositories. */
  indicators?: Indicator[];
}

export function emptyReport(): Report {
  return { schemaVersion: SCHEMA_VERSION, targets: [], findings: [], builds: [], secrets: [], gaps: [] };
}
