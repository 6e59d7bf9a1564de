/**
 * The response playbook as data (playbooks/response.yaml), validated against schemas/playbook.schema.json.
 * Teams pass their own with `--playbook FILE`.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { UsageError } from '../errors.js';
import { packageFile } from '../package-root.js';

export type RuleFor =
  | 'incident'
  | 'findings'
  | 'repos'
  | 'branches'
  | 'tags'
  | 'builds'
  | 'secrets'
  | 'publishing'
  | 'gaps'
  | 'teams'
  | 'indicators';

export type RuleWhere = 'any' | 'present' | 'absent' | 'history' | 'registry' | 'rotatable';

export interface PlaybookRule {
  for: RuleFor;
  where?: RuleWhere;
  order?: 'default' | 'tier';
  /** Trusted Markdown with `{placeholder}`s filled (escaped) from the Report. */
  text: string;
}

export interface PlaybookStep {
  id: string;
  title: string;
  purpose: string;
  /** Step ids that must come after this one (e.g. remove persistence before revoking tokens). */
  mustPrecede?: string[];
  tasks: PlaybookRule[];
}

export interface SecretKindAdvice {
  id: string;
  label: string;
  class?: string;
  /** SecretExposure.kind values this advice applies to (case-insensitive). */
  kinds?: string[];
  /** Regular expressions tried (case-insensitive) on the secret's name when no kind matches. */
  names?: string[];
  rotate: string;
  audit: string;
}

export interface Playbook {
  version: '1';
  id: string;
  title: string;
  steps: PlaybookStep[];
  secretKinds?: SecretKindAdvice[];
}

/** The placeholders each rule kind can fill. */
export const PLACEHOLDERS: Record<RuleFor, readonly string[]> = {
  incident: ['window', 'targets'],
  findings: [
    'repo', 'lockfile', 'line', 'package', 'version', 'spec', 'target', 'direct', 'path', 'introduced', 'removed',
    'branches', 'tags', 'window', 'owner', 'scripts',
  ],
  repos: ['repo', 'lockfiles', 'packages', 'branches', 'tags', 'window', 'url'],
  branches: ['repo', 'branch', 'packages'],
  tags: ['repo', 'tag', 'packages'],
  builds: ['repo', 'build', 'workflow', 'commit', 'ref', 'startedAt', 'url', 'packages', 'window'],
  secrets: ['repo', 'name', 'kind', 'tier', 'where', 'rotate', 'audit', 'window'],
  publishing: ['repo', 'package', 'evidence', 'window', 'command'],
  gaps: ['repo', 'path', 'at', 'code', 'reason'],
  teams: ['team', 'contact', 'targets', 'packages', 'places'],
  indicators: ['repo', 'path', 'kind', 'incident', 'meaning', 'seenAt'],
};

/** The playbook bundled with npm-ir. */
export function defaultPlaybookPath(): string {
  return packageFile('playbooks', 'response.yaml');
}

let validator: ValidateFunction | undefined;

function validatePlaybookShape(data: unknown): string | undefined {
  if (!validator) {
    const schema = JSON.parse(readFileSync(packageFile('schemas', 'playbook.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: false, strict: true }).compile(schema);
  }
  if (validator(data)) return undefined;
  const e = validator.errors?.[0];
  if (!e) return 'does not match the playbook schema';
  const extra = e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
}

/** Checks beyond the JSON Schema: unique ids, known placeholders, valid name patterns, step order. */
function checkPlaybook(p: Playbook): string | undefined {
  const index = new Map<string, number>();
  for (const [i, step] of p.steps.entries()) {
    if (index.has(step.id)) return `/steps/${i}: duplicate step id '${step.id}'`;
    index.set(step.id, i);
  }
  for (const [i, step] of p.steps.entries()) {
    for (const later of step.mustPrecede ?? []) {
      const j = index.get(later);
      if (j === undefined) return `/steps/${i}: mustPrecede names unknown step '${later}'`;
      if (j <= i) return `/steps/${i}: step '${step.id}' must come before step '${later}'`;
    }
    for (const [k, rule] of step.tasks.entries()) {
      const allowed = PLACEHOLDERS[rule.for];
      for (const m of rule.text.matchAll(/\{([A-Za-z]+)\}/g)) {
        if (!allowed.includes(m[1]!)) {
          return `/steps/${i}/tasks/${k}: unknown placeholder {${m[1]}} for '${rule.for}' (known: ${allowed.join(', ')})`;
        }
      }
    }
  }
  const kindIds = new Set<string>();
  for (const [i, kind] of (p.secretKinds ?? []).entries()) {
    if (kindIds.has(kind.id)) return `/secretKinds/${i}: duplicate id '${kind.id}'`;
    kindIds.add(kind.id);
    for (const re of kind.names ?? []) {
      try {
        new RegExp(re, 'i');
      } catch {
        return `/secretKinds/${i}: invalid name pattern '${re}'`;
      }
    }
  }
  return undefined;
}

/**
 * Parse and validate playbook text. Throws a UsageError whose `oneLine()` is a single line naming the file
 * (`<path>: invalid playbook: <where>: <what>`).
 */
export function parsePlaybook(text: string, path = '<playbook>'): Playbook {
  let data: unknown;
  try {
    data = yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: path });
  } catch (e) {
    const reason = e instanceof yaml.YAMLException ? e.reason : String(e);
    const line = e instanceof yaml.YAMLException ? e.mark?.line + 1 : undefined;
    throw new UsageError(`invalid playbook: YAML: ${reason}`, { path, line, cause: e });
  }
  const shapeError = validatePlaybookShape(data);
  if (shapeError) throw new UsageError(`invalid playbook: ${shapeError}`, { path });
  const playbook = data as Playbook;
  const error = checkPlaybook(playbook);
  if (error) throw new UsageError(`invalid playbook: ${error}`, { path });
  return playbook;
}

/** Load a playbook file; without a path, the bundled playbooks/response.yaml. */
export function loadPlaybook(path?: string): Playbook {
  const file = path ?? defaultPlaybookPath();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'READ_ERROR';
    throw new UsageError(`cannot read playbook (${code})`, { path: file, cause: e });
  }
  return parsePlaybook(text, file);
}
