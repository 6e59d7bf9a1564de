import { describe, expect, it } from 'vitest';
import { TargetIndex } from '../../src/match/index.js';
import type { Entry, Target } from '../../src/types.js';

const t = (name: string, range: string): Target => ({ name, range, source: 'test' });
const e = (name: string, version: string, kind: Entry['kind'] = 'registry') => ({ name, version, kind });

describe('TargetIndex', () => {
  const idx = new TargetIndex([
    t('ua-parser-js', '0.7.29 || 0.8.0 || 1.0.0'),
    t('colors', '1.4.44-liberty-2'),
    t('rc', '>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0'),
    t('flatmap-stream', '*'),
    t('odd', '1.0.0.0-hijacked'),
    t('@ctrl/tinycolor', '4.1.1'),
  ]);

  it.each([
    [e('ua-parser-js', '0.7.29'), true],
    [e('ua-parser-js', '0.7.30'), false],
    [e('colors', '1.4.44-liberty-2'), true],
    [e('colors', '1.4.0'), false],
    [e('rc', '1.2.9'), true],
    [e('rc', '1.3.9'), true],
    [e('rc', '1.3.0-beta.1'), true], // sorts below 1.3.0, so inside <1.3.0
    [e('rc', '1.3.1'), false],
    [e('rc', '1.2.10-beta.1'), true], // prereleases inside a range are included: over-match rather than miss
    [e('rc', '1.2.8'), false],
    [e('flatmap-stream', '0.1.1'), true],
    [e('flatmap-stream', '', 'git'), true], // every version: the name alone is the indicator
    [e('odd', '1.0.0.0-hijacked'), true],
    [e('odd', '1.0.0'), false],
    [e('@ctrl/tinycolor', '4.1.1'), true],
    [e('@ctrl/tinycolor', '4.1.1', 'git'), false], // a git dependency is never a registry version
    [e('tinycolor', '4.1.1'), false],
  ])('%j -> %s', (entry, expected) => {
    expect(idx.match(entry).length > 0).toBe(expected);
  });

  it('pre-checks raw bytes for any target name', () => {
    expect(idx.anyNameIn(Buffer.from('{"node_modules/rc": {}}'))).toBe(true);
    expect(idx.anyNameIn(Buffer.from('{"node_modules/left-pad": {}}'))).toBe(false);
    expect(idx.names).toEqual(['@ctrl/tinycolor', 'colors', 'flatmap-stream', 'odd', 'rc', 'ua-parser-js']);
  });
});

describe('TargetIndex pre-check with many names (bitmap pass)', () => {
  const many = Array.from({ length: 500 }, (_, i) => t(`absent-package-${i}`, '*'));
  it.each([
    ['a name at the very start', 'rc', 'rc@1.2.9'],
    ['a name at the very end', '@ctrl/tinycolor', '"node_modules/@ctrl/tinycolor'],
    ['a short name', 'ms', '  ms "^2.1.3"'],
    ['a name in the middle', 'flatmap-stream', '{"x": "node_modules/flatmap-stream": {}}'],
  ])('%s', (_label, name, text) => {
    const idx = new TargetIndex([...many, t(name, '*')]);
    expect(idx.anyNameIn(Buffer.from(text))).toBe(true);
    expect(idx.anyNameIn(text)).toBe(true);
    expect(idx.anyNameIn(Buffer.from(text.replace(name, 'zzz')))).toBe(false);
  });

  it('agrees with indexOf on random texts', () => {
    const names = Array.from({ length: 200 }, (_, i) => `pkg-${(i * 7919) % 1000}`);
    const idx = new TargetIndex(names.map((n) => t(n, '*')));
    for (let s = 0; s < 50; s++) {
      const text = Array.from({ length: 40 }, (_, i) => `pkg-${(s * 131 + i * 17) % 2000}`).join('\n');
      const expected = names.some((n) => text.includes(n));
      expect(idx.anyNameIn(Buffer.from(text))).toBe(expected);
    }
  });
});
