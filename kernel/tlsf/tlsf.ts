// tlsf: walks this compartment's heaps and checks their invariants (the allocator is shm/tlsf.ts).

import type { LibraryContext, LibraryInstance } from '../abi/context.js';

export function create(ctx: LibraryContext): LibraryInstance {
  return {
    exports: {
      tlsf_check: () => {
        ctx.heap.check();
        ctx.sharedHeap.check();
        return 0;
      },
    },
  };
}
