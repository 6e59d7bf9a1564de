/**
 * Tabletop scenarios as data: `playbooks/scenarios/<id>.yaml`, validated by `schemas/scenario.schema.json`.
 * YAML is read with the failsafe schema, so every scalar (versions, build ids, times) stays a string.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import yaml from 'js-yaml';
import { UsageError } from '../errors.js';
import type { GenFormat } from '../generate/lockfiles.js';
import { packageFile } from '../package-root.js';

export type Confidence = 'high' | 'medium' | 'low';

/** One commit of a repository's timeline. Dependency maps set a version, or remove the name with `"-"`. */
export interface ScenarioCommit {
  /** A label builds and other commits refer to. */
  id?: string;
  /** ISO 8601 author and committer date. */
  at: string;
  /** Branch the commit lands on (default main). Created from `from` (a branch or commit label) when new. */
  branch?: string;
  from?: string;
  /** Merge this branch into `branch` (a merge commit whose dependency state is the merged branch's). */
  merge?: string;
  message: string;
  author?: string;
  /** Direct dependencies: name -> version, or "-" to remove. */
  deps?: Record<string, string>;
  devDeps?: Record<string, string>;
  /** Transitive resolutions: name -> version the lockfile resolves instead of the catalog's; "-" clears the override. */
  transitive?: Record<string, string>;
  /** Extra files: path -> content, or "-" to delete. */
  files?: Record<string, string>;
  /** Lightweight tags put on this commit. */
  tags?: string[];
}

export interface ScenarioCi {
  /** Path in the repository, e.g. .github/workflows/ci.yml. */
  file: string;
  /** A built-in template (see src/tabletop/ci-templates.ts) or literal workflow text. */
  template?: 'test' | 'publish' | 'deploy';
  text?: string;
  /** Secret names the workflow uses (templates put them in the job env). */
  secrets?: string[];
}

export interface ScenarioRepo {
  name: string;
  team: string;
  codeowners?: string[];
  format: GenFormat;
  /** npm only: "1" writes a 2018-era lockfileVersion 1 file; default "3". */
  lockfileVersion?: '1' | '3';
  /** The npm package the repository publishes (omitted: a private app). */
  publishes?: { name: string; version: string };
  /** Synthetic filler packages in the lockfile (default 12; scaled by --lockfile-packages). */
  filler?: string;
  /** `.npmrc` with `${NPM_TOKEN}` auth (for publishing repos). */
  npmrc?: 'auth' | 'none';
  ci?: ScenarioCi[];
  history: ScenarioCommit[];
}

export interface ScenarioRelease {
  package: string;
  /** Exact malicious versions; empty with `wholePackage: "true"` for a package that is malicious as a whole. */
  versions: string[];
  wholePackage?: 'true' | 'false';
  published: string;
  removed?: string;
  aliases?: string[];
  /** Where this fact comes from. */
  source: string;
}

export interface ScenarioIndicator {
  kind: 'domain' | 'ip' | 'sha256' | 'file' | 'branch' | 'workflow' | 'runner' | 'repo-name';
  value: string;
  /** "true" when the value is a stand-in (e.g. `.example` domain) and not a real indicator. */
  illustrative?: 'true' | 'false';
  source?: string;
}

export interface ScenarioInject {
  at: string;
  text: string;
}

export interface ScenarioBuild {
  repo: string;
  id: string;
  /** A commit label, a tag or a branch of the repo (its final tip). */
  commit: string;
  at: string;
  workflow: string;
  branch?: string;
  event?: string;
  conclusion?: string;
  /** Runner name, used in runner logs. */
  runner?: string;
}

export interface ScenarioLog {
  runner: string;
  /** Build id the lines belong to. */
  build?: string;
  at: string;
  line: string;
}

export interface ExpectedStep {
  /** Playbook step id (playbooks/response.yaml). */
  step: string;
  /** Strings the step's section of a checklist must mention to count as covered. */
  mentions?: string[];
}

export interface ScenarioExpected {
  repos: string[];
  /** `repo:lockfile` */
  lockfiles: string[];
  /** `repo:tag` */
  tags: string[];
  /** `repo:run <id>` */
  builds: string[];
  /** `repo:SECRET_NAME` */
  secrets: string[];
  /** Items that are neither missed nor false alarms when reported (e.g. `*:GITHUB_TOKEN`). */
  acceptable?: { secrets?: string[]; builds?: string[]; tags?: string[] };
  /** Windows for the answer key: `repo:lockfile package@version from .. to`. */
  windows?: string[];
  checklist?: ExpectedStep[];
}

export interface Scenario {
  id: string;
  title: string;
  summary: string;
  sources: string[];
  confidence: Confidence;
  /** Caveats on the facts: what is reconstructed or illustrative. */
  notes?: string;
  /** T+0 of the exercise (the first inject, usually). */
  start: string;
  org: { name: string; repos: ScenarioRepo[] };
  /** Dependencies of packages by `name@version` -> { dep: version }. */
  catalog?: Record<string, Record<string, string>>;
  releases: ScenarioRelease[];
  indicators?: ScenarioIndicator[];
  injects: ScenarioInject[];
  builds?: ScenarioBuild[];
  logs?: ScenarioLog[];
  /** What the team should do first (goes into SCENARIO.md; no answers). */
  firstMoves?: string[];
  expected: ScenarioExpected;
}

