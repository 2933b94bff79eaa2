// The built-in stand-in for redis-benchmark -n N -c C -k 1 -P P -t get|set -d SIZE: C keep-alive
// connections share one budget of N requests, each sends P commands at a time and waits for their
// P replies; a request counts when its reply arrives, its latency runs from the batch's write.
// The `mixed` test sends redis-mix.ts's stream (reads, writes, lists, sorted sets, transactions) instead.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeCommand } from '../redis/resp.js';
import type { RedisBenchOptions, RedisBenchRun } from '../redis/benchmark.js';
import { ClientError } from '../../kernel/abi/errors.js';
import { LatencyHistogram } from './histogram.js';
import { mixedBatches, type MixedBatch } from './redis-mix.js';
import { BUILTIN_CLIENT, connectAll, defaultThreads, LoadPool, nowMs, splitEvenly, type ShareResult, type StartBarrier } from './pool.js';

/** redis-benchmark's key without -r: the placeholder is replaced only when a keyspace is given. */
export const BENCHMARK_KEY = 'key:__rand_int__';
export const REDIS_TESTS = ['get', 'set', 'mixed'] as const;
export type RedisTest = (typeof REDIS_TESTS)[number];

export interface RedisLoadOptions extends RedisBenchOptions {
  /** Client threads in the pool (default: 1 when pinned, else the CPUs but one; never more than clients). */
  readonly threads?: number;
}

export interface RedisLoadRun extends RedisBenchRun {
  /** Error replies (redis-benchmark prints these; it does not count them apart). */
  readonly errors: number;
  /** The run's whole latency distribution, HdrHistogram's compressed base64 (the run report plots it). */
  readonly histogram: string;
}

/** One thread's part of a run: its connections, and the run's shared request budget. */
export interface RedisShare {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly pipeline: number;
  readonly command: RedisTest;
  readonly size: number;
  readonly requests: number;
  /** Int32 word 0: requests claimed so far by every connection of every thread. */
  readonly issued: SharedArrayBuffer;
  /** The mixed stream's seed (default 1). */
  readonly seed?: number;
}

/** The command redis-benchmark sends for a test: GET key, or SET key with `size` bytes of 'x'. */
export function benchmarkCommand(test: 'get' | 'set', size: number): Uint8Array {
  return test === 'get' ? encodeCommand(['GET', BENCHMARK_KEY]) : encodeCommand(['SET', BENCHMARK_KEY, 'x'.repeat(size)]);
}

