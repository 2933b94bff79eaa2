// lwip_recv / lwip_read: the app's side of the rx path. Bytes already queued in pbufs are copied
// out first; with none, one input pass, then a blocking socket waits on the device for more.

import type { Memory } from '../../shm/memory.js';
import { ERRNO } from '../newlib/errno.js';
import * as abi from './abi.js';
import type { Netif } from './netif.js';
import type { PbufPool } from './pbuf.js';
import type { Socket, SocketTable } from './sockets.js';
import type { SysArch } from './sys-arch.js';

export interface RecvOptions {
  /** Checks the app's buffer before anything is consumed. */
  readonly memory: Pick<Memory, 'check'>;
  readonly table: SocketTable;
  readonly pbufs: Pick<PbufPool, 'copyOut'>;
  readonly netif: Pick<Netif, 'input' | 'block'>;
  /** The recvmbox tryfetches. */
  readonly sys: Pick<SysArch, 'fetch'>;
}

/** How many queued pbufs a read of `len` bytes starts (lwip fetches each from the recvmbox; one partly read is its lastdata). */
function starts(s: Socket, len: number): number {
  let left = len;
  let n = 0;
  for (const p of s.rx) {
    if (left <= 0) break;
    if (p.offset === 0) n++;
    left -= p.length - p.offset;
  }
  return n;
}

/** A receive function: (fd, buf, len, flags) -> bytes copied, 0 at end of stream, or -errno. */
export type Recv = (fd: number, buf: number, len: number, flags: number) => number;

export function createRecv(options: RecvOptions): Recv {
  const { memory, table, pbufs, netif, sys } = options;
  return (fd, buf, len, flags) => {
    const s = table.stream(fd);
    if (typeof s === 'number') return s;
    if (!(len >= 0)) return -ERRNO.EINVAL;
    memory.check(buf, len, 'write'); // EFAULT before anything is consumed
    if (s.rx.length === 0) netif.input();
    while (s.rx.length === 0) {
      if (s.reset) return -ERRNO.ECONNRESET;
      if (s.peerClosed || s.shutRd) return 0;
      if (s.nonblocking || flags & abi.MSG_DONTWAIT) {
        sys.fetch(s); // the tryfetch that misses
        return -ERRNO.EAGAIN;
      }
      netif.block();
    }
    const peek = (flags & abi.MSG_PEEK) !== 0;
    // lwip_recv_tcp fetches a pbuf per one it starts, then tries once more while the buffer has room
    // (the "recv_try hit and miss" row of FLEXOS-CALLS.md §1). A peek keeps its pbuf: no fetch here.
    for (let i = peek ? 0 : starts(s, len); i > 0; i--) sys.fetch(s);
    const copied = pbufs.copyOut(s, buf, len, peek);
    if (!peek && copied < len) sys.fetch(s);
    return copied;
  };
}
