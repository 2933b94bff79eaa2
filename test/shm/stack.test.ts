// Simulated stacks and where data annotated as shared lands: on the one shared stack (MPK-light),
// in the data shadow stack at the same offset as the private slot (DSS), or in the shared heap,
// freed when the frame returns (stack-to-heap). Then overflow and the frame discipline.

import t from 'tap';
import { FlexosError } from '../../kernel/abi/errors.js';
import { StackFrames } from '../../shm/stack.js';
import { RegionHeap } from '../../shm/heap.js';
import { createRegion } from '../../shm/region.js';
import { offsetOf, regionOf } from '../../shm/address.js';

const STACK = 64 * 1024;
const stackRegion = (id: number, size = STACK) => createRegion({ id, name: `stack.${id}`, kind: 'stack', key: 0, size, owner: 1 });
const sharedHeap = () => RegionHeap.format(createRegion({ id: 9, name: 'shared-heap', kind: 'shared-heap', key: 15, size: 256 * 1024, owner: 0 }));

t.test('shared: locals and shared data both live on the one stack, whose pointer every compartment shares', async (t) => {
  const stack = stackRegion(3);
  const heap = sharedHeap();
  const a = new StackFrames('shared', { compartment: 'a', regions: { stack }, sharedHeap: heap });
  const b = new StackFrames('shared', { compartment: 'b', regions: { stack }, sharedHeap: heap });
  a.frame(() => {
    const s = a.shared(24);
    t.equal(regionOf(s), 3, 'shared data on the shared stack');
    t.equal(offsetOf(s), STACK - 32, '16-byte aligned, growing down');
    t.equal(regionOf(a.local(8)), 3);
    t.equal(a.used(), 48);
    b.frame(() => {
      const inner = b.shared(16);
      t.equal(offsetOf(inner), STACK - 64, 'the callee pushes below the caller: one stack');
      t.equal(a.used(), 64, 'and the caller sees the pointer move');
    });
    t.equal(a.used(), 48, 'the callee frame popped');
  });
  t.equal(a.used(), 0);
  t.equal(heap.stats().allocations, 0, 'the shared heap is not used');
});

t.test('dss: the shared slot is in the shadow region at the same offset as the private slot', async (t) => {
  const stack = stackRegion(4);
  const dss = createRegion({ id: 5, name: 'dss.a', kind: 'dss', key: 15, size: STACK, owner: 1 });
  const heap = sharedHeap();
  const frames = new StackFrames('dss', { compartment: 'a', regions: { stack, dss }, sharedHeap: heap });
  frames.frame(() => {
    const before = frames.used();
    const s = frames.shared(40);
    t.equal(regionOf(s), 5, 'in the shadow region');
    t.equal(frames.used(), before + 48, 'the private slot is reserved on the private stack');
    t.equal(offsetOf(s), STACK - frames.used(), 'at the offset of the private slot');
    const local = frames.local(16);
    t.equal(regionOf(local), 4, 'a local stays on the private stack');
    t.equal(offsetOf(local), offsetOf(s) - 16, 'right below the reserved slot');
    const again = frames.shared(8);
    t.equal(offsetOf(again), offsetOf(local) - 16, 'shadow and private offsets stay in step');
  });
  t.equal(frames.used(), 0);
  t.equal(heap.stats().allocations, 0, 'the shared heap is not used');
  t.throws(() => new StackFrames('dss', { compartment: 'a', regions: { stack }, sharedHeap: heap }), TypeError, 'dss needs a shadow region');
});

t.test('heap: shared data is a shared-heap allocation, freed when its frame returns', async (t) => {
  const stack = stackRegion(6);
  const heap = sharedHeap();
  const frames = new StackFrames('heap', { compartment: 'a', regions: { stack }, sharedHeap: heap });
  frames.frame(() => {
    const outer = frames.shared(100);
    t.equal(regionOf(outer), heap.region, 'in the shared heap');
    t.ok(heap.usableSize(outer) >= 100);
    t.equal(frames.used(), 0, 'nothing pushed on the private stack');
    frames.frame(() => {
      frames.shared(10);
      frames.shared(20);
      t.equal(heap.stats().allocations, 3);
    });
    t.equal(heap.stats().frees, 2, 'the inner frame freed its two');
    t.ok(heap.stats().used > 0, 'the outer allocation is still live');
    t.equal(regionOf(frames.local(8)), 6, 'locals stay on the private stack');
  });
  const stats = heap.stats();
  t.equal(stats.used, 0, 'all freed on frame exit');
  t.equal(stats.frees, stats.allocations);
  t.throws(() => frames.frame(() => {
    frames.shared(64);
    throw new Error('unwind');
  }), /unwind/);
  t.equal(heap.stats().used, 0, 'freed when the frame unwinds by an exception too');
  t.equal(frames.depth, 0);
});

t.test('heap: an exhausted shared heap is an out-of-memory error, not a NULL', async (t) => {
  const heap = sharedHeap();
  const frames = new StackFrames('heap', { compartment: 'a', regions: { stack: stackRegion(7) }, sharedHeap: heap });
  frames.frame(() => {
    t.throws(() => frames.shared(1024 * 1024), { code: 'FLEXOS_ERR_OUT_OF_MEMORY' });
  });
  t.equal(heap.stats().used, 0);
});

t.test('stack overflow is an out-of-memory error naming the compartment; the frame unwinds', async (t) => {
  for (const strategy of ['shared', 'dss', 'heap'] as const) {
    const stack = stackRegion(8, 256);
    const dss = createRegion({ id: 10, name: 'dss.x', kind: 'dss', key: 15, size: 256, owner: 1 });
    const frames = new StackFrames(strategy, { compartment: 'x', regions: { stack, dss }, sharedHeap: sharedHeap() });
    const token = frames.enter();
    let pushed = 0;
    try {
      for (;;) {
        frames.local(32);
        pushed++;
      }
    } catch (error) {
      t.ok(error instanceof FlexosError, `${strategy}: a FlexosError`);
      t.equal((error as FlexosError).code, 'FLEXOS_ERR_OUT_OF_MEMORY');
      t.match((error as Error).message, /stack overflow in compartment x/);
    }
    t.equal(pushed, Math.floor((256 - 16) / 32), `${strategy}: every slot above the header was usable`);
    frames.leave(token);
    t.equal(frames.used(), 0, `${strategy}: leave restores the pointer`);
    t.equal(frames.depth, 0);
  }
});
