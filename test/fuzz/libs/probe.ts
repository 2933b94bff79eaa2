// Two test micro-libraries for the gate fuzzer: `relay` (the caller, entered from the host) passes
// whatever argument list it is given through a gate to `probe`, whose at<k> returns its k-th argument.

import { createRegistry, type LibraryDescriptor } from '../../../kernel/abi/library.js';
import type { LibraryContext, LibraryInstance } from '../../../kernel/abi/context.js';
import { MAX_ARGS } from '../../../compartments/gates/protocol.js';

/** at0 .. at<MAX_ARGS - 1>: one probe function per argument position. */
export const POSITIONS = Array.from({ length: MAX_ARGS }, (_, k) => `at${k}`);
const INTS = ['int', 'int', 'int', 'int', 'int', 'int'] as const; // what a vmept build accepts

export const relay: LibraryDescriptor = {
  name: 'relay',
  exports: { relay: { args: ['int'], returns: 'int' } },
  calls: { probe: POSITIONS },
  whitelist: [],
  implementation: import.meta.url,
};

export const probe: LibraryDescriptor = {
  name: 'probe',
  exports: Object.fromEntries(POSITIONS.map((p) => [p, { args: INTS, returns: 'int' }])),
  calls: {},
  whitelist: [],
  implementation: import.meta.url,
};

export const probeRegistry = createRegistry([relay, probe]);

/** One module implements both libraries; the runtime creates each in its own compartment. */
export function create(ctx: LibraryContext): LibraryInstance {
  if (ctx.library === 'probe') {
    return { exports: Object.fromEntries(POSITIONS.map((p, k) => [p, (...args: number[]) => args[k] ?? -1])) };
  }
  const at = POSITIONS.map((p) => ctx.import('probe', p));
  return {
    exports: {
      // relay(k, ...args): probe.at<k>(...args) through the gate.
      relay: (k, ...args) => at[k ?? 0]!(...args),
    },
  };
}
