// `node scripts/bench-vs-real.js`: in one run, the same client command against the real servers
// (Debian redis-server, nginx with one worker) and against the simulated images, each server
// given one CPU and the client the other; prints throughputs and each one's ratio to the real one.

import { FlexosError } from '../kernel/abi/errors.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPreset } from '../workloads/presets.js';
import { pinProcess } from '../compartments/runtime/pinning.js';
import { APPS, libraryRegistry } from '../workloads/registry.js';
import { launch } from '../workloads/launch.js';
import type { App, RealServer } from '../workloads/app.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { createProgress } from './progress.js';
import { printTable } from './table.js';
import { freePort, waitForListening } from './ports.js';
import { mean, median } from './stats.js';

const USAGE = `usage: node scripts/bench-vs-real.js [--requests 100000] [--duration 10] [--rounds 3] [--only redis|nginx] [--json] [--help]

Runs redis-benchmark -c 30 -k 1 -P 16 -t get,set -d 1..5 against a real redis-server and against
redis-none, redis-mpk2, redis-mpk3, redis-ept2; then wrk -t 2 -c 30 against a real nginx (one
worker) and against nginx-none, nginx-mpk2. Every server runs on CPU 0, the client on CPU 1.
Targets: redis-none >= 0.5x real Redis, redis-mpk2 >= 0.35x, nginx-none >= 0.5x real nginx.
One more row, for information and outside that rule: "redis-mpk2 (spread)", its second
compartment (lwip) on CPU 1 beside the client, so that its gates cross CPUs instead of switching
threads on one.

The real servers' throughput drifts between runs on a shared virtual machine (real Redis measured
1.4-1.9 M GET/s here), so the comparison runs in rounds: each round measures the real server, then
each image, and takes each image's ratio to the real server of its own round. Every server gets one
untimed warm-up run first (the images' JavaScript is compiled while it runs). Printed: the median
over rounds of each throughput and of the ratios, and the ratios' range.`;

const SPREAD_NOTE = '(spread)';
const SERVER_CPU = 0;
const CLIENT_CPU = 1;

interface Row {
  readonly server: string;
  /** Medians over the rounds. */
  readonly get_rps: number;
  readonly set_rps?: number;
  /** The median of the per-round ratios to the real server, and their range. */
  ratio?: number;
  ratio_range?: readonly [number, number];
  target?: number;
  verdict?: string;
}

/** The `round i/n` lines, and on a terminal a bar with ETA over every server of every round. */
const progress = createProgress('bench-vs-real');
const say = progress.say;

/** Runs `rounds` rounds of (the real server, then each image), pairing each image with its round's real figure. */
async function inRounds(
  rounds: number,
  real: { readonly name: string; readonly measure: () => Promise<{ get: number; set?: number }> },
  images: readonly { readonly name: string; readonly measure: () => Promise<{ get: number; set?: number }> }[],
): Promise<Row[]> {
  const seen = new Map<string, { get: number[]; set: number[]; ratio: number[] }>();
  const note = (name: string, r: { get: number; set?: number }, ratio?: number): void => {
    const entry = seen.get(name) ?? { get: [], set: [], ratio: [] };
    seen.set(name, entry);
    entry.get.push(r.get);
    if (r.set !== undefined) entry.set.push(r.set);
    if (ratio !== undefined) entry.ratio.push(ratio);
  };
  progress.start(rounds * (1 + images.length), `round 1/${rounds}: ${real.name}`);
  try {
    for (let round = 1; round <= rounds; round++) {
      say(`round ${round}/${rounds}: ${real.name} ...`);
      const base = await real.measure();
      note(real.name, base);
      for (const image of images) {
        progress.advance(1, `round ${round}/${rounds}: ${image.name}`);
        say(`round ${round}/${rounds}: ${image.name} ...`);
        const r = await image.measure();
        note(image.name, r, r.get / base.get);
      }
      progress.advance(1, round < rounds ? `round ${round + 1}/${rounds}: ${real.name}` : '');
    }
  } finally {
    progress.stop();
  }
  return [...seen].map(([server, e]) => ({
    server,
    get_rps: median(e.get),
    ...(e.set.length ? { set_rps: median(e.set) } : {}),
    ...(e.ratio.length ? { ratio: median(e.ratio), ratio_range: [Math.min(...e.ratio), Math.max(...e.ratio)] as const } : {}),
  }));
}

