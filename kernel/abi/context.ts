// What a micro-library's implementation sees of the world: the contract between kernel/<lib>/ and
// the compartment runtime. A library reaches another library only through `import`, which the
// image resolved to a direct call or a gate; memory only through `memory`, which enforces isolation.

import type { WorkMeter } from './work.js';
import type { HardeningOption } from './library.js';
import type { Configuration } from './schema.js';
import type { Memory } from '../../shm/memory.js';
import type { Allocator } from '../../shm/heap.js';
import type { StackFrames } from '../../shm/stack.js';

/** A library function as the gates call it: integer (or address) arguments, an integer result or nothing. */
export type GateFunction = (...args: number[]) => number | void;

/** C int arithmetic; a hardened library gets the checked flavour, the others wrap like -O2 code. */
export interface CheckedInts {
  add(a: number, b: number): number;
  sub(a: number, b: number): number;
  mul(a: number, b: number): number;
  /** a << n for an int32 a. */
  shift(a: number, n: number): number;
  /** Checks 0 <= i < length and returns i (an array index). */
  index(i: number, length: number): number;
}

/** A resolved call: a gate or a direct call, always returning a number (0 for void). */
export type ImportedFunction = (...args: number[]) => number;

export interface LibraryContext {
  readonly library: string;
  readonly compartment: { readonly name: string; readonly index: number };
  readonly config: Configuration;
  readonly hardening: readonly HardeningOption[];
  readonly memory: Memory;
  /** This compartment's private heap. */
  readonly heap: Allocator;
  /** The shared heap (protection key 15): data other compartments must reach. */
  readonly sharedHeap: Allocator;
  readonly stack: StackFrames;
  /** C int arithmetic for index and length computations: UBSan-checked when the library is hardened with ubsan. */
  readonly checked: CheckedInts;
  /** Where the library reports the work it does, for the modelled clock (kernel/abi/work.ts). */
  readonly work: WorkMeter;
  /** A function of another library, as the image resolved it; only declared calls resolve. */
  import(library: string, fn: string): ImportedFunction;
  /** The function pointer of an exported function (its id in the image's export table). */
  functionId(library: string, fn: string): number;
  /**
   * Calls through a function pointer, for a library that declares `callsPointers` (a scheduler
   * starting a thread's entry): a direct call in the same compartment, a gate otherwise. Only
   * exported functions taking (int, int) are valid targets; anything else is refused.
   */
  callPointer(pointer: number, a: number, b: number): number;
  /** True when `pointer` is a valid target for callPointer. */
  isPointer(pointer: number): boolean;
  /** A simulated device's memory (e.g. `netdev`), handed only to the compartment that drives it. */
  device(name: string): SharedArrayBuffer;
  /** Marks the unikernel's CPU idle (parked on an external event) so open gates do not time out. */
  idle<T>(body: () => T): T;
  /** Throws the shutdown signal when the host is tearing the image down (long waits call it). */
  checkShutdown(): void;
  /** Writes to the host console (FlexOS: the platform console behind newlib's printf). */
  log(text: string): void;
}

export interface LibraryInstance {
  /** The implementation of every function in the library's exportsyms. */
  readonly exports: Readonly<Record<string, GateFunction>>;
  /** Called once, after every compartment has loaded, callees before callers. */
  init?(): void;
  /** Called at shutdown, in reverse order. */
  stop?(): void;
  /**
   * Called when this compartment's thread is about to wait with nothing of its own to run (its top
   * level, or ctx.idle): FlexOS's idle thread before it halts the CPU. A driver flushes batched
   * device notifications here.
   */
  beforeIdle?(): void;
}

/** What a library's implementation module exports. */
export interface LibraryModule {
  create(context: LibraryContext): LibraryInstance;
}
