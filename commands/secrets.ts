import { Flags } from '@oclif/core';
import { escapeTerminal as esc } from '../src/report/escape.js';
import { scanSecrets } from '../src/secrets-scan.js';
import { IrCommand } from './_shared/base.js';

export default class Secrets extends IrCommand {
  static override summary = 'List the CI credentials a malicious install could read, per repository, by exposure tier.';
  static override description = `Reads the CI configuration of every repository below --path (GitHub Actions, GitLab CI, CircleCI, Jenkins, Azure Pipelines, Bitbucket, Travis, Dockerfiles, .npmrc/.yarnrc.yml/.env files) and lists each named credential with its tier (T0: in the environment or on disk of the process that ran dependency code, first to rotate ... T4: reachable only by escalation), kind, reach chain and where it lives. Secret values are never printed: a literal found in a file is shown by a fingerprint.

Exit codes: 0 read (whether or not anything is exposed); 2 could not run; 3 some CI file could not be read.`;
  static override examples = [
    { description: 'Every repository under ./repos', command: '<%= config.bin %> <%= command.id %> --path ./repos' },
    { description: 'Machine-readable', command: '<%= config.bin %> <%= command.id %> --path . --json' },
  ];
  static override flags = {
    path: Flags.string({ char: 'p', description: 'folder to scan (repeatable); default: the current folder', multiple: true }),
    json: Flags.boolean({ description: 'print the Report (secrets and gaps) as JSON', default: false }),
  };

  public async run(): Promise<unknown> {
    const { flags } = await this.parse(Secrets);
    const { report, ciFiles } = await scanSecrets({ paths: flags.path ?? ['.'] });
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...report, ciFiles }, null, 2) + '\n');
    } else {
      const repos = Object.keys(ciFiles).sort();
      const withCi = repos.filter((r) => ciFiles[r]!.length > 0);
      if (withCi.length === 0) {
        this.log(`No CI configuration or credential files found in ${repos.length} repo(s): nothing to expose to an install step.`);
      } else {
        this.log(`${report.secrets.length} credential exposure(s) in ${withCi.length} repo(s) with CI configuration (rotate T0 first)\n`);
        for (const s of report.secrets) {
          const where = `${s.file}:${s.line}${s.job ? ` job ${s.job}` : ''}${s.step ? ` step ${s.step}` : ''}`;
          const via = typeof s.via === 'string' ? ` via ${s.via}` : Array.isArray(s.via) ? ` via ${(s.via as string[]).join(' -> ')}` : '';
          this.log(`${s.tier}  ${esc(s.repo)}  ${esc(s.name)}  (${esc(s.kind)})  ${esc(where)}${esc(via)}`);
        }
        const without = repos.filter((r) => ciFiles[r]!.length === 0);
        if (without.length) this.log(`\nNo CI configuration in: ${without.map(esc).join(', ')}`);
      }
      for (const g of report.gaps) this.log(`GAP ${g.code} ${esc(g.repo ?? '')}/${esc(g.path)}: ${esc(g.reason)}`);
    }
    process.exitCode = report.gaps.length ? 3 : 0;
    return report;
  }
}
