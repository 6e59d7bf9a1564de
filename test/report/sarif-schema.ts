/** Validation against the official SARIF 2.1.0 JSON schema (a test helper, not a test file). */
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
// The OASIS SARIF 2.1.0 schema (final, "rtm.5"), as shipped by @microsoft/jest-sarif.
const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
// Both packages are CommonJS with `exports.default`: the class and the plugin are `.default` of the module.
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

/** A validator for SARIF logs; the draft-04 schema needs ajv-draft-04, its uri/date-time formats ajv-formats. */
export function sarifValidator() {
  // unicodeRegExp off: one pattern in the official schema (language tags) is not valid with the `u` flag.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}
