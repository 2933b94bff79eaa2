// SafeStack for hardened libraries: their stack buffers (the ones an overflow can run out of)
// live on a separate unsafe stack, carved from a heap, so a smashed buffer cannot reach the
// frames, return addresses and canaries of the real stack. Clang: -fsanitize=safe-stack.

import { FlexosError } from '../../../kernel/abi/errors.js';
import type { Allocator } from '../../../shm/heap.js';

/** Buffers this large or larger go to the unsafe stack (smaller scalars stay on the safe one). */
export const SAFESTACK_MIN_BYTES = 32;
const UNSAFE_STACK_BYTES = 256 * 1024;
/** Room above the top buffer, so an overflow of it lands in the unsafe stack, not in the heap's next block. */
const TOP_SLACK = 256;
const ALIGN = 16;

/** One unsafe stack: a bump area in a heap, allocated on first use, popped with its frame. */
export class UnsafeStack {
  readonly #heap: Allocator;
  readonly #name: string;
  #base = 0;
  /** Offset of the top of the unsafe stack in its area (the area itself is allocated on first push). */
  #sp = UNSAFE_STACK_BYTES - TOP_SLACK;

  constructor(heap: Allocator, name: string) {
    this.#heap = heap;
    this.#name = name;
  }

  /** The stack pointer, to restore when the frame that pushed returns. */
  mark(): number {
    return this.#sp;
  }

  release(mark: number): void {
    this.#sp = mark;
  }

  push(bytes: number): number {
    if (this.#base === 0) {
      this.#base = this.#heap.malloc(UNSAFE_STACK_BYTES);
      if (this.#base === 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', `no room for the ${this.#name} unsafe stack`);
    }
    const sp = this.#sp - Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    if (sp < 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', `unsafe stack overflow (${this.#name}, ${UNSAFE_STACK_BYTES} bytes)`);
    this.#sp = sp;
    return this.#base + sp;
  }
}
