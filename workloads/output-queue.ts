// A connection's pending output in an application: reply bytes queued in the app's JS heap and
// written to lwip through a buffer annotated shared (placed by the configured stack strategy),
// keeping what a non-blocking socket did not take for the next writable event.

import type { ImportedFunction } from '../kernel/abi/context.js';
import type { Memory } from '../shm/memory.js';
import type { StackFrames } from '../shm/stack.js';
import { ERRNO } from '../kernel/newlib/errno.js';

/** The largest chunk handed to one write(): the shared frame stays small. */
const WRITE_CHUNK = 64 * 1024;

export interface OutputIo {
  readonly write: ImportedFunction;
  readonly memory: Memory;
  readonly stack: StackFrames;
}

export type FlushState = 'done' | 'again' | 'error';

/** write(fd, src[start, start + length)) through a frame's shared buffer: the bytes written or a negative errno. */
function writeChunk(fd: number, io: OutputIo, src: Uint8Array, start: number, length: number): number {
  const token = io.stack.enter();
  try {
    const buf = io.stack.shared(length);
    io.memory.writeFrom(buf, src, start, start + length);
    return io.write(fd, buf, length);
  } finally {
    io.stack.leave(token);
  }
}

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
  flush(fd: number, io: OutputIo): FlushState {
    while (this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const length = head.length > WRITE_CHUNK ? WRITE_CHUNK : head.length;
      const n = writeChunk(fd, io, head, 0, length);
      if (n === -ERRNO.EAGAIN) return 'again';
      if (n < 0) return 'error';
      this.#bytes -= n;
      if (n < head.length) {
        this.#chunks[0] = head.subarray(n);
        if (n < length) return 'again';
        continue;
      }
      this.#chunks.shift();
    }
    return 'done';
  }

  /**
   * push(tail.slice()) then flush(), without copying the tail when the queue is empty: the tail
   * (e.g. a reply buffer about to be reset) is written straight from where it is, and only what
   * the socket did not take is kept.
   */
  flushWith(fd: number, io: OutputIo, tail: Uint8Array): FlushState {
    if (this.#chunks.length > 0) {
      this.push(tail.slice());
      return this.flush(fd, io);
    }
    let at = 0;
    while (at < tail.length) {
      const length = Math.min(WRITE_CHUNK, tail.length - at);
      const n = writeChunk(fd, io, tail, at, length);
      if (n < 0) {
        this.push(tail.slice(at));
        return n === -ERRNO.EAGAIN ? 'again' : 'error';
      }
      at += n;
      if (n < length) {
        this.push(tail.slice(at));
        return 'again';
      }
    }
    return 'done';
  }
}
