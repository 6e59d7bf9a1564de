import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { detectAdvisoryFormat, loadAdvisoryFile, loadAdvisoryPath, parseAdvisoryText } from '../../src/targets/index.js';
import type { Target, TargetNote } from '../../src/types.js';

const DIR = 'fixtures/advisories';
const at = (file: string, line: number): string => `${DIR}/${file}:${line}`;
const t = (name: string, range: string, source: string, id?: string): Target =>
  id === undefined ? { name, range, source } : { name, range, source, id };

const TINY = `${DIR}/osv/tinycolor-conflict.json#MAL-2025-47141`;
const COA = `${DIR}/osv/array.json#MAL-0000-fixture-coa`;
const UAP = `${DIR}/osv/array.json#record-2`;
const NX = `${DIR}/osv-dir/npm/nx/MAL-0000-fixture-nx.json#MAL-0000-fixture-nx`;
const DEVKIT = `${DIR}/osv-dir/npm/@nx/devkit/MAL-0000-fixture-nx-devkit.json#MAL-0000-fixture-nx-devkit`;

const cases: { file: string; targets: Target[]; notes: TargetNote[] }[] = [
  {
    file: 'list.txt',
    targets: [
      t('@ctrl/tinycolor', '4.1.1', at('list.txt', 5)),
      t('@ctrl/tinycolor', '4.1.2', at('list.txt', 6)),
      t('chalk', '5.6.1', at('list.txt', 3)),
      t('debug', '4.4.2', at('list.txt', 4)),
      t('flatmap-stream', '*', at('list.txt', 13)),
      t('node-ipc', '10.1.1', at('list.txt', 14)),
      t('node-ipc', '10.1.2', at('list.txt', 14)),
      t('rc', '>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0', at('list.txt', 12)),
      t('ua-parser-js', '0.7.29', at('list.txt', 8)),
      t('ua-parser-js', '0.8.0', at('list.txt', 9)),
      t('ua-parser-js', '1.0.0', at('list.txt', 10)),
    ],
    notes: [
      {
        code: 'OTHER_ECOSYSTEM',
        message: 'skipped "pypi:requests:2.0.0": ecosystem "pypi" is not npm',
        source: at('list.txt', 11),
      },
    ],
  },
  {
    file: 'vendor.csv',
    targets: [
      t('@nx/devkit', '20.9.0', at('vendor.csv', 3)),
      t('@nx/devkit', '21.5.0', at('vendor.csv', 3)),
      t('@nx/eslint', '21.5.0', at('vendor.csv', 4)),
      t('@nx/key', '3.2.0', at('vendor.csv', 5)),
      ...['20.9.0', '20.10.0', '20.11.0', '20.12.0', '21.5.0', '21.6.0', '21.7.0', '21.8.0'].map((v) =>
        t('nx', v, at('vendor.csv', 2)),
      ),
    ],
    notes: [],
  },
  {
    file: 'plain.csv',
    targets: [
      t('@asyncapi/specs', '6.8.2', at('plain.csv', 2)),
      t('@asyncapi/specs', '6.8.3', at('plain.csv', 3)),
      t('@asyncapi/specs', '6.9.1', at('plain.csv', 4)),
      t('@asyncapi/specs', '6.10.1', at('plain.csv', 5)),
      t('duckdb', '1.3.3', at('plain.csv', 6)),
    ],
    notes: [],
  },
  {
    file: 'headerless.csv',
    targets: [
      t('coa', '2.0.3', at('headerless.csv', 1)),
      t('coa', '2.0.4', at('headerless.csv', 2)),
      t('coa', '2.1.1', at('headerless.csv', 3)),
    ],
    notes: [],
  },
  {
    file: 'osv/flatmap-stream.json',
    targets: [t('flatmap-stream', '*', `${DIR}/osv/flatmap-stream.json#MAL-2025-20690`, 'MAL-2025-20690')],
    notes: [],
  },
  {
    file: 'osv/tinycolor-conflict.json',
    targets: [t('@ctrl/tinycolor', '>=4.1.1 <=4.1.2', TINY, 'MAL-2025-47141')],
    notes: [
      {
        code: 'RANGE_CONFLICT',
        message:
          'record "MAL-2025-47141" gives "@ctrl/tinycolor" both every version (introduced "0" with no end) and ' +
          '">=4.1.1 <=4.1.2"; using only the latter',
        source: TINY,
      },
    ],
  },
  {
    file: 'osv/withdrawn.json',
    targets: [],
    notes: [
      {
        code: 'WITHDRAWN',
        message: 'skipped withdrawn record "MAL-0000-fixture-withdrawn-chalk" (withdrawn "2025-09-09T12:00:00Z")',
        source: `${DIR}/osv/withdrawn.json#MAL-0000-fixture-withdrawn-chalk`,
      },
    ],
  },
  {
    file: 'osv/node-ipc-last-affected.json',
    targets: [
      t('node-ipc', '>=10.1.1 <=10.1.2', `${DIR}/osv/node-ipc-last-affected.json#MAL-0000-fixture-node-ipc`, 'MAL-0000-fixture-node-ipc'),
    ],
    notes: [],
  },
  {
    file: 'osv/rc-ghsa-range.json',
    targets: [
      t(
        'rc',
        '>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0 || >=2.3.9 <2.4.0',
        `${DIR}/osv/rc-ghsa-range.json#MAL-0000-fixture-rc`,
        'MAL-0000-fixture-rc',
      ),
    ],
    notes: [],
  },
  {
    file: 'osv/array.json',
    targets: [
      ...['2.0.3', '2.0.4', '2.1.1', '2.1.3', '3.0.1', '3.1.3'].map((v) => t('coa', v, COA, 'MAL-0000-fixture-coa')),
      t('ua-parser-js', '0.7.29', UAP),
      t('ua-parser-js', '0.8.0', UAP),
      t('ua-parser-js', '1.0.0', UAP),
      t('ua-parser-js', '1.0.0.0-hijacked', UAP),
    ],
    notes: [
      { code: 'OTHER_ECOSYSTEM', message: 'skipped "coa": ecosystem "PyPI" is not npm', source: COA },
      {
        code: 'ODD_VERSION',
        message: 'version "1.0.0.0-hijacked" of "ua-parser-js" is not semver: kept as an exact string',
        source: UAP,
      },
      { code: 'ODD_VERSION', message: 'skipped version "" of "ua-parser-js": it names no fixed version', source: UAP },
    ],
  },
  {
    file: 'osv-dir',
    targets: [
      t('@nx/devkit', '20.9.0', DEVKIT, 'MAL-0000-fixture-nx-devkit'),
      t('@nx/devkit', '21.5.0', DEVKIT, 'MAL-0000-fixture-nx-devkit'),
      ...['20.9.0', '20.10.0', '20.11.0', '20.12.0', '21.5.0', '21.6.0', '21.7.0', '21.8.0'].map((v) =>
        t('nx', v, NX, 'MAL-0000-fixture-nx'),
      ),
    ],
    notes: [],
  },
];

