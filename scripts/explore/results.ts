// The results file of an exploration: one JSON line per sample, appended (and flushed) as it comes,
// so an interrupted exploration loses nothing measured; a rerun replays the recorded samples of its
// space and metric, in order, before measuring anything new.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Measurement, Oracle } from './search.js';

export interface ResultLine {
  readonly space: string;
  readonly metric: string;
  readonly label: string;
  readonly value: number;
  readonly noise?: number;
  /** The queue worker that measured it (explore.js --queue). */
  readonly machine?: string;
  readonly at: string;
}

/** The recorded lines of `path` for one space and metric; a torn last line (killed mid-write) is skipped. */
export function readResults(path: string, key: { readonly space: string; readonly metric: string }): ResultLine[] {
  if (!existsSync(path)) return [];
  const lines: ResultLine[] = [];
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text.trim() === '') continue;
    let line: Partial<ResultLine>;
    try {
      line = JSON.parse(text) as Partial<ResultLine>;
    } catch {
      continue;
    }
    if (line.space === key.space && line.metric === key.metric && typeof line.label === 'string' && typeof line.value === 'number') lines.push(line as ResultLine);
  }
  return lines;
}

export interface ResumableOracle {
  readonly measure: Oracle;
  /** Samples replayed from the file / measured now. */
  readonly replayed: () => number;
  readonly fresh: () => number;
}

/** Wraps `measure`: recorded samples of a label are returned first, new ones are appended to `path`. */
export function resumable(measure: Oracle, options: { readonly path: string; readonly space: string; readonly metric: string }): ResumableOracle {
  const recorded = new Map<string, Measurement[]>();
  for (const line of readResults(options.path, options)) {
    recorded.set(line.label, [...(recorded.get(line.label) ?? []), line.noise === undefined ? { value: line.value } : { value: line.value, noise: line.noise }]);
  }
  let replayed = 0;
  let fresh = 0;
  return {
    async measure(label) {
      const queue = recorded.get(label);
      const old = queue?.shift();
      if (old) {
        replayed++;
        return old;
      }
      const m = await measure(label);
      fresh++;
      const line: ResultLine = {
        space: options.space,
        metric: options.metric,
        label,
        value: m.value,
        ...(m.noise === undefined ? {} : { noise: m.noise }),
        ...(m.machine === undefined ? {} : { machine: m.machine }),
        at: new Date().toISOString(),
      };
      appendFileSync(options.path, JSON.stringify(line) + '\n');
      return m;
    },
    replayed: () => replayed,
    fresh: () => fresh,
  };
}
