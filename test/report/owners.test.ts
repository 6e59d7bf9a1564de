import { describe, expect, it } from 'vitest';
import {
  assignOwners,
  compilePattern,
  ownerFor,
  parseCodeowners,
  parseTeams,
  pickCodeowners,
  teamForRepo,
} from '../../src/report/owners.js';
import { validateReport } from '../../src/report/schema.js';
import { UsageError } from '../../src/errors.js';
import { sampleReport } from './sample-report.js';

const GITHUB = `# GitHub syntax
*                   @acme/everyone
*.json              @acme/json
/services/          @acme/services
services/auth/      @acme/auth
/docs/*             @acme/docs
**/legacy           @acme/legacy
apps/               @acme/apps
/tools/             dev@example.com @bob   # inline comment
/package-lock.json
`;

describe('CODEOWNERS patterns', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'a/b/c.txt', true],
    ['*.lock', 'yarn.lock', true],
    ['*.lock', 'deep/down/yarn.lock', true],
    ['/yarn.lock', 'yarn.lock', true],
    ['/yarn.lock', 'sub/yarn.lock', false],
    ['yarn.lock', 'sub/yarn.lock', true],
    ['apps/', 'apps/web/yarn.lock', true],
    ['apps/', 'x/apps/web/yarn.lock', true],
    ['apps/', 'apps', false],
    ['/apps/', 'x/apps/web/yarn.lock', false],
    ['docs/*', 'docs/yarn.lock', true],
    ['docs/*', 'docs/sub/yarn.lock', false],
    ['docs/**', 'docs/sub/yarn.lock', true],
    ['**/logs', 'logs/a', true],
    ['**/logs', 'x/y/logs/a', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['services/auth', 'services/auth/yarn.lock', true],
    ['services/auth', 'x/services/auth/yarn.lock', false],
    ['pkg?.json', 'pkg1.json', true],
    ['pkg?.json', 'pkg/.json', false],
    ['a.b', 'aXb', false],
  ];
  it.each(cases)('%s matches %s: %s', (pattern, path, expected) => {
    expect(compilePattern(pattern).test(path)).toBe(expected);
  });
});

describe('ownerFor, GitHub syntax: the last matching rule wins', () => {
  const co = parseCodeowners(GITHUB);
  const cases: [string, string[], number][] = [
    ['README.md', ['@acme/everyone'], 2],
    ['web/package-lock.json', ['@acme/json'], 3],
    ['package-lock.json', [], 10], // explicitly no owner
    ['services/pay/yarn.lock', ['@acme/services'], 4],
    ['services/auth/yarn.lock', ['@acme/auth'], 5],
    ['services/auth/package.json', ['@acme/auth'], 5],
    ['docs/yarn.lock', ['@acme/docs'], 6],
    ['docs/sub/yarn.lock', ['@acme/everyone'], 2],
    ['a/b/legacy/yarn.lock', ['@acme/legacy'], 7],
    ['x/apps/web/pnpm-lock.yaml', ['@acme/apps'], 8],
    ['tools/yarn.lock', ['dev@example.com', '@bob'], 9],
    ['./tools/yarn.lock', ['dev@example.com', '@bob'], 9],
  ];
  it.each(cases)('%s -> %j (line %i)', (path, owners, line) => {
    const m = ownerFor(path, co);
    expect(m?.owners).toEqual(owners);
    expect(m?.rule.line).toBe(line);
  });

  it('reports no match, and records bad owners without dropping the rule', () => {
    expect(ownerFor('x', parseCodeowners('/only/ @a\n'))).toBeUndefined();
    const bad = parseCodeowners('/x/ not-an-owner @ok\n');
    expect(bad.errors).toEqual([{ line: 1, message: "invalid owner 'not-an-owner'" }]);
    expect(ownerFor('x/yarn.lock', bad)?.owners).toEqual(['@ok']);
  });

  it('reads escaped spaces and escaped #', () => {
    const co2 = parseCodeowners('/my\\ app/ @spaces\n/\\#tag/ @hash\n');
    expect(ownerFor('my app/yarn.lock', co2)?.owners).toEqual(['@spaces']);
    expect(ownerFor('#tag/yarn.lock', co2)?.owners).toEqual(['@hash']);
  });
});

const GITLAB = `[Default] @acme/default
*.lock

^[Optional docs] @acme/docs-team
/docs/

[Backend][2] @acme/backend
/services/
/services/legacy/ @carol

[Frontend]
/web/ @acme/frontend
/web/vendor/
`;

describe('ownerFor, GitLab syntax: sections, default owners, optional sections', () => {
  const co = parseCodeowners(GITLAB);
  const cases: [string, string[], string, boolean][] = [
    ['yarn.lock', ['@acme/default'], 'Default', false],
    ['services/x/yarn.lock', ['@acme/backend'], 'Backend', false],
    ['services/legacy/yarn.lock', ['@carol'], 'Backend', false],
    ['docs/yarn.lock', ['@acme/default'], 'Default', false], // a required section wins over an optional one
    ['docs/package-lock.json', ['@acme/docs-team'], 'Optional docs', true],
    ['web/package-lock.json', ['@acme/frontend'], 'Frontend', false],
    ['web/vendor/package-lock.json', [], 'Frontend', false], // no owner and no section default
  ];
  it.each(cases)('%s -> %j', (path, owners, section, optional) => {
    const m = ownerFor(path, co);
    expect(m?.owners).toEqual(owners);
    expect(m?.rule.section).toBe(section);
    expect(m?.rule.optional).toBe(optional);
  });
  it('parses without errors', () => {
    expect(co.errors).toEqual([]);
    expect(co.rules.map((r) => r.pattern)).toEqual(['*.lock', '/docs/', '/services/', '/services/legacy/', '/web/', '/web/vendor/']);
  });
});

