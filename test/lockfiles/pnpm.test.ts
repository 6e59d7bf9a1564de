import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPnpmLock } from '../../src/lockfiles/pnpm.js';
import { describeFixtureTable, listCases, loadCase, pathsOf, project, repoRoot } from './pnpm-bun-fixtures.js';

const FIXTURES = join(repoRoot, 'fixtures/lockfiles/pnpm');
const NAMES = ['pnpm-lock.yaml'];
const cases = listCases(FIXTURES).map((c) => loadCase(FIXTURES, c, NAMES));

describeFixtureTable('pnpm lockfile reader: fixtures', cases, { positive: 30, negative: 7 });

describe('pnpm lockfile reader: details', () => {
  const origin = { repo: '.', path: 'pnpm-lock.yaml' };

  it('keeps lockfileVersion as written (5.10 is not 5.1)', () => {
    const r = readPnpmLock('lockfileVersion: 5.10\n\nspecifiers: {}\n', origin);
    expect(r.formatVersion).toBe('5.10');
    expect(r.warnings.map((w) => w.code)).toEqual(['NEWER_FORMAT']);
  });

  it('keeps versions that YAML would read as numbers', () => {
    const text = [
      'lockfileVersion: 5.4',
      '',
      'dependencies:',
      '  foo: 1.10.0',
      '',
      'packages:',
      '',
      '  /foo/1.10.0:',
      '    resolution: {integrity: sha512-x}',
      '    dev: false',
      '',
    ].join('\n');
    const r = readPnpmLock(text, origin);
    expect(project(r)).toEqual([{ name: 'foo', version: '1.10.0', kind: 'registry', line: 8 }]);
  });

  it('reads 5.x keys of a non-default registry as registry entries', () => {
    const text = [
      'lockfileVersion: 5.3',
      '',
      'dependencies:',
      '  \'@corp/lib\': registry.corp.example/@corp/lib/2.0.0',
      '',
      'packages:',
      '',
      '  registry.corp.example/@corp/lib/2.0.0:',
      '    resolution: {integrity: sha512-x, tarball: https://registry.corp.example/@corp/lib/-/lib-2.0.0.tgz}',
      '    dev: false',
      '',
    ].join('\n');
    const r = readPnpmLock(text, origin);
    expect(project(r)).toEqual([{ name: '@corp/lib', version: '2.0.0', kind: 'registry', line: 8 }]);
    expect(pathsOf(r, '@corp/lib@2.0.0')).toEqual([['.', '@corp/lib']]);
  });

  it('classifies a codeload.github.com tarball as git, never registry', () => {
    const text = [
      'lockfileVersion: \'6.0\'',
      '',
      'dependencies:',
      '  tiny:',
      '    specifier: github:user/tiny',
      '    version: github.com/user/tiny/0123456789abcdef0123456789abcdef01234567',
      '',
      'packages:',
      '',
      '  github.com/user/tiny/0123456789abcdef0123456789abcdef01234567:',
      '    resolution: {tarball: https://codeload.github.com/user/tiny/tar.gz/0123456789abcdef0123456789abcdef01234567}',
      '    name: tiny',
      '    version: 1.0.0',
      '    dev: false',
      '',
    ].join('\n');
    const r = readPnpmLock(text, origin);
    expect(project(r)).toEqual([{ name: 'tiny', version: '1.0.0', kind: 'git', line: 10 }]);
  });
});
