// Simulated stacks and where data annotated as shared lands (FlexOS: flexos_whitelist on a stack
// variable). The same library code calls `shared(n)`; the strategy decides: the one shared stack
// (MPK-light), the data shadow stack at the same offset as the private slot (DSS), or a shared-heap
// allocation freed when the frame returns (stack-to-heap conversion).

import { FlexosError } from './errors.js';
import { makeAddress } from './address.js';
import type { Allocator } from './heap.js';

/** shared stacks (MPK-light) | private stacks + data shadow stack | private stacks, shared stack data converted to heap. */
export type StackStrategy = 'shared' | 'dss' | 'heap';

/** Bytes reserved at the bottom of a stack region (the shared stack keeps its pointer there). */
const STACK_HEADER = 16;
const ALIGN = 16;

export interface StackRegions {
  /** The region the frames live in: this compartment's private stack, or the one shared stack. */
  readonly stack: { readonly id: number; readonly buffer: SharedArrayBuffer; readonly size: number };
  /** DSS: this compartment's shadow region, the same size, protection key 15. */
  readonly dss?: { readonly id: number };
}

/**
 * Hardening of the frames of some libraries (stack protector, safestack), installed by the runtime
 * only in compartments that have such a library: unhardened compartments never consult it.
 */
export interface StackGuard {
  /** A frame was opened (its token); may push a canary with `push`. */
  enter(token: number): void;
  /** The frame `token` was popped (the stack pointer is already back); checks its canary. */
  leave(token: number): void;
  /** An address for a buffer of `bytes` on an unsafe stack (safestack), or 0 to place it here. */
  local(bytes: number, shared: boolean): number;
}

export class StackFrames {
  readonly strategy: StackStrategy;
  readonly compartment: string;
  readonly #stackId: number;
  readonly #dssId: number;
  readonly #size: number;
  /** With shared stacks the pointer lives in the shared region, since every compartment pushes on it. */
  readonly #sp: Int32Array;
  readonly #sharedHeap: Allocator;
  readonly #heapAllocations: number[] = [];
  /** Frames deep, for the stack protector and the report. */
  depth = 0;
  /** Hardening of the frames of the compartment's hardened libraries, if any. */
  guard: StackGuard | undefined = undefined;
  /** Told of every shared variable (the modelled clock prices them by strategy, Fig. 11b). */
  onShared: (() => void) | undefined = undefined;

  constructor(strategy: StackStrategy, options: { compartment: string; regions: StackRegions; sharedHeap: Allocator }) {
    this.strategy = strategy;
    this.compartment = options.compartment;
    this.#stackId = options.regions.stack.id;
    this.#size = options.regions.stack.size;
    this.#dssId = options.regions.dss?.id ?? 0;
    if (strategy === 'dss' && this.#dssId === 0) throw new TypeError('the dss strategy needs a shadow region');
    this.#sharedHeap = options.sharedHeap;
    this.#sp = strategy === 'shared' ? new Int32Array(options.regions.stack.buffer, 0, 1) : new Int32Array(1);
    if (Atomics.load(this.#sp, 0) === 0) Atomics.store(this.#sp, 0, this.#size);
  }

  /** Opens a frame; pass the token to `leave`. */
  enter(): number {
    this.depth++;
    const token = this.#sp[0]! * 65536 + this.#heapAllocations.length;
    if (this.guard !== undefined) this.guard.enter(token);
    return token;
  }

  /** Pops the frame: the stack pointer goes back, stack-to-heap allocations are freed. */
  leave(token: number): void {
    const heapMark = token % 65536;
    while (this.#heapAllocations.length > heapMark) this.#sharedHeap.free(this.#heapAllocations.pop()!);
    this.#sp[0] = Math.floor(token / 65536);
    this.depth--;
    if (this.guard !== undefined) this.guard.leave(token); // after the pop: a smashed canary still unwinds
  }

  /** Runs `body` in a frame of its own. */
  frame<T>(body: () => T): T {
    const token = this.enter();
    try {
      return body();
    } finally {
      this.leave(token);
    }
  }

  /** A private local (only this compartment can touch it, except with shared stacks). */
  local(bytes: number): number {
    if (this.guard !== undefined) {
      const unsafe = this.guard.local(bytes, this.strategy === 'shared');
      if (unsafe !== 0) return unsafe;
    }
    return makeAddress(this.#stackId, this.#push(bytes));
  }

  /** A slot on this stack itself, never moved elsewhere (the stack protector's canary). */
  push(bytes: number): number {
    return makeAddress(this.#stackId, this.#push(bytes));
  }

  /** A local annotated as shared: reachable by the other compartments this frame calls. */
  shared(bytes: number): number {
    if (this.onShared !== undefined) this.onShared();
    if (this.guard !== undefined) {
      const unsafe = this.guard.local(bytes, true);
      if (unsafe !== 0) return unsafe;
    }
    switch (this.strategy) {
      case 'shared':
        return makeAddress(this.#stackId, this.#push(bytes));
      case 'dss':
        return makeAddress(this.#dssId, this.#push(bytes)); // FlexOS: the shadow slot at the same offset
      case 'heap': {
        const address = this.#sharedHeap.malloc(bytes);
        if (address === 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', `shared heap exhausted converting a ${bytes}-byte stack variable in ${this.compartment}`);
        this.#heapAllocations.push(address);
        return address;
      }
    }
  }

  /** Bytes of stack in use. */
  used(): number {
    return this.#size - this.#sp[0]!;
  }

  #push(bytes: number): number {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const sp = this.#sp[0]! - size;
    if (sp < STACK_HEADER) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', `stack overflow in compartment ${this.compartment} (${this.#size} bytes)`);
    this.#sp[0] = sp;
    return sp;
  }
}
