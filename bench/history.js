// History sweep: npm-ir's blob-centric sweep against the git floor and a naive per-commit baseline.
// Generates (once, cached in $TMPDIR) a repository with thousands of commits, hundreds of distinct
// multi-MB npm lockfile versions, branches and merges, written with `git fast-import`.
// Targets (issue: history sweep): sweep <= 1.5x git floor, >= 30x faster than naive,
// 1,000 targets within 1.2x of one, peak RSS < 300 MB.
// Each measured sweep runs in a fresh child process so its peak RSS (maxRSS) is its own.
// Env: BENCH_COMMITS (default 5000), BENCH_VERSIONS (300), BENCH_PACKAGES (8000), BENCH_NAIVE_SAMPLE (60).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 5000);
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 300);
const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 8000);
const NAIVE_SAMPLE = Number(process.env.BENCH_NAIVE_SAMPLE ?? 60);
const SELF = fileURLToPath(import.meta.url);
const REPO = path.join(os.tmpdir(), `npm-ir-bench-history-${COMMITS}-${VERSIONS}-${PACKAGES}`);
const COMMON = 'evil-pkg'; // present in every lockfile version, malicious at 1.0.0 for a stretch
const GIT_ENV = { ...cleanEnv(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return env;
}

// ---- deterministic generator ---------------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function packageNames(n) {
  const words = ['core', 'util', 'parse', 'http', 'stream', 'fs', 'path', 'color', 'string', 'array', 'json', 'date', 'event', 'glob', 'test'];
  const names = [];
  for (let i = 0; i < n; i++) {
    const w = `${words[i % words.length]}-${words[(i * 7) % words.length]}-${i}`;
    names.push(i % 5 === 0 ? `@scope${i % 37}/${w}` : w);
  }
  return names;
}

function lockText(names, versions, evilVersion) {
  const packages = { '': { name: 'bench-app', version: '1.0.0', dependencies: {} } };
  const root = packages[''].dependencies;
  for (let i = 0; i < 200; i++) root[names[i]] = `^${versions[i]}`;
  root[COMMON] = `^${evilVersion}`;
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    const v = versions[i];
    const base = n.split('/').pop();
    const e = {
      version: v,
      resolved: `https://registry.npmjs.org/${n}/-/${base}-${v}.tgz`,
      integrity: `sha512-${Buffer.from(`${n}@${v}`).toString('base64').padEnd(86, 'A').slice(0, 86)}==`,
    };
    if (i + 1 < names.length && i % 3 === 0) e.dependencies = { [names[i + 1]]: `^${versions[i + 1]}` };
    if (i % 11 === 0) e.dev = true;
    packages[`node_modules/${n}`] = e;
  }
  packages[`node_modules/${COMMON}`] = {
    version: evilVersion,
    resolved: `https://registry.npmjs.org/${COMMON}/-/${COMMON}-${evilVersion}.tgz`,
    integrity: `sha512-${'E'.repeat(86)}==`,
  };
  return JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n';
}

