import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvRows, renderCsv, renderJson, renderMarkdown, renderReport, renderSarif } from '../../src/report/render/index.js';
import { emptyReport, type Report } from '../../src/report/model.js';
import { validateReport } from '../../src/report/schema.js';
import { UsageError } from '../../src/errors.js';
import { sampleReport, SHA } from './sample-report.js';
import { sarifValidator } from './sarif-schema.js';

describe('renderJson', () => {
  it('round-trips to the same report, with keys sorted at every level and 2-space indent', () => {
    const r = sampleReport();
    const out = renderJson(r);
    expect(JSON.parse(out)).toEqual(r);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "builds": [');
    const keys = Object.keys(JSON.parse(out) as object);
    expect(keys).toEqual([...keys].sort());
    expect(out.indexOf('"affectedCommits"')).toBeLessThan(out.indexOf('"firstSeen"'));
  });

  it('does not depend on the order keys were inserted', () => {
    const r = sampleReport();
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]))
          : v;
    const reversed = reverseKeys(r) as Report;
    expect(Object.keys(reversed)[0]).toBe('publishing');
    expect(renderJson(reversed)).toBe(renderJson(r));
  });
});

describe('renderCsv', () => {
  const expected = [
    [...CSV_COLUMNS],
    ['platform', 'api', 'services/auth/yarn.lock', 'debug', '4.4.2', 'no', 'no', '2025-09-08T10:00:00Z', '2025-09-09T12:00:00Z', 'v3.0.1 v3.0.2', '0', '1', 'platform@example.com'],
    ['unowned', 'legacy', 'pnpm-lock.yaml', 'debug', '4.4.2', 'yes', 'yes', '', 'still present', '', '0', '0', ''],
    // A scoped name starts with `@`, which spreadsheets read as a formula: the cell is guarded with a `'`.
    ['web-team', 'web', 'package-lock.json', "'@ctrl/tinycolor", '4.1.1', 'yes', 'yes', '2025-09-15T08:00:00Z', 'still present', 'v1.2.0', '1', '2', '#web-oncall'],
  ];

  it('round-trips through csv-parse to the same rows, in a stable order', () => {
    const out = renderCsv(sampleReport());
    expect(parse(out, { relax_column_count: false })).toEqual(expected);
    const reversed = sampleReport();
    reversed.findings.reverse();
    expect(renderCsv(reversed)).toBe(out);
  });

  it('parsed rows equal csvRows once the formula guard is taken off the guarded cells', () => {
    const parsed = (parse(renderCsv(sampleReport()), { columns: true }) as Record<string, string>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, /^'[=+\-@]/.test(v) ? v.slice(1) : v])),
    );
    expect(parsed).toEqual(csvRows(sampleReport()));
  });

  it('uses CRLF record delimiters and RFC 4180 quoting', () => {
    const r = sampleReport();
    r.findings[0]!.lockfile = 'a,"b".json';
    const out = renderCsv(r);
    expect(out.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(out).toContain(',"a,""b"".json",');
    expect((parse(out) as string[][])[3]![2]).toBe('a,"b".json');
  });

  it('one row per (team, repo, lockfile, package, version)', () => {
    const r = sampleReport();
    r.findings.push({ ...r.findings[0]! });
    expect((parse(renderCsv(r)) as string[][]).length).toBe(4);
    expect(renderCsv(emptyReport())).toBe(CSV_COLUMNS.join(',') + '\r\n');
  });
});

describe('renderSarif', () => {
  const validate = sarifValidator();

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const log = JSON.parse(renderSarif(sampleReport())) as unknown;
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const empty = JSON.parse(renderSarif(emptyReport())) as unknown;
    expect(validate(empty) ? [] : validate.errors).toEqual([]);
  });

  it('the schema check can fail', () => {
    const log = JSON.parse(renderSarif(sampleReport())) as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('has one result per lockfile hit at its line, with npm-ir/ rule ids and rules metadata', () => {
    type Log = {
      version: string;
      runs: {
        tool: { driver: { name: string; version: string; rules: { id: string; defaultConfiguration: { level: string } }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
        }[];
      }[];
    };
    const log = JSON.parse(renderSarif(sampleReport())) as Log;
    const run = log.runs[0]!;
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('npm-ir');
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([
      'npm-ir/malicious-version-resolved',
      'npm-ir/malicious-version-in-history',
      'npm-ir/secret-exposed-to-install',
      'npm-ir/unread',
    ]);
    const hits = run.results.filter((r) => r.ruleId.startsWith('npm-ir/malicious-'));
    expect(hits.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region?.startLine])).toEqual([
      ['npm-ir/malicious-version-resolved', 'error', 'web/package-lock.json', 120],
      ['npm-ir/malicious-version-in-history', 'warning', 'api/services/auth/yarn.lock', 42],
      ['npm-ir/malicious-version-resolved', 'error', 'legacy/pnpm-lock.yaml', 7],
    ]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(hits[0]!.message.text).toBe(
      '@ctrl/tinycolor@4.1.1 (target @ctrl/tinycolor@4.1.1 || 4.1.2) is resolved by package-lock.json in web (direct). Affected commits: 3; tags: v1.2.0.',
    );
    const secrets = run.results.filter((r) => r.ruleId === 'npm-ir/secret-exposed-to-install');
    expect(secrets.map((r) => [r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region?.startLine])).toEqual([
      ['warning', 'web/.github/workflows/ci.yml', 40],
      ['error', 'web/.github/workflows/release.yml', 31],
      ['error', 'api/.gitlab-ci.yml', 12],
      ['note', 'api/.gitlab-ci.yml', 80],
    ]);
    const gaps = run.results.filter((r) => r.ruleId === 'npm-ir/unread');
    expect(gaps.map((r) => r.message.text)).toEqual([
      'Could not read old/yarn.lock (CORRUPT): unterminated string',
      `Could not read package-lock.json at commit ${SHA.missing} (MISSING_OBJECT): blob missing from a partial clone`,
    ]);
  });

  it('a bare repository whose tip resolves the version counts as resolved; repo "." is the scan root', () => {
    const r = sampleReport();
    r.findings[1]!.present = null;
    r.findings[1]!.history!.refs[0]!.affectedAtTip = true;
    r.findings[2]!.repo = '.';
    const log = JSON.parse(renderSarif(r)) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(log.runs[0]!.results[1]!.ruleId).toBe('npm-ir/malicious-version-resolved');
    expect(log.runs[0]!.results[2]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('pnpm-lock.yaml');
  });
});

describe('renderMarkdown', () => {
  it('summarises and tabulates findings, builds, secrets and gaps', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain('- Findings: 3 in 3 repo(s), 2 still present\n');
    expect(md).toContain('- Secret exposures: 4 (T0: 2, T1: 1, T2: 0, T3: 0, T4: 1)\n');
    expect(md).toContain('| `web` | `package-lock.json` | 120 | `@ctrl/tinycolor@4.1.1` | yes | yes | `2025-09-15T08:00:00Z` | still present | `v1.2.0` | `web-team` `#web-oncall` |');
    expect(md).toContain('| `api` | `services/auth/yarn.lock` | 42 | `debug@4.4.2` | no | no | `2025-09-08T10:00:00Z` | `2025-09-09T12:00:00Z` | `v3.0.2` `v3.0.1` | `platform` `platform@example.com` |');
    expect(md).toContain('| T0 | `NPM_TOKEN` | `npm-token` | `web` | `.github/workflows/release.yml:31` | `publish` | `npm ci` |');
    expect(md).toContain('| `api` | `package-lock.json` | `d4e5f60718` | `MISSING_OBJECT` | `blob missing from a partial clone` |');
    expect(md).toContain('| `web` | `@acme/web-widgets` | `package.json: publishConfig` |');
    expect(renderMarkdown(emptyReport())).toContain('## Findings\n\nNone.\n');
  });
});

describe('renderReport', () => {
  it('dispatches on the format and rejects an unknown one', () => {
    const r = sampleReport();
    expect(renderReport(r, 'json')).toBe(renderJson(r));
    expect(renderReport(r, 'csv')).toBe(renderCsv(r));
    expect(renderReport(r, 'markdown')).toBe(renderMarkdown(r));
    expect(renderReport(r, 'sarif')).toBe(renderSarif(r));
    expect(() => renderReport(r, 'xml' as 'json')).toThrow(UsageError);
  });
});

describe('report schema', () => {
  it('accepts the sample and empty reports and rejects broken ones item by item', () => {
    expect(validateReport(sampleReport())).toEqual([]);
    expect(validateReport(emptyReport())).toEqual([]);
    const noFindings = sampleReport() as unknown as Record<string, unknown>;
    delete noFindings.findings;
    expect(validateReport(noFindings)).toEqual([`/: must have required property 'findings' ({"missingProperty":"findings"})`]);
    const badTier = sampleReport();
    (badTier.secrets[0] as { tier: string }).tier = 'T9';
    expect(validateReport(badTier)).toEqual(['/secrets/0/tier: must be equal to one of the allowed values']);
    const withValue = sampleReport();
    withValue.secrets[0]!.value = 'npm_abc';
    expect(validateReport(withValue)).toEqual(['/secrets/0/value: must NOT be valid']);
    const badVersion = { ...sampleReport(), schemaVersion: 2 };
    expect(validateReport(badVersion)).toEqual(['/schemaVersion: must be equal to constant']);
    const extra = { ...sampleReport(), somethingNew: { ok: true } };
    expect(validateReport(extra)).toEqual([]);
  });
});
