// The caller side of a gate, and the one place a compartment waits: post a call into this
// compartment's control block for the current nesting depth, ring the callee's doorbell, then wait
// for the return while serving calls addressed back to us (nested calls and callbacks).
// FlexOS: flexos_vmept_master_rpc_call() and its busy-wait that also serves incoming RPCs.

import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { collectGarbage } from '../runtime/collect.js';
import { FlexosError, GateCalleeError, GateTimeoutError } from '../../kernel/abi/errors.js';
import {
  B_ARGC, B_ARGS_OFFSET, B_ERROR_LENGTH, B_ERROR_OFFSET, B_FN, B_FROM, B_RETURN_OFFSET, B_STATE, B_TO,
  G_CONTROL, G_CPU_IDLE, G_SHUTDOWN, H_DOORBELL, H_PARKED, H_PENDING, MAX_ARGS, MAX_DEPTH,
  STATE_CALLED, STATE_IDLE, STATE_RETURNED, STATE_THREW, blockIndex, blockOffset, headerWord,
} from './protocol.js';
import type { GateCallee } from './callee.js';
import type { CrossingCounters } from './crossings.js';
import type { Waiter } from '../runtime/wait-policy.js';

/** A resolved cross-compartment call site: where it goes and which crossing counter it feeds. */
export interface GateTarget {
  readonly to: number;
  readonly fnId: number;
  readonly edge: number;
  readonly library: string;
  readonly fn: string;
  /** vmept: only integers cross (FlexOS refuses floats and structs at build time; checked again here). */
  readonly integersOnly: boolean;
}

/**
 * What a port needs of its compartment's wait policy: the one call that blocks on the doorbell.
 * Production hands it the Waiter; a test hands it a step of the other side, to drive both in one thread.
 */
export type DoorbellWait = Pick<Waiter, 'wait'>;

export class ShutdownSignal extends FlexosError {
  constructor() {
    super('FLEXOS_ERR_SHUTDOWN', 'the image is shutting down');
  }
}

const SLICE_MS = 20;
const HEAP_PUBLISH_MS = 200;
const decoder = new TextDecoder();

export class GatePort {
  readonly self: number;
  readonly #words: Int32Array;
  readonly #f64: Float64Array;
  readonly #bytes: Uint8Array;
  readonly #waiter: DoorbellWait;
  readonly #callee: GateCallee;
  readonly #counters: CrossingCounters;
  readonly #timeoutMs: number;
  #depth = 0;
  /** performance.now() when this compartment's last wait ended. */
  #lastClock = 0;
  #heapPublishedAt = -Infinity;
  #collectsDone = 0;
  readonly #beforeIdle: () => void;

  constructor(
    rpc: SharedArrayBuffer,
    options: { self: number; waiter: DoorbellWait; callee: GateCallee; counters: CrossingCounters; timeoutMs: number; beforeIdle?: () => void },
  ) {
    this.self = options.self;
    this.#words = new Int32Array(rpc);
    this.#f64 = new Float64Array(rpc);
    this.#bytes = new Uint8Array(rpc);
    this.#waiter = options.waiter;
    this.#callee = options.callee;
    this.#counters = options.counters;
    this.#timeoutMs = options.timeoutMs;
    this.#beforeIdle = options.beforeIdle ?? (() => {});
  }

  /** Accounts the time this compartment parks on an external event (the CPU idle). */
  idle<T>(body: () => T): T {
    this.#counters.begin('idle', this.self);
    try {
      return body();
    } finally {
      this.#counters.end('idle', this.self);
    }
  }

  get depth(): number {
    return this.#depth;
  }

  call(target: GateTarget, args: readonly number[]): number {
    const argc = args.length;
    if (argc > MAX_ARGS) throw new RangeError(`${target.library}.${target.fn}: ${argc} arguments, a gate carries at most ${MAX_ARGS}`);
    if (this.#depth >= MAX_DEPTH) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `gate nesting deeper than ${MAX_DEPTH} calling ${target.library}.${target.fn}`);
    const index = blockIndex(this.self, this.#depth);
    const base = blockOffset(index);
    const w = base >> 2;
    const words = this.#words;
    const a = (base + B_ARGS_OFFSET) >> 3;
    for (let i = 0; i < argc; i++) {
      const v = args[i] as number;
      if (target.integersOnly && !Number.isInteger(v)) {
        throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `${target.library}.${target.fn}: argument ${i + 1} is ${v}; an EPT gate carries integers and addresses only`);
      }
      this.#f64[a + i] = v;
    }
    words[w + B_FROM] = this.self;
    words[w + B_TO] = target.to;
    words[w + B_FN] = target.fnId;
    words[w + B_ARGC] = argc | (1 << 8);
    Atomics.store(words, w + B_STATE, STATE_CALLED); // published last
    this.#depth++;
    let started = 0;
    try {
      this.#post(target, index + 1);
      // The clock is read once the call is posted, while the callee wakes: off the critical path.
      started = performance.now();
      const state = this.#awaitReturn(w, target, started);
      if (state === STATE_THREW) throw this.#readError(base, target);
      return this.#f64[(base + B_RETURN_OFFSET) >> 3] ?? 0;
    } finally {
      this.#depth--;
      // Only this compartment reads its blocks' state; a plain store is ordered before the next
      // call's published STATE_CALLED and does not stall on the line the callee just wrote.
      words[w + B_STATE] = STATE_IDLE;
      // The clock read when the last wait ended is as good as a new one: the return was visible then.
      if (started !== 0) this.#counters.record(target.edge, ((this.#lastClock >= started ? this.#lastClock : performance.now()) - started) * 1e6);
    }
  }

  /**
   * Top-level wait of an idle compartment: serves incoming calls until about `sliceMs` pass with
   * nothing to do, or the host asks for the event loop (control message) or shutdown.
   */
  serveFor(sliceMs: number): void {
    const words = this.#words;
    const doorbell = headerWord(this.self, H_DOORBELL);
    const control = Atomics.load(words, G_CONTROL);
    const until = performance.now() + sliceMs;
    while (Atomics.load(words, G_SHUTDOWN) === 0 && Atomics.load(words, G_CONTROL) === control) {
      const seen = Atomics.load(words, doorbell);
      const pending = this.#claim();
      if (pending !== 0) {
        this.#callee.serve(pending - 1);
        continue;
      }
      this.#beforeIdle();
      const left = until - performance.now();
      if (left <= 0) return;
      this.#wait(doorbell, seen, Math.min(left, SLICE_MS));
    }
  }

  #post(target: GateTarget, token: number): void {
    const words = this.#words;
    const pending = headerWord(target.to, H_PENDING);
    // One logical CPU: the callee is idle or waiting on its own call, so PENDING is free; a second
    // independent caller (only the host's boot sequence could make one) waits its turn.
    while (Atomics.compareExchange(words, pending, 0, token) !== 0) {
      this.#checkShutdown();
      Atomics.wait(words, pending, Atomics.load(words, pending), 1);
    }
    const doorbell = headerWord(target.to, H_DOORBELL);
    Atomics.add(words, doorbell, 1);
    // A callee that is not asleep in Atomics.wait (running, spinning, or about to re-check) needs
    // no wake: the notify would only take V8's global futex lock, which both sides share.
    if (Atomics.load(words, headerWord(target.to, H_PARKED)) !== 0) Atomics.notify(words, doorbell);
  }