describe.each(cases)('advisory fixture $file', ({ file, targets, notes }) => {
  it('loads the expected targets and notes', async () => {
    expect(await loadAdvisoryPath(`${DIR}/${file}`)).toEqual({ targets, notes });
  });
});

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UsageError);
  return e as UsageError;
}

describe('bad advisory files are UsageErrors naming the place', () => {
  it.each([
    ['bad-line.txt', 7, 'fixtures/advisories/bad-line.txt:7: invalid version "1.2.x.y" for "color-convert"'],
    [
      'no-name-column.csv',
      1,
      'fixtures/advisories/no-name-column.csv:1: CSV header has no package name column (found "advisory", "version")',
    ],
    ['missing.txt', undefined, 'fixtures/advisories/missing.txt: cannot read advisory file: no such file'],
    [
      'not-osv.json',
      undefined,
      'fixtures/advisories/not-osv.json: unknown advisory format: JSON that is not an OSV record, an array of them or {"vulns": [...]}',
    ],
  ])('%s', async (file, line, oneLine) => {
    const e = await usageError(loadAdvisoryFile(`${DIR}/${file}`));
    expect({ path: e.path, line: e.line, oneLine: e.oneLine() }).toEqual({ path: `${DIR}/${file}`, line, oneLine });
  });

  it('invalid.json: invalid JSON names the file', async () => {
    const e = await usageError(loadAdvisoryFile(`${DIR}/invalid.json`));
    expect(e.path).toBe(`${DIR}/invalid.json`);
    expect(e.message).toMatch(/^invalid JSON: /);
  });

  it('a directory without records', async () => {
    const e = await usageError(loadAdvisoryPath('fixtures/advisories/osv-dir/npm/@nx/none-such'));
    expect(e.oneLine()).toBe('fixtures/advisories/osv-dir/npm/@nx/none-such: cannot read advisory file: no such file');
  });
});

