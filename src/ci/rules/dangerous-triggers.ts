import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

export const dangerousTriggers: Rule = {
  id: 'dangerous-triggers',
  description: 'pull_request_target / workflow_run run with secrets and a write token on untrusted input',
  docsUrl: `${ZIZMOR_DOCS}dangerous-triggers`,
  appliesTo: ['github-actions'],
  checkWorkflow(pipeline) {
    return pipeline.triggers
      .filter((t) => t.event === 'pull_request_target' || t.event === 'workflow_run')
      .map((t) => ruleFinding(this, { file: pipeline.file, line: t.line }, 'high', 'medium', `${t.event} trigger: secrets and a read/write token are available to runs started from forks`));
  },
};
