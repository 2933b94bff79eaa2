// Fault injection, the compartment side: wraps the exported functions of the library named in the
// injection spec so that its N-th entry runs a fault routine in that library's context (the memory
// view names it in any fault), then carries on into the real function.

import type { LibraryContext } from '../../kernel/abi/context.js';
import type { GateFunction } from '../gates/callee.js';
import { SIGNAL_DETAIL, SIGNAL_STATE, STATE_COMPLETED, STATE_FIRED, type FaultName, type InjectionSpec } from '../host/faults.js';

/** What a fault routine may use: the faulty library's own context, plus a raw gate for bad pointers. */
export interface FaultEnvironment {
  readonly ctx: LibraryContext;
  /** The library declares callsPointers (a scheduler): its corrupted pointer goes through callPointer. */
  readonly callsPointers: boolean;
  /** Calls export `fnId` as a corrupted pointer would: a direct call or a gate, with no declaration check. */
  rawCall(fnId: number, args: number[]): number;
  /** Export ids this library never declared calling, that a corrupted pointer could land on. */
  undeclaredTargets(): number[];
}

export class FaultInjector {
  readonly #spec: InjectionSpec;
  readonly #signal: Int32Array;
  readonly #env: () => FaultEnvironment;
  #entries = 0;

  constructor(spec: InjectionSpec, env: () => FaultEnvironment) {
    this.#spec = spec;
    this.#signal = new Int32Array(spec.signal);
    this.#env = env;
  }

  /** The function as the image will call it: counts entries, fires the fault once. */
  wrap(impl: GateFunction): GateFunction {
    return (...args: number[]) => {
      if (++this.#entries === this.#spec.after) this.#fire();
      return impl(...args);
    };
  }

  #fire(): void {
    Atomics.store(this.#signal, SIGNAL_STATE, STATE_FIRED);
    const detail = FAULT_ROUTINES[this.#spec.fault](this.#env(), this.#spec);
    Atomics.store(this.#signal, SIGNAL_DETAIL, detail);
    Atomics.store(this.#signal, SIGNAL_STATE, STATE_COMPLETED); // only reached when nothing stopped it
  }
}

const X = 0x58; // 'X'
const isText = (b: number): boolean => b >= 0x20 && b < 0x7f;
/** Text runs at least this long are taken for application data (TLSF metadata holds small binary words). */
const MIN_RUN = 8;

/** Each routine returns a detail number for the report; a stopped routine throws instead. */
const FAULT_ROUTINES: Readonly<Record<FaultName, (env: FaultEnvironment, spec: InjectionSpec) => number>> = {
  // A compromised library scribbles over the strings it finds in the victim's heap.
  'wild-write': ({ ctx }, spec) => {
    const base = ctx.memory.baseOf(spec.target);
    const bytes = ctx.memory.view(base, spec.targetSize, 'write');
    let overwritten = 0;
    for (let i = 0; i < bytes.length; ) {
      let j = i;
      while (j < bytes.length && isText(bytes[j]!)) j++;
      if (j - i >= MIN_RUN) {
        bytes.fill(X, i, j);
        overwritten++;
      }
      i = j + 1;
    }
    return overwritten;
  },
  // ... or reads them out: the count of strings it could exfiltrate.
  'secret-read': ({ ctx }, spec) => {
    const bytes = ctx.memory.readBytes(ctx.memory.baseOf(spec.target), spec.targetSize);
    let strings = 0;
    for (let i = 0; i < bytes.length; ) {
      let j = i;
      while (j < bytes.length && isText(bytes[j]!)) j++;
      if (j - i >= MIN_RUN) strings++;
      i = j + 1;
    }
    return strings;
  },
  // Writes 16 bytes past a block it allocated (over the next block's header).
  'heap-overflow': ({ ctx }) => {
    const size = 24;
    const p = ctx.heap.malloc(size);
    const end = p + ctx.heap.usableSize(p) + 16;
    for (let a = p; a < end; a++) ctx.memory.write8(a, 0x41);
    return end - p - size;
  },
  // Writes into a block after freeing it (past the free-list links, so only the data is stale).
  'use-after-free': ({ ctx }) => {
    const p = ctx.heap.malloc(32);
    ctx.heap.free(p);
    for (let a = p + 8; a < p + 32; a++) ctx.memory.write8(a, 0x41);
    return 24;
  },
  // A local buffer overrun over the frame above it (the caller's saved state).
  'stack-smash': ({ ctx }) =>
    ctx.stack.frame(() => {
      ctx.stack.local(64); // the caller's own frame further up: the overrun stays inside the stack
      const saved = ctx.stack.local(16);
      for (let i = 0; i < 16; i++) ctx.memory.write8(saved + i, i + 1);
      ctx.stack.frame(() => {
        const buf = ctx.stack.local(16);
        for (let i = 0; i < 32; i++) ctx.memory.write8(buf + i, 0x41); // 16 bytes too many: up the stack
      });
      let smashed = 0;
      for (let i = 0; i < 16; i++) if (ctx.memory.read8(saved + i) !== i + 1) smashed++;
      return smashed;
    }),
  // A corrupted function pointer: through callPointer when the library calls pointers, else a
  // gate to a function the library never declared calling.
  'bad-pointer': (env) => {
    if (env.callsPointers) return env.ctx.callPointer(0x41414141, 1, 1);
    const target = env.undeclaredTargets()[0];
    if (target === undefined) return env.ctx.callPointer(0x41414141, 1, 1);
    return env.rawCall(target, [1, 1, 1, 1, 1, 1]);
  },
  'infinite-loop': () => {
    let spins = 0;
    for (;;) spins = (spins + 1) | 0; // never returns: only the watchdog (or the host's teardown) ends it
  },
  crash: () => {
    const state = null as unknown as { next: number };
    return state.next; // a null dereference: TypeError
  },
};

