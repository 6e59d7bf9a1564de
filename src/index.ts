// The public API of npm-ir (re-exports only).
export * from './types.js';
export * from './errors.js';
export * from './report/model.js';
export { readLockfile, detectFormat, lockfileKind, splitConflicts, READERS, LOCKFILE_BASENAMES } from './lockfiles/index.js';
export { TargetIndex, rangeError } from './match/index.js';
export { PathFinder } from './match/paths.js';
export { discover, resolveScanRoot, type DiscoveredRepo, type Discovery } from './sources/discover.js';
export { scope, exitCodeFor, finalizeReport, type ScopeOptions, type ScopeProgress } from './scope/index.js';
export { renderTable } from './report/table.js';
export { escapeTerminal, escapeMarkdown, escapeCsvCell, markdownCode } from './report/escape.js';
export * from './targets/index.js';
export * from './generate/lockfiles.js';
export { VERSION } from './version.js';
