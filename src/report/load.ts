/** Reading a saved Report (checklist, export, tabletop score): validated, with a one-line error naming the file. */
import fs from 'node:fs';
import { UsageError } from '../errors.js';
import type { Report } from './model.js';
import { validateReport } from './schema.js';

export function loadReport(path: string): Report {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the Report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`not JSON: ${(e as Error).message}`, { path });
  }
  const errors = validateReport(data);
  if (errors.length) throw new UsageError(`not an npm-ir Report (schemaVersion 1): ${errors.slice(0, 3).join('; ')}`, { path });
  return data as Report;
}
