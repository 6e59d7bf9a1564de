/**
 * Tabletop: scenario files validate, init is deterministic, generated lockfiles pass npm's and yarn 1's own
 * parsers, injects replay (interactive and --auto), scoring counts exactly the misses and false alarms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import {
  initScenario,
  listScenarioIds,
  loadScenario,
  parseScenario,
  readMarker,
  reportItems,
  runScenario,
  scenariosDir,
  scoreReport,
  renderScorecard,
  validateScenario,
  type InitResult,
  type Scenario,
} from '../../src/tabletop/index.js';

const require = createRequire(import.meta.url);
const Arborist = require('@npmcli/arborist') as new (o: { path: string }) => {
  loadVirtual(): Promise<{ inventory: Map<string, { name: string; version: string }>; edgesOut: Map<string, { valid: boolean }> }>;
};
const yarnLockfile = require('@yarnpkg/lockfile') as { parse(text: string): { type: string; object: Record<string, { version: string }> } };

const scratch: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function git(dir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}

/** A Report that claims exactly the scenario's expected answers. */
export function reportFromExpected(s: Scenario): Report {
  const tags = new Map<string, string[]>();
  for (const t of s.expected.tags) {
    const [repo, tag] = [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)];
    tags.set(repo, [...(tags.get(repo) ?? []), tag]);
  }
  return {
    schemaVersion: 1,
    targets: [],
    findings: s.expected.lockfiles.map((l) => {
      const repo = l.slice(0, l.indexOf(':'));
      return {
        repo,
        lockfile: l.slice(l.indexOf(':') + 1),
        format: 'npm',
        package: 'x',
        version: '1.0.0',
        target: 'x@1.0.0',
        direct: true,
        paths: [],
        line: 1,
        present: false,
        history: { introduced: [], removed: [], affectedCommits: 1, refs: [], tags: tags.get(repo) ?? [], windows: [] },
      };
    }),
    builds: s.expected.builds.map((b) => ({ repo: b.slice(0, b.indexOf(':')), id: b.slice(b.indexOf(':run ') + 5), commit: 'c' })),
    secrets: s.expected.secrets.map((x) => ({ repo: x.slice(0, x.indexOf(':')), name: x.slice(x.indexOf(':') + 1), system: 'github-actions', file: 'f', line: 1, kind: 'generic', tier: 'T0' as const })),
    gaps: [],
  };
}

describe('scenario files', () => {
  it('bundles the five replays', () => {
    expect(listScenarioIds()).toEqual(expect.arrayContaining(['demo', 'event-stream-2018', 'ua-parser-js-2021', 'chalk-debug-2025', 'shai-hulud-2025']));
  });

  it.each(listScenarioIds())('%s validates against schemas/scenario.schema.json', (id) => {
    const raw = yaml.load(readFileSync(join(scenariosDir(), `${id}.yaml`), 'utf8'), { schema: yaml.FAILSAFE_SCHEMA });
    expect(validateScenario(raw)).toEqual([]);
    const s = loadScenario(id);
    expect(s.id).toBe(id);
    expect(s.sources.length).toBeGreaterThan(0);
    for (const rel of s.releases) expect(rel.source).not.toBe('');
  });

  it('refuses a scenario with a bad reference, naming the place', () => {
    const text = readFileSync(join(scenariosDir(), 'demo.yaml'), 'utf8').replace('commit: w2,', 'commit: nope,');
    expect(() => parseScenario(text, 'bad.yaml')).toThrow(/builds\/1: 'nope' is no commit label/);
    expect(validateScenario({ id: 'x' })[0]).toMatch(/required/);
  });

  it('keeps versions as strings (failsafe YAML)', () => {
    const s = loadScenario('demo');
    expect(s.org.repos[0]!.history[0]!.deps!['express']).toBe('4.21.2');
    expect(s.builds![0]!.id).toBe('1000');
  });
});

