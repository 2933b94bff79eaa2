// Simulated addresses: a region number and an offset packed into one integer that stays exact in a
// double (the gate's argument slots) and round-trips; region 0 is NULL.

import t from 'tap';
import fc from 'fast-check';
import { MAX_REGION_BYTES, NULL_ADDRESS, REGION_SHIFT, formatAddress, makeAddress, offsetOf, regionOf } from '../../shm/address.js';

/** Regions a 53-bit double can name with a full 32-bit offset. */
const MAX_REGION = 2 ** (53 - 32) - 1;

t.test('makeAddress packs region and offset; regionOf and offsetOf take them back', async (t) => {
  t.equal(REGION_SHIFT, 2 ** 32);
  t.equal(MAX_REGION_BYTES, 2 ** 32);
  t.equal(makeAddress(1, 0), 2 ** 32);
  t.equal(makeAddress(3, 0x10), 3 * 2 ** 32 + 0x10);
  t.equal(regionOf(makeAddress(7, 2 ** 32 - 1)), 7, 'the last byte of a region stays in it');
  t.equal(offsetOf(makeAddress(7, 2 ** 32 - 1)), 2 ** 32 - 1);
  t.equal(regionOf(makeAddress(8, 0)), 8, 'the next region starts a fresh offset');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_REGION }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (region, offset) => {
      const address = makeAddress(region, offset);
      return Number.isSafeInteger(address) && regionOf(address) === region && offsetOf(address) === offset;
    }),
  );
});

t.test('addresses cross a gate as doubles without losing a bit', async (t) => {
  const slot = new Float64Array(new SharedArrayBuffer(8));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MAX_REGION }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (region, offset) => {
      slot[0] = makeAddress(region, offset);
      const back = slot[0];
      return regionOf(back) === region && offsetOf(back) === offset;
    }),
  );
  t.pass('round-trips through a Float64Array slot');
});

t.test('NULL is address 0, in region 0, which no region uses', async (t) => {
  t.equal(NULL_ADDRESS, 0);
  t.equal(regionOf(NULL_ADDRESS), 0);
  t.equal(offsetOf(NULL_ADDRESS), 0);
  t.not(regionOf(makeAddress(1, 0)), 0, 'the first region is 1');
});

t.test('formatAddress prints 12 hex digits: 4 of region, 8 of offset', async (t) => {
  t.equal(formatAddress(0), '0x000000000000');
  t.equal(formatAddress(makeAddress(1, 0x10)), '0x000100000010');
  t.equal(formatAddress(makeAddress(0xab, 0xdeadbeef)), '0x00abdeadbeef');
});
