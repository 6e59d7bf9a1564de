import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestOf, syntheticProject, writeLockfile } from '../../src/generate/lockfiles.js';
import { validateReport } from '../../src/report/schema.js';
import { cli, copyDir, ROOT, tmpdir, writeFiles } from '../helpers/cli.js';

const DEMO = path.join(ROOT, 'fixtures/demo');
let work: string;

beforeAll(() => {
  work = tmpdir('npm-ir-scope-cli-');
  // An organisation with the demo projects, one clean project, and a project with an unreadable lockfile.
  copyDir(DEMO, path.join(work, 'org'));
  copyDir(path.join(DEMO, 'worker'), path.join(work, 'clean/worker'));
  copyDir(path.join(DEMO, 'worker'), path.join(work, 'partial/worker'));
  writeFiles(path.join(work, 'partial'), { 'broken/package-lock.json': '{\n  "name": "broken",\n  "lockfileVersion": 3,\n  "packages": {\n    "": {' });
  // A project resolving @ctrl/tinycolor 4.1.0 (clean) and 4.1.1 (malicious) in two lockfiles.
  const p410 = syntheticProject({ name: 'ui', size: 5, seed: 3, extra: { '@ctrl/tinycolor': '4.1.0' } });
  const p411 = syntheticProject({ name: 'ui-next', size: 5, seed: 4, extra: { '@ctrl/tinycolor': '4.1.1' } });
  writeFiles(path.join(work, 'tiny'), {
    'ui/package.json': manifestOf(p410),
    'ui/package-lock.json': writeLockfile('npm', p410),
    'ui-next/package.json': manifestOf(p411),
    'ui-next/pnpm-lock.yaml': writeLockfile('pnpm', p411),
  });
  writeFiles(path.join(work, 'adv'), {
    'list.txt': '# event-stream incident\nflatmap-stream@0.1.1\nnpm:event-stream:3.3.6\n',
    'list.csv': 'package_name,versions,vendors\nevent-stream,"3.3.6, 3.3.7",x\n',
    'whole.json': JSON.stringify({
      id: 'MAL-0000-flatmap',
      modified: '2018-11-26T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'flatmap-stream' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
    }),
    'conflict.json': JSON.stringify({
      id: 'MAL-0000-tinycolor',
      modified: '2025-09-16T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: '@ctrl/tinycolor' },
          ranges: [
            { type: 'SEMVER', events: [{ introduced: '0' }] },
            { type: 'SEMVER', events: [{ introduced: '4.1.1' }, { last_affected: '4.1.2' }] },
          ],
        },
      ],
    }),
    'bad.txt': 'left-pad@1.3.0\nthis is @@ not a spec\n',
  });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function json(stdout: string) {
  const data = JSON.parse(stdout);
  // Every Report the CLI prints validates against the published JSON Schema.
  expect(validateReport(data)).toEqual([]);
  return data as {
    schemaVersion: number;
    targets: { name: string; range: string; source: string }[];
    findings: Record<string, unknown>[];
    builds: unknown[];
    secrets: unknown[];
    gaps: { repo?: string; path: string; code: string; reason: string }[];
    notes?: { code: string; message: string }[];
  };
}