describe('initScenario (demo)', () => {
  let a: InitResult;
  let b: InitResult;
  beforeAll(async () => {
    const s = loadScenario('demo');
    a = await initScenario(s, tmp('npm-ir-tt-a-'), { force: true });
    b = await initScenario(s, join(tmp('npm-ir-tt-b-'), 'nested'));
  });

  it('is deterministic: same refs and shas on every init', () => {
    expect(a.repos.map((r) => r.head)).toEqual(b.repos.map((r) => r.head));
    for (const r of a.repos) {
      expect(git(r.path, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(
        git(join(b.dir, 'repos', r.name), ['for-each-ref', '--format=%(refname) %(objectname)']),
      );
    }
    expect(readFileSync(join(a.dir, 'builds', 'web.json'), 'utf8')).toBe(readFileSync(join(b.dir, 'builds', 'web.json'), 'utf8'));
  });

  it('writes real history: dates, tags, branches, a clean work tree at main', () => {
    const web = join(a.dir, 'repos', 'web');
    expect(git(web, ['log', '--format=%aI %s', 'main'])).toBe(
      [
        '2025-09-16T11:30:00Z fix: pin @ctrl/tinycolor 4.1.0 (advisory)',
        '2025-09-15T20:00:00Z chore(deps): update @ctrl/tinycolor to 4.1.1',
        '2025-09-01T10:00:00Z web: initial import',
      ].join('\n').replace(/Z/g, '+00:00'),
    );
    expect(git(web, ['tag', '--list'])).toBe('v1.4.0\nv1.4.1');
    expect(git(web, ['status', '--porcelain'])).toBe('');
    expect(git(web, ['show', 'v1.4.1:package-lock.json'])).toContain('"node_modules/@ctrl/tinycolor": {\n      "version": "4.1.1"');
    expect(readFileSync(join(web, '.github/workflows/release.yml'), 'utf8')).toContain('${{ secrets.NPM_TOKEN }}');
    expect(readFileSync(join(web, '.npmrc'), 'utf8')).toContain('_authToken=${NPM_TOKEN}');
    expect(readFileSync(join(web, '.github/CODEOWNERS'), 'utf8')).toBe('* @acme/web\n/.github/ @acme/platform\n');
    const api = join(a.dir, 'repos', 'api');
    expect(git(api, ['branch', '--list', '--format=%(refname:short)'])).toBe('main\nrenovate/ctrl-tinycolor-4.x');
  });

  it('writes the advisory, build records, logs and marker', async () => {
    const advisory = JSON.parse(readFileSync(a.advisory, 'utf8')) as { affected: { package: { name: string }; versions: string[] }[] }[];
    expect(advisory[0]!.affected[0]).toEqual({ package: { ecosystem: 'npm', name: '@ctrl/tinycolor' }, versions: ['4.1.1', '4.1.2'] });
    const { loadTargets } = await import('../../src/targets/index.js');
    const targets = await loadTargets([], [a.advisory]);
    expect(targets.targets.map((t) => `${t.name}@${t.range}`)).toEqual(['@ctrl/tinycolor@4.1.1', '@ctrl/tinycolor@4.1.2']);
    const runs = JSON.parse(readFileSync(join(a.dir, 'builds', 'web.json'), 'utf8')) as { databaseId: number; headSha: string }[];
    expect(runs.map((r) => r.databaseId)).toEqual([1000, 1001, 1002]);
    expect(runs[1]!.headSha).toBe(git(join(a.dir, 'repos', 'web'), ['rev-parse', 'v1.4.1']));
    expect(readFileSync(join(a.dir, 'logs', 'gh-runner-7.log'), 'utf8')).toContain('exfil.tabletop.example');
    expect(readMarker(a.dir).scenario).toBe('demo');
    expect(readFileSync(join(a.dir, 'SCENARIO.md'), 'utf8')).not.toContain('v1.4.1');
  });

  it("npm's own parser (Arborist loadVirtual) reads the generated package-lock.json with every edge valid", async () => {
    const tree = await new Arborist({ path: join(a.dir, 'repos', 'web') }).loadVirtual();
    const tc = [...tree.inventory.values()].find((n) => n.name === '@ctrl/tinycolor');
    expect(tc?.version).toBe('4.1.0');
    expect([...tree.edgesOut.values()].every((e) => e.valid)).toBe(true);
  });

  it("yarn 1's own parser reads the generated yarn.lock", () => {
    const api = join(a.dir, 'repos', 'api');
    const parsed = yarnLockfile.parse(git(api, ['show', 'renovate/ctrl-tinycolor-4.x:yarn.lock']) + '\n');
    expect(parsed.type).toBe('success');
    expect(parsed.object['@ctrl/tinycolor@^4.1.2']?.version).toBe('4.1.2');
    expect(parsed.object['@acme/ui-kit@^2.3.0']?.version).toBe('2.3.0');
  });

  it('refuses a non-empty folder without force', async () => {
    await expect(initScenario(loadScenario('demo'), a.dir)).rejects.toThrow(/not empty/);
  });
});

describe('initScenario scale', () => {
  it('adds generated repositories and filler commits, still deterministic', async () => {
    const s = loadScenario('demo');
    const scale = { repos: 5, commits: 12, lockfilePackages: 30 };
    const x = await initScenario(s, tmp('npm-ir-tt-s1-'), { force: true, scale });
    const y = await initScenario(s, tmp('npm-ir-tt-s2-'), { force: true, scale });
    expect(x.repos).toHaveLength(5);
    expect(x.repos.map((r) => r.head)).toEqual(y.repos.map((r) => r.head));
    const web = x.repos.find((r) => r.name === 'web')!;
    expect(Number(git(web.path, ['rev-list', '--count', 'main']))).toBe(12);
    // The scenario's tags still point at the scenario's commits.
    expect(git(web.path, ['log', '-1', '--format=%s', 'v1.4.1'])).toBe('chore(deps): update @ctrl/tinycolor to 4.1.1');
    const gen = x.repos.find((r) => r.generated)!;
    expect(Number(git(gen.path, ['rev-list', '--count', 'main']))).toBe(12);
    expect(git(gen.path, ['log', '--format=%H', '--', gen.lockfile]).split('\n').length).toBeGreaterThan(1);
  });
});

describe('runScenario', () => {
  const s = loadScenario('demo');

  it('--auto prints every inject with the exercise clock', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const r = await runScenario(s, { auto: true, output: out, isTTY: false });
    expect(r).toEqual({ injects: 4, completed: true });
    expect(text).toContain('[T+00:00] 09:00 Advisory received');
    expect(text).toContain('[T+00:40] 09:40 Egress alert: runner gh-runner-7 reached exfil.tabletop.example');
    expect(text.indexOf('T+00:40')).toBeLessThan(text.indexOf('T+01:05'));
  });

  it('interactive: waits for Enter between injects', async () => {
    const input = new PassThrough();
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const done = runScenario(s, { auto: false, input, output: out, isTTY: true });
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('(Enter for inject 1/4)');
    expect(text).not.toContain('[T+00:00]');
    input.write('\n');
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('[T+00:00] 09:00');
    expect(text).not.toContain('[T+00:40]');
    input.write('\n\n');
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('[T+01:05]');
    expect(text).not.toContain('[T+01:30]');
    input.end();
    expect(await done).toEqual({ injects: 3, completed: false });
    expect(text).toContain('Stopped.');
  });
});

describe('scoreReport', () => {
  const s = loadScenario('demo');

  it('warns when the Report looked for other packages than the scenario’s (the Report of another scenario)', () => {
    const other = { ...reportFromExpected(s), targets: [{ name: 'flatmap-stream', range: '*', source: 'x' }] };
    const card = scoreReport(s, other);
    expect(card.warnings).toHaveLength(1);
    expect(card.warnings[0]).toMatch(/none of this scenario's malicious packages/);
    expect(renderScorecard(card)).toContain('WARNING:');
  });

  it('the expected answers score 100%', () => {
    const card = scoreReport(s, reportFromExpected(s));
    for (const c of ['repos', 'lockfiles', 'tags', 'builds', 'secrets'] as const) {
      expect(card.missed[c]).toEqual([]);
      expect(card.falseAlarms[c]).toEqual([]);
      expect(card.score[c].recall).toBe(100);
    }
    expect(card.score.overall).toBe(100);
    expect(card.warnings).toEqual([]);
  });

  it('a wrong report scores exactly its misses and false alarms', () => {
    const r = reportFromExpected(s);
    r.findings = r.findings.filter((f) => f.repo !== 'api');
    r.findings.push({ ...r.findings[0]!, repo: 'docs', lockfile: 'pnpm-lock.yaml', history: undefined });
    r.findings[0]!.history!.tags = [];
    r.secrets = [
      { repo: 'web', name: 'GITHUB_TOKEN', system: 'github-actions', file: 'f', line: 1, kind: 'github-token', tier: 'T0' },
      { repo: 'docs', name: 'VERCEL_TOKEN', system: 'github-actions', file: 'f', line: 1, kind: 'generic', tier: 'T0' },
    ];
    const card = scoreReport(s, r);
    expect(card.missed).toEqual({ repos: ['api'], lockfiles: ['api:yarn.lock'], tags: ['web:v1.4.1'], builds: [], secrets: ['web:NPM_TOKEN'] });
    expect(card.falseAlarms).toEqual({ repos: ['docs'], lockfiles: ['docs:pnpm-lock.yaml'], tags: [], builds: [], secrets: ['docs:VERCEL_TOKEN'] });
    expect(card.accepted.secrets).toEqual(['web:GITHUB_TOKEN']);
    expect(card.found.repos).toEqual(['web']);
    expect(card.score.repos).toEqual({ expected: 2, found: 1, missed: 1, falseAlarms: 1, recall: 50, precision: 50 });
    expect(reportItems(r).tags).toEqual([]);
  });

  it('scores checklist coverage by playbook step', () => {
    const checklist = [
      '# Response',
      '## 1. Contain, and remove persistence before revoking any token',
      '- [ ] disconnect runners',
      '## 2. Remove the bad versions from manifests and lockfiles',
      '- [ ] Fix branch `renovate/ctrl-tinycolor-4.x` of `api`',
      '## 4. Rotate every secret available during installation (from a clean machine, T0 first)',
      'Nothing found in this report for this step.',
    ].join('\n');
    const card = scoreReport(s, reportFromExpected(s), { checklist });
    expect(card.checklist).toEqual({ stepsCovered: ['contain', 'remove'], stepsMissing: ['identify', 'rotate', 'rebuild', 'registry'] });
    expect(card.score.checklist).toBe(33);
  });
});
