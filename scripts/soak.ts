// `node scripts/soak.js`: a long mixed Redis load against each preset (benchmark bursts, clients that
// connect and drop mid-reply, a writer of known keys), sampling the memory of every thread; fails
// if memory keeps growing after warm-up, any request errs, or any key reads back wrong.

import { ClientError } from '../kernel/abi/errors.js';
import { connect, type Socket } from 'node:net';
import { isPreset, loadPreset } from '../workloads/presets.js';
import { appNamed, libraryRegistry } from '../workloads/registry.js';
import { launch, appOf, type RunningImage } from '../workloads/launch.js';
import { runRedisLoad } from '../workloads/loadgen/redis-client.js';
import { encodeCommand } from '../workloads/redis/resp.js';
import { RegionHeap } from '../shm/heap.js';
import { collectGarbage } from '../compartments/runtime/collect.js';
import { numberOption, parseCommandLine, presetsOption, runCommand, UsageError } from './cli.js';
import { createProgress, type Progress } from './progress.js';

const USAGE = `usage: node scripts/soak.js [options]

Boots each preset and drives it for a while with mixed Redis load: bursts of the built-in benchmark,
clients that connect, send a few commands and drop mid-reply, and a writer of keys with known values.
Samples the memory of every thread (the host's and each compartment's JS heap, after a full collection
in that thread; each TLSF heap), prints the curve, then reads every key back. Exits 1 if memory grew
past the threshold after warm-up, a request failed, or a key is wrong.

options:
  --minutes <m>       minutes per preset (default 10)
  --presets <list>    comma-separated Redis presets (default redis-mpk2,redis-ept2)
  --sample-s <s>      seconds between samples (default 10; shortened so a run has at least 8)
  --threshold <pct>   allowed growth after warm-up, percent of the warm-up baseline (default 20)
  --keys <n>          keys written with known values during the run (default 500)
  --help              this text`;

