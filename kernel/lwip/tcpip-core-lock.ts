// LOCK_TCPIP_CORE: lwip without its tcpip thread (FlexOS's configuration) takes one uksched mutex
// around every API call, and drops it while a blocking call waits on the device. A fault on the
// caller's addresses inside a call becomes EFAULT, as a kernel's copy_from_user would report it.

import { ERRNO } from '../newlib/errno.js';

export interface CoreLockImports {
  /** uksched's uk_mutex_init: the mutex id, <= 0 on failure. */
  readonly mutexInit: () => number;
  /** uksched's uk_mutex_lock / uk_mutex_unlock. */
  readonly lock: (mutex: number) => number;
  readonly unlock: (mutex: number) => number;
  /** uksched's uk_sched_run_ready: runs the ready threads, returns how many ran. */
  readonly runReady: () => number;
  /** netdev's netdev_wait(timeoutMs): parks the CPU until the device has work. */
  readonly netdevWait: (timeoutMs: number) => number;
}

/** An API call as the gates call it, up to five integer arguments. */
export type Call5 = (a: number, b: number, c: number, d: number, e: number) => number;

/** A fault on the caller's addresses (here, or reported by a callee across a gate) becomes -EFAULT; anything else propagates. */
export function efault(error: unknown): number {
  if ((error as { code?: string }).code === 'FLEXOS_ERR_PROTECTION_FAULT' || (error as { remoteCode?: string }).remoteCode === 'FLEXOS_ERR_PROTECTION_FAULT') return -ERRNO.EFAULT;
  throw error;
}

export class CoreLock {
  readonly #imports: CoreLockImports;
  #mutex = 0;

  constructor(imports: CoreLockImports) {
    this.#imports = imports;
  }

  /** Creates the mutex (at init, once uksched is up); false when uksched could not. */
  init(): boolean {
    this.#mutex = this.#imports.mutexInit();
    return this.#mutex > 0;
  }

  /** Runs one API call under the core lock. */
  api(body: () => number): number {
    const { lock, unlock } = this.#imports;
    lock(this.#mutex);
    try {
      return body();
    } catch (error) {
      return efault(error);
    } finally {
      unlock(this.#mutex);
    }
  }

  /** api() for the per-request calls, as a wrapper made once rather than a closure per call. */
  locked(body: Call5): Call5 {
    const { lock, unlock } = this.#imports;
    return (a, b, c, d, e) => {
      lock(this.#mutex);
      try {
        return body(a, b, c, d, e);
      } catch (error) {
        return efault(error);
      } finally {
        unlock(this.#mutex);
      }
    };
  }

  /** tcpip_thread between two messages: UNLOCK_TCPIP_CORE, `body` (its mailbox fetch), LOCK_TCPIP_CORE (tcpip.c:91-105). */
  between(body: () => number): void {
    const { lock, unlock } = this.#imports;
    unlock(this.#mutex);
    try {
      body();
    } finally {
      lock(this.#mutex);
    }
  }

  /** Drops the core lock while the CPU waits for the device (-1: no limit); a blocking call yields to ready threads first. */
  idle(timeoutMs: number): void {
    const { lock, unlock, runReady, netdevWait } = this.#imports;
    unlock(this.#mutex);
    try {
      // Threads that became ready run before the CPU idles; then the device is only checked, not waited on.
      if (runReady() > 0) timeoutMs = 0;
      netdevWait(timeoutMs);
    } finally {
      lock(this.#mutex);
    }
  }
}
