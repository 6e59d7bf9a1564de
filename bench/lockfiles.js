// Lockfile read throughput per format on generated multi-MB lockfiles, against JSON.parse and Arborist.
// Targets (issue: scope foundation): full read within 3x of JSON.parse (npm), >= 50x faster than Arborist
// loadVirtual, and a file without any target name skipped in well under a millisecond per MB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLockfile } from '../dist/src/lockfiles/index.js';
import { TargetIndex } from '../dist/src/match/index.js';
import { syntheticProject, writeLockfile, manifestOf, LOCKFILE_NAME } from '../dist/src/generate/lockfiles.js';

const SIZE = Number(process.env.BENCH_PACKAGES ?? 12000);
const project = syntheticProject({ name: 'bench', size: SIZE, seed: 7, extra: { 'event-stream': '3.3.6' } });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn, runs = 7) {
  fn(); // warm
  const t = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return median(t);
}

const rows = [];
const miss = new TargetIndex([{ name: 'no-such-package-xyz', range: '*', source: 'bench' }]);
const many = new TargetIndex(Array.from({ length: 1000 }, (_, i) => ({ name: `absent-pkg-${i}-zz`, range: '*', source: 'bench' })));
let npmParse = 0;
for (const format of ['npm', 'yarn-classic', 'yarn-berry', 'pnpm', 'bun']) {
  const text = writeLockfile(format, project);
  const bytes = Buffer.from(text);
  const mb = bytes.length / 1048576;
  const origin = { repo: '.', path: LOCKFILE_NAME[format] };
  let entries = 0;
  let read;
  try {
    read = time(() => {
      entries = readLockfile(bytes, origin).entries.length;
    });
  } catch (e) {
    rows.push({ format, MB: mb.toFixed(2), error: String(e.message ?? e) });
    continue;
  }
  const skip1 = time(() => miss.anyNameIn(bytes), 21);
  const skip1000 = time(() => many.anyNameIn(bytes), 5);
  const row = { format, MB: mb.toFixed(2), entries, 'read ms': read.toFixed(1), 'MB/s': (mb / (read / 1000)).toFixed(0), 'skip ms/MB (1 name)': (skip1 / mb).toFixed(3), 'skip ms/MB (1000 names)': (skip1000 / mb).toFixed(2) };
  if (format === 'npm') {
    npmParse = time(() => JSON.parse(text));
    row['JSON.parse ms'] = npmParse.toFixed(1);
    row['x JSON.parse'] = (read / npmParse).toFixed(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-ir-bench-arb-'));
    fs.writeFileSync(path.join(dir, 'package.json'), manifestOf(project));
    fs.writeFileSync(path.join(dir, 'package-lock.json'), text);
    try {
      const { default: Arborist } = await import('@npmcli/arborist');
      const cold = process.hrtime.bigint();
      await new Arborist({ path: dir }).loadVirtual();
      const coldMs = Number(process.hrtime.bigint() - cold) / 1e6;
      const warm = [];
      for (let i = 0; i < 3; i++) {
        const s = process.hrtime.bigint();
        await new Arborist({ path: dir }).loadVirtual();
        warm.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      row['Arborist ms (cold/warm)'] = `${coldMs.toFixed(0)}/${median(warm).toFixed(0)}`;
      row['Arborist / npm-ir'] = (median(warm) / read).toFixed(0) + 'x';
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push(row);
}
console.log(`generated projects of ${SIZE} packages (set BENCH_PACKAGES to change); medians of 7 runs`);
console.table(rows);
