// TLSF (Two-Level Segregated Fit) over a range of a SharedArrayBuffer: the allocator behind the
// per-compartment heaps and the shared heap (FlexOS: lib/tlsf under ukalloc). All of its state,
// metadata, lock and statistics included, lives in the range, so every worker that attaches shares one heap.

import { FlexosError } from './errors.js';

/*
 * Heap header, Int32 words from `offset` (format() writes MAGIC last, so attach() never sees half a heap):
 *   0 MAGIC      'TLSF'              6 ALLOCATIONS  successful allocations (wraps at 2^32)
 *   1 LAYOUT     SL_LOG2<<8|FL_COUNT 7 FREES        successful frees
 *   2 LOCK       0 free, 1 held, 2 held and maybe waiters (Drepper's futex mutex)
 *   3 SIZE       bytes managed       8 FREE_BYTES   payload bytes in free blocks
 *   4 USED       payload bytes used  9 FREE_BLOCKS  number of free blocks
 *   5 PEAK       highest USED       10 FIRST, 11 SENTINEL  offsets of the first and the end block
 *  12 FL_BITMAP, then SL_BITMAP[FL_COUNT], then HEADS[FL_COUNT * SL_COUNT] (block offsets, 0 = empty).
 * Then the blocks, ended by a used sentinel of size 0. Block at b (8-aligned), as the TLSF paper's bhdr_t:
 *   b+0 prevPhys (always valid)   b+4 size | FREE | PREV_FREE   b+8 payload, the pointer malloc returns;
 *   a free block keeps nextFree at b+8 and prevFree at b+12.
 */
const MAGIC = 0x464c5354;
const ALIGN_LOG2 = 3;
const ALIGN = 1 << ALIGN_LOG2;
const SL_LOG2 = 5; // 32 second-level classes per power of two: one Int32 bitmap each
const SL_COUNT = 1 << SL_LOG2;
const FL_SHIFT = SL_LOG2 + ALIGN_LOG2; // below 2^FL_SHIFT the classes are exact 8-byte steps
const SMALL_BLOCK = 1 << FL_SHIFT;
const FL_MAX = 30; // block sizes < 2^30: a heap is at most 1 GiB
const FL_COUNT = FL_MAX - FL_SHIFT + 1;
const LAYOUT = (SL_LOG2 << 8) | FL_COUNT;
const W_MAGIC = 0, W_LAYOUT = 1, W_LOCK = 2, W_SIZE = 3, W_USED = 4, W_PEAK = 5, W_ALLOCS = 6, W_FREES = 7;
const W_FREE_BYTES = 8, W_FREE_BLOCKS = 9, W_FIRST = 10, W_SENTINEL = 11, W_FL_BITMAP = 12;
const W_SL_BITMAP = 13;
const W_HEADS = W_SL_BITMAP + FL_COUNT;
const HEADER_BYTES = (W_HEADS + FL_COUNT * SL_COUNT) * 4;
const HDR = 8; // block header: prevPhys + size word
const MIN_PAYLOAD = 8; // room for the two free-list links
const GAP_MIN = HDR + MIN_PAYLOAD; // the smallest free block memalign can leave in front
const FREE = 1, PREV_FREE = 2, SIZE_MASK = ~3;
const MAX_HEAP = 1 << 30;
const MAX_BLOCK = MAX_HEAP - HEADER_BYTES;
const MIN_HEAP = HEADER_BYTES + 2 * HDR + MIN_PAYLOAD;
const PAGE = 4096;
const SPINS = 128; // lock attempts before parking: a critical section is well under a microsecond

export interface HeapStats { size: number; used: number; free: number; peakUsed: number; allocations: number; frees: number; largestFree: number; freeBlocks: number; }

/** Class index fl * SL_COUNT + sl of a block size: FL = floor(log2 size), SL = the next SL_LOG2 bits. */
function classOf(size: number): number {
  if (size < SMALL_BLOCK) return size >>> ALIGN_LOG2;
  const fl = 31 - Math.clz32(size);
  return ((fl - FL_SHIFT + 1) << SL_LOG2) | ((size >>> (fl - SL_LOG2)) ^ SL_COUNT);
}

