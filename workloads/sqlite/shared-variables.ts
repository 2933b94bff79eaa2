// The sqlite library's whitelisted stack variables (exports.ts: zPath, iobuf, statbuf): what the VFS
// hands vfscore lives in shared frames, since vfscore may sit in another compartment; SQLite's own
// buffers live in the engine's WebAssembly heap, so I/O is copied between the two here.

import type { Memory } from '../../shm/memory.js';
import type { StackFrames } from '../../shm/stack.js';
import { STAT_BYTES, STAT_SIZE } from '../../kernel/vfscore/flags.js';
import type { WasmHeap } from './engine.js';

const encoder = new TextEncoder();

export interface SharedVariablesOptions {
  readonly memory: Memory;
  readonly stack: StackFrames;
  readonly wasm: Pick<WasmHeap, 'heap8u'>;
}

export class SharedVariables {
  readonly #memory: Memory;
  readonly #stack: StackFrames;
  readonly #wasm: Pick<WasmHeap, 'heap8u'>;

  constructor(options: SharedVariablesOptions) {
    this.#memory = options.memory;
    this.#stack = options.stack;
    this.#wasm = options.wasm;
  }

  /** zPath: `path`'s UTF-8 bytes (no NUL: vfscore takes a length) for the span of `body`. */
  withPath(path: string, body: (address: number, length: number) => number): number {
    return this.#stack.frame(() => {
      const bytes = encoder.encode(path);
      const address = this.#stack.shared(bytes.length);
      this.#memory.writeBytes(address, bytes);
      return body(address, bytes.length);
    });
  }

  /**
   * iobuf for a read: `fill` reads up to `amount` bytes into it and answers the count (or -errno);
   * that many bytes are copied to the heap at `pDest`. Returns the count, or fill's -errno (nothing copied).
   */
  readInto(pDest: number, amount: number, fill: (iobuf: number) => number): number {
    return this.#stack.frame(() => {
      const iobuf = this.#stack.shared(amount);
      const got = fill(iobuf);
      if (got < 0) return got;
      this.#wasm.heap8u().set(this.#memory.view(iobuf, got, 'read'), pDest);
      return got;
    });
  }

  /** iobuf for a write: the `amount` bytes at `pSrc` in the heap are copied in, then `drain` writes them out. */
  writeFrom(pSrc: number, amount: number, drain: (iobuf: number) => number): number {
    return this.#stack.frame(() => {
      const iobuf = this.#stack.shared(amount);
      this.#memory.view(iobuf, amount, 'write').set(this.#wasm.heap8u().subarray(pSrc, pSrc + amount));
      return drain(iobuf);
    });
  }

  /** statbuf: `fstat` fills the stat struct; answers its size field, or fstat's -errno. */
  statSize(fstat: (statbuf: number) => number): number {
    return this.#stack.frame(() => {
      const statbuf = this.#stack.shared(STAT_BYTES);
      const rc = fstat(statbuf);
      return rc < 0 ? rc : this.#memory.read64(statbuf + STAT_SIZE);
    });
  }
}
