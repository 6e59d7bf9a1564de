/**
 * Who owns each finding: CODEOWNERS (GitHub and GitLab syntax) for the lockfile's path, else a teams file
 * (`--teams FILE`) mapping repository globs to teams, else `unowned`.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { UsageError } from '../errors.js';
import type { Finding, Report } from './model.js';

/** Where GitHub (first three, in its order of precedence) and GitLab look for CODEOWNERS. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'] as const;

export interface CodeownersRule {
  pattern: string;
  /** `@user`, `@org/team`, `@group/subgroup` or an email; empty when the pattern explicitly has no owner. */
  owners: string[];
  /** 1-based line in the CODEOWNERS file. */
  line: number;
  /** GitLab section name, when inside one. */
  section?: string;
  /** In a GitLab optional section (`^[Section]`). */
  optional?: boolean;
  /** Compiled pattern. */
  regex: RegExp;
}

export interface Codeowners {
  rules: CodeownersRule[];
  /** Lines that could not be understood (they are skipped; GitHub also ignores them). */
  errors: { line: number; message: string }[];
}

export interface OwnerMatch {
  owners: string[];
  rule: CodeownersRule;
}

const OWNER = /^(@[\w.-]+(\/[\w./-]+)?|@@[\w-]+|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/** Split a CODEOWNERS line into tokens, honouring `\ ` (escaped space) and `\#`, stopping at an unescaped `#`. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === '#') {
      break;
    } else if (c === ' ' || c === '\t') {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Compile a gitignore-style CODEOWNERS pattern. A leading `/` or a slash inside the pattern anchors it to the
 * repository root, otherwise it matches at any depth; a trailing `/` matches a directory and everything in
 * it; a pattern that names a file or directory (not ending in `*`) also matches everything under it; `*`
 * does not cross `/`, `**` does, `?` is one character.
 */
export function compilePattern(pattern: string): RegExp {
  let p = pattern;
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith('/') || p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  let body = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      const slashAfter = p[i + 2] === '/';
      const atStart = i === 0 || p[i - 1] === '/';
      if (atStart && slashAfter) {
        body += '(?:.*/)?';
        i += 2;
      } else {
        body += '.*';
        i += 1;
      }
    } else if (c === '*') {
      body += '[^/]*';
    } else if (c === '?') {
      body += '[^/]';
    } else {
      body += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  let suffix: string;
  if (dirOnly) suffix = '/.*$';
  else if (p.endsWith('*')) suffix = '$';
  else suffix = '(?:/.*)?$';
  return new RegExp(prefix + body + suffix);
}

/** Parse CODEOWNERS text (GitHub syntax, and GitLab's `[Section]`, `^[Optional]`, `[Section][2] @default`). */
export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const errors: Codeowners['errors'] = [];
  let section: { name: string; optional: boolean; defaults: string[] } | undefined;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^(\^)?\[([^\]]+)\](?:\[\d+\])?(.*)$/.exec(line);
    if (header) {
      const defaults = tokens(header[3] ?? '');
      const bad = defaults.find((o) => !OWNER.test(o));
      if (bad) errors.push({ line: lineNo, message: `invalid owner '${bad}' in section header` });
      section = { name: header[2]!.trim(), optional: header[1] === '^', defaults: defaults.filter((o) => OWNER.test(o)) };
      continue;
    }
    const [pattern, ...rest] = tokens(line);
    if (!pattern) continue;
    const owners = rest.filter((o) => OWNER.test(o));
    for (const o of rest) if (!OWNER.test(o)) errors.push({ line: lineNo, message: `invalid owner '${o}'` });
    let regex: RegExp;
    try {
      regex = compilePattern(pattern);
    } catch {
      errors.push({ line: lineNo, message: `invalid pattern '${pattern}'` });
      continue;
    }
    rules.push({
      pattern,
      owners: owners.length === 0 && section ? [...section.defaults] : owners,
      line: lineNo,
      ...(section ? { section: section.name, optional: section.optional } : {}),
      regex,
    });
  }
  return { rules, errors };
}

/**
 * The owners of a path inside the repository (POSIX separators, no leading `./`). The LAST matching rule wins;
 * with GitLab sections, a match in a required section wins over one in an optional (`^[...]`) section.
 * Returns undefined when no rule matches; a match whose owners are empty means "explicitly unowned".
 */
export function ownerFor(lockfilePath: string, codeowners: Codeowners): OwnerMatch | undefined {
  const path = lockfilePath.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
  let required: CodeownersRule | undefined;
  let optional: CodeownersRule | undefined;
  for (const rule of codeowners.rules) {
    if (!rule.regex.test(path)) continue;
    if (rule.optional) optional = rule;
    else required = rule;
  }
  const rule = required ?? optional;
  return rule ? { owners: rule.owners, rule } : undefined;
}

