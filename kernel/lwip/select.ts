// lwip_select and lwip_poll: which sockets are readable or writable, after an input pass, waiting on
// the device (with the core lock dropped) until one is or the timeout passes. Private to the
// compartment: the fd_sets are copied in and written back, the scratch sets live in lwip's JS heap;
// each fd asked about is turned into its socket through vfscore's table on the way in and out.

import type { Memory } from '../../shm/memory.js';
import { offsetOf } from '../../shm/address.js';
import { ERRNO } from '../newlib/errno.js';
import * as abi from './abi.js';
import type { Netif } from './netif.js';
import type { Socket, SocketTable } from './sockets.js';

export interface SelectOptions {
  readonly memory: Pick<Memory, 'region' | 'view' | 'read32' | 'write32' | 'read64' | 'writeFrom'>;
  readonly table: SocketTable;
  readonly netif: Pick<Netif, 'input' | 'block'>;
  /** uktime's ukplat_monotonic_us. */
  readonly now: () => number;
  /** netdev's netdev_tx_space(conn): room in the connection's tx ring. */
  readonly netdevTxSpace: (conn: number) => number;
  /**
   * vfscore's vfscore_get_file(fd): fd while it is a socket's file, else -EBADF. lib-lwip's select
   * turns every fd of the sets into its socket through vfscore on the way in and again on the way out
   * (FLEXOS-CALLS.md §1, "select fd translation": sock_net_file_get twice per fd, the puts ungated).
   */
  readonly fileGet: (fd: number) => number;
}

/** Readable: a connection waits to be accepted, bytes are queued, or a read would not block (end, reset, shut). */
export function readable(s: Socket): boolean {
  return s.listening ? s.backlog.length > 0 : s.rx.length > 0 || s.peerClosed || s.reset || s.shutRd;
}

export class Select {
  readonly #memory: SelectOptions['memory'];
  readonly #table: SocketTable;
  readonly #netif: Pick<Netif, 'input' | 'block'>;
  readonly #now: () => number;
  readonly #netdevTxSpace: (conn: number) => number;
  readonly #fileGet: (fd: number) => number;
  // select()'s scratch fd_sets: what was asked, and the answer being built (lwip's JS heap).
  readonly #want = [0, 1, 2].map(() => new Uint8Array(abi.FD_SET_BYTES));
  readonly #out = [0, 1].map(() => new Uint8Array(abi.FD_SET_BYTES));
  readonly #none = new Uint8Array(abi.FD_SET_BYTES);

  constructor(options: SelectOptions) {
    this.#memory = options.memory;
    this.#table = options.table;
    this.#netif = options.netif;
    this.#now = options.now;
    this.#netdevTxSpace = options.netdevTxSpace;
    this.#fileGet = options.fileGet;
  }

