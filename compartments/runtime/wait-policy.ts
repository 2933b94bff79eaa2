// How a compartment waits for its doorbell: yield (spin, handing the CPU to any other runnable
// thread between checks, then park), spin, park (Atomics.wait), or adaptive (spin while it pays,
// park when it does not). On 2 cores, three pure spinners collapse to milliseconds, and a parked
// handoff costs ~8-11 µs per round trip on one CPU; a sched_yield handoff ~2.4 µs. The yield and
// adaptive policies keep their budget only while it pays.

import { isMainThread } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { WaitPolicy } from '../../kernel/abi/schema.js';
import { schedYield } from './sched-yield.js';
import { currentThreadCpus, scheduleCurrentThread, type ThreadScheduling } from './pinning.js';

export interface WaiterOptions {
  readonly policy: WaitPolicy;
  /** The RPC region's i32 view and the word counting spinners (adaptive policy). */
  readonly spinners?: { readonly words: Int32Array; readonly index: number; readonly max: number };
}

const SPIN_CHECK_EVERY = 64;
const ADAPTIVE_MAX_BUDGET_NS = 200_000;
const ADAPTIVE_MIN_BUDGET_NS = 2_000;
const YIELD_MAX_BUDGET_NS = 1_000_000;
const YIELD_MIN_BUDGET_NS = 20_000;
/** A yield that comes back this late gave the CPU to a thread that ran out a time slice. */
const YIELD_STOLEN_MS = 1;
/** How long a waiter that met such a thread parks instead of yielding. */
const YIELD_BACKOFF_MS = 20;
/** Checks a yielding waiter makes before each sched_yield, at most, while they pay. */
const SPIN_PHASE_MAX = 2048;
const SPIN_PHASE_PROBE = 64;
/** A waiter whose spin phases stopped paying tries one again every this many yields. */
const SPIN_PHASE_PROBE_EVERY = 256;
const NONE = -1;

/**
 * A compartment thread that only ever parks, pinned to one CPU, is part of the unikernel's one
 * vCPU, where every gate is a futex handoff. V8 wakes a waiter while holding its global futex
 * lock; under the normal class the woken thread preempts the waker inside that lock, blocks on it
 * and hands back: three context switches instead of one. SCHED_BATCH turns wake-up preemption off,
 * so the waker runs on until it parks and a handoff is one switch (the chain A->B->C->B->A went
 * from ~33 to ~25 µs); it needs no privilege and stays in CFS, sharing the CPU fairly with the rest
 * of the machine. (Round-robin real time gave the same median but starves other work on the CPU.)
 * A yielding thread keeps SCHED_OTHER: a handoff by sched_yield is one switch in either class,
 * and once it parks beside a CPU hog it needs wake-up preemption (under SCHED_BATCH a gate beside
 * an unpinned burner took 4 ms, a time slice; under SCHED_OTHER 19 µs).
 */
function dedicate(): ThreadScheduling {
  return scheduleCurrentThread('batch') ? 'batch' : 'normal';
}

export class Waiter {
  /** The policy asked for; `yield` runs as `park` where sched_yield is unavailable (see `yields`). */
  readonly policy: WaitPolicy;
  /** sched_yield for the `yield` policy, null for the others. */
  readonly #yield: (() => void) | null;
  /** The scheduling class this compartment's thread runs in (see `dedicate`). */
  readonly scheduling: ThreadScheduling;
  readonly #spinners: WaiterOptions['spinners'];
  /** How long the adaptive policy spins, or the yield policy yields, before it parks (adapted as waits end). */
  #budgetNs: number;
  /** Checks before each yield: grows while the peer answers during them (it runs on another CPU), halves when it does not. */
  #spinChecks = SPIN_PHASE_PROBE;
  #yieldsSinceProbe = 0;
  /** Until then (performance.now()) the yield policy parks: its CPU has a thread that does not yield. */
  #parkUntil = 0;
  /** Counts for the report: how waits ended. */
  spinHits = 0;
  parks = 0;
  /** Yield policy: waits that ended inside a spin phase, before the next yield. */
  spinPhaseHits = 0;

  constructor(options: WaiterOptions) {
    this.policy = options.policy;
    this.#spinners = options.spinners;
    this.#yield = options.policy === 'yield' ? schedYield() : null;
    this.#budgetNs = options.policy === 'yield' ? 200_000 : 50_000;
    this.scheduling = options.policy === 'park' && !isMainThread && currentThreadCpus()?.length === 1 ? dedicate() : 'normal';
  }

  /** True when the `yield` policy has sched_yield to hand the CPU over with. */
  get yields(): boolean {
    return this.#yield !== null;
  }

