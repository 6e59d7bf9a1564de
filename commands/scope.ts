import { Args, Flags } from '@oclif/core';
import { loadTargets } from '../src/targets/index.js';
import { exitCodeFor, scope } from '../src/scope/index.js';
import { renderTable } from '../src/report/table.js';
import type { Report } from '../src/report/model.js';
import { IrCommand, progressLine } from './_shared/base.js';
import { parseShard } from '../src/scope/shard.js';
import { UsageError } from '../src/errors.js';
import { renderReport, type ReportFormat } from '../src/report/render/index.js';
import { checklistSummary, renderChecklist } from '../src/playbook/checklist.js';
import { loadPlaybook } from '../src/playbook/playbook.js';

export default class Scope extends IrCommand {
  static override summary = 'Find every lockfile, commit, build and CI secret exposed to a malicious npm release.';
  static override description = `Sweeps every repository below --path (working trees, bare mirrors, plain folders) for lockfiles that resolve the target versions: npm (package-lock v1-v3, shrinkwrap), yarn classic and berry, pnpm (5.x-9.0), bun.lock.

Targets are name@range specs (scoped names, exact versions, semver ranges with ||, prereleases, "name" for every version) and/or advisory files (--advisories: text lists, CSV, OSV JSON records or folders of them).

Exit codes: 0 not affected and everything was read; 1 affected; 2 npm-ir could not run (bad usage, bad target or advisory file, internal error); 3 not affected as far as read, but some places could not be read (see the gaps).`;

  static override examples = [
    { description: 'One compromised version, in every repository under ~/src', command: '<%= config.bin %> <%= command.id %> @ctrl/tinycolor@4.1.1 --path ~/src' },
    { description: 'Several versions and a range, JSON Report to a file', command: '<%= config.bin %> <%= command.id %> "chalk@5.6.1" "debug@4.4.2" "rc@>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0" --path ./repos --out report.json' },
    { description: 'A worm-sized advisory list (OSV folder) over many checkouts', command: '<%= config.bin %> <%= command.id %> --advisories ./osv-mal/ --advisories iocs.txt --path /srv/mirrors --json > report.json' },
    { description: 'Every version of a typosquat, including installed trees', command: '<%= config.bin %> <%= command.id %> flatmap-stream --installed --path .' },
    { description: 'Which builds ran it: match CI run exports against the history', command: '<%= config.bin %> <%= command.id %> ua-parser-js@0.7.29 --path ./repos --builds runs.json --checklist CHECKLIST.md' },
    { description: 'Only release branches, since the advisory window opened', command: '<%= config.bin %> <%= command.id %> nx@21.5.0 --path ./repos --refs refs/heads/release/ --since 2025-08-26' },
  ];

  static override strict = false;
  static override args = {
    spec: Args.string({ description: 'target: name@range (repeat for more); optional with --advisories', required: false }),
  };

  static override flags = {
    path: Flags.string({ char: 'p', description: 'folder to scan (repeatable); default: the current folder', multiple: true }),
    advisories: Flags.string({ char: 'a', description: 'advisory file or folder: text list, CSV, OSV JSON (repeatable)', multiple: true }),
    installed: Flags.boolean({ description: 'also read installed trees (node_modules/.package-lock.json)', default: false }),
    history: Flags.boolean({ description: 'sweep every commit of every ref in each git repository (--no-history: working trees only)', default: true, allowNo: true }),
    refs: Flags.string({ description: 'only refs matching this pattern (git for-each-ref pattern, e.g. refs/heads/release/); repeatable', multiple: true }),
    since: Flags.string({ description: 'only commits after this date (e.g. 2025-09-01)' }),
    until: Flags.string({ description: 'only commits before this date' }),
    builds: Flags.string({ char: 'b', description: 'build records: gh run list --json export, GitHub REST workflow_runs, GitLab pipelines, or CSV repo,commit,started_at,id,url (repeatable)', multiple: true }),
    shard: Flags.string({ description: 'only shard i of n (e.g. 2/8): repositories are split by a hash of their path; join the Reports with `npm-ir merge`' }),
    concurrency: Flags.integer({ description: 'repositories swept in parallel (default: the number of cores)', min: 1 }),
    secrets: Flags.boolean({ description: 'read the CI configuration of affected repos for exposed secrets (--no-secrets to skip)', default: true, allowNo: true }),
    json: Flags.boolean({ description: 'print the JSON Report (schemaVersion 1) on stdout instead of the table (same as --format json)', default: false, exclusive: ['format'] }),
    format: Flags.string({ char: 'f', description: 'output format on stdout', options: ['table', 'json', 'csv', 'markdown', 'sarif'], default: 'table', exclusive: ['json'] }),
    out: Flags.string({ char: 'o', description: 'also write the JSON Report to this file' }),
    checklist: Flags.string({ description: 'also write the response checklist (Markdown) to this file' }),
    playbook: Flags.string({ description: 'playbook YAML for --checklist (default: the bundled response playbook)' }),
    teams: Flags.string({ description: 'teams file (YAML: team -> repo globs, contact) for owners not in CODEOWNERS' }),
  };

  public async run(): Promise<Report> {
    const { argv, flags } = await this.parse(Scope);
    const specs = (argv as string[]).filter((a) => a !== '');
    if (specs.length === 0 && !flags.advisories?.length) {
      throw new UsageError('no targets: give name@range arguments or --advisories FILE (see --help)');
    }
    const targets = await loadTargets(specs, flags.advisories ?? []);
    if (targets.targets.length === 0) throw new UsageError('the targets given hold no npm package to look for');
    const format = flags.json ? 'json' : flags.format;
    const playbook = flags.checklist ? loadPlaybook(flags.playbook) : undefined;
    const bar = progressLine(format === 'table');
    const report = await scope({
      paths: flags.path ?? ['.'],
      targets: targets.targets,
      targetNotes: targets.notes,
      installed: flags.installed,
      history: flags.history,
      refs: flags.refs,
      since: flags.since,
      until: flags.until,
      builds: flags.builds,
      concurrency: flags.concurrency,
      shard: flags.shard ? parseShard(flags.shard) : undefined,
      secrets: flags.secrets,
      teams: flags.teams,
      onProgress: (p) =>
        bar.update(
          `npm-ir: ${p.phase}: ${p.reposDone ?? 0}/${p.repos ?? '?'} repos` +
            (p.commits !== undefined ? `, ${p.commits} commits` : '') +
            (p.blobsRead !== undefined ? `, ${p.blobsRead}/${p.blobsTotal ?? '?'} lockfile versions read` : ''),
        ),
    });
    bar.done();
    const json = JSON.stringify(report, null, 2) + '\n';
    if (flags.out) this.writeOut(flags.out, json);
    if (flags.checklist) this.writeOut(flags.checklist, renderChecklist(report, { playbook }));
    if (format === 'json') process.stdout.write(json);
    else if (format === 'table') {
      process.stdout.write(renderTable(report));
      if (flags.checklist) process.stdout.write(`\nCHECKLIST written to ${flags.checklist}\n${checklistSummary(report, { playbook })}\n`);
    } else process.stdout.write(renderReport(report, format as ReportFormat));
    process.exitCode = exitCodeFor(report);
    return report;
  }
}
