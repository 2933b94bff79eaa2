// Per-call timings kept inside a bench library's own compartment (its worker's JS heap), so the
// timing never crosses a gate; the host reads summary statistics over the control plane afterwards.

import { performance } from 'node:perf_hooks';
import type { LibraryContext } from '../../../kernel/abi/context.js';

export { performance };

export class Samples {
  #values = new Float64Array(0);
  #count = 0;
  #sorted: Float64Array | null = null;

  /** Forgets the previous run and makes room for `n` samples. */
  start(n: number): void {
    if (this.#values.length < n) this.#values = new Float64Array(n);
    this.#count = 0;
    this.#sorted = null;
  }

  record(ns: number): void {
    this.#values[this.#count++] = ns;
  }

  get count(): number {
    return this.#count;
  }

  /** The `permille`-th quantile of the last run in ns (500 = median, 990 = p99, 1000 = max); NaN when empty. */
  quantile(permille: number): number {
    if (this.#count === 0) return Number.NaN;
    this.#sorted ??= this.#values.slice(0, this.#count).sort();
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil((permille / 1000) * this.#count) - 1));
    return this.#sorted[rank] ?? Number.NaN;
  }

  /**
   * Copies the samples of the last run into the shared heap (as f64) for the host to read from the
   * region; returns the address, 0 when empty. The host frees it through `release`.
   */
  publish(ctx: LibraryContext): number {
    if (this.#count === 0) return 0;
    const address = ctx.sharedHeap.malloc(this.#count * 8);
    if (address === 0) return 0;
    ctx.memory.writeBytes(address, new Uint8Array(this.#values.buffer, 0, this.#count * 8));
    return address;
  }
}

/**
 * Times `n` calls of `body` one by one (one clock read per call, as the floor is timed), stopping
 * early after `budgetMs` (spinners that lose their cores can slow to milliseconds per call).
 */
export function timeEach(samples: Samples, n: number, body: (i: number) => unknown, budgetMs = Number.POSITIVE_INFINITY): number {
  samples.start(n);
  const first = performance.now();
  let before = first;
  for (let i = 0; i < n; i++) {
    body(i);
    const now = performance.now();
    samples.record((now - before) * 1e6);
    before = now;
    if ((i & 1023) === 1023 && now - first > budgetMs) break;
  }
  return samples.quantile(500);
}

/** Times `batches` batches of `per` calls and records the time per call of each batch (ns-scale work). */
export function timeBatches(samples: Samples, batches: number, per: number, body: (i: number) => unknown): number {
  samples.start(batches);
  for (let b = 0; b < batches; b++) {
    const before = performance.now();
    for (let i = 0; i < per; i++) body(i);
    samples.record(((performance.now() - before) * 1e6) / per);
  }
  return samples.quantile(500);
}
