// ukalloc (over tlsf) as the app sees it, in a booted image (mpk2): malloc/calloc/realloc/memalign/
// free on the app compartment's private heap with exact statistics, the shared heap
// (flexos_malloc_whitelist) reachable by lwip's compartment, and C answers (NULL) to impossible requests.

import t from 'tap';
import fc from 'fast-check';
import * as abi from '../../../kernel/lwip/abi.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { makeAddress, offsetOf } from '../../../shm/address.js';
import { RegionHeap } from '../../../shm/heap.js';
import { bootEcho, connect, receive, type EchoImage } from '../../fixtures/echoapp/harness.js';

interface Stats {
  size: number;
  used: number;
  free: number;
  peak: number;
  allocations: number;
  frees: number;
}

async function stats(img: EchoImage, out: number): Promise<Stats> {
  const r = await img.call('ukalloc', 'uk_alloc_stats', out);
  if (r !== 0) throw new Error(`uk_alloc_stats returned ${r}`);
  const [size, used, free, peak, allocations, frees] = Array.from({ length: 6 }, (_, i) => img.host.read64(out + 8 * i)) as [number, number, number, number, number, number];
  return { size, used, free, peak, allocations, frees };
}

function sharedHeap(img: EchoImage): RegionHeap {
  const region = img.machine.regions.find((r) => r.name === 'shared-heap');
  if (!region) throw new Error('no shared heap');
  return RegionHeap.attach(region);
}