  /**
   * Returns once words[index] !== seen, or after about `sliceMs` (so the caller can check its
   * deadline, shutdown, or go back to its event loop), or early with the word unchanged when a
   * stale notify arrives (a poster read PARKED during this thread's previous wait and notified after
   * it ended), so callers loop. Never loses a wake: the word is compared inside Atomics.wait.
   *
   * `parked`: a word set to 1 only while this thread sleeps in Atomics.wait, so a poster may skip
   * Atomics.notify when it reads 0 (it bumps `index` first; both sides use sequentially consistent
   * atomics, so either the poster sees 1 or the sleeper sees the bump). `watch`: a second word
   * that ends a spin when it differs from `watchValue` (a gate's state word, one cache line less
   * on the return path); whoever changes it must also bump `index`, the only word parked on.
   */
  wait(words: Int32Array, index: number, seen: number, sliceMs: number, parked = NONE, watch = NONE, watchValue = 0): void {
    if (this.policy === 'yield') {
      this.#handOff(words, index, seen, sliceMs, parked, watch, watchValue);
      return;
    }
    if (this.policy === 'park') {
      this.#park(words, index, seen, sliceMs, parked);
      return;
    }
    if (this.policy === 'spin') {
      this.#spin(words, index, seen, sliceMs * 1e6, watch, watchValue);
      return;
    }
    const spinners = this.#spinners;
    if (spinners && Atomics.add(spinners.words, spinners.index, 1) >= spinners.max) {
      Atomics.sub(spinners.words, spinners.index, 1);
      this.#park(words, index, seen, sliceMs, parked);
      return;
    }
    const hit = this.#spin(words, index, seen, this.#budgetNs, watch, watchValue);
    if (spinners) Atomics.sub(spinners.words, spinners.index, 1);
    if (hit) {
      this.spinHits++;
      this.#budgetNs = Math.min(ADAPTIVE_MAX_BUDGET_NS, this.#budgetNs * 1.25);
    } else {
      this.#budgetNs = Math.max(ADAPTIVE_MIN_BUDGET_NS, this.#budgetNs / 2);
      this.#park(words, index, seen, sliceMs, parked);
    }
  }

  /**
   * Checks the words, and between checks gives the CPU to any other runnable thread: on a shared
   * CPU the peer runs at once, and on an otherwise idle one the check comes back within ~0.5 µs.
   * Parks after the budget; the budget grows while calls arrive within it and halves when not.
   * Where a thread that never yields shares the CPU, a yield can cost its whole time slice, so the
   * waiter that sees one parks for the next 20 ms (a parked thread is woken ahead of a hog).
   */
  #handOff(words: Int32Array, index: number, seen: number, sliceMs: number, parked: number, watch: number, watchValue: number): void {
    const give = this.#yield;
    const started = performance.now();
    if (give === null || started < this.#parkUntil) {
      this.#park(words, index, seen, sliceMs, parked);
      return;
    }
    const other = watch === NONE ? index : watch;
    const otherValue = watch === NONE ? seen : watchValue;
    const until = started + Math.min(this.#budgetNs / 1e6, sliceMs);
    let now = started;
    for (;;) {
      if (Atomics.load(words, other) !== otherValue || Atomics.load(words, index) !== seen) {
        this.spinHits++;
        this.#budgetNs = Math.min(YIELD_MAX_BUDGET_NS, this.#budgetNs * 1.25);
        return;
      }
      const before = now;
      if (this.#spinPhase(words, index, seen, other, otherValue)) continue;
      give();
      now = performance.now();
      // A CPU hog (a spinner, a load generator) took the CPU for a whole slice: a thread that
      // yields to it waits slices, a parked one is woken with priority. Park for a while.
      if (now - before > YIELD_STOLEN_MS) {
        this.#parkUntil = now + YIELD_BACKOFF_MS;
        break;
      }
      if (now >= until) break;
    }
    this.#budgetNs = Math.max(YIELD_MIN_BUDGET_NS, this.#budgetNs / 2);
    this.#park(words, index, seen, Math.max(0, sliceMs - (now - started)), parked);
  }

  /**
   * The yield policy's spin before each yield: a peer on another CPU often answers within a few
   * microseconds, sooner than a yield and a check (on 2 cores, Redis with lwip in its own
   * compartment on the other CPU went from 0.43 to 0.54 M requests/s); a peer on this CPU cannot
   * answer while we spin, so there the phase shrinks to nothing, with a short probe now and then.
   */
  #spinPhase(words: Int32Array, index: number, seen: number, other: number, otherValue: number): boolean {
    let checks = this.#spinChecks;
    if (checks === 0) {
      if (++this.#yieldsSinceProbe < SPIN_PHASE_PROBE_EVERY) return false;
      this.#yieldsSinceProbe = 0;
      checks = SPIN_PHASE_PROBE;
    }
    for (let i = 0; i < checks; i++) {
      if (Atomics.load(words, other) !== otherValue || Atomics.load(words, index) !== seen) {
        this.#spinChecks = Math.min(SPIN_PHASE_MAX, Math.max(SPIN_PHASE_PROBE, checks * 2));
        this.spinPhaseHits++;
        return true;
      }
    }
    this.#spinChecks = checks >= 16 ? checks >> 1 : 0;
    return false;
  }

  #park(words: Int32Array, index: number, seen: number, sliceMs: number, parked: number): void {
    this.parks++;
    if (parked === NONE) {
      Atomics.wait(words, index, seen, sliceMs);
      return;
    }
    Atomics.store(words, parked, 1);
    Atomics.wait(words, index, seen, sliceMs);
    Atomics.store(words, parked, 0);
  }

  /** Spins up to budgetNs; true when a word changed. The clock is read only after a first round of checks. */
  #spin(words: Int32Array, index: number, seen: number, budgetNs: number, watch: number, watchValue: number): boolean {
    const other = watch === NONE ? index : watch;
    const otherValue = watch === NONE ? seen : watchValue;
    let until = 0;
    for (;;) {
      for (let i = 0; i < SPIN_CHECK_EVERY; i++) {
        if (Atomics.load(words, other) !== otherValue || Atomics.load(words, index) !== seen) return true;
      }
      const now = performance.now();
      if (until === 0) until = now + budgetNs / 1e6;
      else if (now >= until) return false;
    }
  }
}
