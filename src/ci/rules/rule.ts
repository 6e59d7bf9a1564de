/**
 * The rule shape (zizmor style, ci-secrets.md §15.3): one file per rule id, one registry array.
 * A rule finding can only be built through `ruleFinding`, which requires the rule, a location,
 * a severity and a confidence.
 */
import type { Confidence, Job, Pipeline, Step } from '../model.js';

export type Severity = 'high' | 'medium' | 'low' | 'informational';

export interface RuleLocation {
  file: string;
  line: number;
  job?: string;
  step?: string;
}

export interface RuleFinding extends RuleLocation {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  docsUrl: string;
}

export interface Rule {
  id: string;
  description: string;
  docsUrl: string;
  /** The CI systems the rule reads. */
  appliesTo: Pipeline['system'][];
  checkWorkflow?(pipeline: Pipeline): RuleFinding[];
  checkJob?(job: Job, pipeline: Pipeline): RuleFinding[];
  checkStep?(step: Step, job: Job, pipeline: Pipeline): RuleFinding[];
}

export function ruleFinding(rule: Pick<Rule, 'id' | 'docsUrl'>, at: RuleLocation, severity: Severity, confidence: Confidence, message: string): RuleFinding {
  return { rule: rule.id, severity, confidence, message, docsUrl: rule.docsUrl, file: at.file, line: at.line, ...(at.job ? { job: at.job } : {}), ...(at.step ? { step: at.step } : {}) };
}

export const ZIZMOR_DOCS = 'https://docs.zizmor.sh/audits/#';