  /**
   * Takes the call addressed to this compartment, if any: PENDING goes 0 -> n only by a caller's
   * compareExchange and back to 0 only here, so a load then a store claims it without a locked
   * read-modify-write on a line the caller just wrote.
   */
  #claim(): number {
    const words = this.#words;
    const pending = headerWord(this.self, H_PENDING);
    const token = Atomics.load(words, pending);
    if (token !== 0) Atomics.store(words, pending, 0);
    return token;
  }

  /** `started`: when the call was posted; the first pass reuses it rather than read the clock while the callee answers. */
  #awaitReturn(w: number, target: GateTarget, started: number): number {
    const words = this.#words;
    const doorbell = headerWord(this.self, H_DOORBELL);
    const stateWord = w + B_STATE;
    let deadline = started + this.#timeoutMs;
    let now = started;
    let clockRead = true;
    for (;;) {
      let state = Atomics.load(words, stateWord);
      if (state === STATE_RETURNED || state === STATE_THREW) return state;
      const seen = Atomics.load(words, doorbell);
      state = Atomics.load(words, stateWord);
      if (state === STATE_RETURNED || state === STATE_THREW) return state;
      const pending = this.#claim();
      if (pending !== 0) {
        this.#callee.serve(pending - 1);
        now = performance.now();
        this.#lastClock = now;
        deadline = now + this.#timeoutMs;
        clockRead = true;
        continue;
      }
      this.#checkShutdown();
      if (!clockRead) now = performance.now();
      clockRead = false;
      if (Atomics.load(words, G_CPU_IDLE) !== 0) deadline = now + this.#timeoutMs;
      if (now >= deadline) {
        throw new GateTimeoutError(`gate to ${target.library}.${target.fn} (compartment ${target.to}) did not return within ${this.#timeoutMs} ms`);
      }
      now = this.#wait(doorbell, seen, Math.min(SLICE_MS, deadline - now), stateWord, STATE_CALLED, now);
      clockRead = true;
    }
  }

  /**
   * The callee bumps our doorbell after writing the state word, so watching the state while spinning
   * loses nothing. The wait is accounted (the cost model subtracts it from the compartment's wall
   * time) from `startedAt`, a clock reading the caller already has; returns the clock after the wait.
   */
  #wait(doorbell: number, seen: number, sliceMs: number, watch?: number, watchValue?: number, startedAt = performance.now()): number {
    const origin = performance.timeOrigin;
    this.#counters.begin('wait', this.self, origin + startedAt);
    this.#waiter.wait(this.#words, doorbell, seen, sliceMs, headerWord(this.self, H_PARKED), watch, watchValue);
    const ended = performance.now();
    this.#counters.end('wait', this.self, origin + ended);
    this.#lastClock = ended;
    // The control plane cannot ask a compartment running the app's main loop; its heap is published here instead.
    if (ended - this.#heapPublishedAt > HEAP_PUBLISH_MS) {
      this.#heapPublishedAt = ended;
      const asked = this.#counters.collectsAsked(this.self);
      if (asked > this.#collectsDone) {
        // Asked by a soak run: what the heap retains, not where its collector happens to be.
        this.#collectsDone = asked;
        collectGarbage();
        this.#counters.publishCollected(this.self, asked, getHeapStatistics().used_heap_size);
      } else this.#counters.publishHeap(this.self, getHeapStatistics().used_heap_size);
    }
    return ended;
  }

  #checkShutdown(): void {
    if (Atomics.load(this.#words, G_SHUTDOWN) !== 0) throw new ShutdownSignal();
  }

  #readError(base: number, target: GateTarget): GateCalleeError {
    const length = this.#words[(base >> 2) + B_ERROR_LENGTH] ?? 0;
    const text = decoder.decode(this.#bytes.slice(base + B_ERROR_OFFSET, base + B_ERROR_OFFSET + length));
    const newline = text.indexOf('\n');
    return new GateCalleeError(target.library, target.fn, text.slice(0, newline), text.slice(newline + 1));
  }
}
