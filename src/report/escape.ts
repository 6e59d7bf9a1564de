/**
 * Escaping for attacker-controlled text (package names, branch names, commit subjects, file names).
 * Every renderer goes through these: terminal control characters, Markdown, CSV formulas.
 */

// C0 and C1 control characters, DEL, and Unicode bidi/invisible format characters (Trojan Source).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Make text safe for a terminal: control characters (ESC sequences, CR, bidi overrides) become visible escapes. */
export function escapeTerminal(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Make text safe inside Markdown prose or a table cell: no links, images, HTML, emphasis, code breaks. */
export function escapeMarkdown(text: string): string {
  return escapeTerminal(text)
    .replace(/[\\`*_{}[\]()<>#+!|~=-]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/:\/\//g, ':&#47;&#47;') // keep bare URLs from auto-linking
    .replace(/@/g, '&#64;') // no @mentions (they notify people) and no email autolinks
    .replace(/\b(www)\./gi, '$1&#46;'); // no GFM www. autolinks
}

/** Make text safe inside Markdown inline code: backticks cannot close the span. */
export function markdownCode(text: string): string {
  const t = escapeTerminal(text).replace(/`/g, 'ˋ');
  return '`' + t + '`';
}

/** Inline code inside a GFM table cell: as markdownCode, and `|` cannot end the cell. */
export function markdownTableCode(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}

/**
 * Neutralise spreadsheet formulas (OWASP CSV injection): a cell starting with = + - @ tab or CR gets a
 * leading apostrophe. Quoting per RFC 4180 is the CSV writer's job.
 */
export function escapeCsvCell(text: string): string {
  const t = escapeTerminal(text.replace(/^[\t\r]/, ''));
  // Some spreadsheets trim leading blanks before evaluating, so look past them too.
  return /^[=+\-@\t\r]/.test(text) || /^[ \u00a0]+[=+\-@]/.test(text) ? `'${t}` : t;
}
