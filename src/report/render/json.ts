/** The Report as JSON: keys sorted at every level (stable diffs), 2-space indent, trailing newline. */
import type { Report } from '../model.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

// JSON.stringify escapes C0 controls only; DEL, C1 and bidi/invisible format characters are escaped here so a
// report viewed in a terminal cannot be reordered or recoloured. The parsed data is unchanged.
const UNSAFE = /[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function renderJson(report: Report): string {
  const text = JSON.stringify(sortKeys(report), null, 2);
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
