// Bench library stackvars (paper Fig. 11b): an empty function that allocates N stack variables
// annotated as shared (flexos_whitelist); the stack strategy decides where they land, so the same
// code costs a shared-heap malloc/free per variable (stack-to-heap) or a stack push (DSS, shared).

import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';
import { Samples, timeBatches } from './samples.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const stack = ctx.stack;
  const samples = new Samples();
  let sink = 0;
  const withShared = (vars: number): number => {
    const token = stack.enter();
    try {
      for (let v = 0; v < vars; v++) sink += stack.shared(8);
    } finally {
      stack.leave(token);
    }
    return 0;
  };
  return {
    exports: {
      /** Median ns per call of the function with `vars` shared variables, over batches of `per` calls. */
      frames: (batches, per, vars) => timeBatches(samples, batches, per, () => withShared(vars)),
      quantile: (permille) => samples.quantile(permille),
      sink: () => sink,
    },
  };
}
