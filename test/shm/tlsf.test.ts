// The TLSF heap in one thread: alignment, calloc, realloc in place and by copy, palloc, OOM,
// double-free detection, heap checking, then fast-check workloads against a model of live blocks.

import t from 'tap';
import fc from 'fast-check';
import { TlsfHeap } from '../../shm/tlsf.js';

const KiB = 1024;
const fresh = (size = 64 * KiB, offset = 0): { sab: SharedArrayBuffer; heap: TlsfHeap } => {
  const sab = new SharedArrayBuffer(offset + size);
  return { sab, heap: TlsfHeap.format(sab, { offset, size }) };
};
const fill = (sab: SharedArrayBuffer, ptr: number, len: number, seed: number): void => {
  const u8 = new Uint8Array(sab);
  for (let i = 0; i < len; i++) u8[ptr + i] = (seed + i * 7) & 255;
};
/** Index of the first byte of [ptr, ptr+len) that lost the pattern of `seed`, or -1. */
const firstBad = (sab: SharedArrayBuffer, ptr: number, len: number, seed: number): number => {
  const u8 = new Uint8Array(sab);
  for (let i = 0; i < len; i++) if (u8[ptr + i] !== ((seed + i * 7) & 255)) return i;
  return -1;
};
/** The FlexosError a bad free() throws, naming `offset`. */
const isBadArgument = (offset: number) => ({ name: 'FlexosError', code: 'FLEXOS_ERR_BAD_ARGUMENT', message: new RegExp(`offset ${offset} \\(0x`) });

t.test('format leaves one free block; attach sees the same heap and its stats', async (t) => {
  const { sab, heap } = fresh(64 * KiB, 256);
  const s = heap.stats();
  t.equal(s.size, 64 * KiB);
  t.same([s.used, s.freeBlocks, s.allocations, s.frees], [0, 1, 0, 0]);
  t.equal(s.largestFree, s.free, 'the one free block is all the free space');
  const p = heap.malloc(100);
  const other = TlsfHeap.attach(sab, { offset: 256 });
  t.equal(other.stats().used, heap.usableSize(p), 'statistics live in the shared header');
  other.free(p);
  t.equal(heap.stats().used, 0, 'a free through the attached view is seen by the formatting one');
  t.throws(() => TlsfHeap.attach(sab, { offset: 0 }), { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: /no TLSF heap at offset 0/ }, 'no magic at 0');
  t.throws(() => TlsfHeap.format(sab, { offset: 4, size: 8 * KiB }), RangeError, 'misaligned offset');
  t.throws(() => TlsfHeap.format(sab, { offset: 0, size: 100 }), RangeError, 'too small for the control structure');
  t.throws(() => TlsfHeap.format(sab, { offset: 8, size: 64 * KiB + 256 }), RangeError, 'beyond the buffer');
});

t.test('malloc returns 8-aligned blocks inside the heap, never 0; size 0 gives a minimal block', async (t) => {
  const { heap } = fresh(64 * KiB, 512);
  const seen = new Set<number>();
  for (const size of [0, 0, 1, 7, 8, 9, 255, 256, 257, 1000, 4096]) {
    const p = heap.malloc(size);
    t.ok(p > 512 && p + size <= 512 + 64 * KiB && p % 8 === 0, `malloc(${size}) = ${p}`);
    t.ok(heap.usableSize(p) >= Math.max(size, 8), 'usable size covers the request');
    t.notOk(seen.has(p), 'distinct blocks');
    seen.add(p);
  }
  heap.check();
  t.throws(() => heap.malloc(-1), RangeError);
  t.throws(() => heap.malloc(1.5), RangeError);
});

t.test('calloc zeroes memory a previous block dirtied, and refuses overflow', async (t) => {
  const { sab, heap } = fresh();
  const dirty = heap.malloc(1000);
  new Uint8Array(sab).fill(0xff, dirty, dirty + 1000);
  heap.free(dirty);
  const p = heap.calloc(10, 100);
  t.equal(p, dirty, 'reuses the dirtied block');
  t.ok(new Uint8Array(sab, p, 1000).every((b) => b === 0), 'zeroed');
  t.equal(heap.calloc(2 ** 20, 2 ** 20), 0, 'count * size overflows the heap: 0');
  t.not(heap.calloc(0, 8), 0, 'calloc(0, n) is a minimal block');
});

