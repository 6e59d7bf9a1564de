import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

/** actions/checkout without `persist-credentials: false`: the token sits on disk for every later step. */
export const artipacked: Rule = {
  id: 'artipacked',
  description: 'actions/checkout persists its token on disk (persist-credentials defaults to true)',
  docsUrl: `${ZIZMOR_DOCS}artipacked`,
  appliesTo: ['github-actions'],
  checkStep(step, job) {
    if (step.uses?.name.toLowerCase() !== 'actions/checkout') return [];
    const persist = step.with.find((w) => w.name === 'persist-credentials')?.value.text?.trim();
    if (persist === 'false') return [];
    const uploads = job.steps.some((s) => s.uses?.name.toLowerCase() === 'actions/upload-artifact');
    return [
      ruleFinding(this, { file: step.file ?? job.file, line: step.line, job: job.id, step: step.label }, uploads ? 'high' : 'medium', 'high',
        `${step.uses.ref} leaves the job token readable by later steps${uploads ? ' and the job uploads artifacts' : ''}; set persist-credentials: false`),
    ];
  },
};
