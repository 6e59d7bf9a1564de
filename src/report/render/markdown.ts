/**
 * Markdown report: summary and tables. Every Report value goes into a table code span (no live links, HTML,
 * mentions or control characters; `|` cannot end a cell).
 */
import { markdownTableCode } from '../escape.js';
import type { Report, Tier } from '../model.js';
import { findingWindow } from '../window.js';
import { cmp } from '../../compare.js';

const TIERS: Tier[] = ['T0', 'T1', 'T2', 'T3', 'T4'];

function c(text: string | undefined): string {
  return text === undefined || text === '' ? '' : markdownTableCode(text);
}


function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['None.'];
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- |').join('')}`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function renderMarkdown(report: Report): string {
  const findings = [...report.findings].sort(
    (a, b) => cmp(a.repo, b.repo) || cmp(a.lockfile, b.lockfile) || cmp(a.package, b.package) || cmp(a.version, b.version),
  );
  const repos = new Set(findings.map((f) => f.repo));
  const out: string[] = ['# npm-ir report', ''];
  out.push(
    `- Findings: ${findings.length} in ${repos.size} repo(s), ${findings.filter((f) => f.present === true).length} still present`,
    `- Builds that ran an affected commit: ${report.builds.length}`,
    `- Secret exposures: ${report.secrets.length} (${TIERS.map((t) => `${t}: ${report.secrets.filter((s) => s.tier === t).length}`).join(', ')})`,
    `- Places that could not be read: ${report.gaps.length}${report.gaps.length ? ' (not clean until read)' : ''}`,
    '',
    '## Targets',
    '',
    ...table(
      ['package', 'range', 'source'],
      report.targets.map((t) => [c(t.name), c(t.range), c(t.source)]),
    ),
    '',
    '## Findings',
    '',
    ...table(
      ['repo', 'lockfile', 'line', 'package@version', 'direct', 'present', 'first exposed', 'removed', 'tags', 'owner'],
      findings.map((f) => {
        const w = findingWindow(f);
        return [
          c(f.repo),
          c(f.lockfile),
          String(f.line),
          c(`${f.package}@${f.version}`),
          f.direct ? 'yes' : 'no',
          f.present === null ? 'unknown' : f.present ? 'yes' : 'no',
          c(w.from) || 'unknown',
          w.to === null ? 'still present' : c(w.to ?? undefined) || 'unknown',
          (f.history?.tags ?? []).map(c).join(' '),
          f.owner ? `${c(f.owner.team)}${f.owner.contact ? ' ' + c(f.owner.contact) : ''}` : '',
        ];
      }),
    ),
    '',
    '## Builds',
    '',
    ...table(
      ['repo', 'build', 'workflow', 'commit', 'started'],
      [...report.builds]
        .sort((a, b) => cmp(a.repo, b.repo) || cmp(a.id, b.id))
        .map((b) => [c(b.repo), c(b.id), c(b.workflow), c(b.commit.slice(0, 10)), c(b.startedAt)]),
    ),
    '',
    '## Secrets (names only, never values)',
    '',
    ...table(
      ['tier', 'name', 'kind', 'repo', 'where', 'job', 'step'],
      [...report.secrets]
        .sort((a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) || cmp(a.repo, b.repo) || cmp(a.name, b.name))
        .map((s) => [s.tier, c(s.name), c(s.kind), c(s.repo), c(`${s.file}:${s.line}`), c(s.job), c(s.step)]),
    ),
    '',
    '## Not read (gaps)',
    '',
    ...table(
      ['repo', 'path', 'commit', 'code', 'reason'],
      report.gaps.map((g) => [c(g.repo), c(g.path), c(g.commit?.slice(0, 10)), c(g.code), c(g.reason)]),
    ),
    '',
  );
  if (report.publishing?.length) {
    out.push(
      '## Repositories that publish npm packages',
      '',
      ...table(['repo', 'package', 'evidence'], report.publishing.map((p) => [c(p.repo), c(p.package), c(p.evidence)])),
      '',
    );
  }
  return out.join('\n');
}
