import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseShard, shardOf } from '../../src/scope/shard.js';
import { cli, ROOT, tmpdir } from '../helpers/cli.js';

const work = tmpdir('npm-ir-shard-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('scope --shard i/n and merge', () => {
  it('splits repositories deterministically and merging the shards gives the unsharded findings', () => {
    const org = path.join(ROOT, 'fixtures/demo');
    const args = ['scope', 'flatmap-stream', 'event-stream@3.3.6', '--path', org, '--no-history'];
    const whole = JSON.parse(cli([...args, '--json']).stdout);
    const outs = [1, 2, 3].map((i) => {
      const out = path.join(work, `shard-${i}.json`);
      const r = cli([...args, '--shard', `${i}/3`, '--out', out, '--json']);
      expect([0, 1]).toContain(r.status);
      return out;
    });
    const shardRepos = outs.map((o) => JSON.parse(fs.readFileSync(o, 'utf8')).scanned.repos as number);
    expect(shardRepos.reduce((a, b) => a + b, 0)).toBe(whole.scanned.repos);
    const merged = cli(['merge', ...outs]);
    expect(merged.status).toBe(1);
    const m = JSON.parse(merged.stdout);
    expect(m.findings).toEqual(whole.findings);
    expect(m.scanned.repos).toBe(whole.scanned.repos);
  });

  it('refuses shards of different sweeps, and bad shard specs', () => {
    const a = path.join(work, 'a.json');
    const b = path.join(work, 'b.json');
    cli(['scope', 'flatmap-stream', '--path', path.join(ROOT, 'fixtures/demo'), '--no-history', '--out', a]);
    cli(['scope', 'left-pad', '--path', path.join(ROOT, 'fixtures/demo'), '--no-history', '--out', b]);
    const r = cli(['merge', a, b]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/b\.json: targets differ/);
    expect(() => parseShard('0/3')).toThrow(/invalid --shard/);
    expect(() => parseShard('4/3')).toThrow(/invalid --shard/);
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(shardOf('web', 8)).toBe(shardOf('web', 8));
  });
});