function generate() {
  if (fs.existsSync(path.join(REPO, 'READY'))) return;
  fs.rmSync(REPO, { recursive: true, force: true });
  fs.mkdirSync(REPO, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', REPO], { env: GIT_ENV });
  const t0 = Date.now();
  const fi = spawn('git', ['fast-import', '--quiet', '--depth=50'], { cwd: REPO, env: GIT_ENV, stdio: ['pipe', 'inherit', 'inherit'] });
  const rand = rng(42);
  const names = packageNames(PACKAGES);
  const versions = names.map(() => `1.${Math.floor(rand() * 20)}.${Math.floor(rand() * 20)}`);
  const subNames = names.slice(0, Math.floor(PACKAGES / 8));
  const subVersions = versions.slice(0, subNames.length);
  let mark = 0;
  const out = [];
  let outLen = 0;
  const flush = async () => {
    const buf = Buffer.concat(out);
    out.length = 0;
    outLen = 0;
    if (!fi.stdin.write(buf)) await new Promise((r) => fi.stdin.once('drain', r));
  };
  const w = (s) => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    out.push(b);
    outLen += b.length;
  };
  const blob = (text) => {
    const m = ++mark;
    const b = Buffer.from(text);
    w(`blob\nmark :${m}\ndata ${b.length}\n`);
    w(b);
    w('\n');
    return m;
  };
  const commit = (ref, ts, msg, from, merge, files) => {
    const m = ++mark;
    const b = Buffer.from(msg);
    w(`commit ${ref}\nmark :${m}\nauthor Bench <bench@example.test> ${ts} +0000\ncommitter Bench <bench@example.test> ${ts} +0000\ndata ${b.length}\n`);
    w(b);
    w('\n');
    if (from) w(`from :${from}\n`);
    if (merge) w(`merge :${merge}\n`);
    for (const [p, bm] of files) w(`M 100644 :${bm} ${p}\n`);
    w('\n');
    return m;
  };
  return (async () => {
    const changeEvery = Math.max(1, Math.floor(COMMITS / VERSIONS));
    let versionsMade = 0;
    let ts = 1_600_000_000;
    let head = 0;
    let side = 0;
    let sideBranch = null;
    const evilAt = (k) => (k >= VERSIONS * 0.4 && k < VERSIONS * 0.55 ? '1.0.0' : k < VERSIONS * 0.4 ? '0.9.0' : '1.0.1');
    for (let c = 0; c < COMMITS; c++) {
      ts += 600;
      const files = [];
      if (c === 0 || (c % changeEvery === 0 && versionsMade < VERSIONS)) {
        for (let k = 0; k < 6; k++) {
          const i = Math.floor(rand() * names.length);
          const [a, b, p] = versions[i].split('.').map(Number);
          versions[i] = `${a}.${b}.${p + 1}`;
          if (i < subVersions.length) subVersions[i] = versions[i];
        }
        files.push(['package-lock.json', blob(lockText(names, versions, evilAt(versionsMade)))]);
        if (versionsMade % 10 === 0) files.push(['packages/sub/package-lock.json', blob(lockText(subNames, subVersions, evilAt(versionsMade)))]);
        versionsMade++;
      } else {
        files.push([`src/file-${c % 50}.txt`, blob(`content ${c}\n`)]);
      }
      // A side branch of 10 commits every 250 commits, merged back into main.
      if (c % 250 === 100) {
        sideBranch = `refs/heads/feature-${side++}`;
        const s = commit(sideBranch, ts, `side start ${c}`, head, null, files);
        let sh = s;
        for (let k = 0; k < 9; k++) {
          ts += 60;
          sh = commit(sideBranch, ts, `side ${c}.${k}`, sh, null, [[`side/${k}.txt`, blob(`side ${c} ${k}\n`)]]);
        }
        ts += 60;
        head = commit('refs/heads/main', ts, `Merge ${sideBranch}`, head, sh, []);
      } else {
        head = commit('refs/heads/main', ts, `commit ${c}`, head || null, null, files);
      }
      if (c % 1000 === 999) w(`reset refs/tags/v${Math.floor(c / 1000)}\nfrom :${head}\n\n`);
      if (outLen > 8 * 1024 * 1024) await flush();
    }
    await flush();
    fi.stdin.end();
    await new Promise((r, j) => fi.on('close', (code) => (code === 0 ? r() : j(new Error(`fast-import exit ${code}`)))));
    execFileSync('git', ['repack', '-adq'], { cwd: REPO, env: GIT_ENV });
    execFileSync('git', ['commit-graph', 'write', '--reachable'], { cwd: REPO, env: GIT_ENV });
    fs.writeFileSync(path.join(REPO, 'READY'), `${versionsMade} versions, ${(Date.now() - t0) / 1000}s\n`);
  })();
}

