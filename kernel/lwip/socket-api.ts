// lwip's socket calls around the data path (lwip_socket .. lwip_fcntl in FlexOS's sockets.c): they
// set up, configure, accept and tear down connections in the socket table. Each runs under the
// core lock (tcpip-core-lock.ts); the data path is recv.ts, send.ts and select.ts.

import type { Memory } from '../../shm/memory.js';
import { ERRNO } from '../newlib/errno.js';
import * as abi from './abi.js';
import type { Netif } from './netif.js';
import type { PbufPool } from './pbuf.js';
import type { Socket, SocketTable } from './sockets.js';

export interface SocketApiOptions {
  readonly memory: Pick<Memory, 'view' | 'read32' | 'write32'>;
  readonly table: SocketTable;
  readonly pbufs: Pick<PbufPool, 'drain'>;
  readonly netif: Pick<Netif, 'input' | 'block'>;
  /** netdev's netdev_close(conn) and netdev_shutdown(conn) (the FIN of SHUT_WR). */
  readonly netdevClose: (conn: number) => number;
  readonly netdevShutdown: (conn: number) => number;
}

export interface SocketApi {
  socket(domain: number, type: number): number;
  bind(fd: number, addr: number, len: number): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number, addr: number, lenAddr: number): number;
  close(fd: number): number;
  shutdown(fd: number, how: number): number;
  setsockopt(fd: number, level: number, name: number, value: number, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: number, lenAddr: number): number;
  getpeername(fd: number, addr: number, lenAddr: number): number;
  fcntl(fd: number, cmd: number, arg: number): number;
}

export function createSocketApi(options: SocketApiOptions): SocketApi {
  const { memory, table, pbufs, netif, netdevClose, netdevShutdown } = options;

  /** The peer's sockaddr_in; the backend terminates TCP, so the connection id stands in for the peer port. */
  const writePeer = (addr: number, lenAddr: number, s: Socket): void => {
    const view = memory.view(addr, abi.SOCKADDR_IN_BYTES, 'write');
    view.fill(0);
    view[0] = abi.AF_INET;
    view[2] = (s.conn >> 8) & 0xff;
    view[3] = s.conn & 0xff;
    view.set([127, 0, 0, 1], 4);
    if (lenAddr !== 0) memory.write32(lenAddr, abi.SOCKADDR_IN_BYTES);
  };

  return {
    socket(domain, type) {
      if (domain !== abi.AF_INET && domain !== abi.AF_INET6) return -ERRNO.EAFNOSUPPORT;
      if ((type & 0xf) !== abi.SOCK_STREAM) return -ERRNO.EPROTONOSUPPORT;
      return table.open((type & abi.SOCK_NONBLOCK) !== 0) ?? -ERRNO.EMFILE;
    },
    bind(fd, addr, len) {
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
    },
    listen(fd, backlog) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      if (s.conn !== 0) return -ERRNO.EISCONN;
      s.listening = true;
      s.backlogLimit = backlog > 0 ? backlog : 128;
      s.backlog.push(...table.unclaimed.splice(0));
      return 0;
    },
    accept(fd, addr, lenAddr) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      if (!s.listening) return -ERRNO.EINVAL;
      if (addr !== 0) memory.view(addr, abi.SOCKADDR_IN_BYTES, 'write'); // EFAULT before a connection is taken
      if (s.backlog.length === 0) netif.input();
      while (s.backlog.length === 0) {
        if (s.nonblocking) return -ERRNO.EAGAIN;
        netif.block();
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
    },
    close(fd) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      for (const child of s.backlog) {
        netdevClose(child.conn);
        table.forget(child);
      }
      pbufs.drain(s);
      // After a reset too: the device keeps the slot until the guest closes it.
      if (s.conn !== 0) netdevClose(s.conn);
      table.close(fd);
      return 0;
    },
    shutdown(fd, how) {
      const s = table.stream(fd);
      if (typeof s === 'number') return s;
      if (how !== abi.SHUT_RD && how !== abi.SHUT_WR && how !== abi.SHUT_RDWR) return -ERRNO.EINVAL;
      if (how !== abi.SHUT_WR) s.shutRd = true;
      if (how !== abi.SHUT_RD && !s.shutWr && !s.reset) {
        s.shutWr = true;
        netdevShutdown(s.conn);
      }
      return 0;
    },
    setsockopt(fd, level, name, value, len) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      if (!abi.SOCKET_OPTIONS.get(level)?.has(name)) return -ERRNO.ENOPROTOOPT;
      if (len < 4) return -ERRNO.EINVAL;
      s.options.set(level * 1000 + name, memory.read32(value));
      return 0;
    },
    getsockopt(fd, level, name, value, lenAddr) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      const fallback = abi.SOCKET_OPTIONS.get(level)?.get(name);
      if (fallback === undefined) return -ERRNO.ENOPROTOOPT;
      const v = level === abi.SOL_SOCKET && name === abi.SO_ERROR ? (s.reset ? ERRNO.ECONNRESET : 0) : (s.options.get(level * 1000 + name) ?? fallback);
      memory.write32(value, v);
      memory.write32(lenAddr, 4);
      return 0;
    },
    getpeername(fd, addr, lenAddr) {
      const s = table.stream(fd);
      if (typeof s === 'number') return s;
      writePeer(addr, lenAddr, s);
      return 0;
    },
    fcntl(fd, cmd, arg) {
      const s = table.get(fd);
      if (!s) return -ERRNO.EBADF;
      if (cmd === abi.F_GETFL) return abi.O_RDWR | (s.nonblocking ? abi.O_NONBLOCK : 0);
      if (cmd === abi.F_SETFL) {
        s.nonblocking = (arg & abi.O_NONBLOCK) !== 0;
        return 0;
      }
      return -ERRNO.EINVAL;
    },
  };
}
