// A connection's pending output in an application: reply bytes queued in the app's JS heap and
// written to lwip through a buffer annotated shared (placed by the configured stack strategy),
// keeping what a non-blocking socket did not take for the next writable event.

import type { ImportedFunction } from '../compartments/context.js';
import type { Memory } from '../shm/memory.js';
import type { StackFrames } from '../shm/stack.js';
import { ERRNO } from '../kernel/newlib/errno.js';

/** The largest chunk handed to one write(): the shared frame stays small. */
const WRITE_CHUNK = 64 * 1024;

export class OutputQueue {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
  }

  /** Writes as much as the socket takes: 'done', 'again' (EAGAIN or a partial write), or 'error'. */
  flush(fd: number, io: { write: ImportedFunction; memory: Memory; stack: StackFrames }): 'done' | 'again' | 'error' {
    while (this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const chunk = head.length > WRITE_CHUNK ? head.subarray(0, WRITE_CHUNK) : head;
      const n = io.stack.frame(() => {
        const buf = io.stack.shared(chunk.length);
        io.memory.writeBytes(buf, chunk);
        return io.write(fd, buf, chunk.length);
      });
      if (n === -ERRNO.EAGAIN) return 'again';
      if (n < 0) return 'error';
      this.#bytes -= n;
      if (n < head.length) {
        this.#chunks[0] = head.subarray(n);
        if (n < chunk.length) return 'again';
        continue;
      }
      this.#chunks.shift();
    }
    return 'done';
  }
}
