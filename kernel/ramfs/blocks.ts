// A ramfs file's data: 4 KiB blocks allocated from ramfs's compartment heap, so the bytes live in
// simulated memory that isolating ramfs protects. Unwritten blocks are holes that read as zeros;
// bytes past the end of the file inside an allocated block are kept zero, so growing never leaks.

import type { Memory } from '../../shm/memory.js';
import type { Allocator } from '../../shm/heap.js';

export const BLOCK_BYTES = 4096;
/** Largest file: 4 GiB, so a file's block list stays an array of at most 2^20 slots. */
export const MAX_FILE_BYTES = 2 ** 32;

/** What file data needs: the heap its blocks come from and the memory they live in. */
export interface BlockStore {
  readonly memory: Pick<Memory, 'span'>;
  readonly heap: Pick<Allocator, 'calloc' | 'free'>;
}

export class FileData {
  size = 0;
  readonly #store: BlockStore;
  /** Block address by block index; 0 or missing: a hole. */
  readonly #blocks: number[] = [];
  #allocated = 0;

  constructor(store: BlockStore) {
    this.#store = store;
  }

  /** Blocks holding data (for st_blocks and leak checks). */
  get allocatedBlocks(): number {
    return this.#allocated;
  }

  /** Fills `target` with the file's bytes from `offset`; the caller clamps target to the file size. */
  readInto(target: Uint8Array, offset: number): void {
    const memory = this.#store.memory;
    for (let done = 0; done < target.length; ) {
      const pos = offset + done;
      const within = pos % BLOCK_BYTES;
      const chunk = Math.min(BLOCK_BYTES - within, target.length - done);
      const block = this.#blocks[(pos - within) / BLOCK_BYTES] ?? 0;
      if (block === 0) {
        target.fill(0, done, done + chunk);
      } else {
        const { bytes, offset: base } = memory.span(block, BLOCK_BYTES, 'read');
        target.set(bytes.subarray(base + within, base + within + chunk), done);
      }
      done += chunk;
    }
  }

  /**
   * Copies `source` into the file at `offset`, allocating blocks as needed; returns the bytes
   * written, short when the heap runs out (FlexOS's ramfs: a short write, then ENOSPC).
   */
  writeFrom(source: Uint8Array, offset: number): number {
    const { memory, heap } = this.#store;
    let done = 0;
    while (done < source.length) {
      const pos = offset + done;
      const within = pos % BLOCK_BYTES;
      const index = (pos - within) / BLOCK_BYTES;
      const chunk = Math.min(BLOCK_BYTES - within, source.length - done);
      let block = this.#blocks[index] ?? 0;
      if (block === 0) {
        block = heap.calloc(1, BLOCK_BYTES);
        if (block === 0) break;
        this.#blocks[index] = block;
        this.#allocated++;
      }
      const { bytes, offset: base } = memory.span(block, BLOCK_BYTES, 'write');
      bytes.set(source.subarray(done, done + chunk), base + within);
      done += chunk;
    }
    if (done > 0) this.size = Math.max(this.size, offset + done);
    return done;
  }

  /** Sets the size; shrinking frees whole blocks past the end and zeroes the tail of the last one. */
  truncate(length: number): void {
    if (length < this.size) {
      const keep = Math.ceil(length / BLOCK_BYTES);
      this.#freeFrom(keep);
      const within = length % BLOCK_BYTES;
      const last = within === 0 ? 0 : (this.#blocks[keep - 1] ?? 0);
      if (last !== 0) {
        const { bytes, offset: base } = this.#store.memory.span(last, BLOCK_BYTES, 'write');
        bytes.fill(0, base + within, base + BLOCK_BYTES);
      }
    }
    this.size = length;
  }

  /** Frees every block (the inode is gone). */
  release(): void {
    this.#freeFrom(0);
    this.size = 0;
  }

  #freeFrom(index: number): void {
    const heap = this.#store.heap;
    for (let i = index; i < this.#blocks.length; i++) {
      const block = this.#blocks[i] ?? 0;
      if (block !== 0) {
        heap.free(block);
        this.#allocated--;
      }
    }
    if (this.#blocks.length > index) this.#blocks.length = index;
  }
}
