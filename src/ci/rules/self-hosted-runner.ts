import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

export const selfHostedRunner: Rule = {
  id: 'self-hosted-runner',
  description: 'the job runs on a self-hosted (persistent) runner',
  docsUrl: `${ZIZMOR_DOCS}self-hosted-runner`,
  appliesTo: ['github-actions'],
  checkJob(job) {
    if (job.runner.type === 'self-hosted') return [ruleFinding(this, { file: job.file, line: job.runner.line, job: job.id }, 'high', 'high', `runs-on ${job.runner.labels.join(', ')}: a payload can persist on the host`)];
    if (job.runner.expression) return [ruleFinding(this, { file: job.file, line: job.runner.line, job: job.id }, 'low', 'low', 'runs-on is an expression that may resolve to a self-hosted runner')];
    return [];
  },
};
