import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

const PUBLISH = /\b(npm|pnpm|yarn(\s+npm)?|bun)\s+publish\b|changeset\s+publish|semantic-release/;

/** A cache-aware step in a job that publishes (tag/release triggers, publish commands). */
export const cachePoisoning: Rule = {
  id: 'cache-poisoning',
  description: 'a publishing job restores a cache that other runs can write',
  docsUrl: `${ZIZMOR_DOCS}cache-poisoning`,
  appliesTo: ['github-actions'],
  checkJob(job, pipeline) {
    const release = pipeline.triggers.some((t) => t.event === 'release' || t.filters.some((f) => /^tags/.test(f) || /release/i.test(f)));
    const publishes = release || job.steps.some((s) => s.commands.some((c) => PUBLISH.test(c.text)));
    if (!publishes) return [];
    return job.steps
      .filter((s) => s.effects.some((e) => e.type === 'cache-restore'))
      .map((s) => ruleFinding(this, { file: s.file ?? job.file, line: s.line, job: job.id, step: s.label }, 'high', 'medium', `publishing job restores a cache (${s.uses?.ref ?? s.label}); a poisoned entry runs in the release`));
  },
};