const OPTIONS = {
  minutes: { type: 'string' },
  presets: { type: 'string' },
  'sample-s': { type: 'string' },
  threshold: { type: 'string' },
  keys: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The application the soak drives: its load, churn and key checks speak RESP. */
const SOAKED = appNamed('redis');

/** Growth below these bytes is noise (one GC more or less), whatever the percentage. */
const SLACK_JS = 2 * 1024 * 1024;
const SLACK_TLSF = 256 * 1024;

interface Sample {
  readonly t: number;
  /** Thread or heap name → bytes in use. */
  readonly bytes: Record<string, number>;
}

export interface SoakResult {
  readonly preset: string;
  readonly samples: readonly Sample[];
  readonly requests: number;
  /** Keys written with known values (fewer than asked if the run ended first). */
  readonly written: number;
  readonly errors: string[];
  readonly wrongKeys: string[];
  readonly grown: string[];
}

/** A minimal RESP client for the key checks: one command at a time, bulk/simple/integer/error replies. */
class RespClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: { resolve: (v: string | null) => void; reject: (e: Error) => void } | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    socket.on('error', (e) => this.#waiting?.reject(e));
  }

  static open(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  command(args: readonly string[]): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(encodeCommand([...args]));
    });
  }

  #drain(): void {
    const lf = this.#buffer.indexOf(10);
    if (lf < 0 || !this.#waiting) return;
    const head = this.#buffer.subarray(0, lf - 1).toString('latin1');
    let value: string | null;
    let used = lf + 1;
    if (head[0] === '$') {
      const n = Number(head.slice(1));
      if (n < 0) value = null;
      else {
        if (this.#buffer.length < used + n + 2) return;
        value = this.#buffer.subarray(used, used + n).toString('latin1');
        used += n + 2;
      }
    } else if (head[0] === '-') {
      this.#buffer = this.#buffer.subarray(used);
      const w = this.#waiting;
      this.#waiting = null;
      return w.reject(new ClientError('soak client', head.slice(1)));
    } else value = head.slice(1);
    this.#buffer = this.#buffer.subarray(used);
    const w = this.#waiting;
    this.#waiting = null;
    w.resolve(value);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** The host's JS heap after a full collection (it swings 7-24 MiB between collections under load). */
function retainedHostHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** The known value of soak key i: its size varies so values land in different TLSF classes. */
function valueOf(i: number): string {
  const size = 1 + ((i * 7919) % 2048);
  return `v${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26)));
}

/** A client that connects, sends a few commands and drops the connection while the reply is coming. */
function churnOnce(port: number, big: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (): void => {
      socket.destroy();
      resolve();
    };
    socket.once('connect', () => socket.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(['SET', 'soak:churn', 'x']), encodeCommand(['GET', big])])));
    socket.once('data', done); // the first bytes of the replies: drop mid-reply
    socket.once('error', done);
    setTimeout(done, 2000).unref();
  });
}

async function soakPreset(preset: string, options: { minutes: number; sampleMs: number; threshold: number; keys: number; say: (text: string) => void; progress?: Pick<Progress, 'start' | 'update' | 'stop'> }): Promise<SoakResult> {
  const config = loadPreset(preset, { registry: libraryRegistry });
  if (appOf(config) !== SOAKED) throw new UsageError(`--presets: ${preset} is not a ${SOAKED.title} image`);
  const image: RunningImage = await launch(config, { registry: libraryRegistry, port: 0 });
  const errors: string[] = [];
  const samples: Sample[] = [];
  let requests = 0;
  const started = Date.now();
  const deadline = started + options.minutes * 60_000;
  const running = (): boolean => Date.now() < deadline && errors.length === 0;
  let clock: NodeJS.Timeout | undefined;
  try {
    options.say(`${preset}: listening on ${image.port}; soaking for ${options.minutes} min`);
    // The bar counts the soak's seconds: its length is fixed by the clock, not by work done.
    const seconds = Math.max(1, Math.round(options.minutes * 60));
    options.progress?.start(seconds, preset);
    clock = setInterval(() => options.progress?.update(Math.min(seconds, Math.round((Date.now() - started) / 1000)), `${preset}: ${requests.toLocaleString('en-US')} requests`), 1000);
    const writer = await RespClient.open(image.port);
    // A large value, so a dropping client's GET is cut mid-reply.
    await writer.command(['SET', 'soak:big', 'b'.repeat(32 * 1024)]);
    let stopping = false;
    image.main.catch((e: Error) => void (stopping || errors.push(`main: ${e.message}`)));

    // Everything is read from shared memory by the host, since a compartment running the app's main
    // loop does not answer the control plane: TLSF heaps from their headers, each compartment's JS
    // heap from what its thread publishes while it waits on gates.
    const heaps = image.machine.regions.filter((r) => r.kind === 'heap' || r.kind === 'shared-heap').map((r) => ({ name: `${r.name.replace(/^heap\./, '')} tlsf`, heap: RegionHeap.attach(r) }));
    const counters = image.machine.counters;
    const sample = async (): Promise<void> => {
      // Each compartment collects at its next gate wait and publishes what it retains; this sample
      // reads what it published after the previous request.
      const js = Object.fromEntries(image.machine.image.compartments.map((c) => [`${c.name} js`, counters.retainedHeap(c.index)]).filter(([, v]) => (v as number) > 0));
      for (const c of image.machine.image.compartments) counters.askCollect(c.index);
      const bytes: Record<string, number> = { host: retainedHostHeap(), ...js };
      for (const h of heaps) bytes[h.name] = h.heap.stats().used;
      samples.push({ t: (Date.now() - started) / 1000, bytes });
    };
    const sampler = (async () => {
      while (running()) {
        await sample().catch((e: Error) => errors.push(`status: ${e.message}`));
        await new Promise((r) => setTimeout(r, Math.min(options.sampleMs, Math.max(0, deadline - Date.now()))));
      }
    })();
    const load = (async () => {
      for (let round = 0; running(); round++) {
        const runs = await runRedisLoad({ port: image.port, requests: 5000, clients: 10, pipeline: 1 + (round % 16), sizes: [1 + ((round * 37) % 1024)], tests: ['set', 'get'], cpu: null, threads: 1 });
        for (const r of runs) {
          requests += r.requests;
          if (r.errors > 0) errors.push(`benchmark ${r.test}: ${r.errors} error replies`);
        }
      }
    })();
    const churn = (async () => {
      while (running()) await churnOnce(image.port, 'soak:big');
    })();
    let written = 0;
    const keys = (async () => {
      // Spread the writes over the first half of the run, overwriting each key once with its final value.
      const pause = (options.minutes * 30_000) / Math.max(1, options.keys);
      for (let i = 0; i < options.keys && running(); i++, written++) {
        await writer.command(['SET', `soak:key:${i}`, `stale${i}`]);
        await writer.command(['SET', `soak:key:${i}`, valueOf(i)]);
        if (pause >= 1) await new Promise((r) => setTimeout(r, Math.min(pause, 200)));
      }
    })();
    const settle = (name: string, p: Promise<void>): Promise<void> => p.then(() => void (process.env['SOAK_DEBUG'] && options.say(`${name} done`)), (e: Error) => void errors.push(`${name}: ${e.message}`));
    await Promise.all([settle('load', load), settle('churn', churn), settle('keys', keys), settle('sampler', sampler)]);
    await sample().catch((e: Error) => errors.push(`status: ${e.message}`));

    const wrongKeys: string[] = [];
    stopping = true;
    for (let i = 0; i < written; i++) {
      const got = await writer.command(['GET', `soak:key:${i}`]);
      if (got !== valueOf(i)) wrongKeys.push(`soak:key:${i}: ${got === null ? 'missing' : `${got.length} bytes, ${JSON.stringify(got.slice(0, 24))}...`}`);
    }
    writer.close();
    if (image.machine.failure) errors.push(`compartment failure: ${image.machine.failure.message}`);
    return { preset, samples, requests, written, errors, wrongKeys, grown: growth(samples, options.threshold) };
  } finally {
    clearInterval(clock);
    options.progress?.stop();
    await image.stop();
  }
}

/**
 * Series that grew past the threshold after warm-up (the first fifth of the samples): the floor of
 * the last quarter (the heap after GC) against the floor of the first quarter after warm-up.
 */
export function growth(samples: readonly Sample[], thresholdPct: number): string[] {
  const after = samples.slice(Math.max(1, Math.floor(samples.length / 5)));
  if (after.length < 4) return [];
  const q = Math.max(1, Math.floor(after.length / 4));
  const grown: string[] = [];
  for (const name of new Set(after.flatMap((s) => Object.keys(s.bytes)))) {
    const floor = (part: readonly Sample[]): number => Math.min(...part.map((s) => s.bytes[name] ?? Number.POSITIVE_INFINITY));
    const base = floor(after.slice(0, q));
    const end = floor(after.slice(-q));
    const slack = name.endsWith('tlsf') ? SLACK_TLSF : SLACK_JS;
    if (!Number.isFinite(base) || !Number.isFinite(end)) continue; // a series sampled too rarely to judge
    if (end > base * (1 + thresholdPct / 100) && end - base > slack) grown.push(`${name}: ${mib(base)} -> ${mib(end)} MiB (+${(((end - base) / Math.max(1, base)) * 100).toFixed(0)}%)`);
  }
  return grown;
}

const SPARK = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => SPARK[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (SPARK.length - 1))]).join('');
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(2);
}

function printCurve(result: SoakResult, print: (line: string) => void): void {
  const names = [...new Set(result.samples.flatMap((s) => Object.keys(s.bytes)))];
  print(`\n${result.preset}: memory in MiB over time (${result.samples.length} samples, ${result.requests.toLocaleString('en-US')} benchmark requests)`);
  print(['t (s)'.padStart(7), ...names.map((n) => n.padStart(12))].join(' '));
  for (const s of result.samples) print([s.t.toFixed(0).padStart(7), ...names.map((n) => (s.bytes[n] === undefined ? '-' : mib(s.bytes[n])).padStart(12))].join(' '));
  for (const n of names) {
    const values = result.samples.map((s) => s.bytes[n]).filter((v): v is number => v !== undefined);
    print(`  ${n.padEnd(12)} ${sparkline(values)}  ${mib(Math.min(...values))}..${mib(Math.max(...values))}`);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; presets go in --presets`);
  const minutes = numberOption(values, 'minutes', 10, { min: 0.01, max: 10_000 });
  const threshold = numberOption(values, 'threshold', 20, { min: 0, max: 10_000 });
  const keys = numberOption(values, 'keys', 500, { min: 1, max: 1e6, integer: true });
  const sampleS = numberOption(values, 'sample-s', 10, { min: 0.1, max: 3600 });
  const sampleMs = Math.min(sampleS * 1000, (minutes * 60_000) / 8);
  const presets = presetsOption(values, 'redis-mpk2,redis-ept2');
  for (const p of presets) if (!isPreset(p)) throw new UsageError(`--presets: unknown preset ${JSON.stringify(p)}`);
  const print = (line: string): void => void process.stdout.write(line + '\n');
  const progress = createProgress('soak');
  const say = progress.say;
  let failed = false;
  const summary: object[] = [];
  for (const preset of presets) {
    const result = await soakPreset(preset, { minutes, sampleMs, threshold, keys, say, progress });
    printCurve(result, print);
    for (const e of result.errors) print(`  error: ${e}`);
    for (const k of result.wrongKeys) print(`  wrong key: ${k}`);
    for (const g of result.grown) print(`  memory grew after warm-up: ${g} (threshold ${threshold}%)`);
    const ok = result.errors.length === 0 && result.wrongKeys.length === 0 && result.grown.length === 0;
    print(`  ${ok ? 'ok' : 'FAILED'}: ${result.written - result.wrongKeys.length}/${result.written} keys intact, ${result.errors.length} errors, ${result.grown.length} growing series`);
    failed ||= !ok;
    summary.push({ preset, ok, requests: result.requests, keys: result.written, errors: result.errors.length, wrongKeys: result.wrongKeys.length, grown: result.grown });
  }
  print(`SOAK ${JSON.stringify({ minutes, threshold, presets: summary })}`);
  return failed ? 1 : 0;
}

if (process.argv[1]?.endsWith('soak.js')) await runCommand(main);