describe('pickCodeowners', () => {
  it('prefers .github/, then the root, then docs/, then .gitlab/', () => {
    const files: Record<string, string> = { CODEOWNERS: 'root', 'docs/CODEOWNERS': 'docs', '.gitlab/CODEOWNERS': 'gitlab' };
    expect(pickCodeowners((p) => files[p])).toEqual({ path: 'CODEOWNERS', text: 'root' });
    files['.github/CODEOWNERS'] = 'github';
    expect(pickCodeowners((p) => files[p])).toEqual({ path: '.github/CODEOWNERS', text: 'github' });
    expect(pickCodeowners((p) => ({ 'docs/CODEOWNERS': 'd' })[p])).toEqual({ path: 'docs/CODEOWNERS', text: 'd' });
    expect(pickCodeowners(() => undefined)).toBeUndefined();
  });
});

const TEAMS = `teams:
  payments:
    repos: ["pay-*", "services/payments/**"]
    contact: "#pay-oncall"
  platform:
    repos: ["api", "infra/*"]
    handles: ["@acme/backend"]
    contact: platform@example.com
  catch-all:
    repos: ["**"]
`;

describe('teams file', () => {
  const teams = parseTeams(TEAMS, 'teams.yaml');
  it('parses teams, globs, handles and contacts', () => {
    expect(teams.teams).toEqual([
      { name: 'payments', repos: ['pay-*', 'services/payments/**'], handles: [], contact: '#pay-oncall' },
      { name: 'platform', repos: ['api', 'infra/*'], handles: ['@acme/backend'], contact: 'platform@example.com' },
      { name: 'catch-all', repos: ['**'], handles: [] },
    ]);
  });
  it.each([
    ['pay-gateway', 'payments'],
    ['services/payments/ledger', 'payments'],
    ['api', 'platform'],
    ['infra/dns', 'platform'],
    ['infra/dns/sub', 'catch-all'],
    ['web', 'catch-all'],
  ])('repo %s -> %s (first team in file order)', (repo, team) => {
    expect(teamForRepo(repo, teams)?.name).toBe(team);
  });
  it.each([
    ['nope: 1\n', 'teams.yaml: invalid teams file: `teams` must be a mapping of team names'],
    ['teams:\n  a:\n    repos: x\n', 'teams.yaml: invalid teams file: teams.a.repos must be a list of strings'],
    ['teams:\n  a:\n    owner: x\n', "teams.yaml: invalid teams file: teams.a: unknown key 'owner'"],
    ['teams: [\n', 'teams.yaml: invalid teams file: YAML: unexpected end of the stream within a flow collection'],
  ])('rejects %j with one line naming the file', (text, message) => {
    try {
      parseTeams(text, 'teams.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).oneLine()).toBe(message);
    }
  });
});

describe('assignOwners', () => {
  it('fills owner from CODEOWNERS (mapped through team handles), then the teams file, then unowned', () => {
    const input = sampleReport();
    for (const f of input.findings) delete f.owner;
    const before = JSON.stringify(input);
    const codeownersByRepo = new Map([
      ['api', '* @acme/backend\n'],
      ['web', '/package-lock.json @alice @acme/web\n'],
    ]);
    const teams = parseTeams('teams:\n  platform:\n    handles: ["@acme/backend"]\n    contact: "#platform"\n  legacy-team:\n    repos: ["leg*"]\n');
    const out = assignOwners(input, { codeownersByRepo, teams });
    expect(JSON.stringify(input)).toBe(before);
    expect(out.findings.map((f) => [f.repo, f.owner])).toEqual([
      ['web', { team: '@alice @acme/web', contact: '@alice @acme/web', source: 'CODEOWNERS', rule: 'CODEOWNERS:1 /package-lock.json' }],
      ['api', { team: 'platform', contact: '#platform', source: 'CODEOWNERS', rule: 'CODEOWNERS:1 *' }],
      ['legacy', { team: 'legacy-team', source: 'teams', rule: 'teams:legacy-team' }],
    ]);
    expect(validateReport(out)).toEqual([]);
    const none = assignOwners(input, { codeownersByRepo: new Map() });
    expect(none.findings.map((f) => f.owner)).toEqual([
      { team: 'unowned', source: 'unowned' },
      { team: 'unowned', source: 'unowned' },
      { team: 'unowned', source: 'unowned' },
    ]);
  });

  it('an explicitly unowned CODEOWNERS rule falls through to the teams file', () => {
    const r = sampleReport();
    const out = assignOwners(r, {
      codeownersByRepo: new Map([['web', '* @acme/web\n/package-lock.json\n']]),
      teams: parseTeams('teams:\n  web-team:\n    repos: [web]\n'),
    });
    expect(out.findings[0]!.owner).toEqual({ team: 'web-team', source: 'teams', rule: 'teams:web-team' });
  });
});
