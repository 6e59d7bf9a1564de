import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { checklistSummary, renderChecklist } from '../../src/playbook/checklist.js';
import { escapeCsvCell, escapeMarkdown, escapeTerminal, markdownCode, markdownTableCode } from '../../src/report/escape.js';
import { renderCsv, renderJson, renderMarkdown, renderSarif } from '../../src/report/render/index.js';
import { validateReport } from '../../src/report/schema.js';
import { HOSTILE, hostileReport } from './sample-report.js';
import { sarifValidator } from './sarif-schema.js';

/** Raw control characters other than LF and CR (checked separately), and bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Markdown with every inline code span removed: what is left is what could render as links, HTML or mentions. */
function outsideCode(md: string): string {
  return md
    .split('\n')
    .map((line) => {
      const ticks = (line.match(/`/g) ?? []).length;
      expect(ticks % 2, `unbalanced code spans in: ${line}`).toBe(0);
      return line.replace(/`[^`]*`/g, '');
    })
    .join('\n');
}

function assertSafeMarkdown(md: string): void {
  expect(md).not.toMatch(RAW_CONTROL);
  expect(md).not.toContain('\r');
  const rest = outsideCode(md);
  expect(rest).not.toContain('<script');
  expect(rest).not.toContain('](');
  expect(rest).not.toContain('http://');
  expect(rest).not.toContain('@SUM');
  // Each hostile string appears, neutralised, inside a code span.
  expect(md).toContain(markdownCode(HOSTILE.link));
  expect(md).toContain(markdownCode(HOSTILE.script).replace(/\|/g, '\\|'));
}

const report = hostileReport();

describe('hostile names', () => {
  it('the hostile report is still a valid Report', () => {
    expect(validateReport(report)).toEqual([]);
  });

  it('CSV: every cell starting with = + - @ tab or CR is neutralised, control characters are escaped', () => {
    const out = renderCsv(report);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.replace(/\r\n/g, '')).not.toContain('\r');
    const rows = parse(out) as string[][];
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const hostile = rows.find((r) => r[1] === HOSTILE.link)!;
    expect(hostile.slice(0, 5)).toEqual([HOSTILE.link, HOSTILE.link, `'${HOSTILE.formula}`, `'${HOSTILE.sum}`, `'${HOSTILE.minus}`]);
    expect(hostile[9]).toBe('<script>alert(1)</script> line\\x0dover');
    expect(hostile[12]).toBe(`'${HOSTILE.formula}`);
  });

  it('escapeCsvCell guards each formula prefix, including after leading blanks', () => {
    expect(escapeCsvCell(HOSTILE.formula)).toBe(`'=HYPERLINK("http://x","y")`);
    expect(escapeCsvCell(HOSTILE.sum)).toBe("'@SUM(1+1)");
    expect(escapeCsvCell(HOSTILE.plus)).toBe("'+cmd");
    expect(escapeCsvCell(HOSTILE.minus)).toBe("'-2+3");
    expect(escapeCsvCell('\t=1')).toBe("'=1");
    expect(escapeCsvCell('\r=1')).toBe("'=1");
    expect(escapeCsvCell('  =1+1')).toBe("'  =1+1");
    expect(escapeCsvCell(HOSTILE.esc)).toBe('red\\x1b[31mALERT\\x1b[0m');
    expect(escapeCsvCell('4.1.1')).toBe('4.1.1');
  });

  it('Markdown report: no live link, HTML, mention or raw control character; tables keep their columns', () => {
    const md = renderMarkdown(report);
    assertSafeMarkdown(md);
    expect(md).toContain(markdownTableCode(HOSTILE.esc));
    for (const block of md.split('\n\n').filter((b) => b.startsWith('| '))) {
      const counts = block.split('\n').filter(Boolean).map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size, block).toBe(1);
    }
  });

  it('checklist: no live link, HTML or raw control character', () => {
    const md = renderChecklist(report);
    assertSafeMarkdown(md);
    expect(md).toContain('`red\\x1b[31mALERT\\x1b[0m`');
    expect(md).toContain('`safe\\u202egnp.exe`');
    expect(md).toContain('via `<script>alert(1)</script> > aˋbˋˋc`');
    expect(md).toContain(`\`npm view ${HOSTILE.sum} time --json\``);
  });

  it('terminal summary: no raw ESC, CR or bidi override', () => {
    const hostileWindow = hostileReport();
    hostileWindow.findings = hostileWindow.findings.slice(3);
    hostileWindow.findings[0]!.history!.firstSeen = '\x1b]8;;http://evil\x07click';
    const out = checklistSummary(hostileWindow);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('\\x1b]8;;http://evil\\x07click');
    expect(escapeTerminal(HOSTILE.bidi)).toBe('safe\\u202egnp.exe');
    expect(escapeTerminal(HOSTILE.cr)).toBe('line\\x0dover');
  });

  it('SARIF: messages carry no raw control characters, URIs are encoded, and the log still validates', () => {
    const out = renderSarif(report);
    const log = JSON.parse(out) as { runs: { results: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const validate = sarifValidator();
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const results = log.runs[0]!.results;
    for (const r of results) expect(r.message.text).not.toMatch(RAW_CONTROL);
    expect(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toContain(
      '%5Bclick%5D(http%3A//evil)/%3DHYPERLINK(%22http%3A//x%22%2C%22y%22)',
    );
  });

  it('JSON: control and bidi characters are \\u-escaped, and the data parses back unchanged', () => {
    const out = renderJson(report);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('red\\u001b[31mALERT');
    expect(out).toContain('refs/heads/safe\\u202egnp.exe');
    expect(JSON.parse(out)).toEqual(report);
  });

  it('escapeMarkdown: no link, image, HTML, mention, autolink or emphasis survives', () => {
    expect(escapeMarkdown(HOSTILE.link)).toBe('\\[click\\]\\(http:&#47;&#47;evil\\)');
    expect(escapeMarkdown(HOSTILE.script)).toBe('\\<script\\>alert\\(1\\)\\</script\\>');
    expect(escapeMarkdown('@acme/team www.evil.com')).toBe('&#64;acme/team www&#46;evil.com');
    expect(escapeMarkdown(HOSTILE.backtick)).toBe('a\\`b\\`\\`c');
    expect(escapeMarkdown(HOSTILE.esc)).not.toContain('\x1b');
  });
});
