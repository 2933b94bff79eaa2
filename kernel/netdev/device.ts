// The guest's view of the netdev device (FlexOS: uknetdev over virtio-net, polled by lwip): events
// and per-connection rx/tx rings in the device memory that the host backend serves. Runs in the
// compartment that holds netdev; every call is a few Atomics on shared memory, no allocation.
//
// Data calls (rxRead, txWrite, pollEvent) are batched: they only note that the host has something
// to look at, and kick() or waitForWork() rings the host doorbell once. close() and shutdownWrite()
// ring it at once, and so does an rxRead that empties a ring below half. A guest that neither kicks
// nor waits after txWrite leaves the host unaware of its tx bytes.

import {
  NETDEV_EVENT_OPEN,
  NETDEV_EVENT_PEER_CLOSED,
  NETDEV_EVENT_RESET,
  NETDEV_MAGIC,
  NETDEV_REQUEST_CLOSE,
  NETDEV_REQUEST_SHUTDOWN_WR,
  NETDEV_STATUS_STOPPED,
  NETDEV_VERSION,
  SLOT_W_GENERATION,
  W_GUEST_DOORBELL,
  W_HOST_ARMED,
  W_HOST_DOORBELL,
  W_MAGIC,
  W_MAX_CONNECTIONS,
  W_RING_BYTES,
  W_STATUS,
  W_VERSION,
  HEADER_BYTES,
  netdevConnGeneration,
  netdevConnSlot,
  netdevLayout,
  rxRingOffset,
  slotOffset,
  txRingOffset,
} from './layout.js';
import { ByteRing, RecordRing } from '../../shm/ring.js';

export type NetdevEventType = 'open' | 'peer-closed' | 'reset';
export interface NetdevEvent {
  type: NetdevEventType;
  conn: number;
}

export class NetdevDevice {
  static attach(sab: SharedArrayBuffer): NetdevDevice {
    if (!(sab instanceof SharedArrayBuffer)) throw new TypeError('NetdevDevice.attach: sab must be a SharedArrayBuffer');
    if (sab.byteLength < HEADER_BYTES) throw new RangeError('NetdevDevice.attach: buffer too small for a netdev header');
    const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
    if (Atomics.load(header, W_MAGIC) !== NETDEV_MAGIC || Atomics.load(header, W_VERSION) !== NETDEV_VERSION) {
      throw new RangeError('NetdevDevice.attach: the buffer holds no netdev device of this version');
    }
    return new NetdevDevice(sab, header);
  }

  readonly maxConnections: number;
  readonly ringBytes: number;
  readonly #sab: SharedArrayBuffer;
  readonly #header: Int32Array;
  readonly #events: RecordRing;
  readonly #requests: RecordRing;
  readonly #rx: ByteRing[] = [];
  readonly #tx: ByteRing[] = [];
  readonly #slotWords: Int32Array[] = [];
  /** Per slot: the conn id the guest holds open there, 0 when none (guest-private state). */
  readonly #conns: Int32Array;
  /** Per slot: 1 once the guest shut its write side. */
  readonly #shutWr: Uint8Array;
  readonly #record = new Int32Array(2);
  readonly #rxHalf: number;
  #pendingKick = false;
  #seenSeq: number;

  private constructor(sab: SharedArrayBuffer, header: Int32Array) {
    this.#sab = sab;
    this.#header = header;
    this.maxConnections = Atomics.load(header, W_MAX_CONNECTIONS);
    this.ringBytes = Atomics.load(header, W_RING_BYTES);
    this.#rxHalf = this.ringBytes >>> 1;
    const layout = netdevLayout(this.maxConnections, this.ringBytes);
    if (sab.byteLength < layout.totalBytes) throw new RangeError('NetdevDevice.attach: buffer smaller than its layout');
    this.#events = RecordRing.attach(sab, { offset: layout.eventsOffset });
    this.#requests = RecordRing.attach(sab, { offset: layout.requestsOffset });
    for (let slot = 0; slot < this.maxConnections; slot++) {
      this.#rx.push(ByteRing.attach(sab, { offset: rxRingOffset(layout, slot) }));
      this.#tx.push(ByteRing.attach(sab, { offset: txRingOffset(layout, slot) }));
      this.#slotWords.push(new Int32Array(sab, slotOffset(layout, slot), 2));
    }
    this.#conns = new Int32Array(this.maxConnections);
    this.#shutWr = new Uint8Array(this.maxConnections);
    this.#seenSeq = Atomics.load(header, W_GUEST_DOORBELL);
  }

  /** The device memory, e.g. to hand to a test or a debugger. */
  get sab(): SharedArrayBuffer {
    return this.#sab;
  }

