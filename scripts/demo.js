#!/usr/bin/env node
// The README demo: materialise the small bundled tabletop scenario into a temporary folder (real git
// repositories with history, CI files, build records), then run `npm-ir scope` on it with history, builds
// and secrets, printing the table and the checklist summary. Uses the built CLI, as a user would.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/run.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-ir-demo-'));
const run = (args) => spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' }).status;

console.log(`npm-ir demo: materialising the "demo" tabletop scenario in ${dir}\n`);
if (run(['tabletop', 'init', 'demo', '--dir', dir]) !== 0) process.exit(2);
const builds = fs.readdirSync(path.join(dir, 'builds')).map((f) => path.join(dir, 'builds', f));
const checklist = path.join(dir, 'CHECKLIST.md');
console.log(`\n$ npm-ir scope --advisories ${dir}/advisory.json --path ${dir}/repos ${builds.map((b) => `--builds ${b}`).join(' ')} --checklist ${checklist} --out ${dir}/report.json\n`);
const code = run([
  'scope',
  '--advisories', path.join(dir, 'advisory.json'),
  '--path', path.join(dir, 'repos'),
  ...builds.flatMap((b) => ['--builds', b]),
  '--checklist', checklist,
  '--out', path.join(dir, 'report.json'),
]);
console.log(`\nnpm-ir exit code ${code} (0 clean, 1 affected, 2 error, 3 incomplete). Everything is in ${dir}:`);
console.log(`  report.json (the Report), CHECKLIST.md (the response checklist), SCENARIO.md, ADVISORY.md, repos/, builds/, logs/`);
console.log(`Next: node bin/run.js export ${dir}/report.json --format csv   |   node bin/run.js tabletop score --dir ${dir} --report ${dir}/report.json`);
process.exit(code === 1 ? 0 : 1);