t.test('realloc grows in place into a free neighbour and keeps the content', async (t) => {
  const { sab, heap } = fresh();
  const a = heap.malloc(64), b = heap.malloc(64);
  heap.malloc(64); // keeps b's block from merging with the rest of the heap
  fill(sab, a, 64, 1);
  heap.free(b);
  t.equal(heap.realloc(a, 128), a, 'same offset');
  t.equal(firstBad(sab, a, 64, 1), -1, 'content preserved');
  t.ok(heap.usableSize(a) >= 128);
  t.equal(heap.stats().allocations, 3, 'growing in place is not a new allocation');
  heap.check();
});

t.test('realloc moves when the neighbour is used, copies, and frees the old block', async (t) => {
  const { sab, heap } = fresh();
  const a = heap.malloc(64);
  heap.malloc(64);
  fill(sab, a, 64, 2);
  const moved = heap.realloc(a, 1024);
  t.not(moved, a);
  t.equal(firstBad(sab, moved, 64, 2), -1, 'content copied');
  t.throws(() => heap.free(a), isBadArgument(a), 'the old block was freed');
  heap.check();
});

t.test('realloc shrinks in place, realloc(0, n) mallocs, size 0 frees, OOM keeps the block', async (t) => {
  const { sab, heap } = fresh();
  const a = heap.malloc(2000);
  fill(sab, a, 2000, 3);
  const used = heap.stats().used;
  t.equal(heap.realloc(a, 100), a, 'shrinks in place');
  t.ok(heap.stats().used < used, 'the tail went back to the heap');
  t.equal(firstBad(sab, a, 100, 3), -1);
  t.equal(heap.realloc(a, 10 * 1024 * 1024), 0, 'too big: 0');
  t.equal(firstBad(sab, a, 100, 3), -1, 'the original block is untouched after a failed realloc');
  const b = heap.realloc(0, 50);
  t.ok(b !== 0 && heap.usableSize(b) >= 50, 'realloc(0, n) = malloc(n)');
  t.equal(heap.realloc(b, 0), 0, 'realloc(p, 0) frees, as tlsf_realloc');
  t.throws(() => heap.free(b), isBadArgument(b));
  heap.check();
});

t.test('memalign and palloc align within the buffer; bad alignments are refused', async (t) => {
  const { heap } = fresh(256 * KiB, 24);
  for (let align = 8; align <= 32 * KiB; align *= 2) {
    const p = heap.memalign(align, 40);
    t.ok(p !== 0 && p % align === 0, `memalign(${align}) = ${p}`);
  }
  const pages = heap.palloc(3);
  t.ok(pages !== 0 && pages % 4096 === 0 && heap.usableSize(pages) >= 3 * 4096, `palloc(3) = ${pages}`);
  heap.check();
  for (const bad of [0, 4, 12, 3.5, 2 ** 31]) t.throws(() => heap.memalign(bad, 8), RangeError, `align ${bad}`);
  t.throws(() => heap.palloc(0), RangeError);
});

t.test('out of memory returns 0 and leaves a sound heap', async (t) => {
  const { heap } = fresh(16 * KiB);
  t.equal(heap.malloc(16 * KiB), 0, 'bigger than the heap');
  t.equal(heap.palloc(1000), 0);
  let n = 0;
  while (heap.malloc(100) !== 0) n++;
  t.ok(n > 50, `${n} blocks before OOM`);
  t.ok(heap.stats().largestFree < 104, 'no block that fits is left');
  heap.check();
});

