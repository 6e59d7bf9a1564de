import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

export const secretsInherit: Rule = {
  id: 'secrets-inherit',
  description: 'a reusable workflow call passes every secret (secrets: inherit)',
  docsUrl: `${ZIZMOR_DOCS}secrets-inherit`,
  appliesTo: ['github-actions'],
  checkJob(job, pipeline) {
    if (!job.call?.secretsInherit) return [];
    return [ruleFinding(this, { file: pipeline.file, line: job.call.line, job: job.id }, 'medium', 'high', `${job.call.uses.ref} receives the whole secret store`)];
  },
};
