/**
 * Log-search windows: from the earliest exposure of a finding to its removal, or still open. Shared by the
 * checklist and the exports.
 */
import type { Finding } from './model.js';

export interface LogWindow {
  /** Earliest exposure (ISO date) when known. */
  from?: string;
  /** Latest removal; null while still open; undefined when unknown. */
  to?: string | null;
}

/** Milliseconds since the epoch; an unparsable date sorts last for `earliest` and first for `latest`. */
function time(iso: string, invalid: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? invalid : t;
}

function earliest(dates: string[]): string | undefined {
  const inf = Number.POSITIVE_INFINITY;
  return dates.length ? dates.reduce((a, b) => (time(b, inf) < time(a, inf) ? b : a)) : undefined;
}

function latest(dates: string[]): string | undefined {
  const inf = Number.NEGATIVE_INFINITY;
  return dates.length ? dates.reduce((a, b) => (time(b, inf) > time(a, inf) ? b : a)) : undefined;
}

/** The window to search logs in for one finding: earliest exposure to its removal, or still open. */
export function findingWindow(f: Finding): LogWindow {
  const h = f.history;
  const from = h?.firstSeen ?? earliest([...(h?.introduced ?? []).map((c) => c.date), ...(h?.windows ?? []).map((w) => w.from)]);
  const open =
    f.present === true ||
    h?.lastSeen === null ||
    (h?.windows ?? []).some((w) => w.to === null) ||
    (h?.refs ?? []).some((r) => r.affectedAtTip);
  if (open) return { ...(from ? { from } : {}), to: null };
  const to =
    h?.lastSeen ??
    latest([...(h?.removed ?? []).map((c) => c.date), ...(h?.windows ?? []).flatMap((w) => (w.to ? [w.to] : []))]);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The union of the findings' windows: the earliest start, and still open if any is open. */
export function combinedWindow(findings: Finding[]): LogWindow {
  const windows = findings.map(findingWindow);
  const from = earliest(windows.flatMap((w) => (w.from ? [w.from] : [])));
  if (windows.some((w) => w.to === null)) return { ...(from ? { from } : {}), to: null };
  const ends = windows.map((w) => w.to);
  const to = ends.length && ends.every((t) => typeof t === 'string') ? latest(ends as string[]) : undefined;
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}
