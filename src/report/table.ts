/**
 * The default human output of `scope`: a readable table. Pure (report) -> string; every cell of
 * attacker-controlled text goes through escapeTerminal.
 */
import { escapeTerminal as esc } from './escape.js';
import type { Finding, Report } from './model.js';

function table(header: string[], rows: string[][], maxWidth = 60): string {
  const cells = [header, ...rows].map((r) => r.map((c) => (c.length > maxWidth ? c.slice(0, maxWidth - 1) + '…' : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

const day = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : 'open');

function via(f: Finding): string {
  return howReached(f) + (f.installScript ? ' [install script]' : '');
}

function howReached(f: Finding): string {
  if (f.direct) return 'direct';
  const p = f.paths[0];
  if (!p) return 'transitive';
  const chain = p.slice(0, -1).map(esc).join(' > ');
  const more = f.paths.length - 1 + (f.morePaths ?? 0);
  return `via ${chain}${more > 0 ? ` (+${more})` : ''}`;
}

function now(f: Finding): string {
  if (f.present === null) return 'bare repo';
  return f.present ? 'PRESENT' : 'history only';
}

export function renderTable(report: Report): string {
  const out: string[] = [];
  const repos = new Set(report.findings.map((f) => f.repo));
  const lockfiles = new Set(report.findings.map((f) => `${f.repo}\0${f.lockfile}`));
  const targetsLabel =
    report.targets.length <= 3
      ? report.targets.map((t) => esc(`${t.name}@${t.range}`)).join(', ')
      : `${report.targets.length} targets`;
  out.push(`npm-ir scope: ${targetsLabel}`);
  const scanned = report.scanned;
  if (scanned) {
    const parts = [`${scanned.repos} repo(s)`, `${scanned.lockfiles} lockfile(s)`];
    if (scanned.commits !== undefined) parts.push(`${scanned.commits} commit(s)`);
    if (scanned.blobs !== undefined) parts.push(`${scanned.blobs} distinct lockfile version(s)`);
    out.push(`scanned ${parts.join(', ')}`);
  }
  out.push('');
  if (report.findings.length === 0) {
    out.push(report.gaps.length ? 'NOT FOUND in what could be read; some places could not be read (see GAPS).' : 'NOT FOUND: no scanned lockfile resolves a target.');
  } else {
    out.push(`AFFECTED: ${report.findings.length} finding(s) in ${lockfiles.size} lockfile(s) of ${repos.size} repo(s)`);
    out.push('');
    out.push(
      table(
        ['REPO', 'LOCKFILE', 'PACKAGE', 'HOW', 'LINE', 'NOW'],
        report.findings.map((f) => [
          esc(f.repo),
          esc(f.lockfile),
          esc(`${f.package}@${f.version}`) + (f.alias ? ` (as ${esc(f.alias)})` : ''),
          via(f),
          String(f.line),
          now(f),
        ]),
      ),
    );
    const withHistory = report.findings.filter((f) => f.history);
    if (withHistory.length) {
      out.push('');
      out.push('HISTORY (exposure windows; tags built from exposed code)');
      out.push(
        table(
          ['REPO', 'LOCKFILE', 'PACKAGE', 'FIRST SEEN (UTC)', 'REMOVED (UTC)', 'COMMITS', 'BRANCHES STILL AFFECTED', 'TAGS'],
          withHistory.map((f) => {
            const h = f.history!;
            const live = h.refs.filter((r) => r.affectedAtTip && !r.name.startsWith('refs/tags/')).map((r) => esc(r.name.replace(/^refs\/(heads|remotes)\//, '')));
            return [
              esc(f.repo),
              esc(f.lockfile),
              esc(`${f.package}@${f.version}`),
              day(h.firstSeen ?? h.introduced[0]?.date),
              h.lastSeen === null || h.lastSeen === undefined ? 'still open' : day(h.lastSeen),
              String(h.affectedCommits),
              live.length ? live.join(', ') : '-',
              h.tags.length ? h.tags.map(esc).join(', ') : '-',
            ];
          }),
          48,
        ),
      );
    }
  }
  if (report.indicators?.length) {
    out.push('');
    out.push(`INDICATORS OF COMPROMISE (${report.indicators.length}): the attacker's own files or branches; contain them first`);
    out.push(
      table(
        ['REPO', 'KIND', 'PATH', 'INCIDENT', 'MEANING'],
        report.indicators.map((i) => [esc(i.repo), i.kind, esc(i.path), esc(i.incident), esc(i.meaning)]),
        70,
      ),
    );
  }
  if (report.builds.length) {
    out.push('');
    out.push(`BUILDS THAT RAN AFFECTED COMMITS (${report.builds.length})`);
    out.push(
      table(
        ['REPO', 'BUILD', 'COMMIT', 'WORKFLOW', 'STARTED (UTC)', 'URL'],
        report.builds.map((b) => [esc(b.repo), esc(b.id), b.commit.slice(0, 12), esc(b.workflow ?? '-'), day(b.startedAt), esc(b.url ?? '-')]),
        70,
      ),
    );
  }
  if (report.secrets.length) {
    out.push('');
    out.push(`SECRETS AVAILABLE TO AFFECTED INSTALLS (${report.secrets.length}; rotate T0 first)`);
    out.push(
      table(
        ['TIER', 'REPO', 'NAME', 'KIND', 'WHERE'],
        report.secrets.map((s) => [
          s.tier,
          esc(s.repo),
          esc(s.name),
          esc(s.kind),
          esc(`${s.file}:${s.line}${s.job ? ` job ${s.job}` : ''}${s.step ? ` step ${s.step}` : ''}`),
        ]),
        70,
      ),
    );
  }
  if (report.gaps.length) {
    out.push('');
    out.push(`GAPS: ${report.gaps.length} place(s) could not be read; they are NOT known to be clean`);
    out.push(
      table(
        ['REPO', 'PATH', 'COMMIT', 'CODE', 'REASON'],
        report.gaps.map((g) => [esc(g.repo ?? '-'), esc(g.path), g.commit ? g.commit.slice(0, 12) : '-', g.code, esc(g.reason)]),
        90,
      ),
    );
  }
  const notes = report.notes?.filter((n) => n.code === 'RANGE_CONFLICT' || n.code === 'WITHDRAWN' || n.code === 'MERGE_CONFLICT' || n.code === 'NEWER_FORMAT' || n.code === 'INSIDE_WORK_TREE' || n.code === 'ROOT_DEPS_UNKNOWN') ?? [];
  if (notes.length) {
    out.push('');
    out.push('NOTES');
    for (const n of notes) out.push(`- ${n.code}: ${esc(n.message)}${n.source ? ` (${esc(n.source)})` : ''}`);
  }
  return out.join('\n') + '\n';
}
