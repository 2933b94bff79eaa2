// Drives a Redis server the way the paper did: redis-benchmark -n 100000 -c 30 -k 1 -P 16
// -t get,set -d N for N = 1..5, one run per size, pinned away from the image's CPU when asked.

import { spawn, spawnSync } from 'node:child_process';
import { ClientError } from '../../kernel/abi/errors.js';

export interface RedisBenchOptions {
  readonly host?: string;
  readonly port: number;
  readonly requests: number;
  readonly clients: number;
  readonly pipeline: number;
  readonly sizes: readonly number[];
  readonly tests: readonly string[];
  /** CPU to pin the client to (taskset), or null. */
  readonly cpu: number | null;
  readonly onRun?: (run: RedisBenchRun, index: number, total: number) => void;
  /** Wraps each client run (one test, one size), e.g. to measure a window around it. */
  readonly around?: <T>(body: () => Promise<T>) => Promise<T>;
}

export interface RedisBenchRun {
  readonly test: string;
  readonly size: number;
  readonly rps: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
}

export function findRedisBenchmark(): string | null {
  const r = spawnSync('redis-benchmark', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The command line of one run (also shown in reports, so a user can repeat it by hand). */
export function redisBenchmarkArgs(options: RedisBenchOptions, size: number): string[] {
  return [
    '-h', options.host ?? '127.0.0.1', '-p', String(options.port),
    '-n', String(options.requests), '-c', String(options.clients), '-k', '1', '-P', String(options.pipeline),
    '-t', options.tests.join(','), '-d', String(size), '--csv',
  ];
}

export async function runRedisBenchmark(options: RedisBenchOptions): Promise<RedisBenchRun[]> {
  const runs: RedisBenchRun[] = [];
  const total = options.sizes.length * options.tests.length;
  const around = options.around ?? (<T>(body: () => Promise<T>) => body());
  for (const size of options.sizes) {
    for (const test of options.tests) {
      // One test per client run, so each run's window holds one kind of request.
      const args = redisBenchmarkArgs({ ...options, tests: [test] }, size);
      const [command, argv] = options.cpu === null ? ['redis-benchmark', args] : ['taskset', ['-c', String(options.cpu), 'redis-benchmark', ...args]];
      const output = await around(() => capture(command as string, argv as string[]));
      for (const run of parseCsv(output, size, options.requests)) {
        runs.push(run);
        options.onRun?.(run, runs.length, total);
      }
    }
  }
  return runs;
}

/** Parses redis-benchmark --csv output (Redis 7: test, rps, avg, min, p50, p95, p99, max). */
export function parseCsv(text: string, size: number, requests: number): RedisBenchRun[] {
  const runs: RedisBenchRun[] = [];
  for (const line of text.split('\n')) {
    const cells = line.trim().split(',').map((c) => c.replace(/^"|"$/g, ''));
    if (cells.length < 7 || cells[0] === 'test') continue;
    const [test, rps, avg, , p50, , p99] = cells;
    runs.push({ test: test!.toLowerCase(), size, rps: Number(rps), avgMs: Number(avg), p50Ms: Number(p50), p99Ms: Number(p99), requests });
  }
  return runs;
}

function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (error) => reject(new ClientError('redis-benchmark', error.message, { cause: error })));
    child.on('close', (code) => {
      if (code === 0 && out.includes(',')) resolve(out);
      else reject(new ClientError('redis-benchmark', `${command} ${args.join(' ')} exited with ${code}: ${(err || out).trim().slice(0, 400)}`, { exitStatus: code }));
    });
  });
}
