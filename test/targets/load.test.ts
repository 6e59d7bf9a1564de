import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { TargetIndex } from '../../src/match/index.js';
import { dedupeTargets, loadTargets, parseSpec } from '../../src/targets/index.js';
import type { Target } from '../../src/types.js';

const DIR = 'fixtures/advisories';

describe('loadTargets', () => {
  it('combines specs and files, removes duplicates (first source wins), sorts by name then range', async () => {
    const set = await loadTargets(
      ['chalk@5.6.1', '@ctrl/tinycolor@4.1.1', 'rc@>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0'],
      [`${DIR}/osv/tinycolor-conflict.json`, `${DIR}/headerless.csv`, `${DIR}/list.txt`],
    );
    const tiny = `${DIR}/osv/tinycolor-conflict.json#MAL-2025-47141`;
    expect(set.targets.map((t) => [t.name, t.range, t.source])).toEqual([
      ['@ctrl/tinycolor', '4.1.1', 'cli'],
      ['@ctrl/tinycolor', '4.1.2', `${DIR}/list.txt:6`],
      ['@ctrl/tinycolor', '>=4.1.1 <=4.1.2', tiny],
      ['chalk', '5.6.1', 'cli'],
      ['coa', '2.0.3', `${DIR}/headerless.csv:1`],
      ['coa', '2.0.4', `${DIR}/headerless.csv:2`],
      ['coa', '2.1.1', `${DIR}/headerless.csv:3`],
      ['debug', '4.4.2', `${DIR}/list.txt:4`],
      ['flatmap-stream', '*', `${DIR}/list.txt:13`],
      ['node-ipc', '10.1.1', `${DIR}/list.txt:14`],
      ['node-ipc', '10.1.2', `${DIR}/list.txt:14`],
      ['rc', '>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0', 'cli'],
      ['ua-parser-js', '0.7.29', `${DIR}/list.txt:8`],
      ['ua-parser-js', '0.8.0', `${DIR}/list.txt:9`],
      ['ua-parser-js', '1.0.0', `${DIR}/list.txt:10`],
    ]);
    expect(set.notes.map((n) => n.code)).toEqual(['RANGE_CONFLICT', 'OTHER_ECOSYSTEM']);
  });

  it('a bad spec is a UsageError before any file is read', async () => {
    await expect(loadTargets(['../x'], [`${DIR}/missing.txt`])).rejects.toThrow(
      new UsageError('invalid target "../x": invalid package name "../x"'),
    );
  });

  it('dedupeTargets keeps an id learnt from a later duplicate and orders exact versions by semver', () => {
    expect(
      dedupeTargets([
        { name: 'nx', range: '21.5.0', source: 'a' },
        { name: 'nx', range: '>=20.9.0 <20.13.0', source: 'b' },
        { name: 'nx', range: '20.10.0', source: 'c' },
        { name: 'nx', range: '21.5.0', source: 'd', id: 'GHSA-cxm3-wv7p-598c' },
        { name: 'nx', range: '20.9.0', source: 'e' },
      ]),
    ).toEqual([
      { name: 'nx', range: '20.9.0', source: 'e' },
      { name: 'nx', range: '20.10.0', source: 'c' },
      { name: 'nx', range: '21.5.0', source: 'a', id: 'GHSA-cxm3-wv7p-598c' },
      { name: 'nx', range: '>=20.9.0 <20.13.0', source: 'b' },
    ]);
  });
});

