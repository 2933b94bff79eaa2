// The hardening of one compartment: from the image's per-library `hardening` lists, installs the
// instrumentation of this compartment's hardened libraries (memory checks, heap wrappers, frame
// guard, CFI checks) and leaves the unhardened paths as they are when nothing here is hardened.

import type { Image } from '../../host/image.js';
import type { HardeningOption } from '../../../kernel/abi/library.js';
import type { Memory } from '../../../shm/memory.js';
import type { Allocator } from '../../../shm/heap.js';
import type { StackFrames } from '../../../shm/stack.js';
import type { RegionDescriptor } from '../../../shm/region.js';
import { KasanShadow, KasanAllocator, ShadowForgettingAllocator } from './kasan.js';
import { ubsanAccessCheck, checkedInts, type CheckedInts } from './ubsan.js';
import { FrameGuard } from './stackprotector.js';
import { UnsafeStack } from './safestack.js';
import { gateEntryCheck, checkPointer } from './cfi.js';

export { HardeningViolation } from '../../../kernel/abi/errors.js';
export type { CheckedInts } from './ubsan.js';

export interface CompartmentHardeningOptions {
  readonly image: Image;
  readonly self: number;
  readonly memory: Memory;
  readonly table: readonly RegionDescriptor[];
  readonly heap: Allocator & { readonly region: number };
  readonly sharedHeap: Allocator;
  readonly heapBuffers: ReadonlyMap<number, SharedArrayBuffer>;
  readonly stack: StackFrames;
  readonly stackBuffer: SharedArrayBuffer;
}

export class CompartmentHardening {
  readonly #options: CompartmentHardeningOptions;
  readonly #lists: ReadonlyMap<string, ReadonlySet<HardeningOption>>;
  readonly #shadow: KasanShadow | undefined;
  readonly #heaps = new Map<string, { heap: Allocator; sharedHeap: Allocator }>();
  /** The gate-entry CFI check for GateCallee, or undefined. */
  readonly gateCheck: ((from: number, fnId: number) => void) | undefined;

  constructor(options: CompartmentHardeningOptions) {
    this.#options = options;
    const { image, self, memory } = options;
    const mine = new Set(image.compartments.find((c) => c.index === self)?.libraries ?? []);
    const byLibrary = new Map<string, ReadonlySet<HardeningOption>>();
    for (const l of image.config.libraries) if (mine.has(l.name) && l.hardening.length > 0) byLibrary.set(l.name, new Set(l.hardening));
    this.#lists = byLibrary;
    const having = (option: HardeningOption): Set<string> => new Set([...byLibrary].filter(([, o]) => o.has(option)).map(([l]) => l));

    const kasan = having('kasan');
    const ubsan = having('ubsan');
    if (kasan.size > 0) {
      const sizes = new Map(options.table.filter((d) => d.id === options.heap.region || d.id === options.sharedHeap.region).map((d) => [d.id, d.size]));
      this.#shadow = new KasanShadow(sizes, options.heapBuffers);
    }
    const bounds = ubsan.size > 0 ? ubsanAccessCheck(options.table) : undefined;
    const shadow = this.#shadow;
    for (const library of new Set([...kasan, ...ubsan])) {
      const k = kasan.has(library) ? shadow : undefined;
      const u = ubsan.has(library) ? bounds : undefined;
      memory.setAccessCheck(library, (address, length, access) => {
        if (u !== undefined) u(address, length, access, library);
        if (k !== undefined) k.check(address, length, access, library);
      });
    }

    const protect = having('stackprotector');
    const safestack = having('safestack');
    if (protect.size > 0 || safestack.size > 0) {
      options.stack.guard = new FrameGuard({
        memory, stack: options.stack, stackBuffer: options.stackBuffer, protect, safestack,
        unsafe: { private: new UnsafeStack(options.heap, 'private'), shared: new UnsafeStack(options.sharedHeap, 'shared') },
      });
    }
    this.gateCheck = gateEntryCheck(image, self);
  }

  /** The hardening list of a library of this compartment. */
  of(library: string): ReadonlySet<HardeningOption> {
    return this.#lists.get(library) ?? new Set();
  }

  /** The heaps a library is handed: KASan-wrapped when hardened with kasan. */
  heaps(library: string): { heap: Allocator; sharedHeap: Allocator } {
    let heaps = this.#heaps.get(library);
    if (heaps) return heaps;
    const { heap, sharedHeap } = this.#options;
    const shadow = this.#shadow;
    if (shadow === undefined) heaps = { heap, sharedHeap };
    else if (this.of(library).has('kasan')) {
      heaps = { heap: new KasanAllocator(heap, { shadow, library }), sharedHeap: new KasanAllocator(sharedHeap, { shadow, library }) };
    } else heaps = { heap: new ShadowForgettingAllocator(heap, shadow), sharedHeap: new ShadowForgettingAllocator(sharedHeap, shadow) };
    this.#heaps.set(library, heaps);
    return heaps;
  }

  /** C int arithmetic for a library: UBSan-checked when it is hardened with ubsan. */
  checked(library: string): CheckedInts {
    return checkedInts(library, this.of(library).has('ubsan'));
  }

  /** The indirect-call check of a caller hardened with cfi (no-op otherwise). */
  checkPointer(caller: string, pointer: number): void {
    if (this.of(caller).has('cfi')) checkPointer(this.#options.image, caller, pointer);
  }
}