let validator: ValidateFunction | undefined;

/** Validate parsed scenario data against schemas/scenario.schema.json: one `pointer: message` line per error. */
export function validateScenario(data: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(packageFile('schemas', 'scenario.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  }
  if (validator(data)) return checkScenario(data as Scenario);
  return (validator.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

/** Checks the schema cannot express: references between repos, commits, builds; dates that parse. */
function checkScenario(s: Scenario): string[] {
  const errors: string[] = [];
  const date = (v: string, where: string) => {
    if (Number.isNaN(Date.parse(v))) errors.push(`${where}: not an ISO date: ${v}`);
  };
  date(s.start, '/start');
  const repos = new Map(s.org.repos.map((r) => [r.name, r]));
  if (repos.size !== s.org.repos.length) errors.push('/org/repos: duplicate repository names');
  for (const [i, r] of s.org.repos.entries()) {
    for (const [k, ci] of (r.ci ?? []).entries()) {
      if ((ci.template === undefined) === (ci.text === undefined)) errors.push(`/org/repos/${i}/ci/${k}: give exactly one of template and text`);
    }
    const labels = new Set<string>();
    const branches = new Set(['main']);
    for (const [j, c] of r.history.entries()) {
      const where = `/org/repos/${i}/history/${j}`;
      date(c.at, where + '/at');
      if (c.merge && !branches.has(c.merge)) errors.push(`${where}: merges unknown branch '${c.merge}'`);
      if (c.from && !branches.has(c.from) && !labels.has(c.from)) errors.push(`${where}: from unknown branch or commit '${c.from}'`);
      branches.add(c.branch ?? 'main');
      if (c.id) {
        if (labels.has(c.id)) errors.push(`${where}: duplicate commit id '${c.id}'`);
        labels.add(c.id);
      }
      for (const t of c.tags ?? []) labels.add(t);
    }
    if (r.history.length === 0 || (r.history[0]!.branch ?? 'main') !== 'main') errors.push(`/org/repos/${i}/history: must start on main`);
  }
  for (const [i, b] of (s.builds ?? []).entries()) {
    date(b.at, `/builds/${i}/at`);
    const r = repos.get(b.repo);
    if (!r) errors.push(`/builds/${i}: unknown repo '${b.repo}'`);
    else if (!r.history.some((c) => c.id === b.commit || (c.tags ?? []).includes(b.commit) || (c.branch ?? 'main') === b.commit)) {
      errors.push(`/builds/${i}: '${b.commit}' is no commit label, tag or branch of ${b.repo}`);
    }
  }
  for (const [i, inj] of s.injects.entries()) date(inj.at, `/injects/${i}/at`);
  for (const [i, rel] of s.releases.entries()) {
    date(rel.published, `/releases/${i}/published`);
    if (rel.removed) date(rel.removed, `/releases/${i}/removed`);
  }
  for (const repo of s.expected.repos) if (!repos.has(repo)) errors.push(`/expected/repos: unknown repo '${repo}'`);
  return errors;
}

/** Parse and validate scenario YAML; throws a UsageError naming the file. */
export function parseScenario(text: string, path = '<scenario>'): Scenario {
  let data: unknown;
  try {
    data = yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: path });
  } catch (e) {
    const line = e instanceof yaml.YAMLException ? e.mark?.line + 1 : undefined;
    throw new UsageError(`invalid scenario: YAML: ${e instanceof yaml.YAMLException ? e.reason : String(e)}`, { path, line, cause: e });
  }
  const errors = validateScenario(data);
  if (errors.length) throw new UsageError(`invalid scenario: ${errors.slice(0, 3).join('; ')}`, { path });
  return data as Scenario;
}

/** The folder of bundled scenarios. */
export function scenariosDir(): string {
  return packageFile('playbooks', 'scenarios');
}

/** Ids of the bundled scenarios, sorted. */
export function listScenarioIds(): string[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/** Load a bundled scenario by id, or a scenario file by path. */
export function loadScenario(idOrPath: string): Scenario {
  const bundled = join(scenariosDir(), `${idOrPath}.yaml`);
  const file = /^[a-z0-9][a-z0-9-]*$/.test(idOrPath) && existsSync(bundled) ? bundled : idOrPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`unknown scenario '${idOrPath}' (bundled: ${listScenarioIds().join(', ')})`, { path: file });
  }
  return parseScenario(text, file);
}

/** One summary line per bundled scenario. */
export function listScenarios(): { id: string; title: string; summary: string; confidence: Confidence }[] {
  return listScenarioIds().map((id) => {
    const s = loadScenario(id);
    return { id: s.id, title: s.title, summary: s.summary.trim().split('\n')[0]!, confidence: s.confidence };
  });
}
