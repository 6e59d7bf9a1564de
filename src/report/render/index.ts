/** Export formats for a saved Report. */
import { UsageError } from '../../errors.js';
import type { Report } from '../model.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';

export type ReportFormat = 'json' | 'csv' | 'markdown' | 'sarif';

export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv', 'markdown', 'sarif'];

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'sarif':
      return renderSarif(report);
    default: {
      const never: never = format;
      throw new UsageError(`unknown report format '${String(never)}' (use one of: ${REPORT_FORMATS.join(', ')})`);
    }
  }
}

export { renderCsv, csvRows, CSV_COLUMNS, type CsvRow } from './csv.js';
export { renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';
export { renderSarif, SARIF_RULES, SARIF_SCHEMA_URI, artifactUri } from './sarif.js';
