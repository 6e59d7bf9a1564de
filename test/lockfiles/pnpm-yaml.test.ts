/**
 * The line-based reader of pnpm's regular YAML must give js-yaml's FAILSAFE tree whenever it answers,
 * and must answer for what pnpm writes: every pnpm fixture, the corpus when it is there, and odd
 * shapes that have to go to js-yaml.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseRegularYaml } from '../../src/lockfiles/pnpm-yaml.js';
import { repoRoot } from './pnpm-bun-fixtures.js';

const failsafe = (t: string): unknown => yaml.load(t, { schema: yaml.FAILSAFE_SCHEMA });

function files(): [string, string][] {
  const out: [string, string][] = [];
  const fx = 'fixtures/lockfiles/pnpm';
  for (const c of readdirSync(fx)) {
    const p = join(fx, c, 'pnpm-lock.yaml');
    if (existsSync(p)) out.push([`fixtures/${c}`, readFileSync(p, 'utf8')]);
  }
  const corpus = resolve(repoRoot, '../shared/lockfile-corpus');
  if (existsSync(corpus)) {
    for (const d of readdirSync(corpus).filter((x) => x.startsWith('pnpm-'))) {
      for (const c of readdirSync(join(corpus, d))) {
        const p = join(corpus, d, c, 'pnpm-lock.yaml');
        if (existsSync(p)) out.push([`corpus/${d}/${c}`, readFileSync(p, 'utf8')]);
      }
    }
  }
  return out;
}

describe('parseRegularYaml', () => {
  const all = files();

  it.each(all)('%s: the js-yaml tree, or a hand-off', (_n, text) => {
    const fast = parseRegularYaml(text.split('\n'));
    if (fast === undefined) return;
    expect(fast).toEqual(failsafe(text));
  });

  it('answers for the regular files pnpm writes (fixtures and corpus)', () => {
    const regular = all.filter(([n]) => /\.(?:5\.\d|6\.0|9\.0)$/.test(n) || n.startsWith('corpus/'));
    const answered = regular.filter(([n, t]) => parseRegularYaml(t.split('\n')) !== undefined || n.includes('prettier'));
    expect(answered.map(([n]) => n)).toEqual(regular.map(([n]) => n));
  });

  it.each([
    ['a comment', "lockfileVersion: '9.0'\n# hi\n"],
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a folded block scalar', 'a: >\n  text\n'],
    ['a block scalar with a blank line of spaces', 'a: |-\n  one\n  \n  two\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['an escape', 'a: "x\\ty"\n'],
    ['a nested flow', 'a: {b: {c: d}}\n'],
    ['a multi-line flow', 'a:\n  {\n    b: c,\n  }\n'],
    ['odd indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['a cut-short flow', 'a: {integrity: sha512-x'],
    ['a key without colon', 'a: 1\nbroken\n'],
  ])('hands %s to js-yaml', (_n, text) => {
    expect(parseRegularYaml(text.split('\n'))).toBeUndefined();
  });

  it('reads quoted keys and values, flow collections, sequences and empty values as js-yaml does', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      "      '@a/b':",
      '        specifier: ^1.0.0',
      "        version: 1.0.0(x@2.0.0)",
      "      \"c\": 'it''s'",
      'packages:',
      "  '@a/b@1.0.0':",
      "    resolution: {integrity: sha512-AB+/==, tarball: 'https://x.test/a/-/b-1.0.0.tgz'}",
      "    engines: {node: '>=12'}",
      '    os: [darwin, linux]',
      '    cpu: []',
      '    hasBin: true',
      '    empty:',
      'snapshots:',
      '  x@2.0.0: {}',
      '  y@1.0.0:',
      '    transitivePeerDependencies:',
      '      - supports-color',
      '      - -odd',
      '    deprecated: |-',
      '      Deprecated, see',
      '',
      '        https://x.test',
      '    note: |',
      '      kept',
      '',
    ].join('\n');
    const fast = parseRegularYaml(text.split('\n'));
    expect(fast).not.toBeUndefined();
    expect(fast).toEqual(failsafe(text));
  });
});
