// Driving the gate protocol in one thread: an RPC region, a scripted peer that reads and writes the
// control-block words the way the other side would, and a fake doorbell wait that runs the next step
// of the other side where a compartment would block. Shared by the gate tests.

import {
  B_ARGC, B_ARGS_OFFSET, B_ERROR_LENGTH, B_ERROR_OFFSET, B_FN, B_FROM, B_RETURN_OFFSET, B_STATE, B_TO,
  H_DOORBELL, H_PENDING, MAX_ARGS, RPC_REGION_BYTES, STATE_CALLED, STATE_RETURNED, blockIndex, blockOffset, headerWord,
} from '../../../compartments/gates/protocol.js';
import type { DoorbellWait } from '../../../compartments/gates/caller.js';
import type { Edge } from '../../../compartments/gates/crossings.js';
import { Memory } from '../../../shm/memory.js';

export const EDGES: readonly Edge[] = [
  { caller: 'alpha', callee: 'beta', kind: 'mpk-dss' },
  { caller: 'beta', callee: 'alpha', kind: 'mpk-dss' },
];

/** A compartment's memory without regions: the gate code only names the running library in it. */
export const memoryOf = (compartment: string): Memory => new Memory({ compartment, table: [], buffers: new Map() });

/** The arguments a port handed its wait, one record per wait. */
export interface WaitCall {
  readonly index: number;
  readonly seen: number;
  readonly sliceMs: number;
  readonly parked: number | undefined;
  readonly watch: number | undefined;
  readonly watchValue: number | undefined;
}

/**
 * A doorbell wait that never blocks: each wait runs `step(n)` (n counts from 0), the other side's
 * next move. Records what it was asked to wait on.
 */
export class FakeDoorbell implements DoorbellWait {
  readonly calls: WaitCall[] = [];
  step: (n: number, call: WaitCall) => void;

  constructor(step: (n: number, call: WaitCall) => void = () => {}) {
    this.step = step;
  }

  wait(_words: Int32Array, index: number, seen: number, sliceMs: number, parked?: number, watch?: number, watchValue?: number): void {
    const call = { index, seen, sliceMs, parked, watch, watchValue };
    this.calls.push(call);
    this.step(this.calls.length - 1, call);
  }
}

/** What a control block holds, read back word by word. */
export interface BlockView {
  readonly state: number;
  readonly from: number;
  readonly to: number;
  readonly fn: number;
  readonly argc: number;
  readonly returns: number;
  readonly args: number[];
  readonly value: number;
  readonly error: string;
}

/** An RPC region and the reads and writes of the side a test plays by hand. */
export class RpcRegion {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Uint8Array;

  /** `buffer`: an image's rpc region; a fresh one by default. */
  constructor(buffer = new SharedArrayBuffer(RPC_REGION_BYTES)) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  header(compartment: number, word: number): number {
    return Atomics.load(this.words, headerWord(compartment, word));
  }

  block(compartment: number, depth: number): BlockView {
    const base = blockOffset(blockIndex(compartment, depth));
    const w = base >> 2;
    const argcWord = this.words[w + B_ARGC] ?? 0;
    const argc = argcWord & 0xff;
    const length = this.words[w + B_ERROR_LENGTH] ?? 0;
    const a = (base + B_ARGS_OFFSET) >> 3;
    return {
      state: Atomics.load(this.words, w + B_STATE),
      from: this.words[w + B_FROM] ?? 0,
      to: this.words[w + B_TO] ?? 0,
      fn: this.words[w + B_FN] ?? 0,
      argc,
      returns: argcWord >> 8,
      args: Array.from(this.f64.subarray(a, a + argc)),
      value: this.f64[(base + B_RETURN_OFFSET) >> 3] ?? 0,
      error: new TextDecoder().decode(this.bytes.slice(base + B_ERROR_OFFSET, base + B_ERROR_OFFSET + length)),
    };
  }

  /** Plays a caller: fills `from`'s block at `depth`, publishes CALLED, posts it to `to` and rings. */
  post(call: { from: number; depth?: number; to: number; fnId: number; args?: readonly number[] }): number {
    const index = blockIndex(call.from, call.depth ?? 0);
    const base = blockOffset(index);
    const w = base >> 2;
    const args = call.args ?? [];
    if (args.length > MAX_ARGS) throw new RangeError(`${args.length} arguments`);
    args.forEach((v, i) => (this.f64[((base + B_ARGS_OFFSET) >> 3) + i] = v));
    this.words[w + B_FROM] = call.from;
    this.words[w + B_TO] = call.to;
    this.words[w + B_FN] = call.fnId;
    this.words[w + B_ARGC] = args.length | (1 << 8);
    Atomics.store(this.words, w + B_STATE, STATE_CALLED);
    if (Atomics.compareExchange(this.words, headerWord(call.to, H_PENDING), 0, index + 1) !== 0) {
      throw new Error(`compartment ${call.to} already has a call pending`);
    }
    Atomics.add(this.words, headerWord(call.to, H_DOORBELL), 1);
    return index;
  }

  /** Plays a callee: takes the call pending for `compartment` (block index + 1, or 0 when none). */
  claim(compartment: number): number {
    return Atomics.exchange(this.words, headerWord(compartment, H_PENDING), 0);
  }

  /** Plays a callee: publishes `value` as the return of the call in block `index` and rings its caller. */
  answer(index: number, value: number): void {
    const base = blockOffset(index);
    const w = base >> 2;
    this.f64[(base + B_RETURN_OFFSET) >> 3] = value;
    Atomics.store(this.words, w + B_STATE, STATE_RETURNED);
    Atomics.add(this.words, headerWord(this.words[w + B_FROM] ?? 0, H_DOORBELL), 1);
  }

  /** Byte offsets that differ from `before` (a copy of `bytes`), as [start, end) runs. */
  changedSince(before: Uint8Array): [number, number][] {
    const runs: [number, number][] = [];
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i] === before[i]) continue;
      const last = runs[runs.length - 1];
      if (last && last[1] === i) last[1] = i + 1;
      else runs.push([i, i + 1]);
    }
    return runs;
  }
}

/** True when every changed run lies inside one of the `allowed` [start, end) byte ranges. */
export function onlyWithin(runs: readonly [number, number][], allowed: readonly [number, number][]): boolean {
  return runs.every(([s, e]) => allowed.some(([a, b]) => s >= a && e <= b));
}

/** The byte range of i32 word `word` of the header of `compartment`. */
export const headerBytes = (compartment: number, word: number): [number, number] => [headerWord(compartment, word) * 4, headerWord(compartment, word) * 4 + 4];

/** The byte range of [offset, offset + length) inside block `index`. */
export const blockBytes = (index: number, offset: number, length: number): [number, number] => [blockOffset(index) + offset, blockOffset(index) + offset + length];
