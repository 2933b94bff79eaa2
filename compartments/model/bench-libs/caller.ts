// Bench library caller: calls callee.empty N times (a gate, or a plain call when both libraries
// share a compartment) and keeps the per-call times in its own compartment.

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';
import { Samples, timeBatches, timeEach } from './samples.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const empty = ctx.import('callee', 'empty');
  const samples = new Samples();
  return {
    exports: {
      /** n gate crossings timed one by one (at most `budgetMs` when given); returns the median in ns. */
      gates: (n, budgetMs) => timeEach(samples, n, () => empty(), budgetMs || undefined),
      /** Calls timed in the last run (fewer than asked when the budget ran out). */
      count: () => samples.count,
      /** `batches` batches of `per` calls (a plain call is too short to time alone); median ns per call. */
      batches: (batches, per) => timeBatches(samples, batches, per, () => empty()),
      quantile: (permille) => samples.quantile(permille),
      publish: () => samples.publish(ctx),
      release: (address) => ctx.sharedHeap.free(address),
    },
  };
}
