// lwip_send / lwip_write / lwip_sendmsg: the tx path. The app's bytes go out one MSS at a time, each
// copied into a pbuf of the shared heap and handed to netdev_tx; a full device ring makes a blocking
// socket wait for room, a non-blocking one return what it sent (EAGAIN if nothing).

import type { Memory } from '../../shm/memory.js';
import type { CheckedInts } from '../abi/context.js';
import { EXACT_INTS } from '../abi/lengths.js';
import { ERRNO } from '../newlib/errno.js';
import * as abi from './abi.js';
import type { Netif } from './netif.js';
import { TCP_MSS, type PbufPool } from './pbuf.js';
import type { SocketTable } from './sockets.js';

export interface SendOptions {
  /** Checks the app's buffer before anything is sent; reads sendmsg's msghdr and iovecs. */
  readonly memory: Pick<Memory, 'check' | 'read64'>;
  readonly table: SocketTable;
  readonly pbufs: Pick<PbufPool, 'alloc' | 'free' | 'take'>;
  readonly netif: Pick<Netif, 'block'>;
  /** netdev's netdev_tx(conn, buf, len): the bytes the ring took, < 0 once the connection is gone. */
  readonly netdevTx: (conn: number, buf: number, len: number) => number;
  /** The length arithmetic (kernel/abi/lengths.ts): UBSan-checked when lwip is hardened with ubsan. */
  readonly lengths?: CheckedInts;
}

export interface Send {
  /** (fd, buf, len, flags) -> bytes sent, or -errno when none was. */
  send(fd: number, buf: number, len: number, flags: number): number;
  /** Sends the iovecs of the msghdr at `msg` in order, stopping at the first short one. */
  sendmsg(fd: number, msg: number, flags: number): number;
}

export function createSend(options: SendOptions): Send {
  const { memory, table, pbufs, netif, netdevTx } = options;
  const L = options.lengths ?? EXACT_INTS;
  const send = (fd: number, buf: number, len: number, flags: number): number => {
    const s = table.stream(fd);
    if (typeof s === 'number') return s;
    if (s.reset) return -ERRNO.ECONNRESET;
    if (s.shutWr) return -ERRNO.EPIPE;
    if (!(len >= 0)) return -ERRNO.EINVAL;
    memory.check(buf, len, 'read');
    let sent = 0;
    while (sent < len) {
      const chunk = Math.min(TCP_MSS, L.sub(len, sent));
      const pbuf = pbufs.alloc(chunk);
      if (pbuf === 0) return sent > 0 ? sent : -ERRNO.ENOMEM;
      pbufs.take(pbuf, buf + sent, chunk);
      const n = netdevTx(s.conn, pbuf, chunk);
      pbufs.free(pbuf);
      if (n < 0) {
        s.reset = true;
        return sent > 0 ? sent : -ERRNO.ECONNRESET;
      }
      sent = L.add(sent, n);
      if (n < chunk) {
        if (sent > 0 && (s.nonblocking || flags & abi.MSG_DONTWAIT)) return sent;
        if (s.nonblocking || flags & abi.MSG_DONTWAIT) return -ERRNO.EAGAIN;
        netif.block();
        if (s.reset) return sent > 0 ? sent : -ERRNO.ECONNRESET;
      }
    }
    return sent;
  };
  const sendmsg = (fd: number, msg: number, flags: number): number => {
    if (!table.get(fd)) return -ERRNO.EBADF;
    const iov = memory.read64(msg + 16);
    const count = memory.read64(msg + 24);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const base = memory.read64(iov + i * abi.IOVEC_BYTES);
      const len = memory.read64(iov + i * abi.IOVEC_BYTES + 8);
      const n = send(fd, base, len, flags);
      if (n < 0) return total > 0 ? total : n;
      total = L.add(total, n);
      if (n < len) break;
    }
    return total;
  };
  return { send, sendmsg };
}
