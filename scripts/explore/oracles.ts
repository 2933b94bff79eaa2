// Where an exploration's measurements come from: boot a configuration and run its app's workload
// (measured or modelled figure), or read a table measured elsewhere. Shared by the CLI
// (scripts/explore.ts) and the queue worker (scripts/explore-worker.ts), so both measure alike.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadSpaceFile, type Space, type SpacePoint } from '../../compartments/config/space.js';
import { APPS, findApp, libraryRegistry } from '../../workloads/registry.js';
import { launch } from '../../workloads/launch.js';
import { runAppWorkload } from '../../workloads/drive.js';
import { loadGeneratorCpu } from '../../compartments/runtime/pinning.js';
import { buildReport, modelPricing } from '../report.js';
import { numberOption, UsageError } from '../cli.js';
import type { Measurement, Oracle } from './search.js';

export type Values = Record<string, string | boolean | undefined>;

/** The command-line options a measurement depends on: what a queue job carries to its worker. */
export const RUN_OPTIONS = ['requests', 'sizes', 'duration', 'runs', 'count', 'builtin', 'from'] as const;

/** An application's space by its name (workloads/<app>/app.ts), else a space file. */
export function loadSpace(name: string): Space {
  const app = findApp(name);
  if (app) return app.space();
  if (!existsSync(name)) throw new UsageError(`no space ${JSON.stringify(name)}: give a space file or one of ${APPS.map((a) => a.name).join(', ')}`);
  return loadSpaceFile(name);
}

function spaceNumber(space: Space, key: string): number | undefined {
  const v = space.workload[key];
  return typeof v === 'number' ? v : undefined;
}

export interface RunSettings {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly durationS: number;
  readonly runs: number;
  readonly count: number;
  readonly forceBuiltin: boolean;
}

/** The workload of one measurement: the options given, else the space's, else the defaults; a UsageError names a bad one. */
export function runSettings(space: Space, values: Values): RunSettings {
  const requests = numberOption(values, 'requests', spaceNumber(space, 'requests') ?? 20_000, { min: 1, max: 1e9, integer: true });
  const rawSizes = values['sizes'] ?? (Array.isArray(space.workload['sizes']) ? space.workload['sizes'].join(',') : '1');
  const sizes = String(rawSizes).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes: ${JSON.stringify(rawSizes)} is not a list of positive integers`);
  const durationS = numberOption(values, 'duration', spaceNumber(space, 'duration') ?? 2, { min: 1, max: 3600, integer: true });
  const runs = numberOption(values, 'runs', spaceNumber(space, 'runs') ?? 1, { min: 1, max: 100, integer: true });
  const count = numberOption(values, 'count', spaceNumber(space, 'count') ?? 1000, { min: 1, max: 1e7, integer: true });
  return { requests, sizes, durationS, runs, count, forceBuiltin: values['builtin'] === true };
}

/**
 * Every setting a sample of `metric` depends on, as one line a results file keys its records by
 * (`requests=20000 sizes=1 ... builtin=false`; SQLite: `count=N`; --metric file: the table's path and a
 * hash of its contents, or the path alone when the table is read on the queue workers' machines).
 */
export function settingsFingerprint(space: Space, metric: 'measured' | 'modelled' | 'file', values: Values): string {
  if (metric === 'file') {
    const from = String(values['from']);
    if (!existsSync(from)) return `from=${from}`;
    return `from=${from} sha256=${createHash('sha256').update(readFileSync(from)).digest('hex').slice(0, 16)}`;
  }
  const s = runSettings(space, values);
  if (findApp(space.app)?.local) return `count=${s.count}`;
  return `requests=${s.requests} sizes=${s.sizes.join(',')} duration=${s.durationS} runs=${s.runs} builtin=${s.forceBuiltin}`;
}

/** Boots each configuration and runs its app's workload; the measured or the modelled figure. */
export function runOracle(space: Space, points: readonly SpacePoint[], which: 'measured' | 'modelled', values: Values, options: { readonly say?: (text: string) => void } = {}): Oracle {
  const { requests, sizes, durationS, runs, count, forceBuiltin } = runSettings(space, values);
  const say = options.say ?? ((text: string): void => void process.stderr.write(text + '\n'));
  return async (label) => {
    const point = points.find((p) => p.label === label);
    if (!point) throw new UsageError(`no configuration ${JSON.stringify(label)} in space ${space.name}`);
    const config = point.configuration;
    const pricing = modelPricing(config); // before the first boot: a first run times the model's C kernels
    say(`measuring ${label} (${which})`);
    const local = findApp(space.app)?.local;
    if (local) return { value: (await local.time(config, { registry: libraryRegistry, count, pricing }))[which] };
    const image = await launch(config, { registry: libraryRegistry, port: 0 });
    try {
      const result = await runAppWorkload(image, { requests, sizes: [...sizes], durationS, runs, cpu: loadGeneratorCpu(config.gates.pin), say, forceBuiltin });
      const json = buildReport({ config, result, pricing }).json as { throughput_rps?: Record<string, number>; throughput_gbps?: Record<string, number> };
      // iPerf reports Gb/s; the budget is in bytes/s like the run's own unit.
      const value = json.throughput_rps?.[which] ?? ((json.throughput_gbps?.[which] ?? NaN) * 1e9) / 8;
      return { value };
    } finally {
      await image.stop();
    }
  };
}

export function fileOracle(path: string): Oracle {
  let table: Record<string, unknown>;
  try {
    table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--from ${path}: cannot read a JSON table {"<label>": value} (${(error as Error).message})`);
  }
  return async (label) => {
    const entry = table[label];
    if (typeof entry === 'number') return { value: entry };
    if (typeof entry === 'object' && entry !== null && typeof (entry as Measurement).value === 'number') return entry as Measurement;
    throw new UsageError(`--from ${path}: no value for ${label}`);
  };
}
