import { afterAll, describe, expect, it } from 'vitest';
import { scope } from '../../src/scope/index.js';
import { cleanup, npmLock, TestRepo } from '../git/repo-helpers.js';

afterAll(() => cleanup());

describe('history-only findings', () => {
  it('every finding of one lockfile version gets its own direct flag and path', async () => {
    const r = new TestRepo();
    r.commit(1, 'init', { 'package-lock.json': npmLock({ chalk: '5.6.0', 'strip-ansi': '7.1.0' }) });
    r.commit(2, 'bump', { 'package-lock.json': npmLock({ chalk: '5.6.1', 'strip-ansi': '7.1.1' }) });
    r.commit(3, 'pin', { 'package-lock.json': npmLock({ chalk: '5.6.2', 'strip-ansi': '7.1.2' }) });
    const report = await scope({
      paths: [r.dir],
      targets: [
        { name: 'chalk', range: '5.6.1', source: 'test' },
        { name: 'strip-ansi', range: '7.1.1', source: 'test' },
      ],
      secrets: false,
    });
    expect(report.findings.map((f) => [f.package, f.version, f.present, f.direct, f.paths])).toEqual([
      ['chalk', '5.6.1', false, true, [['app', 'chalk']]],
      ['strip-ansi', '7.1.1', false, true, [['app', 'strip-ansi']]],
    ]);
  });
});
