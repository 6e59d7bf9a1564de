import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { loadPlaybook } from '../src/playbook/playbook.js';
import { renderChecklist, splitByTeam } from '../src/playbook/checklist.js';
import { loadReport } from '../src/report/load.js';
import { IrCommand } from './_shared/base.js';
import { UsageError } from '../src/errors.js';

export default class Checklist extends IrCommand {
  static override summary = 'Write the rotation and rebuild checklist (Markdown task lists) from a saved Report.';
  static override description = `One section per step of the response playbook, in order (contain and remove persistence before revoking tokens; remove; identify; rotate; rebuild; inspect egress; search artifacts; review registry tokens and publishing; notify), each task naming the exact repo, lockfile, package@version, commits, branches, tags, builds and secrets, and the log-search window. Steps with nothing to do say so.`;
  static override examples = [
    { description: 'Checklist for everyone', command: '<%= config.bin %> <%= command.id %> report.json > CHECKLIST.md' },
    { description: 'One file per owning team', command: '<%= config.bin %> <%= command.id %> report.json --per-team --out-dir checklists/' },
    { description: 'With your own playbook', command: '<%= config.bin %> <%= command.id %> report.json --playbook our-playbook.yaml' },
  ];
  static override args = { report: Args.string({ description: 'a Report written by `npm-ir scope --out` or `--json`', required: true }) };
  static override flags = {
    playbook: Flags.string({ description: 'a playbook YAML file (default: the bundled response playbook)' }),
    team: Flags.string({ description: 'only the tasks of this owning team' }),
    'per-team': Flags.boolean({ description: 'write one checklist per owning team into --out-dir', default: false }),
    'out-dir': Flags.string({ description: 'folder for --per-team checklists', default: '.' }),
    out: Flags.string({ char: 'o', description: 'write the checklist to this file instead of stdout' }),
  };

  public async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Checklist);
    const report = loadReport(args.report);
    const playbook = loadPlaybook(flags.playbook);
    if (flags['per-team']) {
      fs.mkdirSync(flags['out-dir'], { recursive: true });
      const written: string[] = [];
      for (const [team, sub] of splitByTeam(report)) {
        const file = path.join(flags['out-dir'], `checklist-${team.replace(/[^A-Za-z0-9._-]+/g, '_')}.md`);
        this.writeOut(file, renderChecklist(sub, { playbook, team }));
        written.push(file);
      }
      for (const f of written) this.log(f);
      return { written };
    }
    if (flags.team !== undefined) {
      const teams = [...splitByTeam(report).keys()].sort();
      if (!teams.includes(flags.team)) throw new UsageError(`no team "${flags.team}" in this Report; its teams are: ${teams.join(', ') || 'none'}`, { path: args.report });
    }
    const md = renderChecklist(report, { playbook, team: flags.team });
    if (flags.out) this.writeOut(flags.out, md);
    else process.stdout.write(md);
    return { markdown: md };
  }
}
