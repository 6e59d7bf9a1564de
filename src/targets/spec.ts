/**
 * Target specs: `name@range`, `@scope/name@range`, `name`, `npm:name@range`, `ecosystem:name:version`,
 * `name:version`, `pkg:npm/name@version`. Pure string functions shared by the CLI and the text and CSV readers.
 */
import semver from 'semver';
import { UsageError } from '../errors.js';
import { rangeError } from '../match/index.js';
import { escapeTerminal } from '../report/escape.js';
import type { Target } from '../types.js';

/** Every version of the package. */
export const ALL_VERSIONS = '*';

/** Ecosystem names (OSV spellings and common aliases, lowercased) recognised as a `<ecosystem>:` prefix. */
const ECOSYSTEMS = new Set([
  'npm', 'pypi', 'maven', 'go', 'golang', 'crates.io', 'cargo', 'rubygems', 'gem', 'nuget', 'packagist',
  'composer', 'pub', 'hex', 'hackage', 'cran', 'swifturl', 'cocoapods', 'conan', 'bioconductor', 'github actions',
  'actions', 'docker', 'oci', 'debian', 'deb', 'alpine', 'rpm', 'ubuntu', 'linux', 'android', 'julia', 'vscode',
  'openvsx', 'chrome', 'gradle', 'ghc',
]);

/** Prefixes of npm dependency specs that do not name a registry package. */
const NON_REGISTRY = /^(?:[a-z][a-z0-9+.-]*:\/\/|(?:file|link|git|git\+[a-z]+|github|gitlab|bitbucket|gist|workspace|portal|patch|exec|http|https):)/i;

