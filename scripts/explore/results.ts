// The results file of an exploration: one JSON line per sample, appended (and flushed) as it comes,
// so an interrupted exploration loses nothing measured; a rerun replays the recorded samples of its
// space, metric and settings, in order, before measuring anything new.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { repairTornTail } from '../jsonl.js';
import type { Measurement, Oracle } from './search.js';

export interface ResultLine {
  readonly space: string;
  readonly metric: string;
  /** Every setting the sample depends on (oracles.ts settingsFingerprint); absent in files of older runs. */
  readonly settings?: string;
  readonly label: string;
  readonly value: number;
  readonly noise?: number;
  /** The queue worker that measured it (explore.js --queue). */
  readonly machine?: string;
  readonly at: string;
}

export interface ResultKey {
  readonly space: string;
  readonly metric: string;
  /** When given, only the lines measured under these settings. */
  readonly settings?: string;
}

/** The recorded lines of `path` for one space and metric (and settings); a torn line (killed mid-write) is skipped. */
export function readResults(path: string, key: ResultKey): ResultLine[] {
  return readAll(path).filter((line) => line.space === key.space && line.metric === key.metric && (key.settings === undefined || line.settings === key.settings));
}

function readAll(path: string): ResultLine[] {
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
    if (typeof line.space === 'string' && typeof line.metric === 'string' && typeof line.label === 'string' && typeof line.value === 'number') lines.push(line as ResultLine);
  }
  return lines;
}

/** Recorded samples of the space and metric not replayed because another setting measured them. */
export interface SkippedSamples {
  /** The settings they were measured under; undefined: recorded before settings were kept. */
  readonly settings: string | undefined;
  readonly count: number;
}

export interface ResumableOracle {
  readonly measure: Oracle;
  /** Samples replayed from the file / measured now. */
  readonly replayed: () => number;
  readonly fresh: () => number;
  /** What the file held for this space and metric under other settings, not replayed. */
  readonly skipped: readonly SkippedSamples[];
}

export interface ResumableOptions extends ResultKey {
  readonly path: string;
  readonly settings: string;
  /** Where the repair of a torn line and the skipped samples are told (default: stderr). */
  readonly say?: (text: string) => void;
}

/** Wraps `measure`: recorded samples of a label (same settings) are returned first, new ones are appended to `path`. */
export function resumable(measure: Oracle, options: ResumableOptions): ResumableOracle {
  const say = options.say ?? ((text: string): void => void process.stderr.write(text + '\n'));
  repairTornTail(options.path, { say });
  const recorded = new Map<string, Measurement[]>();
  const skipped = new Map<string | undefined, number>();
  for (const line of readResults(options.path, { space: options.space, metric: options.metric })) {
    if (line.settings !== options.settings) {
      skipped.set(line.settings, (skipped.get(line.settings) ?? 0) + 1);
      continue;
    }
    recorded.set(line.label, [...(recorded.get(line.label) ?? []), line.noise === undefined ? { value: line.value } : { value: line.value, noise: line.noise }]);
  }
  const skippedList = [...skipped].map(([settings, count]) => ({ settings, count }));
  if (skippedList.length > 0) {
    const total = skippedList.reduce((n, s) => n + s.count, 0);
    const parts = skippedList.map((s) => (s.settings === undefined ? `${s.count} recorded without their settings (an older run)` : `${s.count} under ${s.settings}`));
    say(`${options.path}: not replaying ${total} recorded sample(s) of ${options.space}/${options.metric}, taken under other settings (${parts.join('; ')}); this run: ${options.settings}`);
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
        settings: options.settings,
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
    skipped: skippedList,
  };
}