describe('matching loaded targets through TargetIndex', () => {
  const cases: { what: string; targets: () => Promise<Target[]>; name: string; yes: string[]; no: string[] }[] = [
    {
      what: 'an exact prerelease version',
      targets: async () => [parseSpec('colors@1.4.44-liberty-2')],
      name: 'colors',
      yes: ['1.4.44-liberty-2'],
      no: ['1.4.44', '1.4.44-liberty-1', '1.4.0'],
    },
    {
      what: 'a whole-package OSV record (introduced "0")',
      targets: async () => (await loadTargets([], [`${DIR}/osv/flatmap-stream.json`])).targets,
      name: 'flatmap-stream',
      yes: ['0.1.1', '0.0.1', '0.1.2-beta.1', '99.0.0'],
      no: [],
    },
    {
      what: 'the tinycolor conflict record, never widened',
      targets: async () => (await loadTargets([], [`${DIR}/osv/tinycolor-conflict.json`])).targets,
      name: '@ctrl/tinycolor',
      yes: ['4.1.1', '4.1.2'],
      no: ['4.1.0', '4.1.3', '3.4.1', '4.2.0'],
    },
    {
      what: 'the rc GHSA-style OSV ranges',
      targets: async () => (await loadTargets([], [`${DIR}/osv/rc-ghsa-range.json`])).targets,
      name: 'rc',
      yes: ['1.2.9', '1.3.9', '2.3.9'],
      no: ['1.2.8', '1.4.0', '2.3.8', '2.4.0'],
    },
    {
      what: 'a GHSA-style range spec',
      targets: async () => [parseSpec('rc@>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0')],
      name: 'rc',
      yes: ['1.2.9', '1.3.9'],
      no: ['1.2.8', '1.4.0', '2.3.9'],
    },
    {
      what: 'last_affected is inclusive',
      targets: async () => (await loadTargets([], [`${DIR}/osv/node-ipc-last-affected.json`])).targets,
      name: 'node-ipc',
      yes: ['10.1.1', '10.1.2'],
      no: ['10.1.0', '10.1.3', '9.2.1'],
    },
    {
      what: 'a bare name in a text list',
      targets: async () => (await loadTargets([], [`${DIR}/list.txt`])).targets,
      name: 'flatmap-stream',
      yes: ['0.1.1', '0.1.2'],
      no: [],
    },
  ];
  it.each(cases)('$what', async ({ targets, name, yes, no }) => {
    const index = new TargetIndex(await targets());
    const hits = (v: string): boolean => index.matchVersion(name, v).length > 0;
    expect({ yes: yes.filter(hits), no: no.filter(hits) }).toEqual({ yes, no: [] });
  });

  it('a whole-package target matches whatever the entry resolved to', async () => {
    const index = new TargetIndex((await loadTargets([], [`${DIR}/osv/flatmap-stream.json`])).targets);
    expect(index.match({ name: 'flatmap-stream', version: '', kind: 'git' }).map((t) => t.id)).toEqual(['MAL-2025-20690']);
  });
});

describe('a generated 5,000-line worm list', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'npm-ir-targets-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and de-duplicates', async () => {
    const lines: string[] = ['# generated: 1,250 packages x 2 versions, every line twice'];
    for (let i = 0; i < 2500; i++) {
      const pkg = i % 2 === 0 ? `@worm${i % 7}/pkg-${Math.floor(i / 2)}` : `pkg-${Math.floor(i / 2)}`;
      const line = `${pkg}@1.0.${i % 2}`;
      lines.push(line, `${line}   # again`);
    }
    const file = join(dir, 'worm.txt');
    await writeFile(file, lines.join('\n'));
    const set = await loadTargets([], [file]);
    expect(lines.length).toBe(5001);
    expect(set.targets.length).toBe(2500);
    expect(set.notes).toEqual([]);
    const keys = set.targets.map((t) => `${t.name}@${t.range}`);
    expect(new Set(keys).size).toBe(2500);
    expect(keys.slice(0, 2)).toEqual(['@worm0/pkg-0', '@worm0/pkg-1001'].map((n) => `${n}@1.0.0`));
    const sorted = [...set.targets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    expect(set.targets.map((t) => t.name)).toEqual(sorted.map((t) => t.name));
    expect(set.targets.find((t) => t.name === 'pkg-1')).toEqual({ name: 'pkg-1', range: '1.0.1', source: `${file}:8` });
  });
});