// ---- measured runs (child processes) -------------------------------------------------------------------
async function childSweep(mode) {
  const { sweepHistory } = await import('../dist/src/git/history.js');
  const { TargetIndex } = await import('../dist/src/match/index.js');
  let targets;
  const names = packageNames(PACKAGES);
  if (mode === 'one') targets = [{ name: COMMON, range: '1.0.0', source: 'bench' }];
  else if (mode === 'rare') targets = [{ name: 'no-such-package-anywhere', range: '*', source: 'bench' }];
  else if (mode === 'many') {
    // A worm-sized list: 1,000 names, 20 of them in the lockfiles, the rest absent.
    targets = [{ name: COMMON, range: '1.0.0', source: 'bench' }];
    for (let i = 0; i < 19; i++) targets.push({ name: names[(i * 397) % names.length], range: '99.0.0', source: 'bench' });
    for (let i = 0; i < 980; i++) targets.push({ name: `absent-worm-victim-${i}`, range: '1.0.0', source: 'bench' });
  } else {
    // Worst case: 1,000 names, every one of them in every lockfile version.
    targets = [{ name: COMMON, range: '1.0.0', source: 'bench' }];
    for (let i = 0; i < 999; i++) targets.push({ name: names[(i * 7) % names.length], range: '99.0.0', source: 'bench' });
  }
  const t0 = process.hrtime.bigint();
  const res = await sweepHistory(REPO, { targets: new TargetIndex(targets) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const s = res.stats;
  console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, stats: s, findings: res.findings.length, gaps: res.gaps.length }));
}

async function childNaive() {
  const { readLockfile } = await import('../dist/src/lockfiles/index.js');
  const commits = execFileSync('git', ['rev-list', '--all'], { cwd: REPO, env: GIT_ENV, maxBuffer: 1 << 28 }).toString().trim().split('\n');
  const step = Math.max(1, Math.floor(commits.length / NAIVE_SAMPLE));
  const sample = commits.filter((_, i) => i % step === 0).slice(0, NAIVE_SAMPLE);
  const t0 = process.hrtime.bigint();
  let parsed = 0;
  for (const c of sample) {
    const ls = execFileSync('git', ['ls-tree', '-r', c], { cwd: REPO, env: GIT_ENV, maxBuffer: 1 << 28 }).toString();
    for (const line of ls.split('\n')) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.*package-lock\.json)$/.exec(line);
      if (!m) continue;
      const bytes = execFileSync('git', ['cat-file', 'blob', m[1]], { cwd: REPO, env: GIT_ENV, maxBuffer: 1 << 30 });
      readLockfile(bytes, { repo: '.', path: m[2], commit: c });
      parsed++;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ ms, sample: sample.length, commits: commits.length, parsed, extrapolatedMs: (ms / sample.length) * commits.length }));
}