t.test('ukalloc in a booted image (mpk2, dss)', async (t) => {
  const img = await bootEcho(t, 'mpk2', 'dss');
  const alloc = (fn: string, ...args: number[]): Promise<number> => img.call('ukalloc', fn, ...args);
  const out = await img.alloc('shared', 64);

  await t.test('malloc and free move the statistics of the app compartment heap', async (t) => {
    const s0 = await stats(img, out);
    t.equal(s0.size, img.config.heapSize, 'size is the configured heap size');
    t.equal(s0.used + s0.free <= s0.size, true, 'used + free fit in the heap');
    const p = await alloc('uk_malloc', 1000);
    t.equal(img.host.regionName(p), 'heap.comp1', 'uk_malloc serves the app compartment private heap');
    const s1 = await stats(img, out);
    t.ok(s1.used >= s0.used + 1000, `used grew by at least 1000 (${s1.used - s0.used})`);
    t.equal(s1.allocations, s0.allocations + 1, 'one more allocation');
    t.ok(s1.peak >= s1.used, 'peak >= used');
    t.equal(await alloc('uk_free', p), 0, 'uk_free');
    const s2 = await stats(img, out);
    t.equal(s2.used, s0.used, 'used is back where it was');
    t.equal(s2.frees, s0.frees + 1, 'one more free');
  });

  await t.test('calloc zeroes, realloc keeps, memalign aligns', async (t) => {
    const p = await alloc('uk_malloc', 4096);
    img.host.bytes(p, 4096).fill(0xcd);
    await alloc('uk_free', p);
    const z = await alloc('uk_calloc', 64, 64);
    t.ok(img.host.read(z, 4096).every((x) => x === 0), 'calloc memory reads zero even where freed memory was dirty');
    img.host.write(z, 'abcdefgh');
    const r = await alloc('uk_realloc', z, 100_000);
    t.equal(Buffer.from(img.host.read(r, 8)).toString(), 'abcdefgh', 'realloc to a larger block keeps the contents');
    const s = await alloc('uk_realloc', r, 4);
    t.equal(Buffer.from(img.host.read(s, 4)).toString(), 'abcd', 'realloc to a smaller block keeps the prefix');
    await alloc('uk_free', s);
    for (const align of [16, 64, 4096]) {
      const m = await alloc('uk_memalign', align, 100);
      t.ok(m !== 0 && offsetOf(m) % align === 0, `memalign(${align}) is ${align}-aligned`);
      await alloc('uk_free', m);
    }
  });

  await t.test('impossible requests get NULL, not an exception', async (t) => {
    const before = await stats(img, out);
    t.equal(await alloc('uk_malloc', img.config.heapSize * 2), 0, 'more than the heap: NULL');
    t.equal(await alloc('uk_calloc', 1 << 20, 1 << 20), 0, 'calloc whose product overflows the heap: NULL');
    t.equal(await alloc('uk_free', 0), 0, 'free(NULL) does nothing');
    await t.resolveMatch(alloc('uk_malloc', -1), 0, 'malloc((size_t)-1): NULL');
    await t.resolveMatch(alloc('uk_memalign', 3, 16), 0, 'memalign with a bad alignment: NULL');
    t.same(await stats(img, out), before, 'the heap did not change');
    t.equal(await img.call('tlsf', 'tlsf_check'), 0, 'and passes its consistency check');
  });

  await t.test('any sequence of allocations and frees leaves the heap as it was', async (t) => {
    const baseline = await stats(img, out);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean()), { maxLength: 20 }), async (plan) => {
        const live: number[] = [];
        for (const [size, freeOne] of plan) {
          const p = await alloc('uk_malloc', size);
          if (p === 0) return false;
          live.push(p);
          if (freeOne) await alloc('uk_free', live.shift()!);
        }
        for (const p of live) await alloc('uk_free', p);
        return (await stats(img, out)).used === baseline.used && (await img.call('tlsf', 'tlsf_check')) === 0;
      }),
      { numRuns: 10 },
    );
    t.pass('10 random plans: used back to the baseline, tlsf_check clean');
  });

  await t.test('the shared heap', async (t) => {
    const heap = sharedHeap(img);
    const before = heap.stats().used;
    const p = await alloc('uk_malloc_shared', 5000);
    t.equal(img.host.regionName(p), 'shared-heap', 'uk_malloc_shared serves the shared heap');
    t.ok(heap.stats().used >= before + 5000, 'the shared heap grew');
    t.equal(await alloc('uk_free', p), 0, 'uk_free recognises a shared block');
    t.equal(heap.stats().used, before, 'and gives it back to the shared heap');
    const q = await alloc('uk_malloc_shared', 64);
    t.equal(await alloc('uk_free_shared', q), 0, 'uk_free_shared');
    t.equal(heap.stats().used, before, 'the shared heap is back where it was');
    t.equal(await alloc('uk_alloc_stats', makeAddress(999, 0)), -ERRNO.EFAULT, 'uk_alloc_stats into unmapped memory: EFAULT');
  });

  await t.test('shared memory crosses into lwip, private memory does not', async (t) => {
    const listener = await img.call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
    const sa = await alloc('uk_malloc_shared', abi.SOCKADDR_IN_BYTES);
    img.host.write(sa, new Uint8Array([abi.AF_INET, 0, (img.port >> 8) & 0xff, img.port & 0xff, 127, 0, 0, 1]));
    t.equal(await img.call('lwip', 'bind', listener, sa, abi.SOCKADDR_IN_BYTES), 0, 'bind reads a sockaddr from uk_malloc_shared memory');
    await img.call('lwip', 'listen', listener, 4);
    const accepting = img.call('lwip', 'accept', listener, 0, 0);
    const client = await connect(img.port);
    t.teardown(() => void client.destroy());
    const fd = await accepting;
    const sharedBuf = await alloc('uk_malloc_shared', 16);
    const privateBuf = await alloc('uk_malloc', 16);
    img.host.write(sharedBuf, 'shared memory!!\n');
    img.host.write(privateBuf, 'private memory!\n');
    t.equal(await img.call('lwip', 'send', fd, privateBuf, 16, 0), -ERRNO.EFAULT, 'send from uk_malloc memory: EFAULT (lwip lives in another compartment)');
    t.equal(await img.call('lwip', 'send', fd, sharedBuf, 16, 0), 16, 'send from uk_malloc_shared memory works');
    t.equal((await receive(client, 16)).toString(), 'shared memory!!\n', 'and only the shared bytes reached the client');
    await img.call('lwip', 'close', fd);
    await img.call('lwip', 'close', listener);
  });
});
