import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileReader } from '../../src/ci/readers/dockerfile.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'dockerfile');

describe('dockerfile reader', () => {
  it.each(cases('dockerfile'))('%s', (c) => checkCase([dockerfileReader], join(DIR, c)));

  it('matches Dockerfile name variants only', () => {
    const paths = ['Dockerfile', 'Dockerfile.prod', 'docker/app.Dockerfile', 'Containerfile', 'Dockerfile.md', 'dockerfile-notes.txt', 'node_modules/x/Dockerfile'];
    expect(paths.map(dockerfileReader.match)).toEqual([true, true, true, true, false, false, false]);
  });

  it('never stores a committed token value', () => {
    assertNoValues([dockerfileReader], join(DIR, 'secret-mounts'), ['eyJpYXQiOjE3MDAwMDAwMDB9_abcdefghijklmnopqrstuvwxyz0123456789ABCD', 'eyJpYXQiOj']);
  });
});
