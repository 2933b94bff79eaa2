// Bench library chain (A of the nested chain A->B->C->B->A): each iteration calls relay.hop, which
// calls leaf.hop, which calls back into relay: six gate crossings when each library is alone.

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';
import { Samples, timeEach } from './samples.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const hop = ctx.import('relay', 'hop');
  const samples = new Samples();
  let errors = 0;
  return {
    exports: {
      /** n chains timed one by one (at most `budgetMs` when given); returns the median in ns. */
      chains: (n, budgetMs) => {
        errors = 0;
        return timeEach(
          samples,
          n,
          (i) => {
            if (hop(i) !== i + 2) errors++;
          },
          budgetMs || undefined,
        );
      },
      count: () => samples.count,
      /** Chains of the last run whose value came back wrong (must be 0). */
      errors: () => errors,
      quantile: (permille) => samples.quantile(permille),
      publish: () => samples.publish(ctx),
      release: (address) => ctx.sharedHeap.free(address),
    },
  };
}