export async function runRedisLoad(options: RedisLoadOptions): Promise<RedisLoadRun[]> {
  for (const [name, value, max] of [['requests', options.requests, 1e9], ['clients', options.clients, 10_000], ['pipeline', options.pipeline, 10_000], ['port', options.port, 65535]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  for (const test of options.tests) {
    if (!(REDIS_TESTS as readonly string[]).includes(test)) throw new RangeError(`tests: ${JSON.stringify(test)} is not one the built-in generator runs (${REDIS_TESTS.join(', ')})`);
  }
  for (const size of options.sizes) {
    if (!Number.isInteger(size) || size < 1 || size > 512 * 1024 * 1024) throw new RangeError(`sizes: ${size} is not an integer from 1 to 536870912`);
  }
  const threads = Math.min(options.threads ?? defaultThreads(options.cpu, options.clients), options.clients);
  const around = options.around ?? (<T>(body: () => Promise<T>) => body());
  const total = options.sizes.length * options.tests.length;
  const runs: RedisLoadRun[] = [];
  const pool = await LoadPool.start({ threads, cpu: options.cpu });
  try {
    for (const size of options.sizes) {
      for (const test of options.tests as readonly RedisTest[]) {
        const issued = new SharedArrayBuffer(4);
        const shares: RedisShare[] = splitEvenly(options.clients, threads).map((connections) => ({
          host: options.host ?? '127.0.0.1', port: options.port, connections, pipeline: options.pipeline, command: test, size, requests: options.requests, issued,
        }));
        const totals = await around(() => pool.run('redis', shares));
        if (totals.requests !== options.requests) throw new ClientError(BUILTIN_CLIENT, `the built-in Redis client got ${totals.requests} replies for ${options.requests} requests`);
        const ms = (us: number): number => Math.round(us) / 1000; // redis-benchmark prints ms to 3 decimals
        const run: RedisLoadRun = {
          test, size, rps: totals.requests / (totals.elapsedMs / 1000), requests: totals.requests, errors: totals.errors,
          avgMs: ms(totals.histogram.meanUs), p50Ms: ms(totals.histogram.percentileUs(50)), p99Ms: ms(totals.histogram.percentileUs(99)), histogram: totals.histogram.encode(),
        };
        runs.push(run);
        options.onRun?.(run, runs.length, total);
      }
    }
  } finally {
    await pool.close();
  }
  return runs;
}

/** Runs inside a client thread: opens the share's connections, waits at the barrier, drives them. */
export async function driveRedisShare(share: RedisShare, barrier: StartBarrier): Promise<ShareResult> {
  const batches = share.command === 'mixed'
    ? mixedBatches({ pipeline: share.pipeline, size: share.size, seed: share.seed ?? 1 })
    : [repeatedBatch(benchmarkCommand(share.command, share.size), share.pipeline)];
  const histogram = new LatencyHistogram();
  const sockets = await connectAll(share.host, share.port, share.connections, barrier);
  const startedMs = nowMs();
  if (sockets === null) return { requests: 0, errors: 0, histogram: histogram.toData(), startedMs, endedMs: startedMs };
  const issued = new Int32Array(share.issued, 0, 1);
  // FlexOS's clients are redis-benchmark's: a connection takes the next batch from the common
  // budget when its last one is answered, so a slow connection never holds up the end of the run.
  const claim = (): number => {
    const before = Atomics.add(issued, 0, share.pipeline);
    return before >= share.requests ? 0 : Math.min(share.pipeline, share.requests - before);
  };
  // Each connection starts at its own place in the mixed stream, so they do not touch the same keys in step.
  const counts = await Promise.all(sockets.map((s, i) => driveConnection(s, { batches, first: i % batches.length, pipeline: share.pipeline, claim, histogram })));
  return { requests: counts.reduce((n, c) => n + c.replies, 0), errors: counts.reduce((n, c) => n + c.errors, 0), histogram: histogram.toData(), startedMs, endedMs: nowMs() };
}

interface ConnectionPlan {
  /** Sent in turn, from `first`, wrapping around. */
  readonly batches: readonly MixedBatch[];
  readonly first: number;
  readonly pipeline: number;
  readonly claim: () => number;
  readonly histogram: LatencyHistogram;
}

function driveConnection(socket: net.Socket, plan: ConnectionPlan): Promise<{ replies: number; errors: number }> {
  let turn = plan.first;
  const replies = new RespReplyCounter();
  return new Promise((resolve, reject) => {
    let outstanding = 0;
    let sentAt = 0;
    let done = false;
    const finish = (error: Error | null): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (error) reject(error);
      else resolve({ replies: replies.replies, errors: replies.errors });
    };
    const send = (): void => {
      const n = plan.claim();
      if (n === 0) return finish(null);
      outstanding = n;
      sentAt = performance.now();
      const batch = plan.batches[turn]!;
      turn = (turn + 1) % plan.batches.length;
      socket.write(n === plan.pipeline ? batch.bytes : batch.bytes.subarray(0, batch.ends[n - 1]));
    };
    socket.on('data', (chunk: Buffer) => {
      let k: number;
      try {
        k = replies.feed(chunk);
      } catch (error) {
        return finish(error as Error);
      }
      if (k === 0) return;
      if (k > outstanding) return finish(new ClientError(BUILTIN_CLIENT, `the server sent ${k - outstanding} more replies than it was sent requests`));
      plan.histogram.recordMany((performance.now() - sentAt) * 1000, k);
      outstanding -= k;
      if (outstanding === 0) send();
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new ClientError(BUILTIN_CLIENT, `the server closed the connection with ${outstanding} replies outstanding`)));
    send();
  });
}

/** redis-benchmark's batch: one command `times` times. */
function repeatedBatch(bytes: Uint8Array, times: number): MixedBatch {
  const out = new Uint8Array(bytes.length * times);
  for (let i = 0; i < times; i++) out.set(bytes, i * bytes.length);
  return { bytes: out, ends: Array.from({ length: times }, (_, i) => (i + 1) * bytes.length) };
}

const CR = 13;
const LF = 10;
const MAX_LINE = 64 * 1024;

/**
 * The client side of RESP2: counts whole replies in a byte stream cut anywhere, without keeping
 * their contents. Bulk payloads are skipped in place, so a large value is never buffered; only a
 * header line cut between two reads is carried over.
 */
export class RespReplyCounter {
  #carry: Uint8Array | null = null; // the start of a header line cut by the end of a read
  #skip = 0; // payload bytes (bulk and its CRLF) still to pass over
  #open: number[] = []; // elements still expected by each enclosing array
  #topIsError = false;
  #replies = 0;
  #errors = 0;

  /** Whole replies so far. */
  get replies(): number {
    return this.#replies;
  }

  /** Whole replies so far that were errors (-ERR ...). */
  get errors(): number {
    return this.#errors;
  }

  /** Consumes a read; returns how many replies it completed. Throws on bytes that are not RESP2. */
  feed(chunk: Uint8Array): number {
    const before = this.#replies;
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, chunk.length - i);
        i += take;
        this.#skip -= take;
        if (this.#skip === 0) this.#elementDone();
        continue;
      }
      const lf = chunk.indexOf(LF, i);
      if (lf < 0) {
        this.#carry = this.#carry ? concat(this.#carry, chunk.subarray(i)) : chunk.slice(i);
        if (this.#carry.length > MAX_LINE) throw new ClientError(BUILTIN_CLIENT, 'protocol error: reply header line too long');
        break;
      }
      if (this.#carry) {
        const line = concat(this.#carry, chunk.subarray(i, lf + 1));
        this.#carry = null;
        this.#header(line, 0, line.length - 1);
      } else {
        this.#header(chunk, i, lf);
      }
      i = lf + 1;
    }
    return this.#replies - before;
  }

  /** One header line, `lf` the index of its LF. */
  #header(line: Uint8Array, start: number, lf: number): void {
    const end = lf > start && line[lf - 1] === CR ? lf - 1 : lf;
    switch (line[start]) {
      case 0x2b: // '+'
      case 0x3a: // ':'
        return this.#elementDone();
      case 0x2d: // '-'
        if (this.#open.length === 0) this.#topIsError = true;
        return this.#elementDone();
      case 0x24: { // '$'
        const n = parseInteger(line, start + 1, end);
        if (n < 0) return this.#elementDone();
        this.#skip = n + 2;
        return;
      }
      case 0x2a: { // '*'
        const n = parseInteger(line, start + 1, end);
        if (n <= 0) return this.#elementDone();
        this.#open.push(n);
        return;
      }
      default:
        throw new ClientError(BUILTIN_CLIENT, `protocol error: a reply cannot start with ${JSON.stringify(String.fromCharCode(line[start] ?? 0))}`);
    }
  }

  #elementDone(): void {
    while (this.#open.length > 0) {
      const top = this.#open.length - 1;
      if (--this.#open[top]! > 0) return;
      this.#open.pop();
    }
    this.#replies++;
    if (this.#topIsError) this.#errors++;
    this.#topIsError = false;
  }
}

function parseInteger(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === 0x2d;
  let i = negative ? start + 1 : start;
  if (i >= end) throw new ClientError(BUILTIN_CLIENT, 'protocol error: empty length in a reply header');
  let n = 0;
  for (; i < end; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) throw new ClientError(BUILTIN_CLIENT, 'protocol error: bad length in a reply header');
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
