// The host half of the netdev device (the hypervisor's virtio-net backend, at the level of TCP
// streams): real sockets on loopback, each bound to a connection slot whose rx/tx rings the guest's
// netdev driver serves. Backpressure is end to end: a full rx ring pauses the socket, a socket that
// will not take more stops the tx drain, so the guest sees a full tx ring. Main thread only.

import { NO_WORK, type WorkMeter } from '../../../kernel/abi/work.js';
import { TCP_MSS } from '../../../kernel/lwip/pbuf.js';
import net from 'node:net';
import { ByteRing, RecordRing } from '../../../shm/ring.js';
import {
  HEADER_BYTES,
  NETDEV_DEFAULT_MAX_CONNECTIONS,
  NETDEV_DEFAULT_RING_BYTES,
  NETDEV_EVENT_OPEN,
  NETDEV_EVENT_PEER_CLOSED,
  NETDEV_EVENT_RESET,
  NETDEV_MAGIC,
  NETDEV_MAX_CONNECTIONS,
  NETDEV_MAX_GENERATION,
  NETDEV_MAX_RING_BYTES,
  NETDEV_MIN_RING_BYTES,
  NETDEV_REQUEST_CLOSE,
  NETDEV_REQUEST_SHUTDOWN_WR,
  NETDEV_SLOT_FREE,
  NETDEV_SLOT_OPEN,
  NETDEV_SLOT_PEER_CLOSED,
  NETDEV_SLOT_RESET,
  NETDEV_STATUS_RUNNING,
  NETDEV_STATUS_STOPPED,
  NETDEV_VERSION,
  SLOT_W_GENERATION,
  SLOT_W_STATE,
  W_GUEST_DOORBELL,
  W_HOST_ARMED,
  W_HOST_DOORBELL,
  W_MAGIC,
  W_MAX_CONNECTIONS,
  W_RING_BYTES,
  W_STATUS,
  W_VERSION,
  netdevConnId,
  netdevConnSlot,
  netdevLayout,
  rxRingOffset,
  slotOffset,
  txRingOffset,
  type NetdevLayout,
} from '../../../kernel/netdev/layout.js';

// Node 20 has Atomics.waitAsync (ES2024); the project's lib setting (es2023) does not declare it.
type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult })
  .waitAsync;

export interface NetdevBackendOptions {
  /** TCP port to listen on; 0 picks a free one (see `port` on the backend). */
  port: number;
  host?: string;
  maxConnections?: number;
  ringBytes?: number;
}

export interface NetdevStats {
  accepted: number;
  /** Connections destroyed at once because every slot was taken. */
  refused: number;
  /** Slots bound to a connection the guest has not closed yet. */
  active: number;
  rxBytes: number;
  txBytes: number;
  eventsPosted: number;
  requests: number;
  /** Times a socket was paused because its rx ring was full. */
  rxPauses: number;
  /** Times socket.write refused more and the tx drain waited for 'drain'. */
  txStalls: number;
  /** Times the host doorbell woke the backend. */
  hostWakes: number;
}

/** What the host knows of one slot; the guest-visible part is in the device memory. */
class HostSlot {
  conn = 0;
  generation = 0;
  socket: net.Socket | null = null;
  /** Socket chunks not yet in the rx ring, oldest first; the first is consumed from pendingOffset. */
  pending: Buffer[] = [];
  pendingOffset = 0;
  peerEnded = false;
  peerClosedPosted = false;
  resetPosted = false;
  txStalled = false;
  txShut = false;
  constructor(
    readonly index: number,
    readonly words: Int32Array,
    readonly rx: ByteRing,
    readonly tx: ByteRing,
  ) {}

  bind(conn: number, generation: number, socket: net.Socket): void {
    this.conn = conn;
    this.generation = generation;
    this.socket = socket;
    this.pending = [];
    this.pendingOffset = 0;
    this.peerEnded = false;
    this.peerClosedPosted = false;
    this.resetPosted = false;
    this.txStalled = false;
    this.txShut = false;
  }
}


