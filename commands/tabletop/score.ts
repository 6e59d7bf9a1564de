import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { UsageError } from '../../src/errors.js';
import type { Report } from '../../src/report/model.js';
import { loadScenario, readMarker, renderScorecard, scoreReport, type Scorecard } from '../../src/tabletop/index.js';
import { IrCommand } from '../_shared/base.js';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: file });
  }
}

export default class TabletopScore extends IrCommand {
  static override summary = "Score a team's Report (and checklist) against the scenario's expected answers.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> --dir /tmp/demo --report report.json',
    '<%= config.bin %> <%= command.id %> --dir /tmp/demo --report report.json --checklist checklist.md --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'exercise folder made by `tabletop init`', required: true }),
    report: Flags.string({ char: 'r', description: "the team's JSON Report (npm-ir scope --out)", required: true }),
    checklist: Flags.string({ char: 'c', description: "the team's checklist Markdown (npm-ir checklist)" }),
  };

  public async run(): Promise<Scorecard> {
    const { flags } = await this.parse(TabletopScore);
    const marker = readMarker(flags.dir);
    const scenario = loadScenario(marker.file ?? marker.scenario);
    let report: Report;
    try {
      report = JSON.parse(readText(flags.report, 'report')) as Report;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`not a JSON Report: ${(e as Error).message}`, { path: flags.report });
    }
    if (!report || !Array.isArray(report.findings)) throw new UsageError('not an npm-ir Report (no findings array)', { path: flags.report });
    const card = scoreReport(scenario, report, flags.checklist ? { checklist: readText(flags.checklist, 'checklist') } : {});
    if (!this.jsonEnabled()) process.stdout.write(renderScorecard(card));
    return card;
  }
}
