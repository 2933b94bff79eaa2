// The work matrix: a meter per library adds to its own row, the host row comes last, two views of
// one buffer see the same counts, windows subtract snapshots and merge by library.

import t from 'tap';
import { HOST_ROW, WorkCounters, mergeWorkRows } from '../../../compartments/runtime/work-counters.js';
import { MeteredAllocator } from '../../../compartments/runtime/metered-heap.js';
import { NO_WORK, WORK_KINDS, workIndex } from '../../../kernel/abi/work.js';
import { RegionHeap } from '../../../shm/heap.js';

t.test('each kind has its column, in WORK_KINDS order', async (t) => {
  WORK_KINDS.forEach((kind, i) => t.equal(workIndex[kind], i, kind));
  NO_WORK.add('copy', 1); // counts nothing, throws nothing
});

t.test('a meter adds to its library row; rows with no work are left out; the host row is last', async (t) => {
  const counters = new WorkCounters(['redis', 'lwip']);
  t.same(counters.libraries, ['redis', 'lwip', HOST_ROW]);
  const redis = counters.meter('redis');
  redis.add('hash', 16);
  redis.add('hash', 4);
  redis.add('alloc', 1);
  counters.meter(HOST_ROW).add('segment', 2);
  const rows = counters.rowsSince();
  t.same(rows.map((r) => r.library), ['redis', HOST_ROW], 'lwip did nothing');
  t.equal(rows[0]!.work.hash, 20);
  t.equal(rows[0]!.work.alloc, 1);
  t.equal(rows[0]!.work.copy, 0);
  t.equal(rows[1]!.work.segment, 2);
});

t.test('another view of the same buffer (another thread) sees the counts; a snapshot starts a window', async (t) => {
  const host = new WorkCounters(['redis']);
  const worker = new WorkCounters(['redis'], host.buffer);
  worker.meter('redis').add('copy', 100);
  const before = host.snapshot();
  worker.meter('redis').add('copy', 28);
  t.equal(host.rowsSince()[0]!.work.copy, 128);
  t.equal(host.rowsSince(before)[0]!.work.copy, 28);
});

t.test('a buffer of the wrong size and an unknown library are refused, naming what is valid', async (t) => {
  t.throws(() => new WorkCounters(['redis'], new SharedArrayBuffer(8)), RangeError);
  t.throws(() => new WorkCounters(['redis']).meter('nginx'), /no work row for "nginx"; rows: redis, \(host tcp\/ip\)/);
});

t.test('windows merge by library', async (t) => {
  const c = new WorkCounters(['a', 'b']);
  c.meter('a').add('walk', 3);
  const one = c.rowsSince();
  const s = c.snapshot();
  c.meter('b').add('walk', 5);
  c.meter('a').add('walk', 1);
  const merged = mergeWorkRows([one, c.rowsSince(s)]);
  t.same(Object.fromEntries(merged.map((r) => [r.library, r.work.walk])), { a: 4, b: 5 });
});

t.test('a metered allocator counts every allocator call and forwards it', async (t) => {
  const buffer = new SharedArrayBuffer(1 << 16);
  const heap = RegionHeap.format({ id: 3, buffer, size: buffer.byteLength });
  const counters = new WorkCounters(['app']);
  const metered = new MeteredAllocator(heap, counters.meter('app'));
  const a = metered.malloc(64);
  const b = metered.calloc(2, 16);
  const c = metered.realloc(a, 128);
  metered.free(b);
  metered.free(c);
  t.ok(a !== 0 && b !== 0 && c !== 0);
  t.equal(counters.rowsSince()[0]!.work.alloc, 5);
  t.equal(metered.region, 3);
  t.equal(metered.stats().used, heap.stats().used, 'the same heap underneath');
  metered.check();
});
