import { afterAll, describe, expect, it } from 'vitest';
import { renderChecklist } from '../../src/playbook/checklist.js';
import { scope } from '../../src/scope/index.js';
import { validateReport } from '../../src/report/schema.js';
import { cleanup, npmLock, TestRepo } from '../git/repo-helpers.js';

afterAll(() => cleanup());

const rogue = `name: shai-hulud-workflow
on: push
jobs:
  process:
    runs-on: ubuntu-latest
    steps:
      - run: echo '\${{ toJSON(secrets) }}' | base64 -w0 | base64 -w0 > data.json
`;

describe('indicators of compromise', () => {
  it('finds the worm workflow and branch, treats the secrets it read as taken, and contains rather than fixes them', async () => {
    const r = new TestRepo();
    r.commit(1, 'init', { 'package-lock.json': npmLock({ '@ctrl/tinycolor': '4.1.0' }) });
    r.checkout('shai-hulud', true);
    r.commit(2, 'Add Shai-Hulud workflow', {
      'package-lock.json': npmLock({ '@ctrl/tinycolor': '4.1.1' }),
      '.github/workflows/shai-hulud-workflow.yml': rogue,
    });
    r.checkout('main');
    const report = await scope({ paths: [r.dir], targets: [{ name: '@ctrl/tinycolor', range: '4.1.1 || 4.1.2', source: 'test' }] });
    expect(validateReport(report)).toEqual([]);
    expect(report.indicators!.map((i) => [i.kind, i.path, i.id])).toEqual([
      ['file', '.github/workflows/shai-hulud-workflow.yml', 'shai-hulud-1-workflow'],
      ['ref', 'refs/heads/shai-hulud', 'shai-hulud-1-branch'],
    ]);
    const taken = report.secrets.filter((s) => s.file === '.github/workflows/shai-hulud-workflow.yml');
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.every((s) => s.tier === 'T0' && s.promotedFrom !== undefined)).toBe(true);
    const md = renderChecklist(report);
    const contain = md.slice(md.indexOf('## 1.'), md.indexOf('## 2.'));
    expect(contain).toMatch(/the branch `shai-hulud` matches a known indicator of compromise/);
    expect(contain).toMatch(/the file `\.github\/workflows\/shai-hulud-workflow\.yml` matches a known indicator/);
    expect(md).not.toMatch(/Fix branch `shai-hulud`/);
  });

  it('finds nothing in an ordinary repository', async () => {
    const r = new TestRepo();
    r.commit(1, 'init', { 'package-lock.json': npmLock({ '@ctrl/tinycolor': '4.1.1' }), '.github/workflows/ci.yml': 'on: push\njobs: {}\n' });
    const report = await scope({ paths: [r.dir], targets: [{ name: '@ctrl/tinycolor', range: '4.1.1', source: 'test' }] });
    expect(report.indicators).toEqual([]);
  });
});
