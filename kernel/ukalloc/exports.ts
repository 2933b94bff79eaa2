// ukalloc's exportsyms: the allocator API. Each compartment has its own allocator instance over its
// private heap (FlexOS: one TLSF heap per compartment); these entry points serve the callers of the
// compartment ukalloc lives in, and uk_malloc_shared serves flexos_malloc_whitelist.

import type { LibraryDescriptor } from '../abi/library.js';

export const ukalloc: LibraryDescriptor = {
  name: 'ukalloc',
  exports: {
    uk_malloc: { args: ['int'], returns: 'addr' },
    uk_calloc: { args: ['int', 'int'], returns: 'addr' },
    uk_realloc: { args: ['addr', 'int'], returns: 'addr' },
    uk_memalign: { args: ['int', 'int'], returns: 'addr' },
    uk_palloc: { args: ['int'], returns: 'addr' },
    uk_free: { args: ['addr'], returns: 'void' },
    uk_malloc_shared: { args: ['int'], returns: 'addr' },
    uk_free_shared: { args: ['addr'], returns: 'void' },
    uk_alloc_stats: { args: ['addr'], returns: 'int' },
  },
  calls: { tlsf: ['tlsf_check'] },
  whitelist: [],
  implementation: new URL('./ukalloc.js', import.meta.url).href,
};
