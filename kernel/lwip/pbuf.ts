// lwip's packet buffers (pbufs): one MSS each from the shared heap, where netdev can reach them, and
// payloads copied in and out with newlib's memcpy. Received pbufs wait on their socket until the app
// reads them; the bytes waiting in all sockets stand for the TCP windows.

import type { Allocator } from '../../shm/heap.js';
import type { CheckedInts } from '../abi/context.js';
import { EXACT_INTS } from '../abi/lengths.js';
import type { Socket } from './sockets.js';

/** TCP_MSS: the payload of one packet buffer. */
export const TCP_MSS = 1460;
/** Input stops being pulled while this many bytes wait in sockets (the TCP windows). */
export const RX_QUEUE_LIMIT = 8 * 1024 * 1024;

export interface PbufImports {
  /**
   * flexos_malloc_whitelist: the shared heap's allocator runs in the caller's compartment (its
   * metadata is in the shared region), so a pbuf allocation is not a gate.
   */
  readonly heap: Pick<Allocator, 'malloc' | 'free'>;
  /** newlib's memcpy(dst, src, n): a gate when newlib lives in another compartment. */
  readonly memcpy: (dst: number, src: number, n: number) => number;
  /** The length and offset arithmetic (kernel/abi/lengths.ts): UBSan-checked when lwip is hardened with ubsan. */
  readonly lengths?: CheckedInts;
}

export class PbufPool {
  readonly #heap: Pick<Allocator, 'malloc' | 'free'>;
  readonly #memcpy: (dst: number, src: number, n: number) => number;
  readonly #limit: number;
  readonly #lengths: CheckedInts;
  #queued = 0;

  /** `limit`: the bytes input may queue in all sockets before it stops pulling (a test lowers it). */
  constructor(imports: PbufImports, limit = RX_QUEUE_LIMIT) {
    this.#heap = imports.heap;
    this.#memcpy = imports.memcpy;
    this.#limit = limit;
    this.#lengths = imports.lengths ?? EXACT_INTS;
  }

  /** Bytes received and not yet read, over all sockets. */
  get queued(): number {
    return this.#queued;
  }

  /** True while the windows have room: input may pull more from the device. */
  get hasRoom(): boolean {
    return this.#queued < this.#limit;
  }

  /** pbuf_alloc: `size` bytes of the shared heap, 0 when it is exhausted. */
  alloc(size: number): number {
    return this.#heap.malloc(size);
  }

  free(pbuf: number): void {
    this.#heap.free(pbuf);
  }

  /** pbuf_take: copies n bytes of the app's buffer at `src` into the pbuf. */
  take(pbuf: number, src: number, n: number): void {
    this.#memcpy(pbuf, src, n);
  }

  /** Queues `length` received bytes held in `pbuf` on the socket (its recvmbox). */
  enqueue(s: Socket, pbuf: number, length: number): void {
    const L = this.#lengths;
    s.rx.push({ pbuf, length, offset: 0 });
    s.rxBytes = L.add(s.rxBytes, length);
    this.#queued = L.add(this.#queued, length);
  }

  /**
   * pbuf_copy_partial into the app's buffer: up to `len` queued bytes, one memcpy per pbuf touched,
   * each pbuf freed once read whole. A peek copies from the first pbuf only and consumes nothing.
   */
  copyOut(s: Socket, buf: number, len: number, peek: boolean): number {
    const L = this.#lengths;
    let copied = 0;
    while (copied < len && s.rx.length > 0) {
      const head = s.rx[0]!;
      const n = Math.min(L.sub(len, copied), L.sub(head.length, head.offset));
      this.#memcpy(buf + copied, head.pbuf + head.offset, n);
      copied = L.add(copied, n);
      if (peek) break;
      head.offset = L.add(head.offset, n);
      if (head.offset === head.length) {
        s.rx.shift();
        this.free(head.pbuf);
      }
    }
    if (!peek) {
      s.rxBytes = L.sub(s.rxBytes, copied);
      this.#queued = L.sub(this.#queued, copied);
    }
    return copied;
  }

  /** Frees every pbuf still queued on a socket being closed; its bytes leave the windows. */
  drain(s: Socket): void {
    for (const p of s.rx) this.free(p.pbuf);
    this.#queued -= s.rxBytes;
  }
}