const TCP_IP_HEADER_BYTES = 40;
export class NetdevBackend {
  static async create(options: NetdevBackendOptions): Promise<NetdevBackend> {
    const backend = new NetdevBackend(validate(options));
    await backend.#listen(options.port, options.host ?? '127.0.0.1');
    return backend;
  }

  readonly sab: SharedArrayBuffer;
  readonly maxConnections: number;
  readonly ringBytes: number;
  readonly #layout: NetdevLayout;
  readonly #header: Int32Array;
  readonly #events: RecordRing;
  readonly #requests: RecordRing;
  readonly #slots: HostSlot[] = [];
  readonly #free: number[] = [];
  readonly #active = new Set<HostSlot>();
  /** Sockets the guest closed, still draining the peer's FIN; destroyed by close(). */
  readonly #lingering = new Set<net.Socket>();
  /** Events that did not fit in the event queue, as (kind, conn) pairs, oldest first. */
  readonly #backlog: number[] = [];
  readonly #record = new Int32Array(2);
  readonly #server: net.Server;
  #port = 0;
  #closed = false;
  /** A ring is queued for the end of the current callback. */
  #ringQueued = false;
  /** This turn of the event loop already rang once; the check phase ends it. */
  #turnRung = false;
  /** Something changed after this turn's ring: ring again when the turn ends. */
  #ringAtTurnEnd = false;
  #watching: Promise<void> = Promise.resolve();
  /**
   * Where the TCP/IP work the host does for the image is counted: FlexOS's lwIP would run each
   * segment through its input or output path and checksum it (the modelled clock charges that).
   */
  tcpWork: WorkMeter = NO_WORK;
  readonly #stats: Omit<NetdevStats, 'active'> = {
    accepted: 0,
    refused: 0,
    rxBytes: 0,
    txBytes: 0,
    eventsPosted: 0,
    requests: 0,
    rxPauses: 0,
    txStalls: 0,
    hostWakes: 0,
  };

  private constructor(options: { maxConnections: number; ringBytes: number }) {
    this.maxConnections = options.maxConnections;
    this.ringBytes = options.ringBytes;
    const layout = netdevLayout(this.maxConnections, this.ringBytes);
    this.#layout = layout;
    this.sab = new SharedArrayBuffer(layout.totalBytes);
    this.#header = new Int32Array(this.sab, 0, HEADER_BYTES / 4);
    this.#events = RecordRing.format(this.sab, { offset: layout.eventsOffset, capacity: layout.eventRecords });
    this.#requests = RecordRing.format(this.sab, { offset: layout.requestsOffset, capacity: layout.requestRecords });
    for (let i = 0; i < this.maxConnections; i++) {
      const rx = ByteRing.format(this.sab, { offset: rxRingOffset(layout, i), capacity: this.ringBytes });
      const tx = ByteRing.format(this.sab, { offset: txRingOffset(layout, i), capacity: this.ringBytes });
      this.#slots.push(new HostSlot(i, new Int32Array(this.sab, slotOffset(layout, i), 2), rx, tx));
      this.#free.push(this.maxConnections - 1 - i); // pop() hands out slot 0 first
    }
    const header = this.#header;
    Atomics.store(header, W_MAX_CONNECTIONS, this.maxConnections);
    Atomics.store(header, W_RING_BYTES, this.ringBytes);
    Atomics.store(header, W_VERSION, NETDEV_VERSION);
    Atomics.store(header, W_STATUS, NETDEV_STATUS_RUNNING);
    Atomics.store(header, W_MAGIC, NETDEV_MAGIC); // last: the device is ready to attach
    // allowHalfOpen: a peer's FIN must not end our side; the guest decides when to send its own.
    this.#server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
  }

  /** The port actually listened on (the ephemeral one when created with port 0). */
  get port(): number {
    return this.#port;
  }

  stats(): NetdevStats {
    return { ...this.#stats, active: this.#active.size };
  }

  /** Destroys every socket, stops listening and stops watching the doorbell; the guest sees RESET, then STOPPED. */
  async close(): Promise<void> {
    if (this.#closed) return this.#watching;
    this.#closed = true;
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const slot of this.#active) {
      slot.socket?.destroy();
      slot.socket = null;
      this.#reset(slot);
    }
    for (const socket of this.#lingering) socket.destroy();
    this.#lingering.clear();
    this.#flushBacklog();
    await serverClosed;
    const header = this.#header;
    Atomics.store(header, W_STATUS, NETDEV_STATUS_STOPPED);
    Atomics.add(header, W_GUEST_DOORBELL, 1);
    Atomics.notify(header, W_GUEST_DOORBELL);
    Atomics.add(header, W_HOST_DOORBELL, 1); // unparks the watch loop, which sees #closed
    Atomics.notify(header, W_HOST_DOORBELL);
    await this.#watching;
  }

  async #listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as net.AddressInfo).port;
    this.#watching = this.#watch();
  }

  // FlexOS: the hypervisor's side of a virtqueue notification. waitAsync keeps no handle open, so
  // only the listening server keeps the process alive.
  async #watch(): Promise<void> {
    const header = this.#header;
    while (!this.#closed) {
      const seen = Atomics.load(header, W_HOST_DOORBELL);
      this.#service();
      Atomics.store(header, W_HOST_ARMED, 1);
      const wait = waitAsync(header, W_HOST_DOORBELL, seen);
      if (wait.async) await wait.value;
      Atomics.store(header, W_HOST_ARMED, 0);
      this.#stats.hostWakes++;
    }
  }

  /** One pass over everything the guest may have changed: requests, freed rx space, new tx bytes. */
  #service(): void {
    const record = this.#record;
    while (this.#requests.pop(record)) {
      this.#stats.requests++;
      const slot = this.#slots[netdevConnSlot(record[1]!)];
      if (slot === undefined || slot.conn !== record[1]) continue; // stale: never expected, ignore
      if (record[0] === NETDEV_REQUEST_CLOSE) this.#guestClose(slot);
      else if (record[0] === NETDEV_REQUEST_SHUTDOWN_WR) this.#shutdownWrite(slot);
    }
    for (const slot of this.#active) {
      if (slot.pending.length > 0) this.#fillRx(slot);
      this.#drainTx(slot);
    }
    this.#flushBacklog();
  }

  #accept(socket: net.Socket): void {
    const index = this.#free.pop();
    if (this.#closed || index === undefined) {
      this.#stats.refused++;
      socket.destroy();
      return;
    }
    this.#stats.accepted++;
    const slot = this.#slots[index]!;
    const generation = slot.generation >= NETDEV_MAX_GENERATION ? 1 : slot.generation + 1;
    // The guest has let go of this slot (CLOSE), so the host may lay the rings out afresh.
    ByteRing.format(this.sab, { offset: rxRingOffset(this.#layout, index), capacity: this.ringBytes });
    ByteRing.format(this.sab, { offset: txRingOffset(this.#layout, index), capacity: this.ringBytes });
    slot.bind(netdevConnId(index, generation), generation, socket);
    Atomics.store(slot.words, SLOT_W_GENERATION, generation);
    Atomics.store(slot.words, SLOT_W_STATE, NETDEV_SLOT_OPEN);
    this.#active.add(slot);
    const conn = slot.conn;
    const bound = (): boolean => slot.conn === conn && slot.socket === socket;
    socket.on('data', (chunk: Buffer) => {
      if (bound()) this.#receive(slot, chunk);
    });
    socket.on('end', () => {
      if (!bound()) return;
      slot.peerEnded = true;
      if (slot.pending.length === 0) this.#peerClosed(slot);
    });
    socket.on('drain', () => {
      if (!bound()) return;
      slot.txStalled = false;
      this.#drainTx(slot);
    });
    socket.on('error', () => {
      if (bound()) this.#socketGone(slot);
    });
    socket.on('close', () => {
      this.#lingering.delete(socket);
      if (bound()) this.#socketGone(slot);
    });
    this.#postEvent(NETDEV_EVENT_OPEN, conn);
  }

  #receive(slot: HostSlot, chunk: Buffer): void {
    if (slot.pending.length > 0) {
      slot.pending.push(chunk); // arrived before pause() took effect: keep the order
      return;
    }
    const n = slot.rx.write(chunk);
    if (n > 0) {
      this.#stats.rxBytes += n;
      this.#segments(n);
      this.#notifyGuest();
    }
    if (n < chunk.length) {
      slot.pending.push(chunk);
      slot.pendingOffset = n;
      slot.socket?.pause();
      this.#stats.rxPauses++;
    }
  }

  /** Moves held-back socket bytes into the rx ring as the guest frees it, then lets the socket flow again. */
  #fillRx(slot: HostSlot): void {
    let moved = 0;
    while (slot.pending.length > 0) {
      const chunk = slot.pending[0]!;
      const n = slot.rx.write(chunk, slot.pendingOffset);
      moved += n;
      slot.pendingOffset += n;
      if (slot.pendingOffset < chunk.length) break;
      slot.pending.shift();
      slot.pendingOffset = 0;
    }
    if (moved > 0) {
      this.#stats.rxBytes += moved;
      this.#segments(moved);
      this.#notifyGuest();
    }
    if (slot.pending.length === 0) {
      if (slot.peerEnded) this.#peerClosed(slot);
      else slot.socket?.resume();
    }
  }

  /** `bytes` of payload in MSS-sized segments, each checksummed with its 40 bytes of IPv4 and TCP header. */
  #segments(bytes: number): void {
    const segments = Math.ceil(bytes / TCP_MSS);
    this.tcpWork.add('segment', segments);
    this.tcpWork.add('checksum', bytes + TCP_IP_HEADER_BYTES * segments);
  }

  #drainTx(slot: HostSlot): void {
    const available = slot.tx.readable();
    if (available === 0) return;
    if (slot.socket === null || slot.txShut) {
      slot.tx.consume(available); // nobody to send to: the guest must not block on a dead connection
      this.#notifyGuest();
      return;
    }
    if (slot.txStalled) return;
    const bytes = Buffer.allocUnsafe(available); // the socket keeps it until sent: a copy is unavoidable
    slot.tx.read(bytes);
    this.#stats.txBytes += available;
    this.#segments(available);
    this.#notifyGuest();
    if (!slot.socket.write(bytes)) {
      slot.txStalled = true;
      this.#stats.txStalls++;
    }
  }

  /** Everything the guest queued, then FIN. Written regardless of backpressure: at most one ring. */
  #flushAndEnd(slot: HostSlot): void {
    const socket = slot.socket;
    const available = slot.tx.readable();
    if (socket === null) {
      slot.tx.consume(available);
      return;
    }
    const bytes = Buffer.allocUnsafe(available);
    slot.tx.read(bytes);
    this.#stats.txBytes += available;
    socket.end(bytes);
  }

  #shutdownWrite(slot: HostSlot): void {
    if (slot.txShut) return;
    this.#flushAndEnd(slot);
    slot.txShut = true;
    this.#notifyGuest();
  }

  #guestClose(slot: HostSlot): void {
    const socket = slot.socket;
    if (!slot.txShut) this.#flushAndEnd(slot);
    if (socket !== null && !socket.destroyed) {
      // Keep reading (and dropping) until the peer's FIN: closing with unread bytes would send RST
      // and could discard what we just sent before the peer reads it.
      this.#lingering.add(socket);
      socket.resume();
    }
    slot.socket = null;
    slot.conn = 0;
    slot.pending = [];
    this.#active.delete(slot);
    Atomics.store(slot.words, SLOT_W_STATE, NETDEV_SLOT_FREE);
    this.#free.push(slot.index);
  }

  #peerClosed(slot: HostSlot): void {
    if (slot.peerClosedPosted || slot.resetPosted) return;
    slot.peerClosedPosted = true;
    Atomics.store(slot.words, SLOT_W_STATE, NETDEV_SLOT_PEER_CLOSED);
    this.#postEvent(NETDEV_EVENT_PEER_CLOSED, slot.conn);
  }

  /** The socket closed or failed. A clean close after both FINs is not a reset. */
  #socketGone(slot: HostSlot): void {
    const socket = slot.socket;
    const clean = socket !== null && slot.peerEnded && slot.txShut && !socket.errored;
    slot.socket = null;
    if (!clean) this.#reset(slot);
  }

  #reset(slot: HostSlot): void {
    slot.pending = [];
    if (slot.resetPosted) return;
    slot.resetPosted = true;
    Atomics.store(slot.words, SLOT_W_STATE, NETDEV_SLOT_RESET);
    this.#postEvent(NETDEV_EVENT_RESET, slot.conn);
  }

  #postEvent(kind: number, conn: number): void {
    this.#stats.eventsPosted++;
    if (this.#backlog.length > 0 || !this.#events.push(kind, conn)) this.#backlog.push(kind, conn);
    this.#notifyGuest();
  }

  #flushBacklog(): void {
    const backlog = this.#backlog;
    let taken = 0;
    while (taken < backlog.length && this.#events.push(backlog[taken]!, backlog[taken + 1]!)) taken += 2;
    if (taken > 0) {
      backlog.splice(0, taken);
      this.#notifyGuest();
    }
  }

  /**
   * Rings the guest doorbell at most twice per turn of the event loop, however many things changed:
   * at once for the first change (a parked guest starts on it), then once when the turn's I/O
   * callbacks are done for whatever changed after that. A ring costs a futex wake when the guest
   * is parked, and a turn may carry a callback for every connection.
   */
  #notifyGuest(): void {
    if (this.#turnRung) {
      this.#ringAtTurnEnd = true;
      return;
    }
    if (this.#ringQueued) return;
    this.#ringQueued = true;
    queueMicrotask(() => {
      this.#ringQueued = false;
      this.#turnRung = true;
      setImmediate(() => {
        this.#turnRung = false;
        if (this.#ringAtTurnEnd) {
          this.#ringAtTurnEnd = false;
          this.#ringGuest();
        }
      });
      this.#ringGuest();
    });
  }

  #ringGuest(): void {
    Atomics.add(this.#header, W_GUEST_DOORBELL, 1);
    Atomics.notify(this.#header, W_GUEST_DOORBELL);
  }
}

