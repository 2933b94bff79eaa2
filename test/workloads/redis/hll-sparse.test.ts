// Redis's sparse HLL updates (hllSparseSet): splitting a zero run, merging equal neighbours into one VAL
// opcode, and promotion to dense for a run over 32 or past 3000 bytes.

import t from 'tap';
import { HLL_DENSE_SIZE, denseGet } from '../../../workloads/redis/hll.js';
import { bytesOf, createSparse, hllSet, toDense, workOn } from '../../../workloads/redis/hll-sparse.js';

const body = (b: Uint8Array): number[] => [...b.subarray(16)];

t.test('a new HLL is one XZERO over all 16384 registers', async (t) => {
  const b = createSparse();
  t.equal(b.length, 18);
  t.same(body(b), [0x7f, 0xff]);
});

t.test('setting registers splits zero runs and merges equal VAL neighbours', async (t) => {
  const w = workOn(createSparse());
  t.equal(hllSet(w, 0, 3), 1);
  t.same(body(bytesOf(w)), [0x88, 0x7f, 0xfe], 'VAL(3 x1), XZERO(16383)');
  t.equal(hllSet(w, 1, 3), 1);
  t.same(body(bytesOf(w)), [0x89, 0x7f, 0xfd], 'merged into VAL(3 x2)');
  t.equal(hllSet(w, 1, 2), 0, 'a smaller count changes nothing');
  t.equal(hllSet(w, 100, 1), 1);
  t.same(body(bytesOf(w)), [0x89, 0x40, 0x61, 0x80, 0x7f, 0x9a], 'VAL(3 x2), XZERO(98), VAL(1 x1), XZERO(16283): zero runs over 64 are XZERO');
  t.equal(bytesOf(w)[15]! & 0x80, 0x80, 'the cached count is invalidated');
  t.ok(toDense(w));
  const dense = bytesOf(w);
  t.equal(dense.length, HLL_DENSE_SIZE);
  const regs = dense.subarray(16);
  t.same([denseGet(regs, 0), denseGet(regs, 1), denseGet(regs, 2), denseGet(regs, 100)], [3, 3, 0, 1]);
});

t.test('a count over 32 promotes to dense', async (t) => {
  const w = workOn(createSparse());
  t.equal(hllSet(w, 5, 33), 1);
  t.equal(bytesOf(w).length, HLL_DENSE_SIZE);
  t.equal(denseGet(bytesOf(w).subarray(16), 5), 33);
});

t.test('a sparse HLL whose runs do not add up is corrupt', async (t) => {
  const b = createSparse();
  b[17] = 0; // XZERO(16129)
  t.notOk(toDense(workOn(b)));
  t.equal(hllSet(workOn(b), 16383, 1), -1);
});
