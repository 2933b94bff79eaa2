// The gate benchmark's micro-libraries and the images it boots: one per gate kind (caller and
// callee alone in their compartments, or together for the plain function call), the three-
// compartment chain, and one compartment per stack strategy for the shared stack variables.

import { createRegistry, type LibraryDescriptor } from '../../../kernel/abi/library.js';
import { parseConfiguration } from '../../config/parse.js';
import type { Configuration, PinPolicy, StackStrategy, WaitPolicy } from '../../../kernel/abi/schema.js';
import type { GateKind } from '../../gates/crossings.js';

const here = (file: string): string => new URL(file, import.meta.url).href;
const int = 'int' as const;

export const caller: LibraryDescriptor = {
  name: 'caller',
  exports: { gates: { args: [int, int], returns: int }, count: { args: [], returns: int }, batches: { args: [int, int], returns: int }, quantile: { args: [int], returns: int }, publish: { args: [], returns: 'addr' }, release: { args: ['addr'] } },
  calls: { callee: ['empty'] },
  whitelist: [],
  implementation: here('./caller.js'),
};

export const callee: LibraryDescriptor = {
  name: 'callee',
  exports: { empty: { args: [] } },
  calls: {},
  whitelist: [],
  implementation: here('./callee.js'),
};

export const chain: LibraryDescriptor = {
  name: 'chain',
  exports: { chains: { args: [int, int], returns: int }, count: { args: [], returns: int }, errors: { args: [], returns: int }, quantile: { args: [int], returns: int }, publish: { args: [], returns: 'addr' }, release: { args: ['addr'] } },
  calls: { relay: ['hop'] },
  whitelist: [],
  implementation: here('./chain.js'),
};

export const relay: LibraryDescriptor = {
  name: 'relay',
  exports: { hop: { args: [int], returns: int }, back: { args: [int], returns: int } },
  calls: { leaf: ['hop'] },
  whitelist: [],
  implementation: here('./relay.js'),
};

export const leaf: LibraryDescriptor = {
  name: 'leaf',
  exports: { hop: { args: [int], returns: int } },
  calls: { relay: ['back'] },
  whitelist: [],
  implementation: here('./leaf.js'),
};

export const stackvars: LibraryDescriptor = {
  name: 'stackvars',
  exports: { frames: { args: [int, int, int], returns: int }, quantile: { args: [int], returns: int }, sink: { args: [], returns: int } },
  calls: {},
  whitelist: ['shared stack variables'],
  implementation: here('./stackvars.js'),
};

export const benchRegistry = createRegistry([caller, callee, chain, relay, leaf, stackvars]);

export interface GateOptions {
  readonly policy: WaitPolicy;
  readonly pin: PinPolicy;
}

const compartments = (driver: string, names: readonly string[]) => names.map((name, i) => ({ name, mechanism: { driver }, ...(i === 0 ? { default: true } : {}) }));

/** caller -> callee through the gate `kind` ('function': both in one compartment, a plain call). */
export function gateImage(kind: GateKind, gates: GateOptions): Configuration {
  const driver = kind === 'function' ? 'fcalls' : kind === 'ept' ? 'vmept' : 'intel-pku';
  const names = kind === 'function' ? ['comp1'] : ['comp1', 'comp2'];
  return parseConfiguration(
    {
      name: `gate-${kind}`,
      compartments: compartments(driver, names),
      libraries: { caller: { compartment: 'comp1' }, callee: { compartment: names[names.length - 1] } },
      sharing: kind === 'mpk-light' ? { stack: 'shared' } : {},
      gates: { policy: gates.policy, pin: gates.pin },
    },
    { registry: benchRegistry },
  );
}

/** chain | relay | leaf in three MPK-light compartments: A->B->C->B->A is six crossings. */
export function chainImage(gates: GateOptions): Configuration {
  return parseConfiguration(
    {
      name: 'gate-chain3',
      compartments: compartments('intel-pku', ['comp1', 'comp2', 'comp3']),
      libraries: { chain: { compartment: 'comp1' }, relay: { compartment: 'comp2' }, leaf: { compartment: 'comp3' } },
      sharing: { stack: 'shared' },
      gates: { policy: gates.policy, pin: gates.pin },
    },
    { registry: benchRegistry },
  );
}

/** stackvars alone in an MPK compartment whose shared stack data follows `strategy`. */
export function stackImage(strategy: StackStrategy): Configuration {
  const sharing = strategy === 'shared' ? { stack: 'shared' } : strategy === 'dss' ? { dss: true } : { dss: false };
  return parseConfiguration(
    { name: `stack-${strategy}`, compartments: compartments('intel-pku', ['comp1']), libraries: { stackvars: { compartment: 'comp1' } }, sharing },
    { registry: benchRegistry },
  );
}