  /** Writable: a connection whose tx ring has room, or whose write would not block (reset, shut). */
  writable(s: Socket): boolean {
    return !s.listening && s.conn !== 0 && (s.reset || s.shutWr || this.#netdevTxSpace(s.conn) > 0);
  }

  /** select(nfds, readfds, writefds, exceptfds, timeout): the ready count, the sets rewritten in place. */
  select(nfds: number, readfds: number, writefds: number, exceptfds: number, timeout: number): number {
    const memory = this.#memory;
    const table = this.#table;
    if (!(nfds >= 0 && nfds <= abi.FD_SETSIZE)) return -ERRNO.EINVAL;
    const bytes = Math.ceil(nfds / 8);
    // The sets asked about, copied in before any is written back (lwip_select's lwip_selscan).
    const wantRead = readfds === 0 ? null : this.#copyIn(this.#want[0]!, readfds, bytes);
    const wantWrite = writefds === 0 ? null : this.#copyIn(this.#want[1]!, writefds, bytes);
    const wantExcept = exceptfds === 0 ? null : this.#copyIn(this.#want[2]!, exceptfds, bytes);
    const inSet = (set: Uint8Array | null, fd: number): boolean => set !== null && (set[fd >> 3]! & (1 << (fd & 7))) !== 0;
    const asked = (fd: number): boolean => inSet(wantRead, fd) || inSet(wantWrite, fd) || inSet(wantExcept, fd);
    for (let fd = 0; fd < nfds; fd++) if (asked(fd) && (this.#fileGet(fd) < 0 || !table.get(fd))) return -ERRNO.EBADF;
    if (timeout !== 0 && !(memory.read64(timeout) >= 0 && memory.read64(timeout + 8) >= 0 && memory.read64(timeout + 8) < 1e6)) return -ERRNO.EINVAL;
    const limitMs = timeout === 0 ? -1 : memory.read64(timeout) * 1000 + memory.read64(timeout + 8) / 1000;
    // The deadline counts from the clock reading of the first input pass.
    const deadline = this.#netif.input() + limitMs * 1000;
    const outRead = this.#out[0]!;
    const outWrite = this.#out[1]!;
    for (;;) {
      outRead.fill(0, 0, bytes);
      outWrite.fill(0, 0, bytes);
      let ready = 0;
      for (let fd = 0; fd < nfds; fd++) {
        const bit = 1 << (fd & 7);
        const byte = fd >> 3;
        const r = wantRead !== null && (wantRead[byte]! & bit) !== 0;
        const w = wantWrite !== null && (wantWrite[byte]! & bit) !== 0;
        if (!r && !w) continue;
        const s = table.get(fd);
        if (!s) continue;
        if (r && readable(s)) (outRead[byte]! |= bit), ready++;
        if (w && this.writable(s)) (outWrite[byte]! |= bit), ready++;
      }
      // The clock is read only when there is nothing to report yet (lwip waits with a timeout).
      const left = ready > 0 ? 1 : limitMs < 0 ? -1 : Math.max(0, (deadline - this.#now()) / 1000);
      if (ready > 0 || left === 0) {
        for (let fd = 0; fd < nfds; fd++) if (asked(fd)) this.#fileGet(fd); // back to the caller's fds
        if (readfds !== 0) memory.writeFrom(readfds, outRead, 0, bytes);
        if (writefds !== 0) memory.writeFrom(writefds, outWrite, 0, bytes);
        if (exceptfds !== 0) memory.writeFrom(exceptfds, this.#none, 0, bytes); // no exceptional conditions
        return ready;
      }
      this.#netif.block(left < 0 ? -1 : Math.ceil(left));
    }
  }

  /** poll(fds, nfds, timeoutMs): the count of pollfds with revents, each pollfd's revents written in place. */
  poll(fds: number, nfds: number, timeoutMs: number): number {
    const memory = this.#memory;
    const table = this.#table;
    if (!(nfds >= 0 && nfds <= abi.FD_SETSIZE)) return -ERRNO.EINVAL;
    memory.view(fds, nfds * abi.POLLFD_BYTES, 'write');
    // Each fd into its socket through vfscore on the way in, as select does (lib-lwip's poll wrapper).
    const files: boolean[] = [];
    for (let i = 0; i < nfds; i++) {
      const fd = memory.read32(fds + i * abi.POLLFD_BYTES);
      files.push(fd >= 0 && this.#fileGet(fd) >= 0);
    }
    const deadline = this.#now() + timeoutMs * 1000;
    this.#netif.input();
    for (;;) {
      let ready = 0;
      for (let i = 0; i < nfds; i++) {
        const at = fds + i * abi.POLLFD_BYTES;
        const fd = memory.read32(at);
        const events = memory.read32(at + 4) & 0xffff;
        let revents = 0;
        const s = files[i] ? table.get(fd) : undefined;
        if (fd >= 0 && !s) revents = abi.POLLNVAL;
        else if (s) {
          if (events & abi.POLLIN && readable(s)) revents |= abi.POLLIN;
          if (events & abi.POLLOUT && this.writable(s)) revents |= abi.POLLOUT;
          if (s.reset) revents |= abi.POLLERR;
          if (s.peerClosed && s.rx.length === 0) revents |= abi.POLLHUP;
        }
        memory.write32(at + 4, (events & 0xffff) | (revents << 16));
        if (revents) ready++;
      }
      const left = timeoutMs < 0 ? -1 : Math.max(0, (deadline - this.#now()) / 1000);
      if (ready > 0 || left === 0) {
        for (let i = 0; i < nfds; i++) if (files[i]) this.#fileGet(memory.read32(fds + i * abi.POLLFD_BYTES)); // and back
        return ready;
      }
      this.#netif.block(left < 0 ? -1 : Math.ceil(left));
    }
  }

  /** Copies `bytes` of the app's fd_set at `address` into `into` (one protection check for the whole set). */
  #copyIn(into: Uint8Array, address: number, bytes: number): Uint8Array {
    const src = this.#memory.region(address, bytes, 'read');
    const at = offsetOf(address);
    for (let i = 0; i < bytes; i++) into[i] = src[at + i]!;
    return into;
  }
}
