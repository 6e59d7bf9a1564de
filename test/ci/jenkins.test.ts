import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jenkinsReader } from '../../src/ci/readers/jenkins.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'jenkins');

describe('jenkins reader', () => {
  it.each(cases('jenkins'))('%s', (c) => checkCase([jenkinsReader], join(DIR, c)));

  it('matches Jenkinsfile variants only', () => {
    expect(['Jenkinsfile', 'ci/Jenkinsfile.release', 'deploy.jenkinsfile', 'Jenkinsfile.md.txt', 'jenkins.yml'].map(jenkinsReader.match)).toEqual([true, true, true, true, false]);
  });

  it('never stores a committed token value', () => {
    assertNoValues([jenkinsReader], join(DIR, 'credentials-and-wrappers'), ['npm_abcdefghijklmnopqrstuvwxyz0123456789', 'abcdefghijklmnopqrstuvwxyz0123456789']);
  });
});
