/**
 * Text advisory lists: one spec a line (`name@version`, `@scope/name@range`, `ecosystem:name:version`, `name`),
 * `#` comments (whole-line or trailing), blank lines. A bad line is a UsageError with the file and line.
 */
import { UsageError } from '../errors.js';
import type { Target, TargetNote, TargetSet } from '../types.js';
import { quote, readSpec } from './spec.js';

/** Parse the text of a target list. `file` names the file in sources and errors. Pure. */
export function parseTextList(text: string, file: string): TargetSet {
  const targets: Target[] = [];
  const notes: TargetNote[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const line = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (line === '') continue;
    const source = `${file}:${i + 1}`;
    const r = readSpec(line);
    if (r.kind === 'error') throw new UsageError(r.message, { path: file, line: i + 1 });
    if (r.kind === 'other-ecosystem') {
      notes.push({
        code: 'OTHER_ECOSYSTEM',
        message: `skipped ${quote(line)}: ecosystem ${quote(r.ecosystem)} is not npm`,
        source,
      });
      continue;
    }
    for (const range of r.ranges) targets.push({ name: r.name, range, source });
  }
  return { targets, notes };
}
