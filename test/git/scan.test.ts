/**
 * The npm fast path must give exactly the matched entries a full read gives: over every npm fixture
 * (real npm output), with few targets (name search) and with many (key scan), lines included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEEDLE_LIMIT, scanNpmBlob } from '../../src/git/scan.js';
import { readLockfile } from '../../src/lockfiles/index.js';
import { TargetIndex } from '../../src/match/index.js';
import type { Entry, Target } from '../../src/types.js';
import { npmLock } from './repo-helpers.js';

const DIR = 'fixtures/lockfiles/npm';
const cases = readdirSync(DIR)
  .filter((c) => existsSync(join(DIR, c, 'package-lock.json')))
  .map((c) => [c, readFileSync(join(DIR, c, 'package-lock.json'))] as const)
  .filter(([, b]) => {
    try {
      readLockfile(b, { repo: '.', path: 'package-lock.json' });
      return true;
    } catch {
      return false;
    }
  });

function viaScan(bytes: Buffer, targets: TargetIndex): Entry[] | 'whole' {
  const s = scanNpmBlob(bytes, targets);
  if (!s) return 'whole';
  if (s.text === null) return [];
  const r = readLockfile(s.text, { repo: '.', path: 'package-lock.json' });
  return r.entries.filter((e) => targets.match(e).length > 0).map((e) => ({ ...e, line: s.lineOf(e.line) }));
}

function viaFull(bytes: Buffer, targets: TargetIndex): Entry[] {
  return readLockfile(bytes, { repo: '.', path: 'package-lock.json' }).entries.filter((e) => targets.match(e).length > 0);
}

const sortE = (l: Entry[]) => [...l].sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));

describe('scanNpmBlob agrees with the full reader', () => {
  it('has npm fixtures to run over', () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(cases)('%s', (_name, bytes) => {
    const all = readLockfile(bytes, { repo: '.', path: 'package-lock.json' }).entries;
    const names = [...new Set(all.map((e) => e.name))];
    // Each name alone, every version ('*'), through the name search.
    for (const n of names) {
      const t = new TargetIndex([{ name: n, range: '*', source: 't' }]);
      const got = viaScan(bytes, t);
      if (got === 'whole') continue; // v1 and unusual shapes are read whole by design
      expect(sortE(got)).toEqual(sortE(viaFull(bytes, t)));
    }
    // Many targets: the key scan.
    const many: Target[] = names.map((n) => ({ name: n, range: '*', source: 't' }));
    for (let i = many.length; i <= NEEDLE_LIMIT + 1; i++) many.push({ name: `filler-${i}`, range: '*', source: 't' });
    const t = new TargetIndex(many);
    const got = viaScan(bytes, t);
    if (got !== 'whole') expect(sortE(got)).toEqual(sortE(viaFull(bytes, t)));
  });

  it('is used for the v2/v3 fixtures (not everything falls back)', () => {
    const used = cases.filter(([n, b]) => /\.v[23]$/.test(n) && scanNpmBlob(b, new TargetIndex([{ name: 'x', range: '*', source: 't' }])) !== null);
    expect(used.length).toBeGreaterThan(3);
  });

  it('maps lines back to the blob and finds aliases by their name field with many targets', () => {
    const text = npmLock({ 'left-pad': '1.3.0', evil: '1.0.0', other: '2.0.0' }).replace(
      '"node_modules/other": {\n',
      '"node_modules/other": {\n      "name": "evil",\n',
    );
    const bytes = Buffer.from(text);
    const targets = [{ name: 'evil', range: '*', source: 't' }];
    for (let i = 0; i < NEEDLE_LIMIT + 5; i++) targets.push({ name: `filler-${i}`, range: '*', source: 't' });
    for (const t of [new TargetIndex(targets.slice(0, 1)), new TargetIndex(targets)]) {
      const got = viaScan(bytes, t);
      expect(got).not.toBe('whole');
      expect(sortE(got as Entry[]).map((e) => [e.name, e.version, e.alias, e.line])).toEqual([
        ['evil', '1.0.0', undefined, text.split('\n').indexOf('    "node_modules/evil": {') + 1],
        ['evil', '2.0.0', 'other', text.split('\n').indexOf('    "node_modules/other": {') + 1],
      ]);
    }
  });

  it('says "clean" without a reader when no entry can name a target', () => {
    const s = scanNpmBlob(Buffer.from(npmLock({ 'left-pad': '1.3.0' })), new TargetIndex([{ name: 'evil', range: '*', source: 't' }]));
    expect(s).not.toBeNull();
    expect(s!.text).toBeNull();
  });

  it.each([
    ['another indentation', JSON.stringify(JSON.parse(npmLock({ evil: '1.0.0' })), null, 4)],
    ['one line', JSON.stringify(JSON.parse(npmLock({ evil: '1.0.0' })))],
    ['lockfileVersion 1', npmLock({ evil: '1.0.0' }).replace('"lockfileVersion": 3', '"lockfileVersion": 1')],
    ['an escaped name', npmLock({ evil: '1.0.0' }).replace('"node_modules/evil"', '"node_modules/\\u0065vil"')],
    ['conflict markers', npmLock({ evil: '1.0.0' }).replace('  "packages": {\n', '  "packages": {\n<<<<<<< ours\n=======\n>>>>>>> theirs\n')],
  ])('hands %s to the full reader', (_n, text) => {
    expect(scanNpmBlob(Buffer.from(text), new TargetIndex([{ name: 'evil', range: '*', source: 't' }]))).toBeNull();
  });
});