t.test('double free, wild pointers and foreign offsets throw FLEXOS_ERR_BAD_ARGUMENT naming the offset', async (t) => {
  const { heap } = fresh();
  const a = heap.malloc(64), b = heap.malloc(64), c = heap.malloc(64);
  heap.free(0);
  heap.free(b);
  t.throws(() => heap.free(b), isBadArgument(b), 'double free');
  heap.free(a); // a merges with b: b's header is now inside a free block
  t.throws(() => heap.free(b), isBadArgument(b), 'double free after coalescing');
  t.throws(() => heap.free(c + 16), isBadArgument(c + 16), 'inside a block');
  t.throws(() => heap.free(c + 4), isBadArgument(c + 4), 'misaligned');
  t.throws(() => heap.free(8), isBadArgument(8), 'in the heap header');
  t.throws(() => heap.free(10 ** 9), isBadArgument(10 ** 9), 'outside the heap');
  t.throws(() => heap.usableSize(a), isBadArgument(a));
  t.ok(heap.malloc(8) !== 0, 'a throwing call released the heap lock');
  heap.check();
});

t.test('check() reports a corrupted header precisely', async (t) => {
  const { sab, heap } = fresh();
  heap.malloc(64);
  const b = heap.malloc(64);
  heap.malloc(64);
  heap.check();
  const i32 = new Int32Array(sab);
  i32[(b - 8) >> 2] = 0x4d2; // b's prevPhys points nowhere
  t.throws(() => heap.check(), { message: `block 0x${(b - 8).toString(16)}: prevPhys is 0x4d2, but the previous block is 0x` });
  i32[(b - 8) >> 2] = b - 8 - 72;
  i32[(b - 4) >> 2] = 64 | 1; // b marked free behind the allocator's back
  t.throws(() => heap.check(), { message: /PREV_FREE bit is clear, but the previous block is free/ });
});

t.test('a corrupted heap is FLEXOS_ERR_HEAP_CORRUPT, so that it is told apart from a bad free', async (t) => {
  const { sab, heap } = fresh();
  const b = heap.malloc(64);
  new Int32Array(sab)[(b - 4) >> 2] = 3; // a size no block can have
  t.throws(() => heap.check(), { name: 'FlexosError', code: 'FLEXOS_ERR_HEAP_CORRUPT', message: /bad size 0/ });
  t.throws(() => fresh().heap.free(12345), { code: 'FLEXOS_ERR_BAD_ARGUMENT' }, 'a wild free keeps its own code');
});

t.test('stats count allocations, frees and the peak', async (t) => {
  const { heap } = fresh();
  const ps = [100, 200, 300].map((n) => heap.malloc(n));
  const peak = heap.stats().used;
  for (const p of ps) heap.free(p);
  const s = heap.stats();
  t.same([s.allocations, s.frees, s.used, s.peakUsed, s.freeBlocks], [3, 3, 0, peak, 1]);
  t.ok(peak >= 600);
});

// ---- property tests: random workloads against a model of the live blocks ----

type Op =
  | { kind: 'malloc'; size: number }
  | { kind: 'calloc'; count: number; size: number }
  | { kind: 'memalign'; alignLog: number; size: number }
  | { kind: 'free'; pick: number }
  | { kind: 'realloc'; pick: number; size: number };
const size = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 12 * KiB }) });
const pick = fc.nat();
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('malloc' as const), size }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('calloc' as const), count: fc.integer({ min: 0, max: 16 }), size: fc.integer({ min: 0, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('memalign' as const), alignLog: fc.integer({ min: 3, max: 12 }), size }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('realloc' as const), pick, size }) },
);

const HEAP = 64 * KiB, OFFSET = 128, CANARY = 0xa5;
interface Live { ptr: number; len: number; seed: number }
const adjusted = (n: number): number => (n <= 8 ? 8 : (n + 7) & ~7);

