import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitlabCiReader } from '../../src/ci/readers/gitlab-ci.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'gitlab-ci');

describe('gitlab-ci reader', () => {
  it.each(cases('gitlab-ci'))('%s', (c) => checkCase([gitlabCiReader], join(DIR, c)));

  it('matches only the root .gitlab-ci.yml', () => {
    expect(['.gitlab-ci.yml', 'sub/.gitlab-ci.yml', 'ci/templates.yml'].map(gitlabCiReader.match)).toEqual([true, false, false]);
  });

  it('never stores a committed token value', () => {
    assertNoValues([gitlabCiReader], join(DIR, 'extends-default-reference'), ['glpat-AbCdEfGhIjKlMnOpQrSt', 'AbCdEfGhIjKlMnOpQrSt']);
  });
});