function runChild(args) {
  const r = spawnSync(process.execPath, ['--expose-gc', SELF, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function timeCmd(args, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', args, { cwd: REPO, env: GIT_ENV, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, out: r.stdout };
}

function gitFloor() {
  // git alone: list the lockfile changes, then print every distinct lockfile blob through cat-file --batch.
  const log = timeCmd(['log', '--all', '--format=C%H', '-z', '--raw', '--no-abbrev', '--no-renames', '--diff-merges=first-parent', '--full-history', '--root', '--', ':(glob)**/package-lock.json']);
  const oids = new Set();
  for (const t of log.out.toString().split('\0')) {
    const m = /^\n?:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) [AMT]/.exec(t);
    if (m) oids.add(m[1]);
  }
  const input = [...oids].join('\n') + '\n';
  const run = (cmd) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', cmd], { cwd: REPO, env: GIT_ENV, input });
    if (r.status !== 0) throw new Error(`${cmd} failed`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  run('git cat-file --batch > /dev/null'); // warm the page cache
  const catMs = run('git cat-file --batch > /dev/null');
  const pipeMs = run('git cat-file --batch | cat > /dev/null');
  return { logMs: log.ms, catMs, pipeMs, blobs: oids.size };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const mode = process.argv[2];
  if (mode === '--sweep') return childSweep(process.argv[3]);
  if (mode === '--naive') return childNaive();
  const g0 = Date.now();
  await generate();
  console.log(`repository: ${REPO} (${fs.readFileSync(path.join(REPO, 'READY'), 'utf8').trim()}; ready in ${((Date.now() - g0) / 1000).toFixed(1)}s)`);
  const RUNS = 3;
  const floors = [];
  for (let i = 0; i < RUNS; i++) floors.push(gitFloor());
  const floor = median(floors.map((f) => f.logMs + f.catMs));
  const pipeFloor = median(floors.map((f) => f.logMs + f.pipeMs));
  const fl = floors[0];
  const sweeps = { one: [], many: [], allmany: [], rare: [] };
  for (let i = 0; i < RUNS; i++) for (const m of Object.keys(sweeps)) sweeps[m].push(runChild(['--sweep', m]));
  const med = (m) => median(sweeps[m].map((r) => r.ms));
  const naive = runChild(['--naive']);
  const one = sweeps.one[0];
  const mb = (one.stats.bytesRead / 1048576).toFixed(0);
  const rss = Math.max(...Object.values(sweeps).flat().map((r) => r.maxRssMB));
  const rows = [
    ['commits / refs', `${one.stats.commits} / ${one.stats.refs}`],
    ['distinct lockfile blobs (MB)', `${one.stats.distinctBlobs} (${mb} MB)`],
    ['git floor: log --raw + cat-file --batch >/dev/null', `${floor.toFixed(0)} ms (log ${fl.logMs.toFixed(0)} + cat ${fl.catMs.toFixed(0)})`],
    ['git floor through a pipe (cat-file | cat)', `${pipeFloor.toFixed(0)} ms`],
    [`npm-ir sweep, 1 target (in every blob)`, `${med('one').toFixed(0)} ms = ${(med('one') / floor).toFixed(2)}x floor, ${(med('one') / pipeFloor).toFixed(2)}x pipe floor; scanned ${one.stats.blobsScanned}, parsed whole ${one.stats.blobsParsed}, findings ${one.findings}`],
    ['npm-ir sweep, 1,000 targets (20 in the lockfiles)', `${med('many').toFixed(0)} ms = ${(med('many') / med('one')).toFixed(2)}x one target`],
    ['npm-ir sweep, 1,000 targets (all in every blob)', `${med('allmany').toFixed(0)} ms = ${(med('allmany') / med('one')).toFixed(2)}x one target`],
    ['npm-ir sweep, 1 target in no blob', `${med('rare').toFixed(0)} ms = ${(med('rare') / floor).toFixed(2)}x floor; parsed ${sweeps.rare[0].stats.blobsParsed}`],
    [`naive (ls-tree + read + parse per commit)`, `${(naive.extrapolatedMs / 1000).toFixed(1)} s extrapolated from ${naive.sample} commits (${naive.ms.toFixed(0)} ms) = ${(naive.extrapolatedMs / med('one')).toFixed(0)}x the sweep`],
    ['peak RSS of a sweep (max over runs)', `${rss.toFixed(0)} MB (${Object.entries(sweeps).map(([k, v]) => `${k} ${Math.max(...v.map((r) => r.maxRssMB)).toFixed(0)}`).join(', ')})`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  const ok = {
    'sweep <= 1.5x git floor': med('one') <= 1.5 * floor,
    '>= 30x faster than naive': naive.extrapolatedMs / med('one') >= 30,
    '1,000 targets within 1.2x of one': med('many') <= 1.2 * med('one'),
    'RSS < 300 MB': rss < 300,
  };
  for (const [k, v] of Object.entries(ok)) console.log(`${v ? 'PASS' : 'MISS'}  ${k}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
