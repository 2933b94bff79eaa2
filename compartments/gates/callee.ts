// The callee side of a gate: take the call posted in a control block, run the function in this
// compartment, publish the return value (or the error) and ring the caller's doorbell.
// FlexOS: the RPC server loop of flexos_vmept_rpc_server(); the PKRU write of the MPK gates.

import { FlexosError } from '../../kernel/abi/errors.js';
import {
  B_ARGC, B_ARGS_OFFSET, B_ERROR_LENGTH, B_ERROR_OFFSET, B_FN, B_RETURN_OFFSET, B_STATE, ERROR_BYTES,
  H_DOORBELL, H_PARKED, STATE_RETURNED, STATE_THREW, blockCaller, blockOffset, headerWord,
} from './protocol.js';
import type { Memory } from '../../shm/memory.js';

import type { GateFunction } from '../../kernel/abi/context.js';

export type { GateFunction } from '../../kernel/abi/context.js';

export interface ExportedFunction {
  readonly library: string;
  readonly fn: string;
  readonly impl: GateFunction;
}

const encoder = new TextEncoder();

/** A thrown value as text; one that cannot be converted (no toString) must still be answered, not hang its caller. */
function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export class GateCallee {
  readonly #words: Int32Array;
  readonly #f64: Float64Array;
  readonly #bytes: Uint8Array;
  readonly #functions: readonly (ExportedFunction | undefined)[];
  readonly #memory: Memory;
  readonly #cfi: ((from: number, fnId: number) => void) | undefined;
  readonly #args: number[] = [];
  /** Calls served, for the report. */
  served = 0;

  /** `cfi`: the gate-entry check of this compartment's CFI-hardened libraries (throws on an undeclared call). */
  constructor(rpc: SharedArrayBuffer, options: { functions: readonly (ExportedFunction | undefined)[]; memory: Memory; cfi?: (from: number, fnId: number) => void }) {
    this.#words = new Int32Array(rpc);
    this.#f64 = new Float64Array(rpc);
    this.#bytes = new Uint8Array(rpc);
    this.#functions = options.functions;
    this.#memory = options.memory;
    this.#cfi = options.cfi;
  }

  /**
   * Runs the call in block `index` (already claimed from PENDING) and publishes its outcome. The
   * caller is the compartment the block belongs to: the FROM word is the caller's to write, so a
   * compartment could name any other there and pass the CFI check in its place. (The blocks share
   * the RPC region every compartment maps, so one that rewrites another's whole block still poses
   * as it; blocks under each caller's own key would close that.)
   */
  serve(index: number): void {
    const from = blockCaller(index);
    if (from === 0) return; // a token naming no compartment's block: nobody to answer
    const base = blockOffset(index);
    const w = base >> 2;
    const words = this.#words;
    const fnId = words[w + B_FN] ?? -1;
    const argc = (words[w + B_ARGC] ?? 0) & 0xff;
    const args = this.#args;
    args.length = argc;
    const a = (base + B_ARGS_OFFSET) >> 3;
    for (let i = 0; i < argc; i++) args[i] = this.#f64[a + i] ?? 0;
    const entry = this.#functions[fnId];
    const memory = this.#memory;
    const previousLibrary = memory.library;
    let state = STATE_RETURNED;
    try {
      if (this.#cfi !== undefined) this.#cfi(from, fnId);
      if (!entry) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `no function ${fnId} is exported by this compartment`);
      memory.library = entry.library;
      const result = entry.impl(...args);
      this.#f64[(base + B_RETURN_OFFSET) >> 3] = typeof result === 'number' ? result : 0;
    } catch (error) {
      state = STATE_THREW;
      this.#writeError(base, error);
    } finally {
      memory.library = previousLibrary;
    }
    this.served++;
    Atomics.store(words, w + B_STATE, state); // published last
    Atomics.add(words, headerWord(from, H_DOORBELL), 1);
    // As on the caller side: a caller that is not asleep (spinning on its state word) needs no wake;
    // the doorbell is bumped before PARKED is read, so a caller about to sleep sees the bump.
    if (Atomics.load(words, headerWord(from, H_PARKED)) !== 0) Atomics.notify(words, headerWord(from, H_DOORBELL));
  }

  #writeError(base: number, error: unknown): void {
    const code = error instanceof FlexosError ? error.code : error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : textOf(error);
    // encodeInto stops at the error area's end on a whole character (no half of a multi-byte one
    // for the caller to decode as U+FFFD), and never writes into the next block.
    const area = this.#bytes.subarray(base + B_ERROR_OFFSET, base + B_ERROR_OFFSET + ERROR_BYTES);
    const { written } = encoder.encodeInto(`${code}\n${message}`, area);
    this.#words[(base >> 2) + B_ERROR_LENGTH] = written;
  }
}
