// The paper's workload of an application, run against a booted image by the application's driver
// (workloads/<app>/drive.ts: redis-benchmark, wrk, iperf, or the built-in generator of
// workloads/loadgen/ where the client is not installed). Each client run gets its own measurement
// window, so the report can model every run from what happened inside it.

import { FlexosError } from '../kernel/abi/errors.js';
import type { RunningImage } from './launch.js';
import { openWindow, type Window } from '../compartments/model/window.js';
import { defaultThreads } from './loadgen/pool.js';
import { APPS, findApp } from './registry.js';

/** How much work a run does: each application uses its own (Redis requests and sizes, Nginx and iPerf duration and runs). */
export interface WorkloadSize {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly durationS: number;
  readonly runs: number;
}

export interface DriveOptions extends WorkloadSize {
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
  /** The built-in generator's whole latency distribution (HdrHistogram, compressed base64); real clients give only percentiles. */
  readonly histogram?: string;
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

/** What a driver is handed besides the options: the windows and the lines every driver prints alike. */
export interface DriveSession {
  /** Runs one client run inside its own measurement window. */
  around<T>(body: () => Promise<T>): Promise<T>;
  /** The progress line of a finished client run. */
  progress(run: ClientRun, i: number, total: number): void;
  /** Announces the built-in generator standing in for `missing` (with `plan`); its client name and threads. */
  builtin(missing: string, plan: string): { client: string; threads: number };
  /** Where the client runs: `pinned to CPU n` or `not pinned`. */
  readonly pinned: string;
}

/** A driver's result: the runs it made (the windows are the session's). */
export type DrivenWorkload = Omit<WorkloadResult, 'windows'>;

/** The paper's workload of a served image's application, by its driver. */
export async function runAppWorkload(image: RunningImage, options: DriveOptions): Promise<WorkloadResult> {
  const drive = findApp(image.app)?.server?.drive;
  if (!drive) {
    const drivers = APPS.filter((a) => a.server).map((a) => a.name);
    throw new FlexosError('FLEXOS_ERR_BOOT', `no workload driver for ${image.app} yet (drivers: ${drivers.join(', ')})`);
  }
  const windows: Window[] = [];
  const pinned = options.cpu === null ? 'not pinned' : `pinned to CPU ${options.cpu}`;
  const session: DriveSession = {
    pinned,
    async around(body) {
      const close = openWindow(image.machine);
      try {
        return await body();
      } finally {
        windows.push(close());
      }
    },
    progress: (run, i, total) =>
      options.say(`  [${i}/${total}] ${run.test.toUpperCase()}${run.size === undefined ? '' : ` -d ${run.size}`}: ${Math.round(run.rps).toLocaleString('en-US')} rps, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`),
    // The built-in generator stands in for a missing client, with the same parameters; its client
    // threads are pinned like the real client, so it never takes the image's CPU.
    builtin(missing, plan) {
      const client = `built-in generator (${options.forceBuiltin ? `asked for; ${missing} not used` : `${missing} not installed`})`;
      const threads = Math.min(defaultThreads(options.cpu, 30), 30);
      options.say(`client: ${client}, ${threads} client thread${threads === 1 ? '' : 's'} ${pinned}; ${plan}`);
      return { client, threads };
    },
  };
  const result = await drive(image, options, session);
  return { ...result, windows };
}