/** The first class whose every block fits `size` (TLSF's mapping_search rounds up: good fit in O(1)). */
function searchClassOf(size: number): number {
  return classOf(size < SMALL_BLOCK ? size : size + (1 << (31 - Math.clz32(size) - SL_LOG2)) - 1);
}

const lowestBit = (x: number): number => 31 - Math.clz32(x & -x);
const highestBit = (x: number): number => 31 - Math.clz32(x);
const alignUp = (x: number, align: number): number => (x + align - 1) & -align;
const hex = (x: number): string => `0x${x.toString(16)}`;

/** Payload size for a request: 8-aligned, at least MIN_PAYLOAD; 0 when no heap could hold it. */
function adjust(size: number, fn: string): number {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`tlsf ${fn}: size must be a non-negative integer (got ${size})`);
  if (size > MAX_BLOCK) return 0;
  return size <= MIN_PAYLOAD ? MIN_PAYLOAD : alignUp(size, ALIGN);
}

function checkOffset(sab: SharedArrayBuffer, offset: number, fn: string): void {
  if (!(sab instanceof SharedArrayBuffer)) throw new TypeError(`TlsfHeap.${fn}: expected a SharedArrayBuffer`);
  if (!Number.isInteger(offset) || offset < 0 || offset % ALIGN !== 0) {
    throw new RangeError(`TlsfHeap.${fn}: options.offset must be a non-negative multiple of ${ALIGN} (got ${offset})`);
  }
  if (offset + HEADER_BYTES > sab.byteLength) {
    throw new RangeError(`TlsfHeap.${fn}: options.offset ${offset} leaves no room for a heap in ${sab.byteLength} bytes`);
  }
}

export class TlsfHeap {
  readonly #offset: number;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #base: number; // word index of the header
  readonly #heads: number; // word index of HEADS

  private constructor(sab: SharedArrayBuffer, offset: number) {
    this.#offset = offset;
    this.#i32 = new Int32Array(sab, 0, Math.floor(sab.byteLength / 4));
    this.#u8 = new Uint8Array(sab);
    this.#base = offset >> 2;
    this.#heads = this.#base + W_HEADS;
  }

  /** Formats [offset, offset+size) of sab as an empty heap (writes the header, control structure and one free block). */
  static format(sab: SharedArrayBuffer, options: { offset: number; size: number }): TlsfHeap {
    const { offset, size } = options;
    checkOffset(sab, offset, 'format');
    if (!Number.isInteger(size) || size < MIN_HEAP || size > MAX_HEAP) {
      throw new RangeError(`TlsfHeap.format: options.size must be an integer in [${MIN_HEAP}, ${MAX_HEAP}] (got ${size})`);
    }
    if (offset + size > Math.min(sab.byteLength, 2 ** 31 - ALIGN)) { // offsets stay Int32 words
      throw new RangeError(`TlsfHeap.format: options.offset + options.size = ${offset + size} exceeds the buffer (${sab.byteLength} bytes) or 2 GiB`);
    }
    const heap = new TlsfHeap(sab, offset);
    const i32 = heap.#i32, b = heap.#base, end = offset + (size & -ALIGN);
    const first = offset + HEADER_BYTES, sentinel = end - HDR;
    Atomics.store(i32, b + W_MAGIC, 0);
    i32.fill(0, b + 1, b + HEADER_BYTES / 4);
    i32[b + W_LAYOUT] = LAYOUT;
    i32[b + W_SIZE] = end - offset;
    i32[b + W_FIRST] = first;
    i32[b + W_SENTINEL] = sentinel;
    i32[first >> 2] = 0;
    i32[(first + 4) >> 2] = (sentinel - first - HDR) | FREE;
    i32[sentinel >> 2] = first;
    i32[(sentinel + 4) >> 2] = PREV_FREE;
    heap.#insertFree(first);
    Atomics.store(i32, b + W_MAGIC, MAGIC);
    return heap;
  }

