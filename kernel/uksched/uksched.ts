// uksched: the scheduler API over ukschedcoop. The image's main thread is the one thread that may
// block (FlexOS's evaluation runs lwip in poll-only mode, driven by the app's main thread); other
// threads are cooperative step functions (protothreads, as lwIP's NO_SYS mode and Contiki use):
// the scheduler calls a thread's entry (tid, arg) again and again; it returns -EAGAIN to yield and
// a value >= 0 to exit with it. Whenever the main thread would block (yield, sleep, join, a lock,
// a semaphore, lwip waiting for the network), the ready threads run first.

import { performance } from 'node:perf_hooks';
import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { ERRNO } from '../newlib/errno.js';

export const MAIN_THREAD = 1;
const REENT_BYTES = 64;
const MAX_THREADS = 256;

interface Thread {
  readonly tid: number;
  readonly entry: number;
  readonly arg: number;
  state: 'ready' | 'sleeping' | 'done';
  wakeAtMs: number;
  exitCode: number;
}

export function create(ctx: LibraryContext): LibraryInstance {
  const pick = ctx.import('ukschedcoop', 'ukschedcoop_pick');
  const enqueue = ctx.import('ukschedcoop', 'ukschedcoop_enqueue');
  const remove = ctx.import('ukschedcoop', 'ukschedcoop_remove');
  const owners: number[] = [0]; // mutex id -> owning thread (0: free)
  const counts: number[] = [0]; // semaphore id -> count
  const condWaiters: Set<number>[] = [new Set()]; // condvar id -> threads waiting on it
  const threads = new Map<number, Thread>();
  let nextTid = MAIN_THREAD + 1;
  let current = MAIN_THREAD;
  let reent = 0;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const valid = (table: unknown[], id: number): boolean => Number.isInteger(id) && id > 0 && id < table.length;

  /** Wakes sleepers whose time came. */
  const wake = (): void => {
    const now = performance.now();
    for (const t of threads.values()) {
      if (t.state === 'sleeping' && t.wakeAtMs <= now) {
        t.state = 'ready';
        enqueue(t.tid);
      }
    }
  };

  /** One step of the next ready thread (ukschedcoop's pick); false when none is ready. */
  const step = (): boolean => {
    wake();
    const tid = pick();
    const t = tid === 0 || tid === MAIN_THREAD ? undefined : threads.get(tid);
    if (!t || t.state !== 'ready') {
      if (tid !== 0 && tid !== MAIN_THREAD) remove(tid);
      return [...threads.values()].some((x) => x.state === 'ready');
    }
    const previous = current;
    current = t.tid;
    let result: number;
    try {
      result = ctx.callPointer(t.entry, t.tid, t.arg);
    } finally {
      current = previous;
    }
    if (result >= 0) {
      t.state = 'done';
      t.exitCode = result;
      remove(t.tid);
    } else if (result !== -ERRNO.EAGAIN) {
      t.state = 'done';
      t.exitCode = result;
      remove(t.tid);
    } else if ((t.state as Thread['state']) === 'sleeping') {
      remove(t.tid);
    }
    return true;
  };

  /** Runs ready threads until none is; true if any ran. */
  const runReady = (): boolean => {
    let ran = false;
    for (let guard = 0; guard < 10_000 && step(); guard++) ran = true;
    return ran;
  };

  /** The main thread waits: ready threads run, then the CPU idles until `untilMs` or the next wake. */
  const mainWait = (untilMs: number, done: () => boolean): void => {
    while (!done()) {
      runReady();
      if (done()) return;
      const sleepers = [...threads.values()].filter((t) => t.state === 'sleeping').map((t) => t.wakeAtMs);
      const next = Math.min(untilMs, ...sleepers);
      const left = next - performance.now();
      if (!Number.isFinite(left)) return;
      if (left > 0) ctx.idle(() => Atomics.wait(sleeper, 0, 0, left));
      if (performance.now() >= untilMs && sleepers.every((w) => w > untilMs)) return;
    }
  };

  const live = (): number => [...threads.values()].filter((t) => t.state !== 'done').length;

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
      /** (entry function pointer, arg) -> tid; the entry is called as entry(tid, arg). */
      uk_thread_create: (entry, arg) => {
        if (!ctx.isPointer(entry)) return -ERRNO.EINVAL;
        if (live() >= MAX_THREADS) return -ERRNO.EAGAIN;
        const tid = nextTid++;
        threads.set(tid, { tid, entry, arg, state: 'ready', wakeAtMs: 0, exitCode: 0 });
        enqueue(tid);
        return tid;
      },
      uk_thread_current: () => current,
      uk_sched_yield: () => {
        if (current !== MAIN_THREAD) return -ERRNO.EAGAIN; // a thread yields by returning -EAGAIN
        return runReady() ? 1 : 0;
      },
      uk_sched_run_ready: () => (current === MAIN_THREAD && runReady() ? 1 : 0),
      uk_sched_sleep_ms: (ms) => {
        if (!(ms >= 0)) return -ERRNO.EINVAL;
        const until = performance.now() + ms;
        if (current !== MAIN_THREAD) {
          const t = threads.get(current)!;
          t.state = 'sleeping';
          t.wakeAtMs = until;
          return -ERRNO.EAGAIN;
        }
        mainWait(until, () => performance.now() >= until);
        return 0;
      },
      uk_thread_join: (tid) => {
        if (tid === current) return -ERRNO.EDEADLK;
        const t = threads.get(tid);
        if (!t) return -ERRNO.ESRCH;
        if (current !== MAIN_THREAD) return t.state === 'done' ? (threads.delete(tid), t.exitCode) : -ERRNO.EAGAIN;
        mainWait(Infinity, () => t.state === 'done' || ![...threads.values()].some((x) => x.state !== 'done'));
        threads.delete(tid);
        return t.exitCode;
      },
      uk_thread_exit: () => -ERRNO.EPERM, // a thread exits by returning from its entry
      uk_mutex_init: () => owners.push(0) - 1,
      uk_mutex_lock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] === current) return -ERRNO.EDEADLK;
        if (owners[id] !== 0 && current !== MAIN_THREAD) return -ERRNO.EAGAIN;
        if (owners[id] !== 0) mainWait(Infinity, () => owners[id] === 0 || !threads.has(owners[id]!));
        if (owners[id] !== 0 && threads.has(owners[id]!)) return -ERRNO.EDEADLK;
        owners[id] = current;
        return 0;
      },
      uk_mutex_trylock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] !== 0) return -ERRNO.EBUSY;
        owners[id] = current;
        return 0;
      },
      uk_mutex_unlock: (id) => {
        if (!valid(owners, id)) return -ERRNO.EINVAL;
        if (owners[id] !== current) return -ERRNO.EPERM;
        owners[id] = 0;
        return 0;
      },
      uk_sem_init: (count) => (Number.isInteger(count) && count >= 0 ? counts.push(count) - 1 : -ERRNO.EINVAL),
      uk_sem_down: (id) => {
        if (!valid(counts, id)) return -ERRNO.EINVAL;
        if (counts[id]! === 0 && current !== MAIN_THREAD) return -ERRNO.EAGAIN;
        if (counts[id]! === 0) mainWait(Infinity, () => counts[id]! > 0 || live() === 0);
        if (counts[id]! === 0) return -ERRNO.EDEADLK; // no thread is left that could post it
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
      uk_condvar_init: () => condWaiters.push(new Set()) - 1,
      /** (condvar, mutex): a thread waits by returning -EAGAIN until signalled; the main thread runs the others meanwhile. */
      uk_condvar_wait: (id, mutex) => {
        if (!valid(condWaiters, id) || !valid(owners, mutex)) return -ERRNO.EINVAL;
        if (owners[mutex] !== current) return -ERRNO.EPERM;
        const waiters = condWaiters[id]!;
        if (current !== MAIN_THREAD) {
          if (waiters.has(-current)) {
            waiters.delete(-current); // signalled: the wait is over
            return 0;
          }
          waiters.add(current);
          return -ERRNO.EAGAIN;
        }
        waiters.add(current);
        owners[mutex] = 0;
        mainWait(Infinity, () => !waiters.has(MAIN_THREAD) || live() === 0);
        owners[mutex] = current;
        if (waiters.delete(MAIN_THREAD)) return -ERRNO.EDEADLK; // nobody left to signal
        return 0;
      },
      uk_condvar_signal: (id) => {
        if (!valid(condWaiters, id)) return -ERRNO.EINVAL;
        const waiters = condWaiters[id]!;
        const first = [...waiters].find((w) => w > 0);
        if (first !== undefined) {
          waiters.delete(first);
          if (first !== MAIN_THREAD) waiters.add(-first);
        }
        return 0;
      },
      uk_condvar_broadcast: (id) => {
        if (!valid(condWaiters, id)) return -ERRNO.EINVAL;
        const waiters = condWaiters[id]!;
        for (const w of [...waiters].filter((x) => x > 0)) {
          waiters.delete(w);
          if (w !== MAIN_THREAD) waiters.add(-w);
        }
        return 0;
      },
      __getreent: () => reent,
    },
  };
}
