import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bitbucketReader } from '../../src/ci/readers/bitbucket.js';
import { cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'bitbucket');

describe('bitbucket reader', () => {
  it.each(cases('bitbucket'))('%s', (c) => checkCase([bitbucketReader], join(DIR, c)));

  it('matches the root bitbucket-pipelines.yml only', () => {
    expect(['bitbucket-pipelines.yml', 'sub/bitbucket-pipelines.yml'].map(bitbucketReader.match)).toEqual([true, false]);
  });
});
