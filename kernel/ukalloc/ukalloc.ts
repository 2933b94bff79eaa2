// ukalloc: the allocator API over this compartment's TLSF heaps (private and shared).
// uk_alloc_stats writes {size, used, free, peak, allocations, frees} as six 8-byte fields.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { FlexosError } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';

/** C's allocator contract: an impossible request (negative size, bad alignment) is NULL, not an exception. */
const orNull = (allocate: () => number): number => {
  try {
    return allocate();
  } catch (error) {
    if (error instanceof RangeError) return 0;
    throw error;
  }
};

export function create(ctx: LibraryContext): LibraryInstance {
  const check = ctx.import('tlsf', 'tlsf_check');
  const heap = ctx.heap;
  const shared = ctx.sharedHeap;
  return {
    init() {
      if (check() !== 0) throw new FlexosError('FLEXOS_ERR_BOOT', 'ukalloc: the heap failed its consistency check at boot');
    },
    exports: {
      uk_malloc: (size) => orNull(() => heap.malloc(size)),
      uk_calloc: (count, size) => orNull(() => heap.calloc(count, size)),
      uk_realloc: (address, size) => orNull(() => heap.realloc(address, size)),
      uk_memalign: (align, size) => orNull(() => heap.memalign(align, size)),
      uk_palloc: (pages) => orNull(() => heap.palloc(pages)),
      uk_free: (address) => {
        if (shared.owns(address)) shared.free(address);
        else heap.free(address);
        return 0;
      },
      uk_malloc_shared: (size) => orNull(() => shared.malloc(size)),
      uk_free_shared: (address) => {
        shared.free(address);
        return 0;
      },
      uk_alloc_stats: (out) => {
        try {
          const s = heap.stats();
          [s.size, s.used, s.free, s.peakUsed, s.allocations, s.frees].forEach((v, i) => ctx.memory.write64(out + 8 * i, v));
          return 0;
        } catch {
          return -ERRNO.EFAULT;
        }
      },
    },
  };
}
