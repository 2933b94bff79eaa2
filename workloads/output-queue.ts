// A connection's pending output in an application: reply bytes queued in the app's JS heap and
// written to lwip through a buffer annotated shared (placed by the configured stack strategy),
// keeping what a non-blocking socket did not take for the next writable event. Redis keeps it in
// the JS heap (OutputQueue); Nginx in its compartment's TLSF heap (HeapOutputQueue).

import type { ImportedFunction } from '../kernel/abi/context.js';
import type { Allocator } from '../shm/heap.js';
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

/**
 * Writes `bytes` straight from where they are, a chunk at a time, until the socket takes less than
 * a chunk: how many bytes it took, and whether it failed (an errno other than EAGAIN).
 */
function writeStraight(fd: number, io: OutputIo, bytes: Uint8Array): { readonly taken: number; readonly error: boolean } {
  let taken = 0;
  while (taken < bytes.length) {
    const length = Math.min(WRITE_CHUNK, bytes.length - taken);
    const n = writeChunk(fd, io, bytes, taken, length);
    if (n === -ERRNO.EAGAIN) break;
    if (n < 0) return { taken, error: true };
    taken += n;
    if (n < length) break;
  }
  return { taken, error: false };
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
    const { taken, error } = writeStraight(fd, io, tail);
    if (taken < tail.length) this.push(tail.slice(taken));
    return error ? 'error' : taken < tail.length ? 'again' : 'done';
  }
}

/**
 * A connection's pending output kept in the compartment's own heap (TLSF) rather than in the JS
 * heap: what nginx's chain buffers are (allocated from the request pool), and what the host can
 * read as the compartment's memory. Bytes go straight to the socket when nothing is queued; only
 * what the socket did not take is copied into the heap, so a client that keeps up never costs an
 * allocation. send() reports 'nomem' when the heap has no room for the rest.
 */
export class HeapOutputQueue {
  readonly #heap: Allocator;
  readonly #io: OutputIo;
  #chunks: { address: number; length: number; at: number }[] = [];
  #bytes = 0;

  constructor(heap: Allocator, io: OutputIo) {
    this.#heap = heap;
    this.#io = io;
  }

  /** Bytes waiting for the socket. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Writes `bytes` after what is queued: the socket first, the heap for the rest. */
  send(fd: number, bytes: Uint8Array): FlushState | 'nomem' {
    if (bytes.length === 0) return this.#chunks.length > 0 ? 'again' : 'done';
    let at = 0;
    if (this.#chunks.length === 0) {
      const { taken, error } = writeStraight(fd, this.#io, bytes);
      if (error) return 'error';
      if (taken === bytes.length) return 'done';
      at = taken;
    }
    return this.#keep(bytes.subarray(at)) ? 'again' : 'nomem';
  }

  /** send() of bytes already in simulated memory (a shared buffer a file was read into), written from where they are. */
  sendFrom(fd: number, address: number, length: number): FlushState | 'nomem' {
    let at = 0;
    if (this.#chunks.length === 0) {
      at = this.#io.write(fd, address, length);
      if (at === -ERRNO.EAGAIN) at = 0;
      else if (at < 0) return 'error';
      if (at === length) return 'done';
    }
    return this.#keep(this.#io.memory.view(address + at, length - at, 'read')) ? 'again' : 'nomem';
  }

  /** Writes what is queued as far as the socket takes it, freeing each chunk once written. */
  flush(fd: number): FlushState {
    while (this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const length = Math.min(WRITE_CHUNK, head.length - head.at);
      const n = this.#io.stack.frame(() => {
        const buf = this.#io.stack.shared(length);
        this.#io.memory.writeBytes(buf, this.#io.memory.view(head.address + head.at, length, 'read'));
        return this.#io.write(fd, buf, length);
      });
      if (n === -ERRNO.EAGAIN) return 'again';
      if (n < 0) return 'error';
      this.#bytes -= n;
      head.at += n;
      if (head.at === head.length) {
        this.#heap.free(head.address);
        this.#chunks.shift();
      } else if (n < length) return 'again';
    }
    return 'done';
  }

  /** Frees everything queued (the connection is closing). */
  release(): void {
    for (const c of this.#chunks) this.#heap.free(c.address);
    this.#chunks = [];
    this.#bytes = 0;
  }

  #keep(rest: Uint8Array): boolean {
    let address = 0;
    try {
      address = this.#heap.malloc(rest.length);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
    if (address === 0) return false;
    this.#io.memory.writeBytes(address, rest);
    this.#chunks.push({ address, length: rest.length, at: 0 });
    this.#bytes += rest.length;
    return true;
  }
}
