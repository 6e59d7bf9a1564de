import type { Step } from '../model.js';
import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

function allSecretsLine(step: Step): number | undefined {
  for (const e of step.env) if (e.value.refs.some((r) => r.type === 'all-secrets')) return e.line;
  for (const w of step.with) if (w.value.refs.some((r) => r.type === 'all-secrets')) return w.line;
  for (const c of step.commands) if (c.refs?.some((r) => r.type === 'all-secrets')) return c.line;
  return undefined;
}

export const overprovisionedSecrets: Rule = {
  id: 'overprovisioned-secrets',
  description: 'toJSON(secrets) or a computed secrets[...] sends every secret to the runner',
  docsUrl: `${ZIZMOR_DOCS}overprovisioned-secrets`,
  appliesTo: ['github-actions'],
  checkWorkflow(pipeline) {
    const e = [...pipeline.env, ...pipeline.jobs.flatMap((j) => j.env)].find((v) => v.value.refs.some((r) => r.type === 'all-secrets'));
    return e ? [ruleFinding(this, { file: pipeline.file, line: e.line }, 'high', 'high', `env ${e.name} holds every secret`)] : [];
  },
  checkStep(step, job) {
    const line = allSecretsLine(step);
    return line ? [ruleFinding(this, { file: step.file ?? job.file, line, job: job.id, step: step.label }, 'high', 'high', 'the step receives every secret of the store')] : [];
  },
};
