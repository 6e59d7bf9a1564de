/**
 * `runScenario`: replay a scenario's injects in time order. On a terminal it waits for Enter before each
 * inject; `auto` runs straight through (CI, demos). Each inject shows the exercise clock, e.g.
 * `[T+00:40] 09:40 Egress alert ...`.
 */
import type { Readable, Writable } from 'node:stream';
import { escapeTerminal } from '../report/escape.js';
import type { Scenario, ScenarioInject } from './scenario.js';

export interface RunOptions {
  /** Run straight through without waiting (forced when the input is not a terminal and none is given). */
  auto: boolean;
  /** Where Enter presses come from (default: none, which means auto). */
  input?: Readable;
  output: Writable;
  /** Whether output is a terminal: prompts are shown only then. */
  isTTY: boolean;
  /** The exercise folder (named in the closing lines). */
  dir?: string;
}

export interface RunResult {
  injects: number;
  /** False when the input ended before the last inject (the exercise was stopped). */
  completed: boolean;
}

/** `T+HH:MM` from the scenario start (negative before it). */
export function elapsed(start: string, at: string): string {
  const mins = Math.round((Date.parse(at) - Date.parse(start)) / 60000);
  const sign = mins < 0 ? '-' : '+';
  const a = Math.abs(mins);
  return `T${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** One inject as printed: `[T+00:40] 09:40 text` (UTC wall clock; the date is added when it is not the start day). */
export function formatInject(scenario: Scenario, inject: ScenarioInject): string {
  const d = new Date(inject.at);
  const hhmm = d.toISOString().slice(11, 16);
  const day = inject.at.slice(0, 10) === scenario.start.slice(0, 10) ? '' : `${d.toISOString().slice(0, 10)} `;
  return `[${elapsed(scenario.start, inject.at)}] ${day}${hhmm} ${escapeTerminal(inject.text)}`;
}

/** Lines from a stream, one promise at a time; resolves null at the end of the stream. */
function lineReader(input: Readable): { next: () => Promise<string | null>; close: () => void } {
  let buf = '';
  let ended = false;
  const lines: string[] = [];
  let waiter: ((l: string | null) => void) | undefined;
  const pump = () => {
    if (!waiter) return;
    if (lines.length) {
      const w = waiter;
      waiter = undefined;
      w(lines.shift()!);
    } else if (ended) {
      const w = waiter;
      waiter = undefined;
      w(null);
    }
  };
  const onData = (d: Buffer | string) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
    pump();
  };
  const onEnd = () => {
    ended = true;
    pump();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('close', onEnd);
  return {
    next: () =>
      new Promise((ok) => {
        waiter = ok;
        pump();
      }),
    close: () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      input.pause();
    },
  };
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const write = (s: string) => opts.output.write(s);
  const injects = [...scenario.injects].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const interactive = !opts.auto && opts.input !== undefined;
  write(`Tabletop: ${escapeTerminal(scenario.title)}\n${escapeTerminal(scenario.summary.trim())}\n`);
  write(`Clock: T+00:00 = ${scenario.start} (UTC). ${injects.length} injects.${interactive && opts.isTTY ? ' Press Enter for the next one, Ctrl-D to stop.' : ''}\n\n`);
  const reader = interactive ? lineReader(opts.input!) : undefined;
  let shown = 0;
  try {
    for (const inj of injects) {
      if (reader) {
        if (opts.isTTY) write(`(Enter for inject ${shown + 1}/${injects.length}) `);
        const line = await reader.next();
        if (line === null) {
          write('\nStopped.\n');
          return { injects: shown, completed: false };
        }
      }
      write(`${formatInject(scenario, inj)}\n`);
      shown++;
    }
  } finally {
    reader?.close();
  }
  write(`\nEnd of injects.${opts.dir ? ` Score your Report: npm-ir tabletop score --dir ${escapeTerminal(opts.dir)} --report report.json` : ''}\n`);
  return { injects: shown, completed: true };
}
