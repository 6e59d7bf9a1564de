/**
 * SARIF 2.1.0: one result per lockfile hit (physical location = repo/lockfile at the entry's line), one per
 * exposed CI secret, one per unread place. Rule ids `npm-ir/<rule>`. Messages are plain text with control
 * characters escaped; never a secret value.
 */
import { createHash } from 'node:crypto';
import { escapeTerminal } from '../escape.js';
import type { Finding, Report, ReportGap, SecretExposure } from '../model.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

interface RuleMeta {
  id: string;
  name: string;
  short: string;
  full: string;
  level: Level;
}

export const SARIF_RULES: readonly RuleMeta[] = [
  {
    id: 'npm-ir/malicious-version-resolved',
    name: 'MaliciousVersionResolved',
    short: 'A malicious package version is resolved by this lockfile',
    full: 'The lockfile resolves a package version named by an advisory or target as malicious. Installing from it runs the malicious code.',
    level: 'error',
  },
  {
    id: 'npm-ir/malicious-version-in-history',
    name: 'MaliciousVersionInHistory',
    short: 'A malicious package version was resolved by this lockfile in git history',
    full: 'The lockfile no longer resolves the version, but commits in history did: builds and installs from those commits ran it.',
    level: 'warning',
  },
  {
    id: 'npm-ir/secret-exposed-to-install',
    name: 'SecretExposedToInstall',
    short: 'A CI secret was available to code installed from npm',
    full: 'A credential named here was readable by (or reachable from) the process tree that ran dependency code. Rotate it, then audit its use in the exposure window.',
    level: 'error',
  },
  {
    id: 'npm-ir/unread',
    name: 'Unread',
    short: 'A place could not be read; it is not known to be clean',
    full: 'npm-ir could not read or understand this file or blob. Nothing unread is clean: read it by hand.',
    level: 'warning',
  },
];

const RULE_INDEX = new Map(SARIF_RULES.map((r, i) => [r.id, i]));

/** A relative URI reference for repo/path, each segment percent-encoded. */
export function artifactUri(repo: string | undefined, path: string): string {
  const full = repo && repo !== '.' ? `${repo}/${path}` : path;
  return full
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

function text(s: string): string {
  return escapeTerminal(s);
}

function isResolved(f: Finding): boolean {
  if (f.present === true) return true;
  if (f.present === null) return (f.history?.refs ?? []).some((r) => r.affectedAtTip);
  return false;
}

function result(ruleId: string, level: Level, message: string, uri: string, line: number | undefined, fp: string) {
  return {
    ruleId,
    ruleIndex: RULE_INDEX.get(ruleId)!,
    level,
    message: { text: message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: 'SCANROOT' },
          ...(line && line > 0 ? { region: { startLine: line } } : {}),
        },
      },
    ],
    partialFingerprints: { 'npm-ir/v1': fp },
  };
}

function findingResult(f: Finding) {
  const resolved = isResolved(f);
  const rule = resolved ? 'npm-ir/malicious-version-resolved' : 'npm-ir/malicious-version-in-history';
  const h = f.history;
  const hist = h ? ` Affected commits: ${h.affectedCommits}; tags: ${h.tags.length ? h.tags.join(', ') : 'none'}.` : '';
  const msg = resolved
    ? `${f.package}@${f.version} (target ${f.target}) is resolved by ${f.lockfile} in ${f.repo} (${f.direct ? 'direct' : 'transitive'}).${hist}`
    : `${f.package}@${f.version} (target ${f.target}) was resolved by ${f.lockfile} in ${f.repo} in git history.${hist}`;
  return result(rule, resolved ? 'error' : 'warning', text(msg), artifactUri(f.repo, f.lockfile), f.line, fingerprint(f.repo, f.lockfile, f.package, f.version));
}

function secretResult(s: SecretExposure) {
  const level: Level = s.tier === 'T0' ? 'error' : s.tier === 'T4' ? 'note' : 'warning';
  const where = [s.job ? `job ${s.job}` : '', s.step ? `step ${s.step}` : ''].filter(Boolean).join(', ');
  const msg = `${s.name} (${s.kind}, ${s.tier}) was available to dependency code${where ? ` in ${where}` : ''} (${s.system}).`;
  return result('npm-ir/secret-exposed-to-install', level, text(msg), artifactUri(s.repo, s.file), s.line, fingerprint(s.repo, s.file, s.name, s.job ?? '', s.step ?? ''));
}

function gapResult(g: ReportGap) {
  const msg = `Could not read ${g.path}${g.commit ? ` at commit ${g.commit}` : ''} (${g.code}): ${g.reason}`;
  return result('npm-ir/unread', 'warning', text(msg), artifactUri(g.repo, g.path), undefined, fingerprint(g.repo ?? '', g.path, g.commit ?? '', g.code));
}

export function renderSarif(report: Report): string {
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'npm-ir',
            ...(report.tool?.version ? { version: report.tool.version, semanticVersion: report.tool.version } : {}),
            rules: SARIF_RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.full },
              defaultConfiguration: { level: r.level },
              properties: { tags: ['security', 'supply-chain', 'npm'] },
            })),
          },
        },
        originalUriBaseIds: { SCANROOT: { description: { text: 'The scanned --path' } } },
        results: [...report.findings.map(findingResult), ...report.secrets.map(secretResult), ...report.gaps.map(gapResult)],
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
