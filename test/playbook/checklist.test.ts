import { describe, expect, it } from 'vitest';
import { checklistSummary, renderChecklist, splitByTeam } from '../../src/playbook/checklist.js';
import { loadPlaybook } from '../../src/playbook/playbook.js';
import { emptyReport, type Report } from '../../src/report/model.js';
import { validateReport } from '../../src/report/schema.js';
import { sampleReport } from '../report/sample-report.js';

/** The checklist cut into its step sections: heading -> lines (tasks and notes, without the purpose line). */
function sections(md: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of md.split('\n')) {
    const h = /^## \d+\. (.*)$/.exec(line);
    if (h) out.set(h[1]!, (current = []));
    else if (current && line && !line.startsWith('_')) current.push(line);
  }
  return out;
}

const TITLES = [
  'Contain, and remove persistence before revoking any token',
  'Remove the bad versions from manifests and lockfiles',
  'Identify every project, build and developer machine',
  'Rotate every secret available during installation (from a clean machine, T0 first)',
  'Rebuild from clean environments',
  "Inspect build runners' outbound traffic",
  'Search for modified artifacts and unexpected files',
  'Review registry tokens and publishing history',
  'Notify the affected teams',
];

const PERSISTENCE = (repo: string, window: string) =>
  `- [ ] In \`${repo}\`: list the self-hosted runners registered to the repository and its organisation and remove unknown ones (e.g. \`SHA1HULUD\`); delete injected workflows (\`.github/workflows/shai-hulud-workflow.yml\`, \`discussion.yaml\`, \`formatter_*.yml\`) and branches (\`shai-hulud\`) pushed in the window ${window}; disable Actions on the repository until the steps below are done.`;

const OPEN_WEB = 'from 2025-09-15T08:00:00Z to now (still open)';
const API_WINDOW = 'from 2025-09-08T10:00:00Z to 2025-09-09T12:00:00Z';
const LEGACY = 'from an unknown start (no history read) to now (still open)';

