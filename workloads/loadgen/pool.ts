// The pool of load-generator client threads (piscina): each thread pins itself to the client CPU,
// takes one share of a run's connections, and sends back counts and a latency histogram. A start
// barrier in shared memory lines the shares up, so every connection is open before the clock starts.

import net from 'node:net';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Piscina } from 'piscina';
import { ClientError, FlexosError } from '../../kernel/abi/errors.js';
import { LatencyHistogram, type HistogramData } from './histogram.js';

/** What each share sends back from its thread. */
export interface ShareResult {
  readonly requests: number;
  readonly errors: number;
  readonly histogram: HistogramData;
  /** Wall-clock ms (timeOrigin + now) when the share's load started and ended. */
  readonly startedMs: number;
  readonly endedMs: number;
}

/** A run's shares added up. */
export interface LoadTotals {
  readonly requests: number;
  readonly errors: number;
  readonly histogram: LatencyHistogram;
  /** From the first share's start to the last share's end. */
  readonly elapsedMs: number;
}

/** What every share carries besides its own fields: the start barrier. */
export interface StartSignal {
  readonly start: SharedArrayBuffer;
  readonly parties: number;
}

export type ShareKind = 'redis' | 'http';

/** The client a ClientError names for every failure of the pool and its threads (workloads/drive.ts's word). */
export const BUILTIN_CLIENT = 'built-in generator';

/**
 * A failure that crossed from a client thread lost its class and code (structured clone keeps only
 * the message and stack): it comes back here as a ClientError with the same message.
 */
function asClientError(reason: unknown): FlexosError {
  if (reason instanceof FlexosError) return reason;
  return new ClientError(BUILTIN_CLIENT, reason instanceof Error ? reason.message : String(reason), { cause: reason });
}

export interface LoadPoolOptions {
  /** Client threads (default: 1 when pinned, since threads on one CPU only contend; else the CPUs but one). */
  readonly threads?: number;
  /** The CPU reserved for the client, or null to leave placement to the kernel. */
  readonly cpu: number | null;
}

// Node 20 has Atomics.waitAsync (ES2024); the project's lib setting (es2023) does not declare it.
type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult }).waitAsync;

export const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * A one-shot barrier over three Int32 words of a SharedArrayBuffer:
 *   [0] arrived  every party adds 1 when its connections are open (or failed to open)
 *   [1] failed   a party that could not get ready writes 1; the others then give up
 *   [2] go       the last party to arrive writes 1 and wakes the rest
 */
export class StartBarrier {
  readonly #words: Int32Array;
  readonly parties: number;

  constructor(parties: number, buffer = new SharedArrayBuffer(12)) {
    this.parties = parties;
    this.#words = new Int32Array(buffer, 0, 3);
  }

  get buffer(): SharedArrayBuffer {
    return this.#words.buffer as SharedArrayBuffer;
  }

  /** Resolves true when every party is ready, false when one failed or the wait timed out. */
  async arrive(ready: boolean, timeoutMs = 30_000): Promise<boolean> {
    const w = this.#words;
    if (!ready) Atomics.store(w, 1, 1);
    if (Atomics.add(w, 0, 1) + 1 >= this.parties) {
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
    } else {
      const wait = waitAsync(w, 2, 0, timeoutMs);
      // A pending waitAsync holds no handle: a timer keeps the event loop alive until it settles.
      const keepAlive = setTimeout(() => undefined, timeoutMs + 1000);
      try {
        if (wait.async && (await wait.value) === 'timed-out') Atomics.store(w, 1, 1);
      } finally {
        clearTimeout(keepAlive);
      }
    }
    return Atomics.load(w, 1) === 0;
  }
}

