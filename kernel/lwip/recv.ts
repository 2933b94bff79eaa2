// lwip_recv / lwip_read: the app's side of the rx path. Bytes already queued in pbufs are copied
// out first; with none, one input pass, then a blocking socket waits on the device for more.

import type { Memory } from '../../shm/memory.js';
import { ERRNO } from '../newlib/errno.js';
import * as abi from './abi.js';
import type { Netif } from './netif.js';
import type { PbufPool } from './pbuf.js';
import type { SocketTable } from './sockets.js';

export interface RecvOptions {
  /** Checks the app's buffer before anything is consumed. */
  readonly memory: Pick<Memory, 'check'>;
  readonly table: SocketTable;
  readonly pbufs: Pick<PbufPool, 'copyOut'>;
  readonly netif: Pick<Netif, 'input' | 'block'>;
}

/** A receive function: (fd, buf, len, flags) -> bytes copied, 0 at end of stream, or -errno. */
export type Recv = (fd: number, buf: number, len: number, flags: number) => number;

export function createRecv(options: RecvOptions): Recv {
  const { memory, table, pbufs, netif } = options;
  return (fd, buf, len, flags) => {
    const s = table.stream(fd);
    if (typeof s === 'number') return s;
    if (!(len >= 0)) return -ERRNO.EINVAL;
    memory.check(buf, len, 'write'); // EFAULT before anything is consumed
    if (s.rx.length === 0) netif.input();
    while (s.rx.length === 0) {
      if (s.reset) return -ERRNO.ECONNRESET;
      if (s.peerClosed || s.shutRd) return 0;
      if (s.nonblocking || flags & abi.MSG_DONTWAIT) return -ERRNO.EAGAIN;
      netif.block();
    }
    return pbufs.copyOut(s, buf, len, (flags & abi.MSG_PEEK) !== 0);
  };
}
