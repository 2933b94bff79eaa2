// lwip: TCP sockets over the netdev device, in poll-only mode as in FlexOS's evaluation: every API
// call takes the core lock (a uksched mutex), input is pulled from the device into packet buffers
// (pbufs, from the shared heap, one MSS each), and payloads are copied with newlib's memcpy.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { FlexosError } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { NETDEV_EVENT_NONE, NETDEV_EVENT_OPEN, NETDEV_EVENT_PEER_CLOSED, NETDEV_EVENT_RESET } from '../netdev/exports.js';
import * as abi from './abi.js';
import { Socket, SocketTable } from './sockets.js';
import { offsetOf } from '../../shm/address.js';

/** TCP_MSS: the payload of one packet buffer. */
export const TCP_MSS = 1460;
/** Input stops being pulled while this many bytes wait in sockets (the TCP windows). */
const RX_QUEUE_LIMIT = 8 * 1024 * 1024;

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  const imp = (fn: string) => ctx.import('netdev', fn);
  const netdevPoll = imp('netdev_poll');
  const netdevRx = imp('netdev_rx_burst');
  const netdevTx = imp('netdev_tx');
  const netdevTxSpace = imp('netdev_tx_space');
  const netdevClose = imp('netdev_close');
  const netdevShutdown = imp('netdev_shutdown');
  const netdevWait = imp('netdev_wait');
  const memcpy = ctx.import('newlib', 'memcpy');
  const mutexInit = ctx.import('uksched', 'uk_mutex_init');
  const lock = ctx.import('uksched', 'uk_mutex_lock');
  const unlock = ctx.import('uksched', 'uk_mutex_unlock');
  const runReady = ctx.import('uksched', 'uk_sched_run_ready');
  const now = ctx.import('uktime', 'ukplat_monotonic_us');
  // flexos_malloc_whitelist: the shared heap's allocator runs in the caller's compartment (its
  // metadata is in the shared region), so a pbuf allocation is not a gate.
  const pbufAlloc = (size: number): number => ctx.sharedHeap.malloc(size);
  const pbufFree = (address: number): void => ctx.sharedHeap.free(address);

  const table = new SocketTable();
  // select()'s scratch fd_sets: what was asked, and the answer being built (lwip's JS heap).
  const selectWant = [0, 1, 2].map(() => new Uint8Array(abi.FD_SET_BYTES));
  const selectOut = [0, 1].map(() => new Uint8Array(abi.FD_SET_BYTES));
  const selectNone = new Uint8Array(abi.FD_SET_BYTES);
  const copyIn = (into: Uint8Array, address: number, bytes: number): Uint8Array => {
    const src = memory.region(address, bytes, 'read');
    const at = offsetOf(address);
    for (let i = 0; i < bytes; i++) into[i] = src[at + i]!;
    return into;
  };
  let coreLock = 0;
  let scratch = 0; // shared: the driver writes event records here
  let queued = 0;

  /** A fault on the caller's addresses becomes EFAULT; anything else propagates. */
  const efault = (error: unknown): number => {
    if ((error as { code?: string }).code === 'FLEXOS_ERR_PROTECTION_FAULT' || (error as { remoteCode?: string }).remoteCode === 'FLEXOS_ERR_PROTECTION_FAULT') return -ERRNO.EFAULT;
    throw error;
  };

  /** LOCK_TCPIP_CORE around every API call; faults on the caller's addresses become EFAULT. */
  const api = (body: () => number): number => {
    lock(coreLock);
    try {
      return body();
    } catch (error) {
      return efault(error);
    } finally {
      unlock(coreLock);
    }
  };

  /** api() for the per-request calls, as a wrapper made once rather than a closure per call. */
  type Call5 = (a: number, b: number, c: number, d: number, e: number) => number;
  const locked = (body: Call5): Call5 => (a, b, c, d, e) => {
    lock(coreLock);
    try {
      return body(a, b, c, d, e);
    } catch (error) {
      return efault(error);
    } finally {
      unlock(coreLock);
    }
  };

  /** Pulls connection events and received bytes from the device (lwip's netif input); returns sys_now() in µs. */
  const input = (): number => {
    const time = now(); // sys_now(): lwip's timers read the clock on every input pass
    for (;;) {
      const type = netdevPoll(scratch);
      if (type === NETDEV_EVENT_NONE) break;
      const conn = memory.read64(scratch);
      if (type === NETDEV_EVENT_OPEN) {
        // Connections that arrive before anyone listens wait, like SYNs in the backlog.
        const listener = table.listener();
        const queue = listener ? listener.backlog : table.unclaimed;
        if (queue.length >= (listener ? Math.max(1, listener.backlogLimit) : 128)) netdevClose(conn);
        else queue.push(table.adopt(conn));
      } else {
        const s = table.byConn(conn);
        if (s && type === NETDEV_EVENT_PEER_CLOSED) s.peerClosed = true;
        if (s && type === NETDEV_EVENT_RESET) s.reset = true;
      }
    }
    while (queued < RX_QUEUE_LIMIT) {
      const pbuf = pbufAlloc(TCP_MSS);
      if (pbuf === 0) break;
      const n = netdevRx(pbuf, TCP_MSS, scratch);
      const s = n > 0 ? table.byConn(memory.read64(scratch)) : undefined;
      if (!s) {
        pbufFree(pbuf);
        if (n <= 0) break;
        continue;
      }
      s.rx.push({ pbuf, length: n, offset: 0 });
      s.rxBytes += n;
      queued += n;
    }
    return time;
  };

  /** Blocks the CPU until the device has work (blocking sockets), then pulls input again. */
  const block = (timeoutMs = -1): void => {
    unlock(coreLock);
    try {
      // A blocking call yields: ready threads run before the CPU idles on the device.
      if (runReady() > 0) timeoutMs = 0;
      netdevWait(timeoutMs);
    } finally {
      lock(coreLock);
    }
    input();
  };

  const stream = (fd: number): Socket | number => {
    const s = table.get(fd);
    if (!s) return -ERRNO.EBADF;
    if (s.conn === 0) return -ERRNO.ENOTCONN;
    return s;
  };

  const receive = (fd: number, buf: number, len: number, flags: number): number => {
    const s = stream(fd);
    if (typeof s === 'number') return s;
    if (!(len >= 0)) return -ERRNO.EINVAL;
    memory.check(buf, len, 'write'); // EFAULT before anything is consumed
    if (s.rx.length === 0) input();
    while (s.rx.length === 0) {
      if (s.reset) return -ERRNO.ECONNRESET;
      if (s.peerClosed || s.shutRd) return 0;
      if (s.nonblocking || flags & abi.MSG_DONTWAIT) return -ERRNO.EAGAIN;
      block();
    }
    let copied = 0;
    while (copied < len && s.rx.length > 0) {
      const head = s.rx[0]!;
      const n = Math.min(len - copied, head.length - head.offset);
      memcpy(buf + copied, head.pbuf + head.offset, n);
      copied += n;
      if (flags & abi.MSG_PEEK) break;
      head.offset += n;
      if (head.offset === head.length) {
        s.rx.shift();
        pbufFree(head.pbuf);
      }
    }
    if (!(flags & abi.MSG_PEEK)) {
      s.rxBytes -= copied;
      queued -= copied;
    }
    return copied;
  };

  const transmit = (fd: number, buf: number, len: number, flags: number): number => {
    const s = stream(fd);
    if (typeof s === 'number') return s;
    if (s.reset) return -ERRNO.ECONNRESET;
    if (s.shutWr) return -ERRNO.EPIPE;
    if (!(len >= 0)) return -ERRNO.EINVAL;
    memory.check(buf, len, 'read');
    let sent = 0;
    while (sent < len) {
      const chunk = Math.min(TCP_MSS, len - sent);
      const pbuf = pbufAlloc(chunk);
      if (pbuf === 0) return sent > 0 ? sent : -ERRNO.ENOMEM;
      memcpy(pbuf, buf + sent, chunk);
      const n = netdevTx(s.conn, pbuf, chunk);
      pbufFree(pbuf);
      if (n < 0) {
        s.reset = true;
        return sent > 0 ? sent : -ERRNO.ECONNRESET;
      }
      sent += n;
      if (n < chunk) {
        if (sent > 0 && (s.nonblocking || flags & abi.MSG_DONTWAIT)) return sent;
        if (s.nonblocking || flags & abi.MSG_DONTWAIT) return -ERRNO.EAGAIN;
        block();
        if (s.reset) return sent > 0 ? sent : -ERRNO.ECONNRESET;
      }
    }
    return sent;
  };

  const readable = (s: Socket): boolean => (s.listening ? s.backlog.length > 0 : s.rx.length > 0 || s.peerClosed || s.reset || s.shutRd);
  const writable = (s: Socket): boolean => !s.listening && s.conn !== 0 && (s.reset || s.shutWr || netdevTxSpace(s.conn) > 0);

  return {
    init() {
      coreLock = mutexInit();
      scratch = pbufAlloc(16);
      if (coreLock <= 0 || scratch === 0) throw new FlexosError('FLEXOS_ERR_BOOT', 'lwip: cannot create the core lock or the driver scratch buffer');
    },
    exports: {
      socket: (domain, type) =>
        api(() => {
          if (domain !== abi.AF_INET && domain !== abi.AF_INET6) return -ERRNO.EAFNOSUPPORT;
          if ((type & 0xf) !== abi.SOCK_STREAM) return -ERRNO.EPROTONOSUPPORT;
          return table.open((type & abi.SOCK_NONBLOCK) !== 0) ?? -ERRNO.EMFILE;
        }),
      bind: (fd, addr, len) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          if (len < abi.SOCKADDR_IN_BYTES - 8) return -ERRNO.EINVAL;
          const view = memory.view(addr, 4, 'read');
          const family = view[0]! | (view[1]! << 8);
          if (family !== abi.AF_INET && family !== abi.AF_INET6) return -ERRNO.EAFNOSUPPORT;
          const port = (view[2]! << 8) | view[3]!;
          if (table.portInUse(port, s)) return -ERRNO.EADDRINUSE;
          s.port = port;
          return 0;
        }),
      listen: (fd, backlog) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          if (s.conn !== 0) return -ERRNO.EISCONN;
          s.listening = true;
          s.backlogLimit = backlog > 0 ? backlog : 128;
          s.backlog.push(...table.unclaimed.splice(0));
          return 0;
        }),
      accept: (fd, addr, lenAddr) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          if (!s.listening) return -ERRNO.EINVAL;
          if (addr !== 0) memory.view(addr, abi.SOCKADDR_IN_BYTES, 'write'); // EFAULT before a connection is taken
          if (s.backlog.length === 0) input();
          while (s.backlog.length === 0) {
            if (s.nonblocking) return -ERRNO.EAGAIN;
            block();
          }
          const child = s.backlog.shift()!;
          const fdNew = table.install(child);
          if (fdNew === null) {
            netdevClose(child.conn);
            table.forget(child);
            return -ERRNO.EMFILE;
          }
          if (addr !== 0) writePeer(addr, lenAddr, child);
          return fdNew;
        }),
      recv: locked((fd, buf, len, flags) => receive(fd, buf, len, flags)),
      read: locked((fd, buf, len) => receive(fd, buf, len, 0)),
      send: locked((fd, buf, len, flags) => transmit(fd, buf, len, flags)),
      write: locked((fd, buf, len) => transmit(fd, buf, len, 0)),
      sendmsg: (fd, msg, flags) =>
        api(() => {
          if (!table.get(fd)) return -ERRNO.EBADF;
          const iov = memory.read64(msg + 16);
          const count = memory.read64(msg + 24);
          let total = 0;
          for (let i = 0; i < count; i++) {
            const base = memory.read64(iov + i * abi.IOVEC_BYTES);
            const len = memory.read64(iov + i * abi.IOVEC_BYTES + 8);
            const n = transmit(fd, base, len, flags);
            if (n < 0) return total > 0 ? total : n;
            total += n;
            if (n < len) break;
          }
          return total;
        }),
      close: (fd) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          for (const child of s.backlog) {
            netdevClose(child.conn);
            table.forget(child);
          }
          for (const p of s.rx) pbufFree(p.pbuf);
          queued -= s.rxBytes;
          // After a reset too: the device keeps the slot until the guest closes it.
          if (s.conn !== 0) netdevClose(s.conn);
          table.close(fd);
          return 0;
        }),
      shutdown: (fd, how) =>
        api(() => {
          const s = stream(fd);
          if (typeof s === 'number') return s;
          if (how !== abi.SHUT_RD && how !== abi.SHUT_WR && how !== abi.SHUT_RDWR) return -ERRNO.EINVAL;
          if (how !== abi.SHUT_WR) s.shutRd = true;
          if (how !== abi.SHUT_RD && !s.shutWr && !s.reset) {
            s.shutWr = true;
            netdevShutdown(s.conn);
          }
          return 0;
        }),
      setsockopt: (fd, level, name, value, len) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          if (!abi.SOCKET_OPTIONS.get(level)?.has(name)) return -ERRNO.ENOPROTOOPT;
          if (len < 4) return -ERRNO.EINVAL;
          s.options.set(level * 1000 + name, memory.read32(value));
          return 0;
        }),
      getsockopt: (fd, level, name, value, lenAddr) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          const fallback = abi.SOCKET_OPTIONS.get(level)?.get(name);
          if (fallback === undefined) return -ERRNO.ENOPROTOOPT;
          const v = level === abi.SOL_SOCKET && name === abi.SO_ERROR ? (s.reset ? ERRNO.ECONNRESET : 0) : (s.options.get(level * 1000 + name) ?? fallback);
          memory.write32(value, v);
          memory.write32(lenAddr, 4);
          return 0;
        }),
      getpeername: (fd, addr, lenAddr) =>
        api(() => {
          const s = stream(fd);
          if (typeof s === 'number') return s;
          writePeer(addr, lenAddr, s);
          return 0;
        }),
      fcntl: (fd, cmd, arg) =>
        api(() => {
          const s = table.get(fd);
          if (!s) return -ERRNO.EBADF;
          if (cmd === abi.F_GETFL) return abi.O_RDWR | (s.nonblocking ? abi.O_NONBLOCK : 0);
          if (cmd === abi.F_SETFL) {
            s.nonblocking = (arg & abi.O_NONBLOCK) !== 0;
            return 0;
          }
          return -ERRNO.EINVAL;
        }),
      select: locked((nfds, readfds, writefds, exceptfds, timeout) => {
        if (!(nfds >= 0 && nfds <= abi.FD_SETSIZE)) return -ERRNO.EINVAL;
        const bytes = Math.ceil(nfds / 8);
        // The sets asked about, copied in before any is written back (lwip_select's lwip_selscan).
        const wantRead = readfds === 0 ? null : copyIn(selectWant[0]!, readfds, bytes);
        const wantWrite = writefds === 0 ? null : copyIn(selectWant[1]!, writefds, bytes);
        const wantExcept = exceptfds === 0 ? null : copyIn(selectWant[2]!, exceptfds, bytes);
        for (const set of [wantRead, wantWrite, wantExcept]) {
          if (!set) continue;
          for (let fd = 0; fd < nfds; fd++) if (set[fd >> 3]! & (1 << (fd & 7)) && !table.get(fd)) return -ERRNO.EBADF;
        }
        if (timeout !== 0 && !(memory.read64(timeout) >= 0 && memory.read64(timeout + 8) >= 0 && memory.read64(timeout + 8) < 1e6)) return -ERRNO.EINVAL;
        const limitMs = timeout === 0 ? -1 : memory.read64(timeout) * 1000 + memory.read64(timeout + 8) / 1000;
        // The deadline counts from the clock reading of the first input pass.
        const deadline = input() + limitMs * 1000;
        const outRead = selectOut[0]!;
        const outWrite = selectOut[1]!;
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
            if (w && writable(s)) (outWrite[byte]! |= bit), ready++;
          }
          // The clock is read only when there is nothing to report yet (lwip waits with a timeout).
          const left = ready > 0 ? 1 : limitMs < 0 ? -1 : Math.max(0, (deadline - now()) / 1000);
          if (ready > 0 || left === 0) {
            if (readfds !== 0) memory.writeFrom(readfds, outRead, 0, bytes);
            if (writefds !== 0) memory.writeFrom(writefds, outWrite, 0, bytes);
            if (exceptfds !== 0) memory.writeFrom(exceptfds, selectNone, 0, bytes); // no exceptional conditions
            return ready;
          }
          block(left < 0 ? -1 : Math.ceil(left));
        }
      }),
      poll: (fds, nfds, timeoutMs) =>
        api(() => {
          if (!(nfds >= 0 && nfds <= abi.FD_SETSIZE)) return -ERRNO.EINVAL;
          memory.view(fds, nfds * abi.POLLFD_BYTES, 'write');
          const deadline = now() + timeoutMs * 1000;
          input();
          for (;;) {
            let ready = 0;
            for (let i = 0; i < nfds; i++) {
              const at = fds + i * abi.POLLFD_BYTES;
              const fd = memory.read32(at);
              const events = memory.read32(at + 4) & 0xffff;
              let revents = 0;
              const s = fd >= 0 ? table.get(fd) : undefined;
              if (fd >= 0 && !s) revents = abi.POLLNVAL;
              else if (s) {
                if (events & abi.POLLIN && readable(s)) revents |= abi.POLLIN;
                if (events & abi.POLLOUT && writable(s)) revents |= abi.POLLOUT;
                if (s.reset) revents |= abi.POLLERR;
                if (s.peerClosed && s.rx.length === 0) revents |= abi.POLLHUP;
              }
              memory.write32(at + 4, (events & 0xffff) | (revents << 16));
              if (revents) ready++;
            }
            const left = timeoutMs < 0 ? -1 : Math.max(0, (deadline - now()) / 1000);
            if (ready > 0 || left === 0) return ready;
            block(left < 0 ? -1 : Math.ceil(left));
          }
        }),
    },
  };

  function writePeer(addr: number, lenAddr: number, s: Socket): void {
    const view = memory.view(addr, abi.SOCKADDR_IN_BYTES, 'write');
    view.fill(0);
    view[0] = abi.AF_INET;
    view[2] = (s.conn >> 8) & 0xff; // the backend terminates TCP: the connection id stands in for the peer port
    view[3] = s.conn & 0xff;
    view.set([127, 0, 0, 1], 4);
    if (lenAddr !== 0) memory.write32(lenAddr, abi.SOCKADDR_IN_BYTES);
  }
}