/** `total` split into `parts` integers that differ by at most one, larger ones first. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** Opens one TCP connection (Nagle off: requests are small and answered one batch at a time). */
export function connectTcp(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Runs inside a client thread: opens a share's connections, then waits at the start barrier.
 * Null when another thread failed (this one stands down); throws when this one failed.
 */
export async function connectAll(host: string, port: number, count: number, barrier: StartBarrier): Promise<net.Socket[] | null> {
  const settled = await Promise.allSettled(Array.from({ length: count }, () => connectTcp(host, port)));
  const sockets = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const go = await barrier.arrive(failure === undefined);
  if (failure || !go) for (const s of sockets) s.destroy();
  if (failure) throw failure.reason;
  return go ? sockets : null;
}

export function defaultThreads(cpu: number | null, connections: number): number {
  if (cpu !== null) return 1;
  return Math.max(1, Math.min(connections, availableParallelism() - 1));
}

export class LoadPool {
  readonly #piscina: Piscina;
  readonly #threads: number;
  readonly #pinned: boolean;

  private constructor(piscina: Piscina, threads: number, pinned: boolean) {
    this.#piscina = piscina;
    this.#threads = threads;
    this.#pinned = pinned;
  }

  /** Starts the threads and waits until each one is up (and pinned, when a CPU is given). */
  static async start(options: LoadPoolOptions): Promise<LoadPool> {
    const threads = options.threads ?? defaultThreads(options.cpu, Infinity);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`threads must be an integer from 1 to 256, got ${threads}`);
    if (options.cpu !== null && (!Number.isInteger(options.cpu) || options.cpu < 0)) throw new RangeError(`cpu must be null or a CPU number, got ${options.cpu}`);
    // Loaded here rather than at the top: the client threads import the client files, which import
    // this one for the barrier, and piscina's main module has no business in them.
    const { Piscina } = await import('piscina');
    const piscina = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // One share per thread: a thread holding a share takes no other, so the shares spread out.
      concurrentTasksPerWorker: 1,
      idleTimeout: 2 ** 31 - 1,
      // A piscina thread that waits with Atomics.wait between tasks is fine for CPU-bound tasks;
      // ours hold sockets on the thread's event loop, which must never be blocked.
      atomics: 'disabled',
      workerData: { cpu: options.cpu },
    });
    try {
      const barrier = new StartBarrier(threads);
      const pinned = await Promise.all(Array.from({ length: threads }, () => piscina.run({ start: barrier.buffer, parties: threads }, { name: 'ready' }) as Promise<boolean>));
      return new LoadPool(piscina, threads, pinned.every(Boolean));
    } catch (error) {
      await piscina.destroy();
      throw asClientError(error);
    }
  }

  get threads(): number {
    return this.#threads;
  }

  /** Every thread pinned itself to the client CPU (false when no CPU was given or taskset failed). */
  get pinned(): boolean {
    return this.#pinned;
  }

  /** Runs one share per thread (at most `threads` shares) behind one start barrier and adds them up. */
  async run<S extends object>(kind: ShareKind, shares: readonly S[]): Promise<LoadTotals> {
    if (shares.length < 1 || shares.length > this.#threads) throw new RangeError(`a run takes from 1 to ${this.#threads} shares, got ${shares.length}`);
    const barrier = new StartBarrier(shares.length);
    const settled = await Promise.allSettled(shares.map((share) => this.#piscina.run({ ...share, start: barrier.buffer, parties: shares.length }, { name: kind }) as Promise<ShareResult>));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw asClientError(failure.reason);
    const results = settled.map((s) => (s as PromiseFulfilledResult<ShareResult>).value);
    const histogram = new LatencyHistogram();
    for (const r of results) histogram.merge(r.histogram);
    return {
      requests: results.reduce((n, r) => n + r.requests, 0),
      errors: results.reduce((n, r) => n + r.errors, 0),
      histogram,
      elapsedMs: Math.max(...results.map((r) => r.endedMs)) - Math.min(...results.map((r) => r.startedMs)),
    };
  }

  async close(): Promise<void> {
    await this.#piscina.destroy();
  }
}
