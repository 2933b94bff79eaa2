// The paper's workload for each application, run against a booted image with the real client:
// redis-benchmark for Redis, wrk for Nginx. Each client run gets its own measurement window, so
// the report can model every run from what happened inside it.

import { FlexosError } from '../compartments/errors.js';
import { findRedisBenchmark, redisBenchmarkArgs, runRedisBenchmark } from './redis/benchmark.js';
import { findWrk, runWrk, wrkArgs } from './nginx/benchmark.js';
import type { RunningImage } from './launch.js';
import { openWindow, type Window } from './window.js';

export interface DriveOptions {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly durationS: number;
  readonly runs: number;
  readonly cpu: number | null;
  readonly say: (text: string) => void;
}

/** One client run: one kind of request, one window. */
export interface ClientRun {
  readonly test: string;
  readonly size?: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
}

export interface WorkloadResult {
  readonly client: string;
  readonly command: string;
  readonly runs: readonly ClientRun[];
  /** The measurement window of each run, in the same order. */
  readonly windows: readonly Window[];
  /** The test whose mean throughput is the headline (the paper: GET for Redis and Nginx). */
  readonly headline: string;
}

export async function runAppWorkload(image: RunningImage, options: DriveOptions): Promise<WorkloadResult> {
  const windows: Window[] = [];
  const around = async <T>(body: () => Promise<T>): Promise<T> => {
    const close = openWindow(image.machine);
    try {
      return await body();
    } finally {
      windows.push(close());
    }
  };
  const pinned = options.cpu === null ? 'not pinned' : `pinned to CPU ${options.cpu}`;
  const progress = (run: ClientRun, i: number, total: number): void =>
    options.say(`  [${i}/${total}] ${run.test.toUpperCase()}${run.size === undefined ? '' : ` -d ${run.size}`}: ${Math.round(run.rps).toLocaleString('en-US')} rps, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`);

  if (image.app === 'redis') {
    const version = findRedisBenchmark();
    if (!version) throw new FlexosError('FLEXOS_ERR_BOOT', 'redis-benchmark is not installed (Debian package redis-tools; scripts/install.sh installs it)');
    const bench = { port: image.port, requests: options.requests, clients: 30, pipeline: 16, sizes: options.sizes, tests: ['get', 'set'], cpu: options.cpu };
    options.say(`client: ${version}, ${pinned}; ${options.sizes.length * 2} runs`);
    const runs = await runRedisBenchmark({ ...bench, around, onRun: progress });
    const command = `redis-benchmark ${redisBenchmarkArgs(bench, 1).join(' ').replace(/-d \d+/, `-d {${options.sizes.join(',')}}`).replace('-t get,set', '-t {get,set}')}`;
    return { client: version, command, runs, windows, headline: 'get' };
  }
  if (image.app === 'nginx') {
    const version = findWrk();
    if (!version) throw new FlexosError('FLEXOS_ERR_BOOT', 'wrk is not installed (Debian package wrk; scripts/install.sh installs it)');
    const bench = { url: `http://127.0.0.1:${image.port}/`, threads: 14, connections: 30, durationS: options.durationS, runs: options.runs, cpu: options.cpu };
    options.say(`client: ${version}, ${pinned}; ${options.runs} runs of ${options.durationS} s`);
    const runs = await runWrk({ ...bench, around, onRun: progress });
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    if (errors > 0) options.say(`warning: wrk counted ${errors} socket errors or non-2xx/3xx responses`);
    return { client: version, command: `wrk ${wrkArgs(bench).join(' ')} (× ${options.runs})`, runs, windows, headline: 'get' };
  }
  throw new FlexosError('FLEXOS_ERR_BOOT', `no workload driver for ${image.app} yet (drivers: redis, nginx)`);
}
