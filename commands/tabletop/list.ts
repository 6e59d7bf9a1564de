import { listScenarios } from '../../src/tabletop/index.js';
import { escapeTerminal } from '../../src/report/escape.js';
import { IrCommand } from '../_shared/base.js';

export default class TabletopList extends IrCommand {
  static override summary = 'List the bundled tabletop scenarios.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override enableJsonFlag = true;

  public async run(): Promise<ReturnType<typeof listScenarios>> {
    await this.parse(TabletopList);
    const list = listScenarios();
    if (!this.jsonEnabled()) {
      const w = Math.max(...list.map((s) => s.id.length));
      for (const s of list) this.log(`${s.id.padEnd(w)}  ${escapeTerminal(s.title)} (confidence ${s.confidence})`);
    }
    return list;
  }
}
