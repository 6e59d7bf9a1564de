import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

export const githubEnv: Rule = {
  id: 'github-env',
  description: 'a secret is exported to every later step through $GITHUB_ENV',
  docsUrl: `${ZIZMOR_DOCS}github-env`,
  appliesTo: ['github-actions'],
  checkStep(step, job) {
    return step.effects
      .filter((e) => e.type === 'env-export' && e.by === 'GITHUB_ENV' && e.value.refs.some((r) => r.type === 'secret' || r.type === 'all-secrets'))
      .map((e) => ruleFinding(this, { file: step.file ?? job.file, line: e.line, job: job.id, step: step.label }, 'medium', 'high', `${e.type === 'env-export' ? e.name : ''} is exported to every later step of the job`));
  },
};
