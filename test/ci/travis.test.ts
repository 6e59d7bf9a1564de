import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { travisReader } from '../../src/ci/readers/travis.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'travis');

describe('travis reader', () => {
  it.each(cases('travis'))('%s', (c) => checkCase([travisReader], join(DIR, c)));

  it('matches the root .travis.yml only', () => {
    expect(['.travis.yml', 'sub/.travis.yml', '.travis.yaml'].map(travisReader.match)).toEqual([true, false, false]);
  });

  it('never stores committed or encrypted values', () => {
    assertNoValues([travisReader], join(DIR, 'worked-example'), ['8c1e5d4a-2b3f-4c6d-9e8f-0a1b2c3d4e5f', 'Zm9vYmFy', 'YmF6']);
  });
});
