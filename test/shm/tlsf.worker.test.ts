// The shared heap across real threads: two workers attach to a TLSF heap the test thread formatted
// and hammer it at the same time through its in-memory lock; afterwards the heap must be whole.

import t from 'tap';
import { Worker } from 'node:worker_threads';
import { TlsfHeap } from '../../shm/tlsf.js';

const PARTIES = 2, OPERATIONS = 40_000, CONTROL = 64, HEAP = 1024 * 1024;

t.test('two workers share one heap: no block handed out twice, no corruption, nothing leaked', async (t) => {
  const sab = new SharedArrayBuffer(CONTROL + HEAP);
  const heap = TlsfHeap.format(sab, { offset: CONTROL, size: HEAP });
  const initial = heap.stats();
  const fixture = new URL('../fixtures/tlsf-hammer.js', import.meta.url);
  const runs = Array.from({ length: PARTIES }, (_, id) => {
    // execArgv: [] keeps tap's loaders (about a second per worker) out of a plain-JS fixture.
    const workerData = { sab, offset: CONTROL, id, parties: PARTIES, operations: OPERATIONS };
    const worker = new Worker(fixture, { workerData, execArgv: [] });
    return new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${id} exited with ${code}`))));
    });
  });
  await Promise.all(runs);
  const control = new Int32Array(sab, 0, 1 + PARTIES);
  t.same(Array.from(control), [PARTIES, ...Array<number>(PARTIES).fill(OPERATIONS)], 'both workers passed the barrier and finished');
  heap.check();
  const s = heap.stats();
  t.equal(s.used, 0, 'every block freed');
  t.equal(s.allocations, s.frees, 'allocations and frees balance');
  t.ok(s.allocations > OPERATIONS / 2, `${s.allocations} allocations made by the workers`);
  t.same([s.freeBlocks, s.largestFree], [1, initial.largestFree], 'coalesced back into one free block');
  t.ok(s.peakUsed > 0);
});