describe('npm-ir scope (CLI)', () => {
  it('exits 1 and reports every affected lockfile with the v1 Report fields', () => {
    const r = cli(['scope', 'flatmap-stream@0.1.1', 'event-stream@3.3.6', '--path', path.join(work, 'org'), '--json', '--no-history']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const rep = json(r.stdout);
    expect(rep.schemaVersion).toBe(1);
    expect(rep.targets.map((t) => `${t.name}@${t.range}`)).toEqual(['event-stream@3.3.6', 'flatmap-stream@0.1.1']);
    expect(rep.findings.map((f) => [f.repo, f.lockfile, f.format, f.package, f.version, f.direct, f.present])).toEqual([
      ['api', 'yarn.lock', 'yarn-classic', 'event-stream', '3.3.6', true, true],
      ['api', 'yarn.lock', 'yarn-classic', 'flatmap-stream', '0.1.1', false, true],
      ['web', 'package-lock.json', 'npm', 'event-stream', '3.3.6', true, true],
      ['web', 'package-lock.json', 'npm', 'flatmap-stream', '0.1.1', false, true],
    ]);
    const fm = rep.findings.find((f) => f.repo === 'web' && f.package === 'flatmap-stream')!;
    expect(fm.paths).toEqual([['web', 'event-stream', 'flatmap-stream']]);
    expect(fm.target).toBe('flatmap-stream@0.1.1');
    expect(typeof fm.line).toBe('number');
    expect(rep.builds).toEqual([]);
    expect(rep.gaps).toEqual([]);
  });

  it('prints a readable table by default, with the chain and the line', () => {
    const r = cli(['scope', 'flatmap-stream', '--path', path.join(work, 'org'), '--no-history']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/AFFECTED: 2 finding\(s\) in 2 lockfile\(s\) of 2 repo\(s\)/);
    expect(r.stdout).toMatch(/web\s+package-lock\.json\s+flatmap-stream@0\.1\.1\s+via web > event-stream\s+\d+\s+PRESENT/);
  });

  it('exits 0 when nothing resolves a target and everything was read', () => {
    const r = cli(['scope', 'flatmap-stream', '--path', path.join(work, 'clean'), '--json', '--no-history']);
    expect(r.status).toBe(0);
    const rep = json(r.stdout);
    expect(rep.findings).toEqual([]);
    expect(rep.gaps).toEqual([]);
  });

  it('exits 3 when not found but a lockfile could not be read, naming it as a gap', () => {
    const r = cli(['scope', 'flatmap-stream', '--path', path.join(work, 'partial'), '--json', '--no-history']);
    expect(r.status).toBe(3);
    const rep = json(r.stdout);
    expect(rep.findings).toEqual([]);
    expect(rep.gaps).toHaveLength(1);
    expect(rep.gaps[0]).toMatchObject({ repo: 'broken', path: 'package-lock.json', code: 'TRUNCATED' });
  });

  it('writes the JSON Report with --out as well as the table', () => {
    const out = path.join(work, 'report.json');
    const r = cli(['scope', 'event-stream@3.3.6', '--path', path.join(work, 'org'), '--out', out, '--no-history']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/AFFECTED/);
    expect(json(fs.readFileSync(out, 'utf8')).findings).toHaveLength(2);
  });

  it('gives the same bytes on two runs (stable, sorted output)', () => {
    const a = cli(['scope', 'flatmap-stream', 'event-stream', '--path', path.join(work, 'org'), '--json', '--no-history']);
    const b = cli(['scope', 'event-stream', 'flatmap-stream', '--path', path.join(work, 'org'), '--json', '--no-history']);
    expect(a.stdout).toBe(b.stdout);
  });

  describe('exit 2 with a one-line error naming the place', () => {
    it.each([
      [['scope', 'left-pad@not a range!', '--path', '.'], /left-pad@not a range!/],
      [['scope', '--path', '.'], /no targets/],
      [['scope', 'x@1.0.0', '--path', '/nonexistent/npm-ir-test'], /\/nonexistent\/npm-ir-test/],
      [['scope', '--advisories', '/nonexistent/adv.json'], /\/nonexistent\/adv\.json/],
      [['scope', '--no-such-flag', 'x'], /no-such-flag/],
    ])('%j', (args, pattern) => {
      const r = cli(args as string[]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(pattern);
    });

    it('a bad line in an advisory file names the file and the line', () => {
      const r = cli(['scope', '--advisories', path.join(work, 'adv/bad.txt'), '--path', path.join(work, 'org')]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/bad\.txt:2/);
    });
  });

  describe('--advisories in each format', () => {
    it.each([
      ['list.txt', ['event-stream@3.3.6', 'flatmap-stream@0.1.1']],
      ['list.csv', ['event-stream@3.3.6']],
      ['whole.json', ['flatmap-stream@0.1.1']],
    ])('%s', (file, expected) => {
      const r = cli(['scope', '--advisories', path.join(work, 'adv', file), '--path', path.join(work, 'org'), '--json', '--no-history']);
      expect(r.status).toBe(1);
      const rep = json(r.stdout);
      const found = [...new Set(rep.findings.map((f) => `${f.package}@${f.version}`))].sort();
      expect(found).toEqual(expected);
    });

    it('an OSV record mixing a whole-package range with a bounded one matches the bounded range and notes the conflict', () => {
      const r = cli(['scope', '--advisories', path.join(work, 'adv/conflict.json'), '--path', path.join(work, 'tiny'), '--json', '--no-history']);
      expect(r.status).toBe(1);
      const rep = json(r.stdout);
      expect(rep.findings.map((f) => [f.repo, f.package, f.version])).toEqual([['ui-next', '@ctrl/tinycolor', '4.1.1']]);
      expect(rep.notes?.some((n) => n.code === 'RANGE_CONFLICT')).toBe(true);
    });
  });
});

describe('hostile lockfiles', () => {
  it('a name hidden behind JSON escapes is still found', () => {
    const dir = tmpdir('npm-ir-escaped-');
    const lock = JSON.stringify({ name: 'x', lockfileVersion: 3, requires: true, packages: { '': { dependencies: { 'ua-parser-js': '0.7.29' } }, 'node_modules/ua-parser-js': { version: '0.7.29' } } }, null, 2)
      .replace(/ua-parser-js/g, '\\u0075a-parser-js');
    writeFiles(dir, { 'app/package-lock.json': lock });
    const r = cli(['scope', 'ua-parser-js@0.7.29', '--path', dir, '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { package: string; version: string }) => `${f.package}@${f.version}`)).toEqual(['ua-parser-js@0.7.29']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