describe('parseAdvisoryText', () => {
  it.each([
    ['{"id":"x"}', 'a', 'osv'],
    ['[]', 'a.txt', 'osv'],
    ['chalk@5.6.1', 'a.csv', 'csv'],
    ['name,version\nchalk,5.6.1', 'a', 'csv'],
    ['chalk@5.6.1\n', 'iocs', 'text'],
    ['# a, comment\nchalk@5.6.1, 5.6.2', 'iocs', 'text'],
    ['@ctrl/tinycolor,4.1.1', 'iocs', 'csv'],
  ])('detects %j (%s) as %s', (text, file, format) => {
    expect(detectAdvisoryFormat(text, file)).toBe(format);
  });

  it('text: CRLF, BOM, comments, bad line escaped', () => {
    expect(parseAdvisoryText('\uFEFF# c\r\nchalk@5.6.1 # x\r\n\r\n', 'l.txt')).toEqual({
      targets: [{ name: 'chalk', range: '5.6.1', source: 'l.txt:2' }],
      notes: [],
    });
    let e: unknown;
    try {
      parseAdvisoryText('chalk@5.6.1\nfoo@1.0.0\u001b[2J\n', 'l.txt');
    } catch (err) {
      e = err;
    }
    expect((e as UsageError).oneLine()).toBe('l.txt:2: control characters in "foo@1.0.0\\x1b[2J"');
  });

  it('csv: header aliases, ecosystem column, empty version, spec in the name column, GHSA comma range', () => {
    const csv = [
      'Ecosystem;Package Name;Vulnerable Versions',
      'npm;chalk;5.6.1',
      'PyPI;requests;2.0.0',
      'npm;flatmap-stream;',
      'npm;debug@4.4.2;',
      'npm;rc;>= 1.2.9, < 1.3.0',
    ].join('\n');
    expect(parseAdvisoryText(csv, 'v.csv')).toEqual({
      targets: [
        t('chalk', '5.6.1', 'v.csv:2'),
        t('flatmap-stream', '*', 'v.csv:4'),
        t('debug', '4.4.2', 'v.csv:5'),
        t('rc', '>=1.2.9 <1.3.0', 'v.csv:6'),
      ],
      notes: [
        { code: 'OTHER_ECOSYSTEM', message: 'skipped "requests": ecosystem "PyPI" is not npm', source: 'v.csv:3' },
        { code: 'NO_VERSION', message: 'no version for "flatmap-stream": every version is a target', source: 'v.csv:4' },
      ],
    });
  });

  it('csv: a bad cell names its line', () => {
    let e: unknown;
    try {
      parseAdvisoryText('name,version\nchalk,5.6.1\n../evil,1.0.0\n', 'v.csv');
    } catch (err) {
      e = err;
    }
    expect((e as UsageError).oneLine()).toBe('v.csv:3: invalid package name "../evil"');
  });

  it('osv: {vulns: [...]}, record without end, fixed-only, unsupported range type, no versions at all', () => {
    const json = JSON.stringify({
      vulns: [
        {
          id: 'MAL-0000-a',
          affected: [
            { package: { ecosystem: 'npm', name: 'coa' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '2.0.3' }] }] },
            { package: { ecosystem: 'npm', name: 'rc' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.2.9' }] }] },
            { package: { ecosystem: 'npm', name: 'nx' }, ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: '0' }] }] },
            { package: { ecosystem: 'npm', name: 'debug' } },
          ],
        },
        { aliases: ['CVE-2022-23812', 'GHSA-73qr-pfmq-6rp8'], affected: [{ package: { ecosystem: 'npm', name: 'coa' }, versions: ['3.1.3'] }] },
      ],
    });
    const src = 'v.json#MAL-0000-a';
    expect(parseAdvisoryText(json, 'v.json')).toEqual({
      targets: [
        t('coa', '>=2.0.3', src, 'MAL-0000-a'),
        t('rc', '<1.2.9', src, 'MAL-0000-a'),
        t('debug', '*', src, 'MAL-0000-a'),
        t('coa', '3.1.3', 'v.json#GHSA-73qr-pfmq-6rp8', 'GHSA-73qr-pfmq-6rp8'),
      ],
      notes: [
        { code: 'UNSUPPORTED_RANGE', message: 'skipped a range of type "GIT" for "nx"', source: src },
        { code: 'NO_TARGETS', message: 'record "MAL-0000-a" names "nx" but no npm version of it could be read', source: src },
        { code: 'NO_VERSIONS', message: 'record "MAL-0000-a" gives no versions or ranges for "debug": every version is a target', source: src },
      ],
    });
  });

  it('osv: a bad event version is a UsageError naming the record', () => {
    const json = JSON.stringify({
      id: 'MAL-0000-b',
      affected: [{ package: { ecosystem: 'npm', name: 'rc' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2.x' }] }] }],
    });
    expect(() => parseAdvisoryText(json, 'b.json')).toThrow('OSV record "MAL-0000-b": invalid version "1.2.x" in "introduced" for "rc"');
  });

  it('osv: conflict across two affected entries of one package, versions win', () => {
    const json = JSON.stringify({
      id: 'MAL-0000-c',
      affected: [
        { package: { ecosystem: 'npm', name: '@ctrl/tinycolor' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
        { package: { ecosystem: 'npm', name: '@ctrl/tinycolor' }, versions: ['4.1.1', '4.1.2'] },
      ],
    });
    const src = 'c.json#MAL-0000-c';
    expect(parseAdvisoryText(json, 'c.json')).toEqual({
      targets: [t('@ctrl/tinycolor', '4.1.1', src, 'MAL-0000-c'), t('@ctrl/tinycolor', '4.1.2', src, 'MAL-0000-c')],
      notes: [
        {
          code: 'RANGE_CONFLICT',
          message:
            'record "MAL-0000-c" gives "@ctrl/tinycolor" both every version (introduced "0" with no end) and "4.1.1", "4.1.2"; using only the latter',
          source: src,
        },
      ],
    });
  });

  it('an empty list is noted, not silently clean', () => {
    expect(parseAdvisoryText('# nothing yet\n', 'e.txt')).toEqual({
      targets: [],
      notes: [{ code: 'EMPTY', message: '"e.txt" names no targets', source: 'e.txt' }],
    });
  });
});
