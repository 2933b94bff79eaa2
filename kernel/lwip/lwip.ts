// lwip: TCP sockets over the netdev device, in poll-only mode as in FlexOS's evaluation: every API
// call takes the core lock (a uksched mutex), input is pulled from the device into packet buffers
// (pbufs, from the shared heap, one MSS each), and payloads are copied with newlib's memcpy. Mailbox
// posts and fetches are uksched semaphore calls and errno is newlib's (sys-arch.ts), as in FlexOS.
// Socket fds are vfscore's: the BSD calls turn each fd into its socket through vfscore's table.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { FlexosError } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { lengthArithmetic } from '../abi/lengths.js';
import { Netif } from './netif.js';
import { PbufPool } from './pbuf.js';
import { createRecv } from './recv.js';
import { Select } from './select.js';
import { createSend } from './send.js';
import { createSocketApi } from './socket-api.js';
import { SocketTable } from './sockets.js';
import { SysArch } from './sys-arch.js';
import { CoreLock } from './tcpip-core-lock.js';

export { TCP_MSS } from './pbuf.js';

/**
 * Assembles lwip from its units, each handed only the imports it calls (the image resolved them to
 * direct calls or gates): the core lock (tcpip-core-lock.ts), pbufs (pbuf.ts), netif input
 * (netif.ts), the socket table (sockets.ts), the data path (recv.ts, send.ts, select.ts) and the
 * control calls (socket-api.ts).
 */
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
  const semInit = ctx.import('uksched', 'uk_sem_init');
  const semUp = ctx.import('uksched', 'uk_sem_up');
  const semDownTry = ctx.import('uksched', 'uk_sem_down_try');
  const errnoSet = ctx.import('newlib', 'errno_set');
  const now = ctx.import('uktime', 'ukplat_monotonic_us');
  const vfs = (fn: string) => ctx.import('vfscore', fn);
  const [fdAlloc, fdInstall, fdPut, fileGet, filePut] = ['vfscore_alloc_fd', 'vfscore_install_fd', 'vfscore_put_fd', 'vfscore_get_file', 'vfscore_put_file'].map(vfs) as [
    () => number,
    (fd: number) => number,
    (fd: number) => number,
    (fd: number) => number,
    (fd: number) => number,
  ];

  // Socket fds are vfscore's (lib-lwip's sock_fd_alloc, and vfscore_put_fd on close).
  const table = new SocketTable({
    alloc: () => {
      const fd = fdAlloc();
      if (fd >= 0) fdInstall(fd);
      return fd;
    },
    release: (fd) => void fdPut(fd),
  });
  const core = new CoreLock({ mutexInit, lock, unlock, runReady, netdevWait });
  const sys = new SysArch({ semInit, semUp, semDownTry, errnoSet });
  const lengths = lengthArithmetic(ctx); // UBSan's checked arithmetic under ubsan
  const pbufs = new PbufPool({ heap: ctx.sharedHeap, memcpy, lengths });
  const netif = new Netif({ memory, table, pbufs, core, sys, netdevPoll, netdevRx, netdevClose, now });
  const rx = createRecv({ memory, table, pbufs, netif, sys });
  const tx = createSend({ memory, table, pbufs, netif, netdevTx, lengths });
  const select = new Select({ memory, table, netif, now, netdevTxSpace, fileGet });
  const sockets = createSocketApi({ memory, table, pbufs, netif, netdevClose, netdevShutdown });
  const recv = core.locked((fd, buf, len, flags) => rx(fd, buf, len, flags));
  const send = core.locked((fd, buf, len, flags) => tx.send(fd, buf, len, flags));
  // errno goes to newlib after the call: twice on the read path (lwip_recv_tcp's and lwip_recvfrom's,
  // sockets.c:1963, 2289), once on the write path (sockets.c:2404).
  const recvErrno = (fd: number, buf: number, len: number, flags: number): number => {
    const result = recv(fd, buf, len, flags, 0);
    sys.errno(result);
    sys.errno(result);
    return result;
  };
  const sendErrno = (fd: number, buf: number, len: number, flags: number): number => {
    const result = send(fd, buf, len, flags, 0);
    sys.errno(result);
    return result;
  };

  /**
   * lib-lwip's BSD wrappers (sockets.c): the fd is turned into its socket through vfscore's table
   * (sock_net_file_get) and the file dropped afterwards (vfscore_put_file), each a gate when lwip is
   * isolated from vfscore. read and write are not wrapped: in FlexOS they are vfscore's own calls,
   * which reach lwip through the sock_net_read/sock_net_write callbacks with the file in hand.
   */
  const viaFile =
    <A extends number[]>(call: (fd: number, ...rest: A) => number) =>
    (fd: number, ...rest: A): number => {
      if (fileGet(fd) < 0) {
        sys.errno(-ERRNO.EBADF);
        return -ERRNO.EBADF;
      }
      try {
        return call(fd, ...rest);
      } finally {
        filePut(fd);
      }
    };

  return {
    init() {
      const locked = core.init() && sys.init();
      const scratch = netif.init();
      if (!locked || !scratch) throw new FlexosError('FLEXOS_ERR_BOOT', 'lwip: cannot create the core lock, the tcpip mailbox or the driver scratch buffer');
    },
    exports: {
      socket: (domain, type) => core.api(() => sockets.socket(domain, type)),
      bind: viaFile((fd, addr, len) => core.api(() => sockets.bind(fd, addr, len))),
      listen: viaFile((fd, backlog) => core.api(() => sockets.listen(fd, backlog))),
      accept: viaFile((fd, addr, lenAddr) => core.api(() => sockets.accept(fd, addr, lenAddr))),
      recv: viaFile(recvErrno),
      read: (fd, buf, len) => recvErrno(fd, buf, len, 0),
      send: viaFile(sendErrno),
      write: (fd, buf, len) => sendErrno(fd, buf, len, 0),
      sendmsg: viaFile((fd, msg, flags) => core.api(() => tx.sendmsg(fd, msg, flags))),
      close: (fd) => core.api(() => sockets.close(fd)),
      shutdown: viaFile((fd, how) => core.api(() => sockets.shutdown(fd, how))),
      setsockopt: viaFile((fd, level, name, value, len) => core.api(() => sockets.setsockopt(fd, level, name, value, len))),
      getsockopt: viaFile((fd, level, name, value, lenAddr) => core.api(() => sockets.getsockopt(fd, level, name, value, lenAddr))),
      getpeername: viaFile((fd, addr, lenAddr) => core.api(() => sockets.getpeername(fd, addr, lenAddr))),
      fcntl: viaFile((fd, cmd, arg) => core.api(() => sockets.fcntl(fd, cmd, arg))),
      select: core.locked((nfds, readfds, writefds, exceptfds, timeout) => select.select(nfds, readfds, writefds, exceptfds, timeout)),
      poll: (fds, nfds, timeoutMs) => core.api(() => select.poll(fds, nfds, timeoutMs)),
    },
  };
}
