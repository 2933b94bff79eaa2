// lwip's netif input in poll mode (no interrupts, as in FlexOS's evaluation): each pass reads the
// clock for lwip's timers, takes connection events from the netdev driver, then pulls received
// bytes into pbufs queued on their sockets while the windows have room.

import type { Memory } from '../../shm/memory.js';
import { NETDEV_EVENT_NONE, NETDEV_EVENT_OPEN, NETDEV_EVENT_PEER_CLOSED, NETDEV_EVENT_RESET } from '../netdev/exports.js';
import { TCP_MSS, type PbufPool } from './pbuf.js';
import type { SocketTable } from './sockets.js';
import type { SysArch } from './sys-arch.js';
import type { CoreLock } from './tcpip-core-lock.js';

/** Connections that arrive before anyone listens wait here, at most this many (a SYN backlog of its own). */
const UNCLAIMED_LIMIT = 128;

export interface NetifImports {
  /** netdev's netdev_poll(out): the next connection event, its conn id written at out. */
  readonly netdevPoll: (out: number) => number;
  /** netdev's netdev_rx_burst(buf, len, connOut): bytes of some connection, its conn id written at connOut. */
  readonly netdevRx: (buf: number, len: number, connOut: number) => number;
  /** netdev's netdev_close(conn): refuses a connection no backlog has room for. */
  readonly netdevClose: (conn: number) => number;
  /** uktime's ukplat_monotonic_us: sys_now(). */
  readonly now: () => number;
}

export interface NetifOptions extends NetifImports {
  /** Reads the conn ids the driver writes into the scratch buffer. */
  readonly memory: Pick<Memory, 'read64'>;
  readonly table: SocketTable;
  readonly pbufs: PbufPool;
  readonly core: Pick<CoreLock, 'idle' | 'between'>;
  /** The mailbox posts and fetch each delivered segment makes. */
  readonly sys: Pick<SysArch, 'segment'>;
}

export class Netif {
  readonly #memory: Pick<Memory, 'read64'>;
  readonly #table: SocketTable;
  readonly #pbufs: PbufPool;
  readonly #core: Pick<CoreLock, 'idle' | 'between'>;
  readonly #sys: Pick<SysArch, 'segment'>;
  readonly #imports: NetifImports;
  /** 16 bytes of the shared heap the driver writes conn ids into (it must reach them). */
  #scratch = 0;

  constructor(options: NetifOptions) {
    this.#memory = options.memory;
    this.#table = options.table;
    this.#pbufs = options.pbufs;
    this.#core = options.core;
    this.#sys = options.sys;
    const { netdevPoll, netdevRx, netdevClose, now } = options;
    this.#imports = { netdevPoll, netdevRx, netdevClose, now };
  }

  /** Allocates the driver's scratch buffer (at init); false when the shared heap has no room. */
  init(): boolean {
    this.#scratch = this.#pbufs.alloc(16);
    return this.#scratch !== 0;
  }

  /** One input pass: connection events, then received bytes; returns sys_now() in µs, read as the pass began. */
  input(): number {
    const { netdevPoll, netdevRx, netdevClose, now } = this.#imports;
    const memory = this.#memory;
    const table = this.#table;
    const pbufs = this.#pbufs;
    const scratch = this.#scratch;
    const time = now(); // sys_now(): lwip's timers read the clock on every input pass
    for (;;) {
      const type = netdevPoll(scratch);
      if (type === NETDEV_EVENT_NONE) break;
      const conn = memory.read64(scratch);
      if (type === NETDEV_EVENT_OPEN) {
        // Connections that arrive before anyone listens wait, like SYNs in the backlog.
        const listener = table.listener();
        const queue = listener ? listener.backlog : table.unclaimed;
        if (queue.length >= (listener ? Math.max(1, listener.backlogLimit) : UNCLAIMED_LIMIT)) netdevClose(conn);
        else queue.push(table.adopt(conn));
      } else {
        const s = table.byConn(conn);
        if (s && type === NETDEV_EVENT_PEER_CLOSED) s.peerClosed = true;
        if (s && type === NETDEV_EVENT_RESET) s.reset = true;
      }
    }
    while (pbufs.hasRoom) {
      const pbuf = pbufs.alloc(TCP_MSS);
      if (pbuf === 0) break;
      const n = netdevRx(pbuf, TCP_MSS, scratch);
      const s = n > 0 ? table.byConn(memory.read64(scratch)) : undefined;
      if (!s) {
        pbufs.free(pbuf);
        if (n <= 0) break;
        continue;
      }
      pbufs.enqueue(s, pbuf, n);
      this.#sys.segment(s, this.#core);
    }
    return time;
  }

  /** Blocks a blocking socket call until the device has work (-1: no limit), then pulls input again. */
  block(timeoutMs = -1): void {
    this.#core.idle(timeoutMs);
    this.input();
  }
}
