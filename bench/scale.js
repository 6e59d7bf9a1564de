#!/usr/bin/env node
// Scale bench: materialise a generated organisation (the demo scenario plus clean generated repositories, each
// with many commits and large lockfiles), then run `scope` with history over it.
// Defaults are modest: 20 repos x 500 commits x 200 lockfile packages. For the big run:
//   BENCH_REPOS=200 BENCH_COMMITS=2000 BENCH_LOCKFILE_PACKAGES=500 node bench/scale.js
// BENCH_KEEP=1 keeps the folder (printed) for manual runs of `npm-ir scope`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initScenario, loadScenario } from '../dist/src/tabletop/index.js';
import { scope } from '../dist/src/scope/index.js';
import { loadTargets } from '../dist/src/targets/index.js';

const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const repos = num('BENCH_REPOS', 20);
const commits = num('BENCH_COMMITS', 500);
const lockfilePackages = num('BENCH_LOCKFILE_PACKAGES', 200);

const dir = mkdtempSync(join(tmpdir(), 'npm-ir-scale-'));
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
try {
  console.log(`organisation: ${repos} repos x ${commits} commits, ${lockfilePackages} synthetic packages per lockfile`);
  let t = performance.now();
  const init = await initScenario(loadScenario('demo'), join(dir, 'org'), { scale: { repos, commits, lockfilePackages } });
  const initMs = performance.now() - t;
  const totalCommits = init.repos.reduce((n, r) => n + r.commits, 0);
  console.log(`init:  ${(initMs / 1000).toFixed(1)} s (${totalCommits} commits; ${(init.repos.length / (initMs / 60000)).toFixed(0)} repos/min, ${(totalCommits / (initMs / 1000)).toFixed(0)} commits/s written)`);

  const targets = await loadTargets([], [init.advisory]);
  t = performance.now();
  const report = await scope({
    paths: [join(init.dir, 'repos')],
    targets: targets.targets,
    targetNotes: targets.notes,
    history: true,
    builds: readdirSync(join(init.dir, 'builds')).map((f) => join(init.dir, 'builds', f)),
  });
  const scopeMs = performance.now() - t;
  console.log(
    `scope: ${(scopeMs / 1000).toFixed(1)} s: ${(init.repos.length / (scopeMs / 60000)).toFixed(0)} repos/min, ` +
      `${(totalCommits / (scopeMs / 1000)).toFixed(0)} commits/s; ${report.findings.length} findings, ${report.gaps.length} gaps` +
      (report.scanned?.commits !== undefined ? `, ${report.scanned.commits} commits swept` : ' (history not swept by this build of scope)'),
  );
  console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS)}`);
  if (process.env.BENCH_KEEP) console.log(`kept: ${init.dir}`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