/** Boots a preset; `spread` deals its compartments over both CPUs instead of the server's one. */
async function image<T>(preset: string, body: (port: number) => Promise<T>, spread = false): Promise<T> {
  const config = loadPreset(preset, { registry: libraryRegistry });
  const placed = spread ? { ...config, gates: { ...config.gates, pin: 'spread' as const } } : config;
  const running = await launch(placed, { registry: libraryRegistry, port: 0 });
  try {
    return await body(running.port);
  } finally {
    await running.stop();
  }
}

async function withProcess<T>(command: string, args: readonly string[], port: number, body: () => Promise<T>): Promise<T> {
  const child = spawn('taskset', ['-c', String(SERVER_CPU), command, ...args], { stdio: 'ignore' });
  try {
    await waitForListening(port, child);
    return await body();
  } finally {
    child.kill('SIGTERM');
  }
}

/** The rows of one application: its real server, then each of its presets, in rounds. */
async function rowsOf(app: App & { readonly real: RealServer }, options: { readonly requests: number; readonly durationS: number; readonly rounds: number }): Promise<Row[]> {
  const real = app.real;
  const measure = async (port: number): Promise<{ get: number; set?: number }> => {
    const r = await real.measure(port, { requests: options.requests, durationS: options.durationS, cpu: CLIENT_CPU });
    return { get: mean(r.get), ...(r.set ? { set: mean(r.set) } : {}) };
  };
  const scratch = mkdtempSync(join(tmpdir(), `flexos-${app.name}-`));
  try {
    const server = async (): Promise<{ get: number; set?: number }> => {
      const port = await freePort();
      const { command, args } = real.command(port, scratch);
      return withProcess(command, args, port, () => measure(port));
    };
    return await inRounds(options.rounds, { name: real.label, measure: server }, [
      ...real.presets.map((name) => ({ name, measure: () => image(name, measure) })),
      // For information, outside the targets: the preset's compartments spread over both CPUs.
      ...real.spread.map((name) => ({ name: `${name} ${SPREAD_NOTE}`, measure: () => image(name, measure, true) })),
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    requests: { type: 'string' }, duration: { type: 'string' }, rounds: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const only = values['only'];
  const comparable = APPS.filter((app): app is App & { readonly real: RealServer } => app.real !== undefined);
  const apps = comparable.filter((app) => only === undefined || app.name === only);
  if (apps.length === 0) throw new UsageError(`--only: ${JSON.stringify(only)} is not valid; expected ${comparable.map((app) => app.name).join(' or ')}`);
  const missing = apps.flatMap((app) => app.real.packages.filter((p) => !p.installed()).map((p) => p.name));
  if (missing.length) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `missing Debian packages: ${missing.join(', ')} (scripts/install.sh installs them)`);
  // Every thread of the simulator (the host thread, V8's collector and compiler threads, and the
  // compartments, which are pinned there anyway) shares CPU 0, as the real server's whole process
  // does: the client keeps CPU 1 to itself.
  pinProcess(SERVER_CPU);
  const requests = numberOption(values, 'requests', 100_000, { min: 1000, max: 1e9, integer: true });
  const durationS = numberOption(values, 'duration', 10, { min: 1, max: 600, integer: true });
  const rounds = numberOption(values, 'rounds', 3, { min: 1, max: 100, integer: true });
  const rows: Row[] = [];
  for (const app of apps) rows.push(...(await rowsOf(app, { requests, durationS, rounds })));
  const targets: Record<string, number> = Object.assign({}, ...apps.map((app) => app.real.targets));
  for (const r of rows) {
    const target = targets[r.server];
    if (target !== undefined && r.ratio !== undefined) {
      r.target = target;
      r.verdict = r.ratio >= target ? 'PASS' : 'MISS';
    }
  }
  if (values['json']) process.stdout.write(JSON.stringify({ rows }) + '\n');
  else {
    process.stdout.write(`medians of ${rounds} round${rounds === 1 ? '' : 's'}; x real: the median of the per-round ratios (their range)\n`);
    printTable(['server', 'GET rps', 'SET rps', 'x real', 'range', 'target', ''], rows.map((r) => [
      r.server,
      Math.round(r.get_rps),
      r.set_rps === undefined ? '' : Math.round(r.set_rps),
      r.ratio === undefined ? '1.00' : r.ratio.toFixed(2),
      r.ratio_range === undefined ? '' : `${r.ratio_range[0].toFixed(2)}-${r.ratio_range[1].toFixed(2)}`,
      r.target === undefined ? '' : `>= ${r.target}`,
      r.verdict ?? '',
    ]));
  }
  return 0;
}

await runCommand(main);
