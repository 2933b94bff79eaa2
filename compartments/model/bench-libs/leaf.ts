// Bench library leaf (C of A->B->C->B->A): calls back into relay while relay waits on it.

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const back = ctx.import('relay', 'back');
  return { exports: { hop: (i) => back(i) + 1 } };
}
