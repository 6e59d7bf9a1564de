import { Args, Flags } from '@oclif/core';
import { loadReport } from '../src/report/load.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../src/report/render/index.js';
import { IrCommand } from './_shared/base.js';

export default class Export extends IrCommand {
  static override summary = 'Export a saved Report as CSV (for affected teams), Markdown, SARIF 2.1.0 or JSON.';
  static override description = `CSV has one row per (team, repo, lockfile, package, version) with first exposure, removal or "still present", affected tags, exposed build and secret counts and the owner contact; cells are protected against spreadsheet formula injection. SARIF 2.1.0 has one result per lockfile hit with its line, for code scanning.`;
  static override examples = [
    { description: 'CSV for the affected teams', command: '<%= config.bin %> <%= command.id %> report.json --format csv > affected.csv' },
    { description: 'SARIF for code scanning upload', command: '<%= config.bin %> <%= command.id %> report.json --format sarif --out npm-ir.sarif' },
  ];
  static override args = { report: Args.string({ description: 'a Report written by `npm-ir scope --out` or `--json`', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: 'output format', options: [...REPORT_FORMATS], default: 'csv' }),
    out: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
  };

  public async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Export);
    const text = renderReport(loadReport(args.report), flags.format as ReportFormat);
    if (flags.out) this.writeOut(flags.out, text);
    else process.stdout.write(text);
    return { format: flags.format };
  }
}
