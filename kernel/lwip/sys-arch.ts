// lwip's system layer as FlexOS ports it (lib-lwip mailbox.c, semaphore.c, sockets.c's errno gate):
// mailboxes are ukmpi mboxes whose every post and fetch is a uksched semaphore operation, and errno
// is newlib's, reached through its reent struct. The simulator has no tcpip thread, so the calls
// its loop makes per message are made here where a segment is delivered (FLEXOS-CALLS.md §1, "RX").

import type { Socket } from './sockets.js';
import type { CoreLock } from './tcpip-core-lock.js';

export interface SysArchImports {
  /** uksched's uk_sem_init(count): the semaphore id, <= 0 on failure. */
  readonly semInit: (count: number) => number;
  /** uksched's uk_sem_up: a mailbox post (FlexOS: uk_mbox_post -> uk_semaphore_up, mbox.c:72). */
  readonly semUp: (sem: number) => number;
  /** uksched's uk_sem_down_try: a mailbox tryfetch, 0 on a hit, -EAGAIN on a miss (mbox.c:125, 177). */
  readonly semDownTry: (sem: number) => number;
  /** newlib's errno_set (FlexOS: flexos_gate(libc, _SOCK_NET_SET_ERRNO), sockets.c:86-109). */
  readonly errnoSet: (value: number) => number;
}

export class SysArch {
  readonly #imports: SysArchImports;
  readonly #recvmbox = new WeakMap<Socket, number>();
  /** tcpip_thread's mailbox. */
  #tcpip = 0;

  constructor(imports: SysArchImports) {
    this.#imports = imports;
  }

  /** Creates tcpip_thread's mailbox (at init, once uksched is up); false when uksched could not. */
  init(): boolean {
    this.#tcpip = this.#imports.semInit(0);
    return this.#tcpip > 0;
  }

  /**
   * One received segment for `s`: tcpip_inpkt posts it to tcpip_thread's mailbox (tcpip.c:239-270),
   * the thread drops the core lock, fetches it and takes the lock back (tcpip.c:91-105; its
   * sys_now() is the input pass's), and recv_tcp posts the pbuf to the socket's recvmbox
   * (api_msg.c:331): 5 semaphore or mutex calls, the "RX" rows of the per-batch table.
   */
  segment(s: Socket, core: Pick<CoreLock, 'between'>): void {
    const { semUp, semDownTry } = this.#imports;
    const tcpip = this.#tcpip;
    semUp(tcpip);
    core.between(() => semDownTry(tcpip));
    semUp(this.#mbox(s));
  }

  /** netconn_recv_tcp_pbuf's tryfetch of the socket's recvmbox (sockets.c:1892): true on a hit. */
  fetch(s: Socket): boolean {
    return this.#imports.semDownTry(this.#mbox(s)) === 0;
  }

  /** sock_set_errno: 0 after a call that succeeded, else its errno. */
  errno(result: number): void {
    this.#imports.errnoSet(result < 0 ? -result : 0);
  }

  /** A socket's recvmbox, made on its first segment (uksched has no semaphore free: one id per connection stays). */
  #mbox(s: Socket): number {
    let sem = this.#recvmbox.get(s);
    if (sem === undefined) {
      sem = this.#imports.semInit(0);
      this.#recvmbox.set(s, sem);
    }
    return sem;
  }
}
