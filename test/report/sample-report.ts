/** A hand-built Report with history, builds, secrets, gaps, owners and publishing, shared by the report and playbook tests. */
import type { Report } from '../../src/report/model.js';

export const SHA = {
  webIntro: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  apiIntro: 'b2c3d4e5f60718293a4b5c6d7e8f901234567890',
  apiRemoved: 'c3d4e5f60718293a4b5c6d7e8f90123456789012',
  missing: 'd4e5f60718293a4b5c6d7e8f9012345678901234',
} as const;

export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'npm-ir', version: '0.1.0' },
    targets: [
      { name: '@ctrl/tinycolor', range: '4.1.1 || 4.1.2', source: 'cli' },
      { name: 'debug', range: '4.4.2', source: 'advisory.txt:3', id: 'GHSA-8mgj-vmr8-frr6' },
    ],
    findings: [
      {
        repo: 'web',
        lockfile: 'package-lock.json',
        format: 'npm',
        package: '@ctrl/tinycolor',
        version: '4.1.1',
        target: '@ctrl/tinycolor@4.1.1 || 4.1.2',
        direct: true,
        paths: [['web', '@ctrl/tinycolor']],
        line: 120,
        present: true,
        history: {
          introduced: [{ commit: SHA.webIntro, date: '2025-09-15T08:00:00Z', author: 'alice' }],
          removed: [],
          affectedCommits: 3,
          refs: [
            { name: 'refs/heads/main', affectedAtTip: true },
            { name: 'refs/heads/feature/x', affectedAtTip: false },
          ],
          tags: ['v1.2.0'],
          windows: [{ ref: 'refs/heads/main', from: '2025-09-15T08:00:00Z', to: null, fromCommit: SHA.webIntro, toCommit: null }],
          firstSeen: '2025-09-15T08:00:00Z',
          lastSeen: null,
        },
        owner: { team: 'web-team', contact: '#web-oncall', source: 'CODEOWNERS', rule: 'CODEOWNERS:3 /package-lock.json' },
      },
      {
        repo: 'api',
        lockfile: 'services/auth/yarn.lock',
        format: 'yarn-classic',
        package: 'debug',
        version: '4.4.2',
        target: 'debug@4.4.2',
        direct: false,
        paths: [['auth', 'express', 'debug']],
        morePaths: 2,
        line: 42,
        present: false,
        history: {
          introduced: [{ commit: SHA.apiIntro, date: '2025-09-08T10:00:00Z', author: 'bob' }],
          removed: [{ commit: SHA.apiRemoved, date: '2025-09-09T12:00:00Z', author: 'carol' }],
          affectedCommits: 2,
          refs: [{ name: 'refs/heads/main', affectedAtTip: false }],
          tags: ['v3.0.2', 'v3.0.1'],
          windows: [
            { ref: 'refs/heads/main', from: '2025-09-08T10:00:00Z', to: '2025-09-09T12:00:00Z', fromCommit: SHA.apiIntro, toCommit: SHA.apiRemoved },
          ],
          firstSeen: '2025-09-08T10:00:00Z',
          lastSeen: '2025-09-09T12:00:00Z',
        },
        owner: { team: 'platform', contact: 'platform@example.com', source: 'teams', rule: 'teams:platform' },
      },
      {
        repo: 'legacy',
        lockfile: 'pnpm-lock.yaml',
        format: 'pnpm',
        package: 'debug',
        version: '4.4.2',
        target: 'debug@4.4.2',
        direct: true,
        paths: [],
        line: 7,
        present: true,
        owner: { team: 'unowned', source: 'unowned' },
      },
    ],
    builds: [
      {
        repo: 'web',
        id: 'gha-1001',
        commit: SHA.webIntro,
        workflow: 'ci.yml',
        startedAt: '2025-09-15T09:00:00Z',
        url: 'https://github.com/acme/web/actions/runs/1001',
        ref: 'refs/heads/main',
        packages: ['@ctrl/tinycolor@4.1.1 in package-lock.json'],
      },
    ],
    secrets: [
      { repo: 'web', system: 'github-actions', file: '.github/workflows/ci.yml', line: 40, name: 'SLACK_WEBHOOK', kind: 'messaging-webhook', tier: 'T1', job: 'test', step: 'notify' },
      { repo: 'web', system: 'github-actions', file: '.github/workflows/release.yml', line: 31, name: 'NPM_TOKEN', kind: 'npm-token', tier: 'T0', job: 'publish', step: 'npm ci' },
      { repo: 'api', system: 'gitlab-ci', file: '.gitlab-ci.yml', line: 12, name: 'AWS_SECRET_ACCESS_KEY', kind: 'aws', tier: 'T0', job: 'test' },
      { repo: 'api', system: 'gitlab-ci', file: '.gitlab-ci.yml', line: 80, name: 'DEPLOY_KEY', kind: 'ci-platform', tier: 'T4', job: 'deploy' },
    ],
    gaps: [
      { repo: 'legacy', path: 'old/yarn.lock', code: 'CORRUPT', reason: 'unterminated string' },
      { repo: 'api', path: 'package-lock.json', commit: SHA.missing, code: 'MISSING_OBJECT', reason: 'blob missing from a partial clone' },
    ],
    publishing: [{ repo: 'web', package: '@acme/web-widgets', evidence: 'package.json: publishConfig' }],
  };
}

/** Attacker-controlled text that every renderer must neutralise. */
export const HOSTILE = {
  formula: '=HYPERLINK("http://x","y")',
  sum: '@SUM(1+1)',
  plus: '+cmd',
  minus: '-2+3',
  esc: 'red\x1b[31mALERT\x1b[0m',
  cr: 'line\rover',
  bidi: 'safe\u202egnp.exe',
  link: '[click](http://evil)',
  backtick: 'a`b``c',
  script: '<script>alert(1)</script>',
} as const;

/** A Report whose every attacker-controlled field carries hostile text. */
export function hostileReport(): Report {
  const r = sampleReport();
  const h = HOSTILE;
  r.targets.push({ name: h.link, range: '*', source: h.script });
  r.findings.push({
    repo: h.link,
    lockfile: h.formula,
    format: 'npm',
    package: h.sum,
    version: h.minus,
    target: h.plus,
    direct: false,
    paths: [[h.script, h.backtick]],
    line: 3,
    present: true,
    history: {
      introduced: [{ commit: SHA.webIntro, date: '2025-09-15T08:00:00Z', author: h.esc }],
      removed: [],
      affectedCommits: 1,
      refs: [{ name: `refs/heads/${h.bidi}`, affectedAtTip: true }],
      tags: [h.cr, h.script],
      windows: [],
    },
    owner: { team: h.link, contact: h.formula, source: 'CODEOWNERS' },
  });
  r.builds.push({ repo: h.link, id: h.esc, commit: SHA.webIntro, workflow: h.script, url: h.link });
  r.secrets.push({ repo: h.link, system: 'github-actions', file: h.backtick, line: 9, name: h.esc, kind: h.script, tier: 'T0', job: h.bidi, step: h.cr });
  r.gaps.push({ repo: h.link, path: h.formula, code: 'CORRUPT', reason: h.script });
  r.publishing!.push({ repo: h.link, package: h.sum, evidence: h.link });
  return r;
}
