// The paper's workload for each application, run against a booted image with the real client.
// Results are per run (one per value size for Redis), with what the report needs to model them.

import { FlexosError } from '../compartments/errors.js';
import { findRedisBenchmark, redisBenchmarkArgs, runRedisBenchmark, type RedisBenchRun } from './redis/benchmark.js';
import type { RunningImage } from './launch.js';
import { openWindow, type Window } from './window.js';

export interface DriveOptions {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly cpu: number | null;
  readonly say: (text: string) => void;
}

export interface WorkloadResult {
  readonly client: string;
  readonly command: string;
  /** Requests the server answered in the measured window. */
  readonly requests: number;
  readonly runs: readonly RedisBenchRun[];
  /** The measurement window of each run, in the same order. */
  readonly windows: readonly Window[];
  /** The headline figure: the paper reports the mean GET throughput for Redis. */
  readonly throughputRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export async function runAppWorkload(image: RunningImage, options: DriveOptions): Promise<WorkloadResult> {
  if (image.app !== 'redis') throw new FlexosError('FLEXOS_ERR_BOOT', `no workload driver for ${image.app} yet`);
  const version = findRedisBenchmark();
  if (!version) throw new FlexosError('FLEXOS_ERR_BOOT', 'redis-benchmark is not installed (Debian package redis-tools)');
  const bench = { port: image.port, requests: options.requests, clients: 30, pipeline: 16, sizes: options.sizes, tests: ['get', 'set'], cpu: options.cpu };
  options.say(`client: ${version}, pinned to ${options.cpu === null ? 'no CPU' : `CPU ${options.cpu}`}; ${options.sizes.length * 2} runs`);
  const windows: Window[] = [];
  const runs = await runRedisBenchmark({
    ...bench,
    around: async (body) => {
      const close = openWindow(image.machine);
      try {
        return await body();
      } finally {
        windows.push(close());
      }
    },
    onRun: (run, i, total) => options.say(`  [${i}/${total}] ${run.test.toUpperCase()} -d ${run.size}: ${Math.round(run.rps).toLocaleString('en-US')} rps, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`),
  });
  const gets = runs.filter((r) => r.test === 'get');
  return {
    client: version,
    command: `redis-benchmark ${redisBenchmarkArgs(bench, options.sizes[0] ?? 1).join(' ').replace(/-d \d+/, `-d {${options.sizes.join(',')}}`)}`,
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    runs,
    windows,
    throughputRps: mean(gets.map((r) => r.rps)),
    p50Ms: mean(gets.map((r) => r.p50Ms)),
    p99Ms: mean(gets.map((r) => r.p99Ms)),
  };
}
