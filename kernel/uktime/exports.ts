// uktime's exportsyms: clock_gettime, gettimeofday, nanosleep, and the platform's monotonic clock.

import type { LibraryDescriptor } from '../abi/library.js';

export const uktime: LibraryDescriptor = {
  name: 'uktime',
  exports: {
    clock_gettime: { args: ['int', 'addr'], returns: 'int' },
    gettimeofday: { args: ['addr', 'addr'], returns: 'int' },
    nanosleep: { args: ['addr', 'addr'], returns: 'int' },
    /** Milliseconds since the epoch, as an integer (FlexOS Redis calls gettimeofday for this). */
    uk_time_now_ms: { args: [], returns: 'int' },
    /** Microseconds of the monotonic clock (ukplat_monotonic_clock). */
    ukplat_monotonic_us: { args: [], returns: 'int' },
  },
  calls: {},
  whitelist: [],
  implementation: new URL('./uktime.js', import.meta.url).href,
};
