import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { azurePipelinesReader } from '../../src/ci/readers/azure-pipelines.js';
import { assertNoValues, cases, checkCase, FIXTURES } from './_reader-fixtures.js';

const DIR = join(FIXTURES, 'azure-pipelines');

describe('azure-pipelines reader', () => {
  it.each(cases('azure-pipelines'))('%s', (c) => checkCase([azurePipelinesReader], join(DIR, c)));

  it('matches azure-pipelines*.yml only', () => {
    expect(['azure-pipelines.yml', 'build/azure-pipelines.release.yaml', 'ci/install.yml'].map(azurePipelinesReader.match)).toEqual([true, true, false]);
  });

  it('never stores a committed key', () => {
    assertNoValues([azurePipelinesReader], join(DIR, 'stages-templates'), ['BEGIN OPENSSH PRIVATE KEY']);
  });
});
