// maxmemory and the -OOM refusal alone: memtoll's spellings, the limit's semantics (0 = none, over
// means past it), the denyoom check of processCommand, and the heap-room check over a real TLSF heap.

import t from 'tap';
import { configValue, setConfig } from '../../../workloads/redis/config-params.js';
import { DenyOom, HeapRoom, MemoryLimit, OOM_ERROR, ValueStoreFullError, parseMemorySize } from '../../../workloads/redis/memory-limit.js';
import { createCommandTable } from '../../../workloads/redis/commands.js';
import { Keyspace, MapValueStore } from '../../../workloads/redis/keyspace.js';
import { RegionHeap } from '../../../shm/heap.js';
import { OutOfMemoryError } from '../../../kernel/abi/errors.js';

const MiB = 1024 * 1024;
const argv = (...words: string[]): Uint8Array[] => words.map((w) => Buffer.from(w, 'latin1'));

t.test('the OOM reply is Redis 5 shared.oomerr, word for word', async (t) => {
  t.equal(OOM_ERROR, "OOM command not allowed when used memory > 'maxmemory'.");
});

t.test('a full value store throws an OutOfMemoryError with its code, nothing else', async (t) => {
  const e = new ValueStoreFullError(100);
  t.ok(e instanceof OutOfMemoryError);
  t.equal(e.code, 'FLEXOS_ERR_OUT_OF_MEMORY');
  t.equal(e.bytes, 100);
});

t.test('memory sizes parse as Redis memtoll does, and bad ones name the valid forms', async (t) => {
  t.equal(parseMemorySize('0'), 0);
  t.equal(parseMemorySize('12345'), 12345);
  t.equal(parseMemorySize('1k'), 1000);
  t.equal(parseMemorySize('1kb'), 1024);
  t.equal(parseMemorySize('100mb'), 100 * MiB);
  t.equal(parseMemorySize('100MB'), 100 * MiB, 'units are case-insensitive');
  t.equal(parseMemorySize('2m'), 2_000_000);
  t.equal(parseMemorySize('2gb'), 2 * 1024 * MiB);
  for (const bad of ['', '-1', '1.5mb', '10 tb', 'mb', '1mib']) {
    t.throws(() => parseMemorySize(bad), { name: 'RangeError', message: /valid: a whole number of bytes.*k, kb, m, mb, g or gb/ }, JSON.stringify(bad));
  }
});

t.test('maxmemory 0 is no limit; otherwise used memory past it is over', async (t) => {
  const limit = new MemoryLimit();
  t.equal(limit.maxmemory, 0);
  t.notOk(limit.exceeded(1e12));
  limit.maxmemory = 100;
  t.notOk(limit.exceeded(100), 'at the limit is not over it');
  t.ok(limit.exceeded(101));
  t.throws(() => (limit.maxmemory = -1), RangeError);
  t.throws(() => (limit.maxmemory = 1.5), RangeError);
});

t.test('CONFIG SET maxmemory sets the limit the OOM check reads; CONFIG GET prints the boot value in bytes', async (t) => {
  const ks = new Keyspace(new MapValueStore(), { nowMs: () => 0 }, { maxmemory: 1024 });
  t.equal(configValue(ks, 'maxmemory'), '1024', 'the boot value');
  t.equal(setConfig(ks, 'maxmemory', '2mb'), 'ok');
  t.equal(ks.memoryLimit.maxmemory, 2 * MiB);
  t.equal(configValue(ks, 'maxmemory'), String(2 * MiB));
  t.equal(setConfig(ks, 'maxmemory', 'lots'), 'invalid');
  t.equal(ks.memoryLimit.maxmemory, 2 * MiB, 'unchanged by bad text');
});

t.test('the keyspace carries the boot maxmemory', async (t) => {
  const ks = new Keyspace(new MapValueStore(), { nowMs: () => 0 }, { maxmemory: 5 });
  t.equal(ks.memoryLimit.maxmemory, 5);
});

t.test('denyoom commands are refused over maxmemory; reads, deletes and bad arities are not', async (t) => {
  const table = createCommandTable();
  const limit = new MemoryLimit(10);
  let used = 11;
  const deny = new DenyOom({ lookup: (n) => table.lookup(n), limit, usedBytes: () => used });
  t.ok(deny.refuses(argv('SET', 'k', 'v')));
  t.ok(deny.refuses(argv('set', 'k', 'v')), 'names are case-insensitive');
  t.ok(deny.refuses(argv('INCR', 'n')));
  t.ok(deny.refuses(argv('LPUSH', 'l', 'a')));
  t.notOk(deny.refuses(argv('GET', 'k')));
  t.notOk(deny.refuses(argv('DEL', 'k')));
  t.notOk(deny.refuses(argv('EXPIRE', 'k', '10')), 'a write without the m flag');
  t.notOk(deny.refuses(argv('SET', 'k')), 'the arity error comes first');
  t.notOk(deny.refuses(argv('NOSUCH', 'k')), 'so does the unknown command error');
  used = 10;
  t.notOk(deny.refuses(argv('SET', 'k', 'v')), 'at maxmemory, writes go on');
  limit.maxmemory = 0;
  used = 1e12;
  t.notOk(deny.refuses(argv('SET', 'k', 'v')), 'no limit');
});

t.test('denyoom commands are refused when the heap has no room for their arguments', async (t) => {
  const table = createCommandTable();
  const seen: number[][] = [];
  let roomy = false;
  const deny = new DenyOom({ lookup: (n) => table.lookup(n), limit: new MemoryLimit(), usedBytes: () => 0, room: (sizes) => (seen.push([...sizes]), roomy) });
  t.ok(deny.refuses(argv('MSET', 'a', 'xyz', 'bb', 'q')));
  t.same(seen, [[1, 3, 2, 1]], 'asked for every argument after the name');
  t.notOk(deny.refuses(argv('GET', 'a')), 'reads are not asked about');
  roomy = true;
  t.notOk(deny.refuses(argv('SET', 'a', 'b')));
});

t.test('the heap-room check answers from the largest free block, then by trying, and gives back what it tried', async (t) => {
  const size = 1 * MiB;
  const heap = RegionHeap.format({ id: 1, buffer: new SharedArrayBuffer(size), size });
  const room = new HeapRoom(heap);
  t.ok(room.fits([100, 200]));
  t.notOk(room.fits([2 * MiB]), 'bigger than the heap');
  const before = heap.stats();
  // Fill most of the heap with blocks, then free every other one: room in pieces, none large.
  const blocks: number[] = [];
  for (let a = heap.malloc(16 * 1024); a !== 0; a = heap.malloc(16 * 1024)) blocks.push(a);
  for (let i = 0; i < blocks.length; i += 2) heap.free(blocks[i]!);
  room.invalidate();
  t.ok(room.fits([10_000, 10_000, 10_000]), 'several pieces fit in several holes');
  t.notOk(room.fits([40_000]), 'one piece bigger than any hole does not');
  const after = heap.stats();
  t.equal(after.used, before.used + (blocks.length >> 1) * 16 * 1024, 'the trial allocations were given back');
  heap.check();
});
