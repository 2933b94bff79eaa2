// uktime: wall and monotonic clocks over the host's, and nanosleep as an idle wait of the CPU.
// struct timespec / timeval here: two 8-byte fields (seconds, then nanoseconds or microseconds).

import { performance } from 'node:perf_hooks';
import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { ERRNO } from '../newlib/errno.js';

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const guard = (body: () => number): number => {
    try {
      return body();
    } catch (error) {
      if ((error as { code?: string }).code === 'FLEXOS_ERR_PROTECTION_FAULT') return -ERRNO.EFAULT;
      throw error;
    }
  };
  return {
    exports: {
      clock_gettime: (clock, ts) =>
        guard(() => {
          let ns: number;
          if (clock === CLOCK_REALTIME) ns = Date.now() * 1e6;
          else if (clock === CLOCK_MONOTONIC) ns = performance.now() * 1e6;
          else return -ERRNO.EINVAL;
          memory.write64(ts, Math.floor(ns / 1e9));
          memory.write64(ts + 8, Math.floor(ns % 1e9));
          return 0;
        }),
      gettimeofday: (tv) =>
        guard(() => {
          const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
          memory.write64(tv, Math.floor(us / 1e6));
          memory.write64(tv + 8, us % 1e6);
          return 0;
        }),
      nanosleep: (req, rem) =>
        guard(() => {
          const sec = memory.read64(req);
          const nsec = memory.read64(req + 8);
          if (!(sec >= 0) || !(nsec >= 0 && nsec < 1e9)) return -ERRNO.EINVAL;
          const ms = sec * 1000 + nsec / 1e6;
          ctx.idle(() => Atomics.wait(sleeper, 0, 0, ms));
          if (rem !== 0) {
            memory.write64(rem, 0);
            memory.write64(rem + 8, 0);
          }
          return 0;
        }),
      uk_time_now_ms: () => Date.now(),
      ukplat_monotonic_us: () => Math.floor(performance.now() * 1000),
    },
  };
}