function validate(options: NetdevBackendOptions): { maxConnections: number; ringBytes: number } {
  if (typeof options !== 'object' || options === null) throw new TypeError('NetdevBackend.create: options must be an object');
  const { port, host } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`NetdevBackend.create: options.port must be an integer from 0 to 65535 (got ${port})`);
  }
  if (host !== undefined && typeof host !== 'string') {
    throw new TypeError(`NetdevBackend.create: options.host must be a string (got ${typeof host})`);
  }
  const maxConnections = options.maxConnections ?? NETDEV_DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > NETDEV_MAX_CONNECTIONS) {
    throw new RangeError(
      `NetdevBackend.create: options.maxConnections must be an integer from 1 to ${NETDEV_MAX_CONNECTIONS} (got ${maxConnections})`,
    );
  }
  const ringBytes = options.ringBytes ?? NETDEV_DEFAULT_RING_BYTES;
  if (
    !Number.isInteger(ringBytes) ||
    ringBytes < NETDEV_MIN_RING_BYTES ||
    ringBytes > NETDEV_MAX_RING_BYTES ||
    (ringBytes & (ringBytes - 1)) !== 0
  ) {
    throw new RangeError(
      `NetdevBackend.create: options.ringBytes must be a power of two from ${NETDEV_MIN_RING_BYTES} to ${NETDEV_MAX_RING_BYTES} (got ${ringBytes})`,
    );
  }
  return { maxConnections, ringBytes };
}
