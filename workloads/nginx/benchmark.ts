// Drives an HTTP server the way the paper did for Nginx: wrk with keep-alive GETs of a static page
// (wrk -t 14 -c 30 -d 10s, 5 runs), pinned away from the image's CPU when asked.

import { spawn, spawnSync } from 'node:child_process';
import { ClientError } from '../../kernel/abi/errors.js';

export interface WrkOptions {
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly durationS: number;
  readonly runs: number;
  readonly cpu: number | null;
  readonly onRun?: (run: WrkRun, index: number, total: number) => void;
  readonly around?: <T>(body: () => Promise<T>) => Promise<T>;
}

export interface WrkRun {
  readonly test: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
}

export function findWrk(): string | null {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  return /^wrk /.test(text) ? text.split('\n')[0]!.trim() : null;
}

export function wrkArgs(options: WrkOptions): string[] {
  return ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.durationS}s`, '--latency', options.url];
}

export async function runWrk(options: WrkOptions): Promise<WrkRun[]> {
  const runs: WrkRun[] = [];
  const around = options.around ?? (<T>(body: () => Promise<T>) => body());
  for (let i = 0; i < options.runs; i++) {
    const args = wrkArgs(options);
    const [command, argv] = options.cpu === null ? ['wrk', args] : ['taskset', ['-c', String(options.cpu), 'wrk', ...args]];
    const output = await around(() => capture(command as string, argv as string[]));
    const run = parseWrk(output);
    runs.push(run);
    options.onRun?.(run, i + 1, options.runs);
  }
  return runs;
}

const toMs = (value: string, unit: string): number => Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1);

/** Parses wrk's report: requests, Requests/sec, the --latency percentiles, socket errors and non-2xx/3xx. */
export function parseWrk(text: string): WrkRun {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(text);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (socket ? socket.slice(1).reduce((s, v) => s + Number(v), 0) : 0) + non2xx;
  if (!Number.isFinite(rps) || !Number.isFinite(requests)) throw new ClientError('wrk', `could not read wrk's report:\n${text.slice(0, 400)}`);
  return { test: 'get', rps, p50Ms: pct('50'), p99Ms: pct('99'), requests, errors };
}

function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (error) => reject(new ClientError('wrk', error.message, { cause: error })));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new ClientError('wrk', `${command} ${args.join(' ')} exited with ${code}: ${out.trim().slice(0, 400)}`, { exitStatus: code }))));
  });
}
