import { describe, expect, it } from 'vitest';
import { readLockfile } from '../../src/lockfiles/index.js';
import { renderChecklist } from '../../src/playbook/checklist.js';
import { scope } from '../../src/scope/index.js';
import { writeLockfile, type GenProject } from '../../src/generate/lockfiles.js';
import { tmpdir, writeFiles } from '../helpers/cli.js';

const project: GenProject = {
  name: 'app',
  version: '1.0.0',
  dependencies: { '@ctrl/tinycolor': '4.1.1', chalk: '5.6.1' },
  packages: [
    { name: '@ctrl/tinycolor', version: '4.1.1', installScript: true },
    { name: 'chalk', version: '5.6.1' },
  ],
};

describe('install scripts recorded in lockfiles', () => {
  it.each([
    ['npm', 'package-lock.json', 'hasInstallScript'],
    ['pnpm', 'pnpm-lock.yaml', 'requiresBuild'],
  ] as const)('%s (%s, %s)', (format, file, field) => {
    const text = writeLockfile(format, project);
    expect(text).toContain(field);
    const r = readLockfile(text, { repo: '.', path: file });
    const flag = (n: string) => r.entries.find((e) => e.name === n)!.installScript ?? false;
    expect([flag('@ctrl/tinycolor'), flag('chalk')]).toEqual([true, false]);
  });

  it('reach the finding, the table and the checklist', async () => {
    const dir = tmpdir('npm-ir-scripts-');
    writeFiles(dir, { 'app/package-lock.json': writeLockfile('npm', project) });
    const report = await scope({
      paths: [dir],
      targets: [
        { name: '@ctrl/tinycolor', range: '4.1.1', source: 't' },
        { name: 'chalk', range: '5.6.1', source: 't' },
      ],
    });
    expect(report.findings.map((f) => [f.package, f.installScript ?? false])).toEqual([
      ['@ctrl/tinycolor', true],
      ['chalk', false],
    ]);
    const md = renderChecklist(report);
    expect(md).toMatch(/`@ctrl\/tinycolor@4\.1\.1` in `app`.*the lockfile records install scripts for this version/);
    expect(md).toMatch(/`chalk@5\.6\.1` in `app`.*no install script recorded in the lockfile/);
  });
});
