import { Args, Flags } from '@oclif/core';
import { exitCodeFor } from '../src/scope/index.js';
import { mergeReports } from '../src/scope/shard.js';
import { loadReport } from '../src/report/load.js';
import { renderTable } from '../src/report/table.js';
import { IrCommand } from './_shared/base.js';

export default class Merge extends IrCommand {
  static override summary = 'Join the Reports of a sharded sweep (scope --shard i/n) into one Report.';
  static override description = 'Every Report must come from the same targets. Findings, builds, secrets, gaps and notes are united, de-duplicated and sorted; the exit code is that of the merged Report (0 clean, 1 affected, 3 incomplete).';
  static override examples = [
    { description: 'Eight shards run as a CI matrix, then joined', command: '<%= config.bin %> <%= command.id %> shard-*.json --out report.json' },
  ];
  static override strict = false;
  static override args = { report: Args.string({ description: 'shard Reports (one or more; every shard of the sweep)', required: true }) };
  static override flags = {
    out: Flags.string({ char: 'o', description: 'write the merged Report to this file (default: stdout as JSON)' }),
    json: Flags.boolean({ description: 'print the merged Report as JSON even with --out', default: false }),
  };

  public async run(): Promise<unknown> {
    const { argv, flags } = await this.parse(Merge);
    const files = argv as string[];
    const merged = mergeReports(files.map((f) => ({ report: loadReport(f), source: f })));
    const json = JSON.stringify(merged, null, 2) + '\n';
    if (flags.out) {
      this.writeOut(flags.out, json);
      if (flags.json) process.stdout.write(json);
      else process.stdout.write(renderTable(merged));
    } else process.stdout.write(json);
    process.exitCode = exitCodeFor(merged);
    return merged;
  }
}
