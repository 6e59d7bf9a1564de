/**
 * Every bundled replay, end to end: materialise it, run `scope` over it as a team would (history, build
 * records, advisory file), and score the Report: nothing missed, no false alarms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scope } from '../../src/scope/index.js';
import { loadTargets } from '../../src/targets/index.js';
import { initScenario, listScenarioIds, loadScenario, scoreReport, type Scorecard } from '../../src/tabletop/index.js';

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const cards = new Map<string, Promise<Scorecard>>();
function cardFor(id: string): Promise<Scorecard> {
  if (!cards.has(id)) {
    cards.set(
      id,
      (async () => {
        const dir = mkdtempSync(join(tmpdir(), `npm-ir-replay-${id}-`));
        scratch.push(dir);
        const scenario = loadScenario(id);
        const init = await initScenario(scenario, dir, { force: true });
        const targets = await loadTargets([], [init.advisory]);
        const report = await scope({
          paths: [join(init.dir, 'repos')],
          targets: targets.targets,
          targetNotes: targets.notes,
          history: true,
          builds: init.builds,
          concurrency: 2,
        });
        return scoreReport(scenario, report);
      })(),
    );
  }
  return cards.get(id)!;
}

describe.each(listScenarioIds())('replay %s', (id) => {
  it('finds every affected repo, lockfile and release tag, and nothing else', async () => {
    const card = await cardFor(id);
    for (const c of ['repos', 'lockfiles', 'tags'] as const) {
      expect({ category: c, missed: card.missed[c], falseAlarms: card.falseAlarms[c] }).toEqual({ category: c, missed: [], falseAlarms: [] });
    }
  });

  it('finds every build that ran an affected commit, and every exposed CI secret', async () => {
    const card = await cardFor(id);
    for (const c of ['builds', 'secrets'] as const) {
      expect({ category: c, missed: card.missed[c], falseAlarms: card.falseAlarms[c] }).toEqual({ category: c, missed: [], falseAlarms: [] });
    }
  });
});