  /** The next connection event, or null. Events of a connection the guest already closed are dropped. */
  pollEvent(): NetdevEvent | null {
    const record = this.#record;
    while (this.#events.pop(record)) {
      this.#pendingKick = true; // the host may hold events that did not fit
      const kind = record[0]!;
      const conn = record[1]!;
      const slot = netdevConnSlot(conn);
      if (slot >= this.maxConnections) continue;
      if (kind === NETDEV_EVENT_OPEN) {
        if (Atomics.load(this.#slotWords[slot]!, SLOT_W_GENERATION) !== netdevConnGeneration(conn)) continue;
        this.#conns[slot] = conn;
        this.#shutWr[slot] = 0;
        return { type: 'open', conn };
      }
      if (this.#conns[slot] !== conn) continue;
      if (kind === NETDEV_EVENT_PEER_CLOSED) return { type: 'peer-closed', conn };
      if (kind === NETDEV_EVENT_RESET) return { type: 'reset', conn };
    }
    return null;
  }

  /** Copies up to dst[start, end) of received bytes; 0 when none are there (EOF is the peer-closed event). */
  rxRead(conn: number, dst: Uint8Array, start = 0, end = dst.length): number {
    const ring = this.#rx[this.#open(conn)]!;
    const before = ring.readable();
    const n = ring.read(dst, start, end);
    if (n > 0) {
      this.#pendingKick = true;
      // The host pauses a socket when its ring is full: crossing the half mark lets it refill while
      // the guest reads the other half, instead of only when the guest runs dry and waits.
      if (before > this.#rxHalf && before - n <= this.#rxHalf) this.kick();
    }
    return n;
  }

  rxAvailable(conn: number): number {
    return this.#rx[this.#open(conn)]!.readable();
  }

  /** Queues src[start, end) for sending, as much as the tx ring takes; returns the bytes accepted. */
  txWrite(conn: number, src: Uint8Array, start = 0, end = src.length): number {
    const slot = this.#open(conn);
    if (this.#shutWr[slot] === 1) throw new RangeError(`netdev: conn ${hex(conn)} was shut for writing`);
    const n = this.#tx[slot]!.write(src, start, end);
    if (n > 0) this.#pendingKick = true;
    return n;
  }

  txSpace(conn: number): number {
    const slot = this.#open(conn);
    return this.#shutWr[slot] === 1 ? 0 : this.#tx[slot]!.writable();
  }

  /** Sends what the tx ring holds, then FIN, and gives the slot back; conn is invalid afterwards. */
  close(conn: number): void {
    const slot = this.#open(conn);
    this.#request(NETDEV_REQUEST_CLOSE, conn);
    this.#conns[slot] = 0;
  }

  /** Sends what the tx ring holds, then FIN; the connection keeps receiving until close(). */
  shutdownWrite(conn: number): void {
    const slot = this.#open(conn);
    if (this.#shutWr[slot] === 1) return;
    this.#shutWr[slot] = 1;
    this.#request(NETDEV_REQUEST_SHUTDOWN_WR, conn);
  }

  /** Rings the host doorbell if a data call left something for the host since the last ring. */
  kickIfPending(): void {
    if (this.#pendingKick) this.kick();
  }

  /** Rings the host doorbell: the host looks at requests, tx rings and freed rx space. */
  kick(): void {
    this.#pendingKick = false;
    const header = this.#header;
    Atomics.add(header, W_HOST_DOORBELL, 1);
    if (Atomics.load(header, W_HOST_ARMED) === 1) Atomics.notify(header, W_HOST_DOORBELL);
  }

  /**
   * Kicks the host if the guest did anything, then parks until the host rings the guest doorbell or
   * timeoutMs passes. Returns at once (true) when the host rang since the previous call: the caller
   * then polls, and anything the host publishes after this call read the doorbell rings it again.
   * false means the wait timed out. Blocks the thread: for compartment workers, not the main thread.
   */
  waitForWork(timeoutMs: number): boolean {
    if (this.#pendingKick) this.kick();
    const header = this.#header;
    const seq = Atomics.load(header, W_GUEST_DOORBELL);
    if (seq !== this.#seenSeq || this.#events.readable() > 0 || this.stopped()) {
      this.#seenSeq = seq;
      return true;
    }
    const result = Atomics.wait(header, W_GUEST_DOORBELL, seq, timeoutMs);
    this.#seenSeq = Atomics.load(header, W_GUEST_DOORBELL);
    return result !== 'timed-out';
  }

  /** The word the guest parks on, for a compartment runtime that waits on several things at once. */
  doorbell(): { array: Int32Array; index: number } {
    return { array: this.#header, index: W_GUEST_DOORBELL };
  }

  /** True once the host backend has closed: no event or byte will arrive any more. */
  stopped(): boolean {
    return Atomics.load(this.#header, W_STATUS) === NETDEV_STATUS_STOPPED;
  }

  #open(conn: number): number {
    const slot = conn & 0xffff;
    if (conn === 0 || this.#conns[slot] !== conn) {
      throw new RangeError(`netdev: conn ${hex(conn)} is not open (closed, stale generation, or never opened)`);
    }
    return slot;
  }

  #request(kind: number, conn: number): void {
    // Cannot overflow: at most two requests per slot are outstanding (see layout.ts). A plain Error:
    // no user action reaches it, only a bug in this file's request accounting.
    if (!this.#requests.push(kind, conn)) throw new Error('netdev: request queue overflow');
    this.kick();
  }
}

function hex(conn: number): string {
  return typeof conn === 'number' ? '0x' + (conn >>> 0).toString(16) : String(conn);
}
