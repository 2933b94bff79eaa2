// tlsf's exportsyms. The allocator itself (shm/tlsf.ts) runs in every compartment over that
// compartment's heaps; this library is where the image places it and checks it.

import type { LibraryDescriptor } from '../abi/library.js';

export const tlsf: LibraryDescriptor = {
  name: 'tlsf',
  exports: {
    tlsf_check: { args: [], returns: 'int' },
  },
  calls: {},
  whitelist: [],
  implementation: new URL('./tlsf.js', import.meta.url).href,
  hardenable: false,
};