describe('renderChecklist on the sample report', () => {
  const report = sampleReport();
  const md = renderChecklist(report);
  const s = sections(md);

  it('the sample report is a valid Report', () => {
    expect(validateReport(report)).toEqual([]);
  });

  it('has one section per playbook step, in playbook order', () => {
    expect([...s.keys()]).toEqual(TITLES);
    expect(loadPlaybook().steps.map((x) => x.title)).toEqual(TITLES);
  });

  it('states targets, counts, the overall log-search window and the unread places up front', () => {
    expect(md).toContain('- Targets: `@ctrl/tinycolor@4.1.1 || 4.1.2`, `debug@4.4.2`\n');
    expect(md).toContain('- Found: 3 finding(s) in 3 repo(s) (2 still present), 1 build(s), 4 secret(s), 2 unread place(s)\n');
    expect(md).toContain('- Log-search window: from 2025-09-08T10:00:00Z to now (still open)\n');
    expect(md).toContain('- **2 place(s) could not be read: they are not clean until read (see the tasks below).**');
    expect(md).not.toContain('Generated');
  });

  it('contain: persistence removal per affected repo, with each repo window', () => {
    const tasks = s.get(TITLES[0]!)!;
    expect(tasks).toHaveLength(4);
    expect(tasks[0]).toMatch(/^- \[ \] On every developer machine and persistent runner that installed a bad version in the window from 2025-09-08T10:00:00Z to now \(still open\): disconnect it/);
    expect(tasks[1]).toBe(PERSISTENCE('api', API_WINDOW));
    expect(tasks[2]).toBe(PERSISTENCE('legacy', LEGACY));
    expect(tasks[3]).toBe(PERSISTENCE('web', OPEN_WEB));
  });

  it('removes persistence before any token is rotated or revoked', () => {
    const contain = md.indexOf('## 1. Contain');
    const rotate = md.indexOf('## 4. Rotate');
    const registry = md.indexOf('## 8. Review registry tokens');
    const firstRotation = md.indexOf('- [ ] Rotate ');
    const firstRevoke = md.indexOf('revoke it after the contain step');
    expect(contain).toBeGreaterThanOrEqual(0);
    expect(md.indexOf('remove unknown ones')).toBeLessThan(rotate);
    expect(rotate).toBeLessThan(firstRotation);
    expect(registry).toBeLessThan(firstRevoke);
    expect(contain).toBeLessThan(rotate);
  });

  it('remove: one task per present finding naming repo, lockfile, line, package@version, then affected branches', () => {
    expect(s.get(TITLES[1]!)).toEqual([
      '- [ ] Remove `debug@4.4.2` from `pnpm-lock.yaml` in `legacy` (line 7; target `debug@4.4.2`; direct dependency; via an unknown path): pin a good version in the manifest, regenerate the lockfile, commit.',
      '- [ ] Remove `@ctrl/tinycolor@4.1.1` from `package-lock.json` in `web` (line 120; target `@ctrl/tinycolor@4.1.1 || 4.1.2`; direct dependency; via `web > @ctrl/tinycolor`): pin a good version in the manifest, regenerate the lockfile, commit.',
      '- [ ] Fix branch `main` of `web`: its tip still resolves `@ctrl/tinycolor@4.1.1 in package-lock.json`.',
    ]);
  });

  it('identify: commits by short sha, authors, the log-search window per finding, and every gap', () => {
    expect(s.get(TITLES[2]!)).toEqual([
      '- [ ] `debug@4.4.2` in `api` `services/auth/yarn.lock`: introduced by `b2c3d4e5f6` (2025-09-08T10:00:00Z, `bob`); removed by `c3d4e5f607` (2025-09-09T12:00:00Z, `carol`); log-search window from 2025-09-08T10:00:00Z to 2025-09-09T12:00:00Z; no install script recorded in the lockfile: its code ran when a build, test or app loaded it, and it ships in every bundle built from it. List every developer machine and CI job that installed from this lockfile in the window.',
      '- [ ] `debug@4.4.2` in `legacy` `pnpm-lock.yaml`: introduced by unknown (history not read); removed by nothing yet (still present); log-search window from an unknown start (no history read) to now (still open); no install script recorded in the lockfile: its code ran when a build, test or app loaded it, and it ships in every bundle built from it. List every developer machine and CI job that installed from this lockfile in the window.',
      '- [ ] `@ctrl/tinycolor@4.1.1` in `web` `package-lock.json`: introduced by `a1b2c3d4e5` (2025-09-15T08:00:00Z, `alice`); removed by nothing yet (still open); log-search window from 2025-09-15T08:00:00Z to now (still open); no install script recorded in the lockfile: its code ran when a build, test or app loaded it, and it ships in every bundle built from it. List every developer machine and CI job that installed from this lockfile in the window.',
      '- [ ] Could not read `package-lock.json` in `api` at commit `d4e5f60718` (`MISSING_OBJECT`: `blob missing from a partial clone`): read it by hand; it is not clean until read.',
      '- [ ] Could not read `old/yarn.lock` in `legacy` at the working tree (`CORRUPT`: `unterminated string`): read it by hand; it is not clean until read.',
    ]);
  });

  it('rotate: secrets by tier (T0 first), each with kind, place, how to rotate and what to audit in the window', () => {
    const tasks = s.get(TITLES[3]!)!;
    expect(tasks.map((t) => /^- \[ \] Rotate `([A-Z_]+)`/.exec(t)?.[1])).toEqual(['AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'SLACK_WEBHOOK', 'DEPLOY_KEY']);
    expect(tasks[1]).toBe(
      '- [ ] Rotate `NPM_TOKEN` (npm registry token, `npm-token`, T0 direct) of `web`, exposed at `.github/workflows/release.yml:31` (github-actions, job `publish`, step `npm ci`). ' +
        'Rotate: npmjs.com Access Tokens, or `npm token list --json` then `npm token revoke <id>`; replace with a granular, package-scoped, expiring token or trusted publishing. ' +
        'Audit afterwards in the window from 2025-09-15T08:00:00Z to now (still open): `npm view <pkg> time --json` and `npm view <pkg> versions` for versions you did not release; `npm owner ls <pkg>`; provenance of recent versions.',
    );
    expect(tasks[0]).toContain('(AWS keys, `aws`, T0 direct) of `api`, exposed at `.gitlab-ci.yml:12` (gitlab-ci, job `test`).');
    expect(tasks[0]).toContain(`Audit afterwards in the window ${API_WINDOW}: CloudTrail`);
    expect(tasks[2]).toContain('(chat webhook or bot token, `messaging-webhook`, T1 same job, later step)');
    expect(tasks[3]).toContain('(CI, PaaS or infrastructure credential, `ci-platform`, T4 repo-level)');
  });

  it('rebuild: builds, then release tags per repo', () => {
    expect(s.get(TITLES[4]!)).toEqual([
      '- [ ] Rebuild the outputs of build `gha-1001` of `web` (`ci.yml`, commit `a1b2c3d4e5`, ref `main`, started 2025-09-15T09:00:00Z; `https://github.com/acme/web/actions/runs/1001`) from a clean environment with caches cleared; it resolved `@ctrl/tinycolor@4.1.1 in package-lock.json`.',
      '- [ ] Rebuild release `v3.0.1` of `api` from a clean environment (it resolved `debug@4.4.2`); replace the published artifacts.',
      '- [ ] Rebuild release `v3.0.2` of `api` from a clean environment (it resolved `debug@4.4.2`); replace the published artifacts.',
      '- [ ] Rebuild release `v1.2.0` of `web` from a clean environment (it resolved `@ctrl/tinycolor@4.1.1`); replace the published artifacts.',
    ]);
  });

  it('outbound traffic and artifacts: per build, per repo window, per tag', () => {
    const outbound = s.get(TITLES[5]!)!;
    expect(outbound[0]).toMatch(/^- \[ \] Inspect the outbound traffic of the runner that ran build `gha-1001` of `web` around 2025-09-15T09:00:00Z:/);
    expect(outbound.slice(1)).toEqual([
      `- [ ] Search the egress and DNS logs of \`api\`'s runners in the window ${API_WINDOW} for the same destinations.`,
      `- [ ] Search the egress and DNS logs of \`legacy\`'s runners in the window ${LEGACY} for the same destinations.`,
      `- [ ] Search the egress and DNS logs of \`web\`'s runners in the window ${OPEN_WEB} for the same destinations.`,
    ]);
    const artifacts = s.get(TITLES[6]!)!;
    expect(artifacts.map((t) => /release `([^`]+)` of `([^`]+)`/.exec(t)?.slice(1).join(' ') ?? t.slice(0, 60))).toEqual([
      'v3.0.1 api',
      'v3.0.2 api',
      'v1.2.0 web',
      '- [ ] Check the caches and artifacts that build `gha-1001` o',
    ]);
  });

  it('registry: npm tokens to review and an `npm view <name> time` check per published package in the window', () => {
    expect(s.get(TITLES[7]!)).toEqual([
      '- [ ] Review `NPM_TOKEN` of `web` (`.github/workflows/release.yml:31` (github-actions, job `publish`, step `npm ci`)): `npm token list`, revoke it after the contain step, and list what it could publish (`npm access list packages`).',
      `- [ ] \`web\` publishes \`@acme/web-widgets\` (\`package.json: publishConfig\`): run \`npm view @acme/web-widgets time --json\` and check every version published in the window ${OPEN_WEB} for worm-style republishing (versions you did not release, added \`preinstall\`/\`postinstall\`); deprecate and unpublish those.`,
    ]);
  });

  it('notify: one task per owning team with the exact package and range', () => {
    expect(s.get(TITLES[8]!)).toEqual([
      '- [ ] Notify `platform` (`platform@example.com`): `debug@4.4.2` resolved as `debug@4.4.2` in `api/services/auth/yarn.lock`.',
      '- [ ] Notify `unowned` (no contact on record): `debug@4.4.2` resolved as `debug@4.4.2` in `legacy/pnpm-lock.yaml`.',
      '- [ ] Notify `web-team` (`#web-oncall`): `@ctrl/tinycolor@4.1.1 || 4.1.2` resolved as `@ctrl/tinycolor@4.1.1` in `web/package-lock.json`.',
    ]);
  });

  it('prints the generation time and repo info when given', () => {
    const out = renderChecklist(report, { now: new Date('2025-09-20T00:00:00Z'), repoInfo: { web: { url: 'https://github.com/acme/web', defaultBranch: 'main' } } });
    expect(out).toContain('Generated 2025-09-20T00:00:00.000Z by npm-ir from a saved Report.');
    expect(out).toContain('- Repo `web`: `https://github.com/acme/web` (default branch `main`)');
  });
});

describe('empty steps', () => {
  it('an empty report keeps every step and says "Nothing found" in each', () => {
    const s = sections(renderChecklist(emptyReport()));
    expect([...s.keys()]).toEqual(TITLES);
    for (const title of TITLES) expect(s.get(title)).toEqual(['Nothing found in this report for this step.']);
  });

  it('a report without builds, tags, secrets or publishing says "Nothing found" only where nothing is', () => {
    const r: Report = sampleReport();
    r.builds = [];
    r.secrets = [];
    r.publishing = [];
    for (const f of r.findings) if (f.history) f.history.tags = [];
    expect(validateReport(r)).toEqual([]);
    const s = sections(renderChecklist(r));
    const nothing = ['Nothing found in this report for this step.'];
    expect(s.get(TITLES[3]!)).toEqual(nothing); // rotate
    expect(s.get(TITLES[4]!)).toEqual(nothing); // rebuild
    expect(s.get(TITLES[6]!)).toEqual(nothing); // artifacts
    expect(s.get(TITLES[7]!)).toEqual(nothing); // registry
    expect(s.get(TITLES[5]!)).toHaveLength(3); // outbound: per-repo egress tasks remain
    expect(s.get(TITLES[0]!)).toHaveLength(4);
  });
});

describe('teams', () => {
  it('splitByTeam gives each team its findings and the builds, secrets, gaps and publishing of its repos', () => {
    const teams = splitByTeam(sampleReport());
    expect([...teams.keys()]).toEqual(['platform', 'unowned', 'web-team']);
    const web = teams.get('web-team')!;
    expect(web.findings.map((f) => f.repo)).toEqual(['web']);
    expect(web.builds.map((b) => b.id)).toEqual(['gha-1001']);
    expect(web.secrets.map((x) => x.name)).toEqual(['SLACK_WEBHOOK', 'NPM_TOKEN']);
    expect(web.gaps).toEqual([]);
    expect(web.publishing).toEqual([{ repo: 'web', package: '@acme/web-widgets', evidence: 'package.json: publishConfig' }]);
    const platform = teams.get('platform')!;
    expect(platform.secrets.map((x) => x.name)).toEqual(['AWS_SECRET_ACCESS_KEY', 'DEPLOY_KEY']);
    expect(platform.gaps.map((g) => g.path)).toEqual(['package-lock.json']);
    expect(teams.get('unowned')!.gaps.map((g) => g.path)).toEqual(['old/yarn.lock']);
    for (const r of teams.values()) expect(validateReport(r)).toEqual([]);
  });

  it('puts items of repos without findings under unowned so nothing drops out', () => {
    const r = emptyReport();
    r.gaps.push({ repo: 'other', path: 'yarn.lock', code: 'BINARY', reason: 'binary' }, { path: '.', code: 'READ_ERROR', reason: 'EIO' });
    r.secrets.push({ repo: 'other', system: 'repo-file', file: '.npmrc', line: 1, name: 'NPM_TOKEN', kind: 'npm-token', tier: 'T0' });
    const teams = splitByTeam(r);
    expect([...teams.keys()]).toEqual(['unowned']);
    expect(teams.get('unowned')!.gaps).toHaveLength(2);
    expect(teams.get('unowned')!.secrets).toHaveLength(1);
  });

  it('renderChecklist with a team renders only that team', () => {
    const md = renderChecklist(sampleReport(), { team: 'web-team' });
    expect(md.split('\n')[0]).toBe('# Response to a malicious npm release — team `web-team`');
    expect(md).toContain('Remove `@ctrl/tinycolor@4.1.1` from `package-lock.json` in `web`');
    expect(md).not.toContain('`api`');
    expect(md).not.toContain('`legacy`');
    const none = sections(renderChecklist(sampleReport(), { team: 'nobody' }));
    expect(none.get(TITLES[1]!)).toEqual(['Nothing found in this report for this step.']);
  });
});

describe('checklistSummary', () => {
  it('counts findings, secrets and tasks per step', () => {
    expect(checklistSummary(sampleReport())).toBe(
      [
        '3 finding(s) in 3 repo(s), 1 build(s), 4 secret(s) (2 T0), 2 gap(s)',
        'log-search window: from 2025-09-08T10:00:00Z to now (still open)',
        'tasks per step: contain 4, remove 3, identify 5, rotate 4, rebuild 4, outbound 4, artifacts 4, registry 2, notify 3',
      ].join('\n'),
    );
    expect(checklistSummary(emptyReport())).toContain('tasks per step: contain 0, remove 0, identify 0, rotate 0');
  });
});

describe('rotation tasks: order and advice', () => {
  it('within a tier, the most valuable credential comes first; the Report’s own advice fills in for generic kinds', async () => {
    const { sampleReport } = await import('../report/sample-report.js');
    const { renderChecklist } = await import('../../src/playbook/checklist.js');
    const base = sampleReport();
    const s0 = base.secrets[0]!;
    const report = {
      ...base,
      secrets: [
        { ...s0, name: 'AAA_LOW_VALUE', kind: 'observability', tier: 'T0' as const, score: 10 },
        { ...s0, name: 'ZZZ_HIGH_VALUE', kind: 'npm-token', tier: 'T0' as const, score: 90 },
        {
          ...s0,
          name: 'Actions cache write',
          kind: 'cache-capability',
          tier: 'T0' as const,
          score: 50,
          rotation: { action: 'audit', rotate: 'delete suspicious cache entries (`gh cache list`, `gh cache delete`)', checkAfter: 'cache entries written in the window' },
        },
      ],
    };
    const md = renderChecklist(report);
    const rotate = md.slice(md.indexOf('## 4.'), md.indexOf('## 5.'));
    const order = ['ZZZ_HIGH_VALUE', 'Actions cache write', 'AAA_LOW_VALUE'].map((n) => rotate.indexOf(n));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(rotate).toContain('cannot be rotated (audit instead): delete suspicious cache entries');
  });
});
