import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, copyDir, ROOT, tmpdir, writeFiles } from '../helpers/cli.js';

let work: string;
let reportFile: string;

beforeAll(() => {
  work = tmpdir('npm-ir-response-cli-');
  copyDir(path.join(ROOT, 'fixtures/demo'), path.join(work, 'org'));
  writeFiles(path.join(work, 'org/web'), {
    '.github/CODEOWNERS': '* @acme/platform\n/package-lock.json @acme/web-team\n',
    '.github/workflows/ci.yml': [
      'name: ci',
      'on: [push]',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: npm ci',
      '      - run: npm test',
      '',
    ].join('\n'),
  });
  reportFile = path.join(work, 'report.json');
  const r = cli(['scope', 'flatmap-stream@0.1.1', '--path', path.join(work, 'org'), '--out', reportFile, '--no-history']);
  expect(r.status).toBe(1);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('scope evidence', () => {
  it('adds owners from CODEOWNERS (last matching rule wins) and the secrets the install could read', () => {
    const rep = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    const web = rep.findings.find((f: { repo: string }) => f.repo === 'web');
    expect(web.owner).toMatchObject({ team: '@acme/web-team', source: 'CODEOWNERS' });
    const api = rep.findings.find((f: { repo: string }) => f.repo === 'api');
    expect(api.owner).toMatchObject({ team: 'unowned', source: 'unowned' });
    const npmToken = rep.secrets.find((s: { name: string }) => s.name === 'NPM_TOKEN');
    expect(npmToken).toMatchObject({ repo: 'web', system: 'github-actions', file: '.github/workflows/ci.yml', tier: 'T0', job: 'test' });
  });
});

describe('npm-ir checklist', () => {
  it('renders the playbook steps in order with tasks naming the exact places', () => {
    const r = cli(['checklist', reportFile]);
    expect(r.status).toBe(0);
    const headings = r.stdout.split('\n').filter((l) => l.startsWith('## '));
    expect(headings.length).toBeGreaterThanOrEqual(9);
    expect(headings[0]).toMatch(/Contain/);
    expect(r.stdout).toMatch(/- \[ \] Remove `flatmap-stream@0\.1\.1` from `package-lock\.json` in `web`/);
    expect(r.stdout).toMatch(/NPM_TOKEN/);
  });

  it('writes one checklist per team', () => {
    const dir = path.join(work, 'per-team');
    const r = cli(['checklist', reportFile, '--per-team', '--out-dir', dir]);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['checklist-_acme_web-team.md', 'checklist-unowned.md']);
  });

  it('exits 2 naming the file for something that is not a Report', () => {
    const bad = path.join(work, 'not-a-report.json');
    fs.writeFileSync(bad, '{"hello": 1}');
    const r = cli(['checklist', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-report\.json/);
  });
});

describe('npm-ir export', () => {
  it('CSV: one row per (team, repo, lockfile, package, version), parseable', () => {
    const r = cli(['export', reportFile, '--format', 'csv']);
    expect(r.status).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.repo, x.lockfile, x.package, x.version]).sort()).toEqual([
      ['api', 'yarn.lock', 'flatmap-stream', '0.1.1'],
      ['web', 'package-lock.json', 'flatmap-stream', '0.1.1'],
    ]);
    // Stable order: a second export is byte-identical.
    expect(cli(['export', reportFile, '--format', 'csv']).stdout).toBe(r.stdout);
  });

  it('SARIF: a result per lockfile hit with its line', () => {
    const r = cli(['export', reportFile, '--format', 'sarif']);
    expect(r.status).toBe(0);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const hits = sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId.startsWith('npm-ir/malicious'));
    expect(hits).toHaveLength(2);
    expect(hits[0].locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
  });

  it('rejects an unknown format with exit 2', () => {
    expect(cli(['export', reportFile, '--format', 'xml']).status).toBe(2);
  });
});

describe('npm-ir secrets', () => {
  it('says plainly when there is no CI configuration, and exits 0', () => {
    const dir = path.join(work, 'no-ci');
    copyDir(path.join(ROOT, 'fixtures/demo/worker'), dir);
    const r = cli(['secrets', '--path', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/No CI configuration or credential files found/);
  });

  it('lists exposures by tier with --json', () => {
    const r = cli(['secrets', '--path', path.join(work, 'org'), '--json']);
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.secrets.find((s: { name: string }) => s.name === 'NPM_TOKEN')).toMatchObject({ tier: 'T0', repo: 'web' });
    expect(rep.ciFiles.web).toContain('.github/workflows/ci.yml');
    expect(rep.ciFiles.api).toEqual([]);
  });
});

describe('npm-ir checklist --team', () => {
  it('rejects a team the Report does not have, naming the teams it has', () => {
    const r = cli(['checklist', reportFile, '--team', 'nosuch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no team "nosuch".*@acme\/web-team, unowned/);
  });
});
