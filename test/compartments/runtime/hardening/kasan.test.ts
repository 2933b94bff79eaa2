// KASan: a hardened library's one-byte heap overflow, use-after-free and double free are reported
// with the library, the check and the faulting address; the same bugs unhardened go unnoticed;
// correct code runs the same with and without it.

import t from 'tap';
import { bootBuggy, violation } from '../../../fixtures/hardening/boot.js';
import { KasanShadow, KasanAllocator, REDZONE_BYTES } from '../../../../compartments/runtime/hardening/kasan.js';
import { RegionHeap } from '../../../../shm/heap.js';
import { createRegion } from '../../../../shm/region.js';
import { makeAddress } from '../../../../shm/address.js';

t.test('a one-byte heap overflow is reported at the byte past the block', async (t) => {
  const machine = await bootBuggy(t, ['kasan']);
  for (const size of [20, 24, 1, 100]) {
    const error = await violation(machine.run('buggy', 'heapOverflow', [size, 0]));
    const block = await machine.run('buggy', 'blockAddress');
    t.equal(error.code, 'FLEXOS_ERR_HARDENING', `${size} bytes: a hardening violation`);
    t.match(error.info, { check: 'kasan', library: 'buggy', address: block + size }, `${size} bytes: names kasan, buggy and the first bad byte`);
    t.match(error.message, /heap-buffer-overflow/);
  }
  t.equal(await machine.run('buggy', 'heapOverflow', [20, -1]), 0, 'the last byte of the block is fine');
});

t.test('use-after-free and double free are reported; the quarantine keeps the block poisoned', async (t) => {
  const machine = await bootBuggy(t, ['kasan']);
  const error = await violation(machine.run('buggy', 'useAfterFree'));
  t.match(error.info, { check: 'kasan', library: 'buggy', address: await machine.run('buggy', 'blockAddress') });
  t.match(error.message, /use-after-free/);
  const twice = await violation(machine.run('buggy', 'doubleFree'));
  t.match(twice.info, { check: 'kasan', library: 'buggy', address: await machine.run('buggy', 'blockAddress') });
  t.match(twice.message, /double-free/);
});

t.test('the same bugs in an unhardened library go unnoticed', async (t) => {
  const machine = await bootBuggy(t, []);
  t.equal(await machine.run('buggy', 'heapOverflow', [20, 0]), 0, 'overflow: silent');
  t.type(await machine.run('buggy', 'useAfterFree'), 'number', 'use-after-free: reads whatever the allocator left there');
});

t.test('correct code gives the same result with and without KASan, across gates and stacks', async (t) => {
  const plain = await bootBuggy(t, []);
  const hardened = await bootBuggy(t, ['kasan']);
  const expected = await plain.run('buggy', 'workout', [400]);
  t.equal(await hardened.run('buggy', 'workout', [400]), expected, 'allocations, reallocs, frees beyond the quarantine size');
  const [status] = await hardened.status();
  t.ok(status, 'status still answers');
});

t.test('shadow unit: redzone granules, partial granules and quarantine eviction', async (t) => {
  const region = createRegion({ id: 1, name: 'heap.a', kind: 'heap', key: 0, size: 1 << 16, owner: 1 });
  const heap = RegionHeap.format(region);
  const shadow = new KasanShadow(new Map([[1, region.size]]), new Map([[1, region.buffer]]));
  const kasan = new KasanAllocator(heap, { shadow, library: 'x' });
  const block = kasan.malloc(13);
  t.equal(kasan.usableSize(block), 13, 'usable size is the requested size');
  t.doesNotThrow(() => shadow.check(block, 13, 'read', 'x'), 'the block itself');
  t.throws(() => shadow.check(block + 12, 2, 'read', 'x'), { code: 'FLEXOS_ERR_HARDENING', info: { address: block + 13 } }, 'a read straddling the end');
  t.throws(() => shadow.check(block + 13 + REDZONE_BYTES - 1, 1, 'write', 'x'), { code: 'FLEXOS_ERR_HARDENING', info: { check: 'kasan' } }, 'the end of the redzone');
  t.doesNotThrow(() => shadow.check(makeAddress(1, 60000), 8, 'read', 'x'), 'memory no hardened block covers');
  const before = heap.stats().frees;
  kasan.free(block);
  t.equal(heap.stats().frees, before, 'a freed block is held in quarantine');
  t.throws(() => shadow.check(block, 1, 'read', 'x'), { code: 'FLEXOS_ERR_HARDENING', info: { check: 'kasan' } });
  for (let i = 0; i < 300; i++) kasan.free(kasan.malloc(8));
  t.ok(heap.stats().frees > before, 'the quarantine hands blocks back when full');
  t.ok(shadow.quarantined <= 256, 'the quarantine is bounded');
  heap.check();
});
