/**
 * The rule registry: every rule, in order. A new rule is a file in this folder and one line here.
 */
import type { Job, Pipeline, Step } from '../model.js';
import { artipacked } from './artipacked.js';
import { cachePoisoning } from './cache-poisoning.js';
import { dangerousTriggers } from './dangerous-triggers.js';
import { excessivePermissions } from './excessive-permissions.js';
import { githubEnv } from './github-env.js';
import { overprovisionedSecrets } from './overprovisioned-secrets.js';
import type { Rule, RuleFinding } from './rule.js';
import { secretsInherit } from './secrets-inherit.js';
import { selfHostedRunner } from './self-hosted-runner.js';

export const RULES: readonly Rule[] = [
  artipacked,
  cachePoisoning,
  dangerousTriggers,
  excessivePermissions,
  githubEnv,
  overprovisionedSecrets,
  secretsInherit,
  selfHostedRunner,
];

function walkSteps(steps: Step[]): Step[] {
  return steps.flatMap((s) => [s, ...walkSteps(s.composite ?? [])]);
}

/** Run every applicable rule over a pipeline (jobs of called workflows included). */
export function runRules(pipeline: Pipeline, rules: readonly Rule[] = RULES): RuleFinding[] {
  const out: RuleFinding[] = [];
  const jobs = (list: Job[]): Job[] => list.flatMap((j) => [j, ...jobs(j.calledJobs ?? [])]);
  for (const rule of rules) {
    if (!rule.appliesTo.includes(pipeline.system)) continue;
    if (rule.checkWorkflow) out.push(...rule.checkWorkflow(pipeline));
    for (const job of jobs(pipeline.jobs)) {
      if (rule.checkJob) out.push(...rule.checkJob(job, pipeline));
      if (rule.checkStep) for (const step of walkSteps(job.steps)) out.push(...rule.checkStep(step, job, pipeline));
    }
  }
  return out;
}

export type { Rule, RuleFinding };
