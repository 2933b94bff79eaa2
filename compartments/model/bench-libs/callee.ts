// Bench library callee: the empty function of the paper's gate latency benchmark (Fig. 11a).

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';

export function create(_ctx: LibraryContext): LibraryInstance {
  return { exports: { empty: () => 0 } };
}
