// Bench library relay (B of A->B->C->B->A): forwards to leaf, and serves leaf's nested call back.

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const leafHop = ctx.import('leaf', 'hop');
  return {
    exports: {
      hop: (i) => leafHop(i) + 1,
      back: (i) => i,
    },
  };
}
