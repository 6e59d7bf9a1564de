import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circleciReader } from '../../src/ci/readers/circleci.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'circleci');

describe('circleci reader', () => {
  it.each(cases('circleci'))('%s', (c) => checkCase([circleciReader], join(DIR, c)));

  it('matches .circleci/config.yml only', () => {
    expect(['.circleci/config.yml', '.circleci/config.yaml', '.circleci/other.yml', 'config.yml'].map(circleciReader.match)).toEqual([true, true, false, false]);
  });

  it('never stores a committed token value', () => {
    assertNoValues([circleciReader], join(DIR, 'commands-caches'), ['AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefGHIJ']);
  });
});