/** Runs `ops` on a fresh heap framed by canary bytes, checking the model after every step. */
function runWorkload(ops: Op[]): { sab: SharedArrayBuffer; heap: TlsfHeap; live: Live[]; initialFree: number } {
  const sab = new SharedArrayBuffer(OFFSET + HEAP + 128);
  new Uint8Array(sab).fill(CANARY);
  const heap = TlsfHeap.format(sab, { offset: OFFSET, size: HEAP });
  const initialFree = heap.stats().largestFree;
  const live: Live[] = [];
  let seed = 0;
  const place = (ptr: number, len: number): void => {
    if (ptr === 0) return;
    fill(sab, ptr, len, ++seed);
    live.push({ ptr, len, seed });
  };
  for (const o of ops) {
    if (o.kind === 'malloc' || o.kind === 'calloc') {
      const n = o.kind === 'malloc' ? o.size : o.count * o.size;
      const fits = heap.stats().largestFree >= adjusted(n);
      const p = o.kind === 'malloc' ? heap.malloc(n) : heap.calloc(o.count, o.size);
      if ((p !== 0) !== fits) throw new Error(`${o.kind}(${n}) = ${p} although largestFree ${fits ? '>=' : '<'} the request`);
      if (o.kind === 'calloc' && p !== 0 && !new Uint8Array(sab, p, n).every((b) => b === 0)) throw new Error('calloc not zeroed');
      place(p, n);
    } else if (o.kind === 'memalign') {
      const p = heap.memalign(2 ** o.alignLog, o.size);
      if (p % 2 ** o.alignLog !== 0) throw new Error(`memalign(${2 ** o.alignLog}) = ${p}`);
      place(p, o.size);
    } else if (live.length > 0) {
      const [victim] = live.splice(o.pick % live.length, 1) as [Live];
      if (o.kind === 'free') heap.free(victim.ptr);
      else {
        const p = heap.realloc(victim.ptr, o.size);
        const kept = p === 0 && o.size !== 0 ? victim : undefined;
        if (kept) live.push(kept); // failed realloc: the block stays as it was
        else if (p !== 0) {
          const bad = firstBad(sab, p, Math.min(victim.len, o.size), victim.seed);
          if (bad >= 0) throw new Error(`realloc lost byte ${bad} of the content`);
          place(p, o.size);
        }
      }
    }
    verify(sab, heap, live);
  }
  return { sab, heap, live, initialFree };
}

function verify(sab: SharedArrayBuffer, heap: TlsfHeap, live: Live[]): void {
  heap.check();
  const spans = live.map((l) => ({ ...l, end: l.ptr + heap.usableSize(l.ptr) })).sort((x, y) => x.ptr - y.ptr);
  let prevEnd = OFFSET;
  for (const s of spans) {
    if (s.ptr - 8 < prevEnd) throw new Error(`block ${s.ptr} overlaps the block before it (ends at ${prevEnd})`);
    if (s.end > OFFSET + HEAP) throw new Error(`block ${s.ptr} ends at ${s.end}, outside the heap`);
    const bad = firstBad(sab, s.ptr, s.len, s.seed);
    if (bad >= 0) throw new Error(`block ${s.ptr} lost byte ${bad} of its content`);
    prevEnd = s.end;
  }
  const u8 = new Uint8Array(sab);
  for (let i = 0; i < OFFSET; i++) if (u8[i] !== CANARY) throw new Error(`wrote before the heap at ${i}`);
  for (let i = OFFSET + HEAP; i < u8.length; i++) if (u8[i] !== CANARY) throw new Error(`wrote after the heap at ${i}`);
}

t.test('random workloads: no overlap, inside the heap, content kept, malloc fails only when nothing fits, no leak', async (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80, size: 'max' }), fc.nat(), (ops, order) => {
      const { sab, heap, live, initialFree } = runWorkload(ops);
      while (live.length > 0) {
        const [victim] = live.splice(order % live.length, 1) as [Live];
        heap.free(victim.ptr);
        verify(sab, heap, live);
      }
      const s = heap.stats();
      if (s.used !== 0 || s.freeBlocks !== 1 || s.largestFree !== initialFree || s.allocations !== s.frees) {
        throw new Error(`leak after freeing everything: ${JSON.stringify(s)}`);
      }
    }),
    { numRuns: 150 },
  );
  t.pass('150 workloads');
});

t.test('fragmentation stays bounded: after freeing half, an allocation of largestFree succeeds', async (t) => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 20, maxLength: 80, size: 'max' }), (ops) => {
      const { heap, live } = runWorkload(ops);
      live.forEach((l, i) => i % 2 === 0 && heap.free(l.ptr));
      const { largestFree, free } = heap.stats();
      if (largestFree === 0) return;
      if (heap.malloc(largestFree) === 0) throw new Error(`malloc(largestFree = ${largestFree}) failed with ${free} bytes free`);
      heap.check();
    }),
    { numRuns: 100 },
  );
  t.pass('100 workloads');
});
