// uksched: the scheduler API over ukschedcoop. The image runs one thread of control (FlexOS's
// evaluation uses lwip in poll-only mode, so the app's main thread drives everything): a lock that
// would wait for another thread can never be released, and is reported as EDEADLK instead of hanging.

import type { LibraryContext, LibraryInstance } from '../../compartments/context.js';
import { ERRNO } from '../newlib/errno.js';

const MAIN_THREAD = 1;
const REENT_BYTES = 64;

export function create(ctx: LibraryContext): LibraryInstance {
  const pick = ctx.import('ukschedcoop', 'ukschedcoop_pick');
  const enqueue = ctx.import('ukschedcoop', 'ukschedcoop_enqueue');
  const remove = ctx.import('ukschedcoop', 'ukschedcoop_remove');
  const owners: number[] = [0]; // mutex id -> owning thread (0: free)
  const counts: number[] = [0]; // semaphore id -> count
  let condvars = 0;
  let reent = 0;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const valid = (table: number[], id: number): boolean => Number.isInteger(id) && id > 0 && id < table.length;

  return {
    init() {
      // The reent struct (errno and friends) is whitelisted: newlib in any compartment reaches it.
      reent = ctx.sharedHeap.calloc(1, REENT_BYTES);
      enqueue(MAIN_THREAD);
    },
    stop() {
      remove(MAIN_THREAD);
    },
    exports: {
      uk_thread_create: () => -ERRNO.ENOSYS,
      uk_thread_current: () => MAIN_THREAD,
      uk_sched_yield: () => pick(),
      uk_sched_sleep_ms: (ms) => {
        if (!(ms >= 0)) return -ERRNO.EINVAL;
        ctx.idle(() => Atomics.wait(sleeper, 0, 0, ms));
        return 0;
      },
      uk_thread_join: (tid) => (tid === MAIN_THREAD ? -ERRNO.EDEADLK : -ERRNO.ENOENT),
      uk_thread_exit: () => -ERRNO.EPERM,
      uk_mutex_init: () => owners.push(0) - 1,
      uk_mutex_lock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] !== 0) return -ERRNO.EDEADLK;
        owners[id] = MAIN_THREAD;
        return 0;
      },
      uk_mutex_trylock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] !== 0) return -ERRNO.EBUSY;
        owners[id] = MAIN_THREAD;
        return 0;
      },
      uk_mutex_unlock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] !== MAIN_THREAD) return -ERRNO.EPERM;
        owners[id] = 0;
        return 0;
      },
      uk_sem_init: (count) => (Number.isInteger(count) && count >= 0 ? counts.push(count) - 1 : -ERRNO.EINVAL),
      uk_sem_down: (id) => {
        if (!valid(counts, id)) return -ERRNO.EINVAL;
        if (counts[id]! === 0) return -ERRNO.EDEADLK;
        counts[id]!--;
        return 0;
      },
      uk_sem_down_try: (id) => {
        if (!valid(counts, id)) return -ERRNO.EINVAL;
        if (counts[id]! === 0) return -ERRNO.EAGAIN;
        counts[id]!--;
        return 0;
      },
      uk_sem_up: (id) => {
        if (!valid(counts, id)) return -ERRNO.EINVAL;
        counts[id]!++;
        return 0;
      },
      uk_condvar_init: () => ++condvars,
      uk_condvar_wait: () => -ERRNO.EDEADLK,
      uk_condvar_signal: (id) => (id > 0 && id <= condvars ? 0 : -ERRNO.EINVAL),
      uk_condvar_broadcast: (id) => (id > 0 && id <= condvars ? 0 : -ERRNO.EINVAL),
      __getreent: () => reent,
    },
  };
}
