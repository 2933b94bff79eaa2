// The stack protector of hardened libraries (-fstack-protector-strong): a random canary word at
// the top of each frame such a library opens, checked when the frame is popped. Also where
// safestack diverts their buffers, since both hook the same frames.

import { HardeningViolation } from '../../../kernel/abi/errors.js';
import { offsetOf } from '../../../shm/address.js';
import type { Memory } from '../../../shm/memory.js';
import type { StackFrames, StackGuard } from '../../../shm/stack.js';
import { SAFESTACK_MIN_BYTES, type UnsafeStack } from './safestack.js';

export interface FrameGuardOptions {
  readonly memory: Memory;
  readonly stack: StackFrames;
  /** The memory of the region the frames live in (the canary is written and read there). */
  readonly stackBuffer: SharedArrayBuffer;
  readonly protect: ReadonlySet<string>;
  readonly safestack: ReadonlySet<string>;
  /** Unsafe stacks: for private buffers and for buffers other compartments must reach. */
  readonly unsafe: { readonly private: UnsafeStack; readonly shared: UnsafeStack };
}

const NO_CANARY = -1;

export class FrameGuard implements StackGuard {
  readonly #options: FrameGuardOptions;
  readonly #view: DataView;
  /** FlexOS/Unikraft: __stack_chk_guard, one random word per image (here per compartment). */
  readonly #canary: number;
  // The open frames, innermost last: token, canary address, library, unsafe-stack marks.
  readonly #tokens: number[] = [];
  readonly #canaries: number[] = [];
  readonly #libraries: string[] = [];
  readonly #privateMarks: number[] = [];
  readonly #sharedMarks: number[] = [];

  constructor(options: FrameGuardOptions) {
    this.#options = options;
    this.#view = new DataView(options.stackBuffer);
    this.#canary = (crypto.getRandomValues(new Uint32Array(1))[0]! | 1) >>> 0;
  }

  enter(token: number): void {
    const o = this.#options;
    const library = o.memory.library;
    let canary = NO_CANARY;
    if (o.protect.has(library)) {
      canary = o.stack.push(8);
      this.#view.setUint32(offsetOf(canary), this.#canary, true);
      this.#view.setUint32(offsetOf(canary) + 4, ~this.#canary >>> 0, true);
    }
    this.#tokens.push(token);
    this.#canaries.push(canary);
    this.#libraries.push(library);
    this.#privateMarks.push(o.unsafe.private.mark());
    this.#sharedMarks.push(o.unsafe.shared.mark());
  }

  leave(token: number): void {
    // Frames left without `leave` (unwound by an exception) are popped with the one that is left.
    let i = this.#tokens.length - 1;
    while (i >= 0 && this.#tokens[i] !== token) i--;
    if (i < 0) return;
    const canary = this.#canaries[i]!;
    const library = this.#libraries[i]!;
    this.#options.unsafe.private.release(this.#privateMarks[i]!);
    this.#options.unsafe.shared.release(this.#sharedMarks[i]!);
    for (const list of [this.#tokens, this.#canaries, this.#libraries, this.#privateMarks, this.#sharedMarks]) list.length = i;
    if (canary === NO_CANARY) return;
    const low = this.#view.getUint32(offsetOf(canary), true);
    const high = this.#view.getUint32(offsetOf(canary) + 4, true);
    if (low !== this.#canary || high !== ~this.#canary >>> 0) {
      // FlexOS/Unikraft: __stack_chk_fail() -> "stack smashing detected".
      throw new HardeningViolation({ check: 'stackprotector', library, address: canary, detail: 'stack smashing detected: the frame canary was overwritten' });
    }
  }

  local(bytes: number, shared: boolean): number {
    const o = this.#options;
    if (bytes < SAFESTACK_MIN_BYTES || this.#tokens.length === 0 || !o.safestack.has(o.memory.library)) return 0;
    return (shared ? o.unsafe.shared : o.unsafe.private).push(bytes);
  }
}
