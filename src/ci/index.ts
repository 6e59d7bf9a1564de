/**
 * CI secret exposure: the reader registry (which file paths each reader takes) and the one entry point,
 * `analyzeRepoSecrets`. A new CI system is a reader in readers/<system>.ts, one line in READERS and a
 * fixture folder.
 */
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretExposure } from '../report/model.js';
import type { Gap } from '../types.js';
import { analyzeParses, type AnalyzeOptions } from './analysis.js';
import { isCiGap, type CiParse, type CiReaderEntry, type RepoFiles } from './model.js';
import { isGithubWorkflow, readGithubWorkflow } from './readers/github-actions.js';
import { isRepoCredentialFile, readRepoFile } from './readers/repo-files.js';
import { gitlabCiReader } from './readers/gitlab-ci.js';
import { jenkinsReader } from './readers/jenkins.js';
import { dockerfileReader } from './readers/dockerfile.js';
import { circleciReader } from './readers/circleci.js';
import { azurePipelinesReader } from './readers/azure-pipelines.js';
import { bitbucketReader } from './readers/bitbucket.js';
import { travisReader } from './readers/travis.js';
import { runRules, type RuleFinding } from './rules/registry.js';

export const READERS: CiReaderEntry[] = [
  { system: 'github-actions', description: 'GitHub Actions workflows (.github/workflows/*.yml), local actions and reusable workflows', match: isGithubWorkflow, read: readGithubWorkflow },
  { system: 'repo-file', description: '.npmrc, .yarnrc.yml, .yarnrc, bunfig.toml, .env*, package.json, pnpm-workspace.yaml', match: isRepoCredentialFile, read: readRepoFile },
  gitlabCiReader,
  jenkinsReader,
  dockerfileReader,
  circleciReader,
  azurePipelinesReader,
  bitbucketReader,
  travisReader,
];

/** The reader for a path, or undefined. */
export function readerFor(path: string, readers: CiReaderEntry[] = READERS): CiReaderEntry | undefined {
  return readers.find((r) => r.match(path));
}

export interface RepoSecretsOptions extends AnalyzeOptions {
  /** Override the reader list (tests, or other systems registered by the caller). */
  readers?: CiReaderEntry[];
}

export interface RepoSecretsResult {
  secrets: SecretExposure[];
  gaps: Gap[];
  /** Every CI/credential file read (including local actions and called workflows). */
  ciFiles: string[];
  /** zizmor-style rule findings per workflow (src/ci/rules). */
  flags: RuleFinding[];
  /** The normalised parses, for callers that want the model. */
  parses: CiParse[];
}

/** Read every CI and credential file of one repository and analyse what dependency code could reach. */
export function analyzeRepoSecrets(files: RepoFiles, opts: RepoSecretsOptions): RepoSecretsResult {
  const readers = opts.readers ?? READERS;
  const parses: CiParse[] = [];
  const gaps: Gap[] = [];
  const ciFiles = new Set<string>();
  for (const path of [...files.list()].sort()) {
    const reader = readerFor(path, readers);
    if (!reader) continue;
    const text = files.read(path);
    if (text === undefined) {
      gaps.push({ repo: opts.repo, path, code: 'READ_ERROR', reason: 'listed but could not be read as text' });
      continue;
    }
    // package.json files are read for settings only: they are not CI files.
    if (!/(^|\/)package\.json$/.test(path)) ciFiles.add(path);
    const result = reader.read({ path, text }, files);
    if (isCiGap(result)) {
      gaps.push({ repo: opts.repo, ...result.gap });
      continue;
    }
    parses.push(result);
    for (const f of result.files) if (!/(^|\/)package\.json$/.test(f)) ciFiles.add(f);
    for (const g of result.gaps) gaps.push({ repo: opts.repo, ...g });
  }
  const secrets = analyzeParses(parses, opts);
  const flags = parses.flatMap((p) => p.pipelines.flatMap((pl) => runRules(pl)));
  const uniqueGaps = gaps.filter((g, i) => gaps.findIndex((h) => h.path === g.path && h.code === g.code && h.reason === g.reason) === i);
  return { secrets, gaps: uniqueGaps, ciFiles: [...ciFiles].sort(), flags, parses };
}

/** RepoFiles over an in-memory map (tests, tabletop fixtures, git blobs already read). */
export function repoFilesFromRecord(record: Record<string, string>): RepoFiles {
  return { list: () => Object.keys(record), read: (p) => record[p] };
}

/** RepoFiles over a working tree (skips node_modules and .git; no symlinks followed). */
export function worktreeRepoFiles(root: string): RepoFiles {
  const paths: string[] = [];
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // unreadable folders are reported by discovery as gaps
    }
    for (const name of names.sort()) {
      if (name === 'node_modules' || name === '.git') continue;
      const abs = join(dir, name);
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        continue;
      }
      const r = rel ? `${rel}/${name}` : name;
      if (st.isDirectory()) walk(abs, r);
      else if (st.isFile()) paths.push(r);
    }
  };
  walk(root, '');
  const known = new Set(paths);
  return {
    list: () => paths,
    read: (p) => {
      if (!known.has(p)) return undefined;
      try {
        const buf = readFileSync(join(root, p));
        if (buf.subarray(0, 8192).includes(0)) return undefined;
        return buf.toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export { analyzeParses, sortExposures } from './analysis.js';
export type { AnalyzeOptions } from './analysis.js';
export * from './model.js';
