import { describe, expect, it } from 'vitest';
import { entries, parseYaml } from '../../src/ci/yaml.js';

describe('CI YAML helpers', () => {
  it('expands merge keys (<<: *anchor) with explicit keys winning, and keeps scalars as strings', () => {
    const r = parseYaml('base: &b\n  NODE_VERSION: 1.10\n  TOKEN: x\njob:\n  <<: *b\n  TOKEN: y\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const root = entries(r.file, r.file.doc.contents);
    const job = root.find((e) => e.key === 'job')!;
    const kv = entries(r.file, job.value).map((e) => [e.key, String((e.value as { value?: unknown }).value)]);
    expect(kv.sort()).toEqual([
      ['NODE_VERSION', '1.10'],
      ['TOKEN', 'y'],
    ]);
  });
});

describe('public DSNs are not secret literals (ci-secrets.md §3.5)', () => {
  it.each([
    ['SENTRY_DSN', 'https://public@sentry.example.com/7', true],
    ['SENTRY_DSN', 'https://user:s3cr3t@sentry.example.com/7', false],
    ['DATABASE_URL', 'https://public@db.example.com/7', false],
    ['SENTRY_DSN', 'not a url', false],
  ])('%s=%s -> public %s', async (name, value, expected) => {
    const { isPublicDsn } = await import('../../src/ci/secrets.js');
    expect(isPublicDsn(name, value)).toBe(expected);
  });
});

describe('hostile YAML', () => {
  it('a merge key that refers to its own map does not recurse forever', () => {
    const r = parseYaml('a: &a\n  x: 1\n  <<: *a\njobs:\n  build:\n    <<: *a\n    runs-on: ubuntu-latest\n');
    if (!r.ok) return expect(r.ok).toBe(true);
    const root = entries(r.file, r.file.doc.contents);
    const build = entries(r.file, root.find((e) => e.key === 'jobs')!.value).find((e) => e.key === 'build')!;
    expect(entries(r.file, build.value).map((e) => e.key).sort()).toEqual(['runs-on', 'x']);
  });
});
