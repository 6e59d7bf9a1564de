/**
 * Validation of a Report against schemas/report.schema.json (JSON Schema draft 2020-12, bundled with the package).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { packageFile } from '../package-root.js';

let validator: ValidateFunction | undefined;

/** The parsed report schema, as shipped in schemas/report.schema.json. */
export function reportSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(packageFile('schemas', 'report.schema.json'), 'utf8')) as Record<string, unknown>;
}

function compiled(): ValidateFunction {
  if (!validator) validator = new Ajv2020({ allErrors: true, strict: true }).compile(reportSchema());
  return validator;
}

/**
 * Validate a Report (or any parsed JSON claiming to be one). Returns one line per error,
 * `<json pointer>: <message>`, empty when valid.
 */
export function validateReport(report: unknown): string[] {
  const validate = compiled();
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' || e.keyword === 'required' ? ` (${JSON.stringify(e.params)})` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}
