import { Args, Flags } from '@oclif/core';
import { initScenario, loadScenario, type InitResult } from '../../src/tabletop/index.js';
import { IrCommand, progressLine } from '../_shared/base.js';

export default class TabletopInit extends IrCommand {
  static override summary = 'Materialise a tabletop scenario: git repositories, advisory, build records, runner logs.';
  static override description =
    'Creates DIR/repos/<name> (real git repositories with dated history, lockfiles, CI files, CODEOWNERS), DIR/advisory.json (OSV), ' +
    'DIR/ADVISORY.md, DIR/builds/*.json (gh run list exports), DIR/logs/ and DIR/SCENARIO.md. Deterministic: the same scenario gives the same commit shas. No network.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> demo --dir /tmp/demo',
    '<%= config.bin %> <%= command.id %> event-stream-2018 --dir ./exercise --force',
    { description: 'A bigger organisation for load tests', command: '<%= config.bin %> <%= command.id %> demo --dir /tmp/big --repos 200 --commits 2000 --lockfile-packages 500' },
  ];
  static override enableJsonFlag = true;
  static override args = { scenario: Args.string({ description: 'bundled scenario id (see `tabletop list`) or a scenario YAML file', required: true }) };
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'folder to create (must be empty or absent)', required: true }),
    force: Flags.boolean({ description: 'replace a non-empty --dir', default: false }),
    repos: Flags.integer({ description: 'total repositories (extra ones are generated, clean)', min: 1 }),
    commits: Flags.integer({ description: 'commits per repository (filler commits between the scenario ones)', min: 1 }),
    'lockfile-packages': Flags.integer({ description: 'synthetic packages per lockfile', min: 0 }),
  };

  public async run(): Promise<InitResult> {
    const { args, flags } = await this.parse(TabletopInit);
    const scenario = loadScenario(args.scenario);
    const scale = { repos: flags.repos, commits: flags.commits, lockfilePackages: flags['lockfile-packages'] };
    const hasScale = Object.values(scale).some((v) => v !== undefined);
    const bar = progressLine(!this.jsonEnabled());
    const result = await initScenario(scenario, flags.dir, {
      onProgress: (p) => bar.update(`npm-ir: tabletop init: ${p.reposDone}/${p.repos} repositories written`),
      force: flags.force,
      ...(hasScale ? { scale } : {}),
      ...(args.scenario.includes('/') || args.scenario.endsWith('.yaml') ? { scenarioFile: args.scenario } : {}),
    });
    bar.done();
    this.log(`${scenario.id}: ${result.repos.length} repositories in ${result.dir}/repos; advisory ${result.advisory}; read ${result.dir}/SCENARIO.md`);
    return result;
  }
}
