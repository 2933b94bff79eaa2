// The paper's workload for each application, run against a booted image with the real client:
// redis-benchmark for Redis, wrk for Nginx, or the built-in generator (workloads/loadgen/) where the
// client is not installed. Each client run gets its own measurement window, so the report can model
// every run from what happened inside it.

import { FlexosError } from '../kernel/abi/errors.js';
import { findRedisBenchmark, redisBenchmarkArgs, runRedisBenchmark } from './redis/benchmark.js';
import { findWrk, runWrk, wrkArgs } from './nginx/benchmark.js';
import { findIperf, iperfArgs, runIperf } from './iperf/benchmark.js';
import type { RunningImage } from './launch.js';
import { openWindow, type Window } from '../compartments/model/window.js';
import { defaultThreads } from './loadgen/pool.js';
import { runRedisLoad } from './loadgen/redis-client.js';
import { runHttpLoad } from './loadgen/http-client.js';

export interface DriveOptions {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly durationS: number;
  readonly runs: number;
  readonly cpu: number | null;
  readonly say: (text: string) => void;
  /** Use the built-in load generator even where the real client is installed (run.js --builtin). */
  readonly forceBuiltin?: boolean;
  /**
   * Redis, Nginx: one untimed run first, outside every window, so the figures are the compiled
   * simulator's (V8 compiles the image's JavaScript during its first few hundred thousand
   * requests). Redis: this many GET and SET requests; Nginx: min(2, duration) seconds. 0: none.
   */
  readonly warmupRequests?: number;
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
  /** What a run's `requests` counts: requests (default), or bytes (iperf: throughputs in bytes/s). */
  readonly unit?: 'requests' | 'bytes';
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

  // The built-in generator stands in for a missing client, with the same parameters; its client
  // threads are pinned like the real client, so it never takes the image's CPU.
  const builtin = (missing: string, plan: string): { client: string; threads: number } => {
    const client = `built-in generator (${options.forceBuiltin ? `asked for; ${missing} not used` : `${missing} not installed`})`;
    const threads = Math.min(defaultThreads(options.cpu, 30), 30);
    options.say(`client: ${client}, ${threads} client thread${threads === 1 ? '' : 's'} ${pinned}; ${plan}`);
    return { client, threads };
  };

  if (image.app === 'redis') {
    const version = options.forceBuiltin ? null : findRedisBenchmark();
    const bench = { port: image.port, requests: options.requests, clients: 30, pipeline: 16, sizes: options.sizes, tests: ['get', 'set'], cpu: options.cpu };
    const args = redisBenchmarkArgs(bench, 1).join(' ').replace(/-d \d+/, `-d {${options.sizes.join(',')}}`).replace('-t get,set', '-t {get,set}').replace(' --csv', '');
    if (!version) {
      const { client, threads } = builtin('redis-benchmark', `${options.sizes.length * 2} runs`);
      const runs = await runRedisLoad({ ...bench, threads, around, onRun: progress });
      const errors = runs.reduce((s, r) => s + r.errors, 0);
      if (errors > 0) options.say(`warning: the server answered ${errors} requests with an error reply`);
      return { client, command: `built-in ${args}`, runs, windows, headline: 'get' };
    }
    options.say(`client: ${version}, ${pinned}; ${options.sizes.length * 2} runs`);
    const warmup = options.warmupRequests ?? 0;
    if (warmup > 0) {
      options.say(`  warm-up: ${warmup.toLocaleString('en-US')} GET and SET, untimed`);
      await runRedisBenchmark({ ...bench, requests: warmup, sizes: [options.sizes[0] ?? 3] });
    }
    const runs = await runRedisBenchmark({ ...bench, around, onRun: progress });
    return { client: version, command: `redis-benchmark ${args} --csv`, runs, windows, headline: 'get' };
  }
  if (image.app === 'nginx') {
    const version = options.forceBuiltin ? null : findWrk();
    const bench = { url: `http://127.0.0.1:${image.port}/`, threads: 14, connections: 30, durationS: options.durationS, runs: options.runs, cpu: options.cpu };
    if (!version) {
      const { client, threads } = builtin('wrk', `${options.runs} runs of ${options.durationS} s`);
      const runs = await runHttpLoad({ ...bench, threads, around, onRun: progress });
      const errors = runs.reduce((s, r) => s + r.errors, 0);
      if (errors > 0) options.say(`warning: the built-in generator counted ${errors} socket errors or non-2xx/3xx responses`);
      return { client, command: `built-in -c ${bench.connections} -d ${bench.durationS}s ${bench.url} on ${threads} thread${threads === 1 ? '' : 's'} (× ${options.runs})`, runs, windows, headline: 'get' };
    }
    options.say(`client: ${version}, ${pinned}; ${options.runs} runs of ${options.durationS} s`);
    if ((options.warmupRequests ?? 0) > 0) {
      const seconds = Math.min(2, options.durationS);
      options.say(`  warm-up: ${seconds} s, untimed`);
      await runWrk({ ...bench, durationS: seconds, runs: 1 });
    }
    const runs = await runWrk({ ...bench, around, onRun: progress });
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    if (errors > 0) options.say(`warning: wrk counted ${errors} socket errors or non-2xx/3xx responses`);
    return { client: version, command: `wrk ${wrkArgs(bench).join(' ')} (× ${options.runs})`, runs, windows, headline: 'get' };
  }
  if (image.app === 'iperf') {
    const version = findIperf();
    if (!version) throw new FlexosError('FLEXOS_ERR_BOOT', 'iperf is not installed (Debian package iperf; scripts/install.sh installs it)');
    const bench = { port: image.port, durationS: options.durationS, cpu: options.cpu };
    options.say(`client: ${version}, ${pinned}; ${options.runs} runs of ${options.durationS} s`);
    const runs: ClientRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      const r = await around(() => runIperf(bench));
      // One "request" per byte received: throughputs are bytes per second.
      runs.push({ test: 'recv', rps: r.bytes / r.seconds, p50Ms: NaN, p99Ms: NaN, requests: r.bytes });
      options.say(`  [${i + 1}/${options.runs}] ${(r.bitsPerSecond / 1e9).toFixed(3)} Gb/s`);
    }
    return { client: version, command: `iperf ${iperfArgs(bench).join(' ')} (× ${options.runs})`, runs, windows, headline: 'recv', unit: 'bytes' };
  }
  throw new FlexosError('FLEXOS_ERR_BOOT', `no workload driver for ${image.app} yet (drivers: redis, nginx, iperf)`);
}