  /** Attaches to a heap another thread formatted (reads its header; validates a magic word). */
  static attach(sab: SharedArrayBuffer, options: { offset: number }): TlsfHeap {
    const { offset } = options;
    checkOffset(sab, offset, 'attach');
    const heap = new TlsfHeap(sab, offset);
    const i32 = heap.#i32, b = heap.#base;
    if (Atomics.load(i32, b + W_MAGIC) !== MAGIC || i32[b + W_LAYOUT] !== LAYOUT) {
      throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `TlsfHeap.attach: no TLSF heap at offset ${offset} (${hex(offset)}): bad magic or layout word`);
    }
    if (offset + i32[b + W_SIZE]! > sab.byteLength) {
      throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `TlsfHeap.attach: the heap at offset ${offset} claims ${i32[b + W_SIZE]} bytes, beyond the buffer`);
    }
    return heap;
  }

  malloc(size: number): number {
    const adjusted = adjust(size, 'malloc');
    if (adjusted === 0) return 0;
    this.#lock();
    try {
      return this.#mallocLocked(adjusted);
    } finally {
      this.#unlock();
    }
  }

  calloc(count: number, size: number): number {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`tlsf calloc: count must be a non-negative integer (got ${count})`);
    adjust(size, 'calloc');
    const total = count * size; // a double: exact up to 2^53, and anything that large is refused below
    if (total > MAX_BLOCK) return 0;
    const ptr = this.malloc(total);
    if (ptr !== 0) this.#u8.fill(0, ptr, ptr + adjust(total, 'calloc'));
    return ptr;
  }

  /** As FlexOS tlsf_realloc: grows into a free next block when it can, else moves; size 0 frees and returns 0. */
  realloc(ptr: number, size: number): number {
    if (ptr === 0) return this.malloc(size);
    const adjusted = adjust(size, 'realloc');
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    this.#lock();
    try {
      const i32 = this.#i32, block = this.#usedBlock(ptr, 'realloc');
      if (adjusted === 0) return 0;
      const current = this.#sizeOf(block);
      if (adjusted > current) {
        const next = block + HDR + current;
        const nextWord = i32[(next + 4) >> 2]!;
        if ((nextWord & FREE) === 0 || current + HDR + (nextWord & SIZE_MASK) < adjusted) {
          const moved = this.#mallocLocked(adjusted);
          if (moved !== 0) {
            this.#u8.copyWithin(moved, ptr, ptr + current);
            this.#freeLocked(block);
          }
          return moved;
        }
        this.#removeFree(next);
        this.#absorbNext(block);
      }
      this.#splitTail(block, adjusted);
      this.#addUsed(this.#sizeOf(block) - current);
      return ptr;
    } finally {
      this.#unlock();
    }
  }

  memalign(align: number, size: number): number {
    if (!Number.isInteger(align) || align < ALIGN || align > MAX_HEAP || (align & (align - 1)) !== 0) {
      throw new RangeError(`tlsf memalign: align must be a power of two in [${ALIGN}, 2^30] (got ${align})`);
    }
    const adjusted = adjust(size, 'memalign');
    if (align === ALIGN) return this.malloc(size);
    const request = adjusted + align + GAP_MIN; // room to move the payload to the next aligned spot
    if (adjusted === 0 || request > MAX_BLOCK) return 0;
    this.#lock();
    try {
      const i32 = this.#i32;
      let block = this.#takeFree(request);
      if (block === 0) return 0;
      const payload = block + HDR;
      let aligned = alignUp(payload, align);
      if (aligned !== payload) {
        // The gap in front becomes a free block of its own, so it must be big enough to be one.
        if (aligned - payload < GAP_MIN) aligned = alignUp(payload + GAP_MIN, align);
        const lead = block, gap = aligned - payload, total = this.#sizeOf(lead);
        block = aligned - HDR;
        i32[(lead + 4) >> 2] = (gap - HDR) | FREE; // lead came off a free list: its prev is used
        i32[block >> 2] = lead;
        i32[(block + 4) >> 2] = (total - gap) | FREE | PREV_FREE;
        i32[(block + HDR + total - gap) >> 2] = block;
        this.#insertFree(lead);
      }
      return this.#useBlock(block, adjusted);
    } finally {
      this.#unlock();
    }
  }

  /** ukalloc's palloc: `pages` pages of 4096 bytes, 4096-aligned within the buffer. */
  palloc(pages: number): number {
    if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`tlsf palloc: pages must be a positive integer (got ${pages})`);
    return pages * PAGE > MAX_BLOCK ? 0 : this.memalign(PAGE, pages * PAGE);
  }

  free(ptr: number): void {
    if (ptr === 0) return;
    this.#lock();
    try {
      this.#freeLocked(this.#usedBlock(ptr, 'free'));
    } finally {
      this.#unlock();
    }
  }

  usableSize(ptr: number): number {
    this.#lock();
    try {
      return this.#sizeOf(this.#usedBlock(ptr, 'usableSize'));
    } finally {
      this.#unlock();
    }
  }

  stats(): HeapStats {
    this.#lock();
    try {
      const i32 = this.#i32, b = this.#base;
      // The highest non-empty class holds the largest blocks; only that list needs a scan.
      let largestFree = 0;
      const flMap = i32[b + W_FL_BITMAP]!;
      if (flMap !== 0) {
        const fl = highestBit(flMap), sl = highestBit(i32[b + W_SL_BITMAP + fl]!);
        for (let at = i32[this.#heads + fl * SL_COUNT + sl]!; at !== 0; at = i32[(at + 8) >> 2]!) {
          largestFree = Math.max(largestFree, this.#sizeOf(at));
        }
      }
      return {
        size: i32[b + W_SIZE]!, used: i32[b + W_USED]!, free: i32[b + W_FREE_BYTES]!, peakUsed: i32[b + W_PEAK]!,
        allocations: i32[b + W_ALLOCS]! >>> 0, frees: i32[b + W_FREES]! >>> 0, largestFree, freeBlocks: i32[b + W_FREE_BLOCKS]!,
      };
    } finally {
      this.#unlock();
    }
  }

  // FlexOS's cooperative scheduler needs no heap lock; here compartments are real threads. Spin
  // briefly (critical sections are short), then park in Atomics.wait so a waiter never burns a core.
  #lock(): void {
    const i32 = this.#i32, w = this.#base + W_LOCK;
    if (Atomics.compareExchange(i32, w, 0, 1) === 0) return;
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.load(i32, w) === 0 && Atomics.compareExchange(i32, w, 0, 1) === 0) return;
    }
    while (Atomics.exchange(i32, w, 2) !== 0) Atomics.wait(i32, w, 2);
  }

  #unlock(): void {
    const w = this.#base + W_LOCK;
    if (Atomics.exchange(this.#i32, w, 0) === 2) Atomics.notify(this.#i32, w, 1);
  }

  #sizeOf(block: number): number {
    return this.#i32[(block + 4) >> 2]! & SIZE_MASK;
  }

  #addUsed(delta: number): void {
    const i32 = this.#i32, b = this.#base, used = i32[b + W_USED]! + delta;
    i32[b + W_USED] = used;
    if (used > i32[b + W_PEAK]!) i32[b + W_PEAK] = used;
  }

  /** malloc with the lock held and the size adjusted. */
  #mallocLocked(adjusted: number): number {
    const block = this.#takeFree(adjusted);
    return block === 0 ? 0 : this.#useBlock(block, adjusted);
  }

  /** Unlinks a free block of at least `size` bytes, or returns 0 when none exists. */
  #takeFree(size: number): number {
    const i32 = this.#i32, b = this.#base;
    let block = 0;
    const cls = searchClassOf(size), fl = cls >>> SL_LOG2;
    if (fl < FL_COUNT) {
      let flIndex = fl, slMap = i32[b + W_SL_BITMAP + fl]! & (~0 << (cls & (SL_COUNT - 1)));
      if (slMap === 0) {
        const flMap = i32[b + W_FL_BITMAP]! & (~0 << (fl + 1));
        if (flMap !== 0) flIndex = lowestBit(flMap);
        slMap = flMap === 0 ? 0 : i32[b + W_SL_BITMAP + flIndex]!;
      }
      if (slMap !== 0) block = i32[this.#heads + flIndex * SL_COUNT + lowestBit(slMap)]!;
    }
    if (block === 0) {
      // The good-fit search skips the request's own class, whose blocks may be too small. Scan it
      // before failing, so that malloc fails only when no free block fits (off the O(1) path).
      for (let at = i32[this.#heads + classOf(size)]!; at !== 0 && block === 0; at = i32[(at + 8) >> 2]!) {
        if (this.#sizeOf(at) >= size) block = at;
      }
      if (block === 0) return 0;
    }
    this.#removeFree(block);
    return block;
  }

  /** Marks a block just taken off a free list as used, giving its tail back (FlexOS tlsf: block_prepare_used). */
  #useBlock(block: number, size: number): number {
    const i32 = this.#i32, b = this.#base, word = i32[(block + 4) >> 2]!, next = block + HDR + (word & SIZE_MASK);
    i32[(block + 4) >> 2] = word & ~FREE;
    i32[(next + 4) >> 2] = i32[(next + 4) >> 2]! & ~PREV_FREE;
    this.#splitTail(block, size);
    i32[b + W_ALLOCS] = (i32[b + W_ALLOCS]! + 1) | 0;
    this.#addUsed(this.#sizeOf(block));
    return block + HDR;
  }

  /** Cuts `block` down to `size` bytes when the rest can be a block, and frees the rest (block_trim_used). */
  #splitTail(block: number, size: number): void {
    const i32 = this.#i32, word = i32[(block + 4) >> 2]!, rest = (word & SIZE_MASK) - size - HDR;
    if (rest < MIN_PAYLOAD) return;
    const tail = block + HDR + size, next = tail + HDR + rest;
    i32[(block + 4) >> 2] = size | (word & ~SIZE_MASK);
    i32[tail >> 2] = block;
    i32[(tail + 4) >> 2] = rest | FREE | (word & FREE ? PREV_FREE : 0);
    i32[next >> 2] = tail;
    const nextWord = i32[(next + 4) >> 2]! | PREV_FREE;
    i32[(next + 4) >> 2] = nextWord;
    if (nextWord & FREE) {
      this.#removeFree(next);
      this.#absorbNext(tail);
    }
    this.#insertFree(tail);
  }

  #freeLocked(block: number): void {
    const i32 = this.#i32, b = this.#base, size = this.#sizeOf(block);
    this.#addUsed(-size);
    i32[b + W_FREES] = (i32[b + W_FREES]! + 1) | 0;
    const word = i32[(block + 4) >> 2]! | FREE;
    i32[(block + 4) >> 2] = word;
    const next = block + HDR + size;
    i32[(next + 4) >> 2] = i32[(next + 4) >> 2]! | PREV_FREE;
    // Immediate coalescing: no two free blocks are ever neighbours.
    if (word & PREV_FREE) {
      const prev = i32[block >> 2]!;
      this.#removeFree(prev);
      this.#absorbNext(prev);
      block = prev;
    }
    if (i32[(next + 4) >> 2]! & FREE) {
      this.#removeFree(next);
      this.#absorbNext(block);
    }
    this.#insertFree(block);
  }

  /** Joins the (unlinked, free) block after `block` into it (block_absorb). */
  #absorbNext(block: number): void {
    const i32 = this.#i32, next = block + HDR + this.#sizeOf(block);
    const word = i32[(block + 4) >> 2]! + HDR + this.#sizeOf(next);
    i32[(block + 4) >> 2] = word;
    i32[(next + 4) >> 2] = FREE; // the stale header reads "free, size 0", so a late free() of it is refused
    const after = block + HDR + (word & SIZE_MASK);
    i32[after >> 2] = block;
    const afterWord = i32[(after + 4) >> 2]!;
    i32[(after + 4) >> 2] = word & FREE ? afterWord | PREV_FREE : afterWord & ~PREV_FREE;
  }

  #insertFree(block: number): void {
    const i32 = this.#i32, b = this.#base, size = this.#sizeOf(block), cls = classOf(size);
    const fl = cls >>> SL_LOG2, head = i32[this.#heads + cls]!;
    i32[(block + 8) >> 2] = head; // nextFree
    i32[(block + 12) >> 2] = 0; // prevFree
    if (head !== 0) i32[(head + 12) >> 2] = block;
    i32[this.#heads + cls] = block;
    i32[b + W_SL_BITMAP + fl] = i32[b + W_SL_BITMAP + fl]! | (1 << (cls & (SL_COUNT - 1)));
    i32[b + W_FL_BITMAP] = i32[b + W_FL_BITMAP]! | (1 << fl);
    i32[b + W_FREE_BYTES] = i32[b + W_FREE_BYTES]! + size;
    i32[b + W_FREE_BLOCKS] = i32[b + W_FREE_BLOCKS]! + 1;
  }

  #removeFree(block: number): void {
    const i32 = this.#i32, b = this.#base, size = this.#sizeOf(block), cls = classOf(size);
    const next = i32[(block + 8) >> 2]!, prev = i32[(block + 12) >> 2]!;
    if (next !== 0) i32[(next + 12) >> 2] = prev;
    if (prev !== 0) i32[(prev + 8) >> 2] = next;
    else {
      i32[this.#heads + cls] = next;
      const fl = cls >>> SL_LOG2;
      if (next === 0) {
        const slMap = i32[b + W_SL_BITMAP + fl]! & ~(1 << (cls & (SL_COUNT - 1)));
        i32[b + W_SL_BITMAP + fl] = slMap;
        if (slMap === 0) i32[b + W_FL_BITMAP] = i32[b + W_FL_BITMAP]! & ~(1 << fl);
      }
    }
    i32[b + W_FREE_BYTES] = i32[b + W_FREE_BYTES]! - size;
    i32[b + W_FREE_BLOCKS] = i32[b + W_FREE_BLOCKS]! - 1;
  }

  /** The block of a pointer malloc returned and nobody freed; O(1) checks of its header and both neighbours. */
  #usedBlock(ptr: number, fn: string): number {
    const i32 = this.#i32, first = i32[this.#base + W_FIRST]!, sentinel = i32[this.#base + W_SENTINEL]!;
    const block = ptr - HDR;
    if (Number.isInteger(ptr) && block >= first && block < sentinel && ptr % ALIGN === 0) {
      const word = i32[(block + 4) >> 2]!, size = word & SIZE_MASK, next = block + HDR + size;
      if ((word & FREE) === 0 && size >= MIN_PAYLOAD && next <= sentinel && i32[next >> 2] === block && (i32[(next + 4) >> 2]! & PREV_FREE) === 0) {
        const prev = i32[block >> 2]!;
        if (block === first ? prev === 0 : prev >= first && prev < block && prev + HDR + this.#sizeOf(prev) === block) return block;
      }
    }
    throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT',
      `tlsf ${fn}: offset ${ptr} (${typeof ptr === 'number' ? hex(ptr) : '?'}) is not an allocated block of the heap at offset ${this.#offset} (double free or wild pointer)`);
  }

  /** Walks every block and checks the invariants (sizes chain, no two adjacent free blocks, free lists consistent, bitmaps match); throws FLEXOS_ERR_HEAP_CORRUPT with a precise message if broken. */
  check(): void {
    this.#lock();
    try {
      this.#checkLocked();
    } finally {
      this.#unlock();
    }
  }

  #checkLocked(): void {
    const i32 = this.#i32, b = this.#base, first = i32[b + W_FIRST]!, sentinel = i32[b + W_SENTINEL]!;
    const fail = (at: number | string, problem: string): never => {
      throw new FlexosError('FLEXOS_ERR_HEAP_CORRUPT', `tlsf heap at offset ${this.#offset}: ${typeof at === 'string' ? at : `block ${hex(at)}`}: ${problem}`);
    };
    const freeSet = new Set<number>();
    let prev = 0, prevFree = false, used = 0, freeBytes = 0, at = first;
    for (; at < sentinel; prev = at, at += HDR + this.#sizeOf(at)) {
      const word = i32[(at + 4) >> 2]!, size = word & SIZE_MASK, free = (word & FREE) !== 0;
      if (size < MIN_PAYLOAD || size % ALIGN !== 0) fail(at, `bad size ${size}`);
      if (i32[at >> 2] !== prev) fail(at, `prevPhys is ${hex(i32[at >> 2]!)}, but the previous block is ${hex(prev)}`);
      if (((word & PREV_FREE) !== 0) !== prevFree) fail(at, `PREV_FREE bit is ${word & PREV_FREE ? 'set' : 'clear'}, but the previous block is ${prevFree ? 'free' : 'used'}`);
      if (free && prevFree) fail(at, `free, and so is the previous block ${hex(prev)} (missed coalescing)`);
      if (free) (freeSet.add(at), (freeBytes += size));
      else used += size;
      prevFree = free;
    }
    if (at !== sentinel) fail(prev, `runs past the end block ${hex(sentinel)} to ${hex(at)}`);
    const endWord = i32[(sentinel + 4) >> 2]!;
    if ((endWord & ~PREV_FREE) !== 0 || i32[sentinel >> 2] !== prev || ((endWord & PREV_FREE) !== 0) !== prevFree) {
      fail(sentinel, `end block is not a used size-0 block after ${hex(prev)}`);
    }
    const freeBlocks = freeSet.size, flMap = i32[b + W_FL_BITMAP]!;
    for (let fl = 0; fl < FL_COUNT; fl++) {
      const slMap = i32[b + W_SL_BITMAP + fl]!;
      if ((slMap !== 0) !== ((flMap >>> fl) & 1) > 0) fail('bitmaps', `FL bitmap bit ${fl} disagrees with SL bitmap ${hex(slMap >>> 0)}`);
      for (let sl = 0; sl < SL_COUNT; sl++) {
        const cls = fl * SL_COUNT + sl, head = i32[this.#heads + cls]!;
        if ((head !== 0) !== ((slMap >>> sl) & 1) > 0) fail('bitmaps', `SL bitmap bit (${fl}, ${sl}) disagrees with its list head ${hex(head)}`);
        for (let node = head, back = 0; node !== 0; back = node, node = i32[(node + 8) >> 2]!) {
          if (!freeSet.delete(node)) fail(node, `on free list (${fl}, ${sl}) but not a free block, or listed twice`);
          if (i32[(node + 12) >> 2] !== back) fail(node, `prevFree is ${hex(i32[(node + 12) >> 2]!)}, expected ${hex(back)}`);
          if (classOf(this.#sizeOf(node)) !== cls) fail(node, `size ${this.#sizeOf(node)} filed in the wrong class (${fl}, ${sl})`);
        }
      }
    }
    for (const lost of freeSet) fail(lost, 'free but on no free list');
    for (const [name, w, actual] of [['USED', W_USED, used], ['FREE_BYTES', W_FREE_BYTES, freeBytes], ['FREE_BLOCKS', W_FREE_BLOCKS, freeBlocks]] as const) {
      if (i32[b + w] !== actual) fail('header', `${name} says ${i32[b + w]}, the blocks say ${actual}`);
    }
  }
}