/** Pick the CODEOWNERS file of a repository, given a reader of its files (GitHub precedence, then GitLab's). */
export function pickCodeowners(read: (path: string) => string | undefined): { path: string; text: string } | undefined {
  for (const path of CODEOWNERS_LOCATIONS) {
    const text = read(path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

export interface TeamEntry {
  name: string;
  /** Globs over the Report's `repo` paths (`*` within a path segment, `**` across). */
  repos: string[];
  /** CODEOWNERS owners (`@org/team`, emails) that mean this team. */
  handles: string[];
  contact?: string;
}

export interface TeamsConfig {
  teams: TeamEntry[];
}

function globRegex(glob: string): RegExp {
  return compilePattern(glob.startsWith('/') ? glob : '/' + glob);
}

/**
 * Parse a teams file: `teams: { <team>: { repos: [globs], contact: "...", handles: ["@org/team"] } }`.
 * Throws a UsageError naming the file for anything else.
 */
export function parseTeams(text: string, path = '<teams>'): TeamsConfig {
  let data: unknown;
  try {
    data = yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: path });
  } catch (e) {
    const reason = e instanceof yaml.YAMLException ? e.reason : String(e);
    throw new UsageError(`invalid teams file: YAML: ${reason}`, { path, cause: e });
  }
  const fail = (msg: string): never => {
    throw new UsageError(`invalid teams file: ${msg}`, { path });
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail('expected a mapping with a `teams` key');
  const teams = (data as Record<string, unknown>).teams;
  if (!teams || typeof teams !== 'object' || Array.isArray(teams)) return fail('`teams` must be a mapping of team names');
  const out: TeamEntry[] = [];
  const strings = (v: unknown, where: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return fail(`${where} must be a list of strings`);
    return v as string[];
  };
  for (const [name, value] of Object.entries(teams as Record<string, unknown>)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return fail(`teams.${name} must be a mapping`);
    const v = value as Record<string, unknown>;
    for (const key of Object.keys(v)) {
      if (!['repos', 'contact', 'handles'].includes(key)) fail(`teams.${name}: unknown key '${key}'`);
    }
    if (v.contact !== undefined && typeof v.contact !== 'string') fail(`teams.${name}.contact must be a string`);
    out.push({
      name,
      repos: strings(v.repos, `teams.${name}.repos`),
      handles: strings(v.handles, `teams.${name}.handles`),
      ...(typeof v.contact === 'string' ? { contact: v.contact } : {}),
    });
  }
  return { teams: out };
}

export function loadTeams(path: string): TeamsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read teams file (${(e as NodeJS.ErrnoException).code ?? 'READ_ERROR'})`, { path, cause: e });
  }
  return parseTeams(text, path);
}

/** The first team (in file order) one of whose repo globs matches the repo path. */
export function teamForRepo(repo: string, teams: TeamsConfig): TeamEntry | undefined {
  const path = repo.replace(/^\.\//, '');
  return teams.teams.find((t) => t.repos.some((g) => globRegex(g).test(path)));
}

export interface AssignOwnersOptions {
  /** CODEOWNERS text per repo (the Report's `repo` value). */
  codeownersByRepo: Map<string, string>;
  teams?: TeamsConfig;
}

/**
 * Fill `finding.owner` for every finding: CODEOWNERS of the finding's repo for its lockfile path first (a team
 * whose `handles` lists one of the owners gives its name and contact), then the teams file's repo globs, then
 * `{ team: 'unowned', source: 'unowned' }`. Returns a new Report; the input is not modified.
 */
export function assignOwners(report: Report, opts: AssignOwnersOptions): Report {
  const parsed = new Map<string, Codeowners>();
  const codeownersOf = (repo: string): Codeowners | undefined => {
    const text = opts.codeownersByRepo.get(repo);
    if (text === undefined) return undefined;
    let c = parsed.get(repo);
    if (!c) parsed.set(repo, (c = parseCodeowners(text)));
    return c;
  };
  const findings = report.findings.map((f): Finding => {
    const owner = ownerOf(f, codeownersOf(f.repo), opts.teams);
    return { ...f, owner };
  });
  return { ...report, findings };
}

function ownerOf(f: Finding, codeowners: Codeowners | undefined, teams: TeamsConfig | undefined): NonNullable<Finding['owner']> {
  const match = codeowners ? ownerFor(f.lockfile, codeowners) : undefined;
  if (match && match.owners.length > 0) {
    const rule = `CODEOWNERS:${match.rule.line} ${match.rule.pattern}`;
    const team = teams?.teams.find((t) => t.handles.some((h) => match.owners.some((o) => o.toLowerCase() === h.toLowerCase())));
    if (team) return { team: team.name, ...(team.contact ? { contact: team.contact } : {}), source: 'CODEOWNERS', rule };
    return { team: match.owners.join(' '), contact: match.owners.join(' '), source: 'CODEOWNERS', rule };
  }
  const team = teams ? teamForRepo(f.repo, teams) : undefined;
  if (team) return { team: team.name, ...(team.contact ? { contact: team.contact } : {}), source: 'teams', rule: `teams:${team.name}` };
  return { team: 'unowned', source: 'unowned' };
}