// Modern names are lowercase; legacy names may hold uppercase and ~'!()*. A name never starts with . or _.
const NAME_PART = /^[A-Za-z0-9~-][A-Za-z0-9._~!'()*-]*$/;
const SCOPE_PART = /^[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;

/** The result of reading one spec: a target, a spec for another ecosystem, or a reason it is bad. */
export type SpecResult =
  | { kind: 'target'; name: string; ranges: string[] }
  | { kind: 'other-ecosystem'; ecosystem: string; name: string }
  | { kind: 'error'; message: string };

/** Quote attacker-controlled text for a one-line message: control characters visible, length capped. */
export function quote(text: string): string {
  const t = text.length > 160 ? `${text.slice(0, 157)}...` : text;
  return `"${escapeTerminal(t)}"`;
}

/** Why a package name is not acceptable, or null when it is. Tolerates legacy uppercase names. */
export function packageNameError(name: string): string | null {
  if (name === '') return 'empty package name';
  if (name.length > 214) return `package name longer than 214 characters ${quote(name)}`;
  if (name !== name.trim() || /\s/.test(name)) return `invalid package name ${quote(name)}: contains whitespace`;
  if (name === 'node_modules' || name === 'favicon.ico') return `invalid package name ${quote(name)}: reserved`;
  if (name.startsWith('@')) {
    const slash = name.indexOf('/');
    const scope = slash < 0 ? '' : name.slice(1, slash);
    const rest = slash < 0 ? '' : name.slice(slash + 1);
    if (!SCOPE_PART.test(scope) || !NAME_PART.test(rest)) return `invalid package name ${quote(name)}`;
    return null;
  }
  if (!NAME_PART.test(name)) return `invalid package name ${quote(name)}`;
  return null;
}

const validated = new Map<string, string | null>();

/**
 * Why a range is not acceptable for `name`, or null. Stricter than `rangeError`: semver's loose mode drops
 * unknown words (`1.2.3 foo` -> `1.2.3`), and an empty `||` alternative or a set no version satisfies
 * (`1.0.1 1.0.2`) would silently match everything or nothing.
 */
export function versionError(range: string, name: string): string | null {
  const key = range;
  let why = validated.get(key);
  if (why === undefined) {
    why = computeVersionError(range);
    if (validated.size > 10_000) validated.clear();
    validated.set(key, why);
  }
  return why === null ? null : `invalid version ${quote(range)} for ${quote(name)}${why ? `: ${why}` : ''}`;
}

function computeVersionError(range: string): string | null {
  if (range === ALL_VERSIONS) return null;
  if (range.trim() === '') return 'empty';
  if (rangeError(range) !== null) return '';
  if (semver.valid(range)) return null;
  const sets = range.split('||');
  if (sets.some((s) => s.trim() === '')) return 'empty alternative in "||"';
  let parsed: semver.Range;
  try {
    parsed = new semver.Range(range, { includePrerelease: true });
  } catch {
    return '';
  }
  for (const set of parsed.set) {
    const one = new semver.Range(set.map((c) => c.value).join(' ') || '*', { includePrerelease: true });
    if (semver.minVersion(one) === null) return 'no version satisfies it';
  }
  return null;
}

function isExact(v: string): boolean {
  return semver.valid(v) !== null;
}

const OPERATOR = /^(?:[<>]=?|=|~|\^)/;

/**
 * Split the version part of a spec into ranges: `1.0.1, 1.0.2` and `1.0.1 1.0.2` -> two exact versions;
 * GHSA API style `>= 1.2.9, < 1.3.0` -> one range; `>=1.2.9 <1.3.0 || 1.3.9` stays one range; `*`, `x`, ``
 * -> every version. Exact versions are normalised (`v1.2.3` -> `1.2.3`). Not validated.
 */
export function splitVersions(text: string): string[] {
  const t = unquote(text.trim());
  if (t === '' || t === '*' || t === 'x' || t === 'X') return [ALL_VERSIONS];
  if (t.includes('||')) return [collapse(t.split('||').map(andCommas).join(' || '))];
  const parts = t.split(/[,;]/).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return [ALL_VERSIONS];
  const tokens = parts.flatMap((p) => p.split(/\s+/));
  if (tokens.every(isExact)) return tokens.map((v) => semver.valid(v)!);
  if (parts.length === 1) return [collapse(parts[0]!)];
  if (parts.every((p) => OPERATOR.test(p))) return [collapse(parts.join(' '))];
  return parts.map((p) => (isExact(p) ? semver.valid(p)! : collapse(p)));
}

/** `>= 1.2.9, < 1.3.0` -> `>= 1.2.9 < 1.3.0`; any other comma is left for validation to reject. */
function andCommas(alt: string): string {
  if (!/[,;]/.test(alt)) return alt.trim();
  const parts = alt.split(/[,;]/).map((p) => p.trim());
  return parts.every((p) => OPERATOR.test(p)) ? parts.join(' ') : alt.trim();
}

function collapse(range: string): string {
  const r = range.replace(/\s+/g, ' ').replace(/(^|[\s|])([<>]=?|=|~|\^)\s+(?=\S)/g, '$1$2').trim();
  if (r === '*' || r === 'x' || r === 'X') return ALL_VERSIONS;
  return r;
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1).trim();
  return s;
}

/** Split `name@range` (scoped or not) into name and version text; version is null when there is no `@`. */
function splitAt(text: string): { name: string; version: string | null } {
  const at = text.indexOf('@', text.startsWith('@') ? 1 : 0);
  if (at < 0) return { name: text, version: null };
  return { name: text.slice(0, at), version: text.slice(at + 1) };
}

/** Read one spec. Never throws. */
export function readSpec(spec: string): SpecResult {
  const text = unquote(spec.trim());
  if (text === '') return { kind: 'error', message: 'empty target' };
  if (/[\u0000-\u001f\u007f]/.test(text)) return { kind: 'error', message: `control characters in ${quote(text)}` };

  if (/^pkg:/i.test(text)) return readPurl(text);
  if (NON_REGISTRY.test(text)) return { kind: 'error', message: `${quote(text)} is a URL or path, not a registry package` };

  let ecosystem = 'npm';
  let body = text;
  let version: string | null = null;
  const parts = text.split(':');
  if (parts.length === 3) {
    ecosystem = parts[0]!.trim();
    body = parts[1]!.trim();
    version = parts[2]!;
  } else if (parts.length === 2) {
    // `docker:1.0.0` is npm's docker at 1.0.0; `pypi:requests` and `npm:debug@4.4.2` carry an ecosystem.
    if (!isExact(parts[1]!.trim()) && ECOSYSTEMS.has(parts[0]!.trim().toLowerCase())) {
      ecosystem = parts[0]!.trim();
      body = parts[1]!.trim();
    } else {
      body = parts[0]!.trim();
      version = parts[1]!;
    }
  } else if (parts.length > 3) {
    return { kind: 'error', message: `too many ":" in ${quote(text)}` };
  }
  if (ecosystem === '') return { kind: 'error', message: `empty ecosystem in ${quote(text)}` };

  if (version === null) {
    const s = splitAt(body);
    body = s.name;
    version = s.version;
  }
  if (ecosystem.toLowerCase() !== 'npm') return { kind: 'other-ecosystem', ecosystem, name: body };
  return finish(body, version);
}

function readPurl(text: string): SpecResult {
  // pkg:type/namespace/name@version?qualifiers#subpath
  const m = /^pkg:([^/]+)\/([^?#]+?)(?:@([^?#]*))?(?:[?#].*)?$/i.exec(text);
  if (!m) return { kind: 'error', message: `invalid package URL ${quote(text)}` };
  let name: string;
  try {
    name = m[2]!.split('/').map(decodeURIComponent).join('/');
  } catch {
    return { kind: 'error', message: `invalid package URL ${quote(text)}` };
  }
  if (m[1]!.toLowerCase() !== 'npm') return { kind: 'other-ecosystem', ecosystem: m[1]!, name };
  let version: string | null = null;
  if (m[3] !== undefined) {
    try {
      version = decodeURIComponent(m[3]);
    } catch {
      return { kind: 'error', message: `invalid package URL ${quote(text)}` };
    }
  }
  return finish(name, version);
}

function finish(name: string, version: string | null): SpecResult {
  const nameWhy = packageNameError(name);
  if (nameWhy) return { kind: 'error', message: nameWhy };
  if (version !== null && version.trim() === '') {
    return { kind: 'error', message: `empty version for ${quote(name)} (write ${quote(`${name}@*`)} for every version)` };
  }
  const ranges = version === null ? [ALL_VERSIONS] : splitVersions(version);
  const why = rangesError(ranges, name);
  if (why) return { kind: 'error', message: why };
  return { kind: 'target', name, ranges };
}

/** The first reason one of `ranges` is not acceptable for `name`, or null. */
export function rangesError(ranges: string[], name: string): string | null {
  for (const r of ranges) {
    const why = versionError(r, name);
    if (why && /^[a-z][a-z0-9._-]*$/i.test(r)) {
      return `invalid version ${quote(r)} for ${quote(name)}: a dist-tag names no fixed version`;
    }
    if (why) return why;
  }
  return null;
}

/**
 * Parse a CLI target spec into one Target (several versions are joined with `||`). Throws a UsageError naming
 * the spec when the name or range is invalid or the spec is for another ecosystem.
 */
export function parseSpec(spec: string, source = 'cli'): Target {
  const r = readSpec(spec);
  if (r.kind === 'error') throw new UsageError(`invalid target ${quote(spec)}: ${r.message}`);
  if (r.kind === 'other-ecosystem') {
    throw new UsageError(`invalid target ${quote(spec)}: ecosystem ${quote(r.ecosystem)} is not supported (npm only)`);
  }
  return { name: r.name, range: r.ranges.join(' || '), source };
}
