// Redis's HyperLogLog pieces: MurmurHash64A against Redis's values, the 6-bit dense register packing,
// and reading the sparse encoding a real Redis writes.

import t from 'tap';
import { HLL_DENSE_SIZE, HLL_REGISTERS, countRegisters, createDense, denseGet, denseSet, hllPatLen, isHll, mergeInto, murmurHash64A } from '../../../workloads/redis/hll.js';

t.test('MurmurHash64A and the register/run an element maps to', async (t) => {
  t.equal(murmurHash64A(new Uint8Array(0), 0n), 0n);
  // redis-server: PFADD x a, then PFDEBUG GETREG x has register 12711 at 2 and every other at 0.
  t.same(hllPatLen(Buffer.from('a')), { index: 12711, count: 2 });
});

t.test('dense registers pack 6 bits each without disturbing neighbours', async (t) => {
  const hll = createDense();
  t.equal(hll.length, HLL_DENSE_SIZE);
  t.equal(HLL_DENSE_SIZE, 12304);
  t.ok(isHll(hll));
  const regs = hll.subarray(16);
  for (let i = 0; i < HLL_REGISTERS; i += 7) denseSet(regs, i, (i % 63) + 1);
  let ok = true;
  for (let i = 0; i < HLL_REGISTERS; i++) if (denseGet(regs, i) !== (i % 7 === 0 ? (i % 63) + 1 : 0)) ok = false;
  t.ok(ok, 'every register reads back what was set');
});

t.test('sparse HLLs are read: XZERO, ZERO and VAL runs', async (t) => {
  // "HYLL", sparse, then XZERO(100), VAL(3 x2), XZERO(16282): 100 + 2 + 16282 = 16384 registers.
  const x1 = 100 - 1;
  const x2 = 16282 - 1;
  const sparse = Uint8Array.from([0x48, 0x59, 0x4c, 0x4c, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80,
    0x40 | (x1 >> 8), x1 & 0xff, 0x80 | ((3 - 1) << 2) | (2 - 1), 0x40 | (x2 >> 8), x2 & 0xff]);
  t.ok(isHll(sparse));
  const max = new Uint8Array(HLL_REGISTERS);
  t.ok(mergeInto(max, sparse));
  t.equal(max[100], 3);
  t.equal(max[101], 3);
  t.equal(max[102], 0);
  t.equal(countRegisters(max), 2);
  t.notOk(mergeInto(new Uint8Array(HLL_REGISTERS), sparse.subarray(0, 19)), 'a sparse HLL that does not cover every register is corrupt');
});
