/**
 * Shared internal types. The versioned, external Report contract lives in src/report/model.ts;
 * these are the types that flow between the stages of the pipeline (targets -> sources -> readers
 * -> match -> evidence -> report).
 */

/** Where a text came from: a working-tree file, a git blob, a tabletop fixture. */
export interface Origin {
  /** Repository (or project) path relative to the scanned --path; '.' for the path itself. */
  repo: string;
  /** Path of the file inside the repository, POSIX separators. */
  path: string;
  /** Commit the text was read at (history sweep); absent for working-tree files. */
  commit?: string;
}

export type LockfileFormat = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm' | 'bun';

/** How an entry was resolved. Only 'registry' entries carry a registry version that advisories name. */
export type ResolutionKind = 'registry' | 'git' | 'tarball' | 'file' | 'link' | 'workspace';

/** One resolved package in a lockfile. */
export interface Entry {
  /** The real package name (aliases resolved: `string-width-cjs` -> `string-width`). */
  name: string;
  /** The resolved version; for non-registry entries whatever the lockfile says (may be empty). */
  version: string;
  /** The name the dependent used when it differs from the real name (npm: alias, node_modules folder). */
  alias?: string;
  resolved?: string;
  integrity?: string;
  kind: ResolutionKind;
  dev?: boolean;
  optional?: boolean;
  peer?: boolean;
  /**
   * The lockfile records that this version has install scripts (npm `hasInstallScript`, pnpm `requiresBuild`):
   * written when it was installed, so it says whether installs ran code even after the version is unpublished.
   */
  installScript?: boolean;
  /** 1-based line of the entry in the lockfile text. */
  line: number;
}

/**
 * The dependency graph of one lockfile, for dependency paths. Nodes are indices into `entries`.
 * Roots are the project and its workspaces/importers.
 */
export interface DepGraph {
  roots: GraphRoot[];
  /** edges[i] = indices of the entries that entries[i] depends on (resolved). */
  edges: number[][];
}

export interface GraphRoot {
  /** Display name: the root package name, or the workspace path ('.' for the root). */
  name: string;
  /** Workspace / importer path relative to the lockfile's folder ('.' for the root). */
  path: string;
  /** Direct dependencies (indices into entries), all dependency types. */
  deps: number[];
}

export interface Warning {
  code: string;
  message: string;
  line?: number;
}

/** What a reader returns for a text it understood. Unreadable texts throw a LockfileError instead. */
export interface ParseResult {
  format: LockfileFormat;
  /** The format's own version field as written ("3", "6.0", "9.0", "8", "1", ...). */
  formatVersion: string;
  entries: Entry[];
  graph?: DepGraph;
  warnings: Warning[];
}

/**
 * Optional context for a reader. Some formats (npm lockfileVersion 1, yarn classic) do not record the
 * root project's direct dependencies; the manifests beside the lockfile do. Readers must work without it
 * (then every entry no other entry depends on is treated as direct, with a warning).
 */
export interface ReadContext {
  /** Text of the package.json in the lockfile's folder. */
  manifest?: string;
  /** Texts of workspace package.json files, keyed by their folder relative to the lockfile's folder. */
  workspaceManifests?: Record<string, string>;
}

/** A lockfile reader: pure (text, origin, ctx?) -> ParseResult; throws LockfileError for a gap. */
export type LockfileReader = (text: string, origin: Origin, ctx?: ReadContext) => ParseResult;

/** A target: a package name and the versions of it that are malicious. */
export interface Target {
  name: string;
  /** A semver range (with `||`), an exact version, or '*' for every version. */
  range: string;
  /** Where the target came from: 'cli', or 'file:line' / 'file#record-id' for advisory files. */
  source: string;
  /** Advisory identifier when known (OSV id, GHSA). */
  id?: string;
}

/** A note about a target source that is not an error (withdrawn record skipped, conflicting ranges). */
export interface TargetNote {
  code: string;
  message: string;
  source: string;
}

export interface TargetSet {
  targets: Target[];
  notes: TargetNote[];
}

export type GapCode =
  | 'CORRUPT'
  | 'TRUNCATED'
  | 'EMPTY'
  | 'BINARY'
  | 'BINARY_BUN_LOCKB'
  | 'LFS_POINTER'
  | 'WRONG_FORMAT'
  | 'UNSUPPORTED_FORMAT'
  | 'PERMISSION_DENIED'
  | 'READ_ERROR'
  | 'TOO_LARGE'
  | 'SHALLOW_HISTORY'
  | 'MISSING_OBJECT'
  | 'GIT_ERROR'
  | 'CI_PARSE_ERROR'
  | 'BUILD_COMMIT_MISSING'
  | 'SYMLINK_LOOP'
  | 'SYMLINK_NOT_FOLLOWED'
  | 'NO_LOCKFILE'
  | 'NOTHING_TO_SCAN'
  | 'NOT_SWEPT'
  | 'NOT_FOUND';

export interface Gap {
  repo?: string;
  path: string;
  commit?: string;
  code: GapCode;
  reason: string;
}
