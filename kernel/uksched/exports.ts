// uksched's exportsyms: the scheduler API (cooperative threads, yield, sleep, join) and its synchronisation
// primitives (mutexes, semaphores, condition variables), plus newlib's __getreent hook.

import type { LibraryDescriptor } from '../abi/library.js';

export const uksched: LibraryDescriptor = {
  name: 'uksched',
  exports: {
    /** (entry function pointer, arg) -> tid; entry(tid, arg) returns -EAGAIN to yield, >= 0 to exit. */
    uk_thread_create: { args: ['int', 'int'], returns: 'int' },
    uk_thread_current: { args: [], returns: 'int' },
    uk_sched_yield: { args: [], returns: 'int' },
    /** Runs the ready threads (blocking calls do, before the CPU idles). */
    uk_sched_run_ready: { args: [], returns: 'int' },
    uk_sched_sleep_ms: { args: ['int'], returns: 'int' },
    uk_thread_join: { args: ['int'], returns: 'int' },
    uk_thread_exit: { args: ['int'], returns: 'int' },
    uk_mutex_init: { args: [], returns: 'int' },
    uk_mutex_lock: { args: ['int'], returns: 'int' },
    uk_mutex_trylock: { args: ['int'], returns: 'int' },
    uk_mutex_unlock: { args: ['int'], returns: 'int' },
    uk_sem_init: { args: ['int'], returns: 'int' },
    uk_sem_down: { args: ['int'], returns: 'int' },
    uk_sem_down_try: { args: ['int'], returns: 'int' },
    uk_sem_up: { args: ['int'], returns: 'int' },
    uk_condvar_init: { args: [], returns: 'int' },
    uk_condvar_wait: { args: ['int', 'int'], returns: 'int' },
    uk_condvar_signal: { args: ['int'], returns: 'int' },
    uk_condvar_broadcast: { args: ['int'], returns: 'int' },
    /** FlexOS: newlib reaches the current thread's reent struct (errno) through this callback. */
    __getreent: { args: [], returns: 'addr' },
  },
  calls: { ukschedcoop: ['ukschedcoop_pick', 'ukschedcoop_enqueue', 'ukschedcoop_remove'], uktime: ['ukplat_monotonic_us'] },
  whitelist: ['reent'],
  implementation: new URL('./uksched.js', import.meta.url).href,
  together: ['ukschedcoop'],
  callsPointers: true,
};
