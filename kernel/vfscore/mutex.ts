// The vfscore mutex: as in FlexOS, every vfscore entry point takes one uksched mutex and releases it
// on the way out, errors and exceptions included. These are calls to uksched: a gate each when
// uksched lives in another compartment, so every operation costs exactly one lock and one unlock.

import type { ImportedFunction } from '../abi/context.js';
import { FlexosError } from '../abi/errors.js';

/** uksched's uk_mutex_init, uk_mutex_lock and uk_mutex_unlock, as the image resolved them. */
export interface MutexCalls {
  readonly init: ImportedFunction;
  readonly lock: ImportedFunction;
  readonly unlock: ImportedFunction;
}

export class VfsMutex {
  readonly #calls: MutexCalls;
  #id = 0;

  constructor(calls: MutexCalls) {
    this.#calls = calls;
  }

  /** Creates the mutex (at init); a failure stops the boot. */
  init(): void {
    this.#id = this.#calls.init();
    if (this.#id < 0) throw new FlexosError('FLEXOS_ERR_BOOT', `vfscore: uk_mutex_init failed (${this.#id})`);
  }

  /** `body` run under the mutex; a failed lock is returned as is, and `body` does not run. */
  locked(body: (...args: number[]) => number): (...args: number[]) => number {
    return (...args) => {
      const rc = this.#calls.lock(this.#id);
      if (rc < 0) return rc;
      try {
        return body(...args);
      } finally {
        this.#calls.unlock(this.#id);
      }
    };
  }
}
