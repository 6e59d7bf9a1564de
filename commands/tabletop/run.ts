import { Args, Flags } from '@oclif/core';
import { loadScenario, readMarker, runScenario, type RunResult } from '../../src/tabletop/index.js';
import { UsageError } from '../../src/errors.js';
import { IrCommand } from '../_shared/base.js';

export default class TabletopRun extends IrCommand {
  static override summary = "Replay a scenario's injects; Enter for the next one, or --auto to run straight through.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> demo',
    '<%= config.bin %> <%= command.id %> --dir /tmp/demo',
    { description: 'In CI: no waiting', command: '<%= config.bin %> <%= command.id %> ua-parser-js-2021 --auto' },
  ];
  static override args = { scenario: Args.string({ description: 'scenario id or file (default: the one --dir was initialised with)', required: false }) };
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'exercise folder made by `tabletop init`' }),
    auto: Flags.boolean({ description: 'do not wait for Enter between injects', default: false }),
  };

  public async run(): Promise<RunResult> {
    const { args, flags } = await this.parse(TabletopRun);
    const marker = flags.dir ? readMarker(flags.dir) : undefined;
    const id = args.scenario ?? marker?.file ?? marker?.scenario;
    if (!id) throw new UsageError('name a scenario or give --dir of an initialised exercise');
    const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
    return runScenario(loadScenario(id), {
      auto: flags.auto || !tty,
      input: process.stdin,
      output: process.stdout,
      isTTY: tty,
      dir: flags.dir,
    });
  }
}
