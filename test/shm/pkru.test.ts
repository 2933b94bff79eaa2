// The PKRU register as FlexOS computes it (PKRU(k) = 0x3fffffff & ~(3 << 2k)): compartment k reads
// and writes key k and the shared key 15 only; the AD and WD bits of any other value mean what
// Intel says (AD: no access; WD: read only).

import t from 'tap';
import fc from 'fast-check';
import { PKRU_ALLOW_ALL, formatPkru, pkruAllows, pkruForKey } from '../../shm/pkru.js';
import { SHARED_KEY } from '../../shm/region.js';

const KEYS = Array.from({ length: 16 }, (_, k) => k);

t.test('pkruForKey follows the FlexOS formula for keys 0..14', async (t) => {
  t.equal(SHARED_KEY, 15);
  t.equal(pkruForKey(0), 0x3ffffffc);
  t.equal(pkruForKey(1), 0x3ffffff3);
  t.equal(pkruForKey(14), 0x0fffffff);
  for (let k = 0; k < 15; k++) {
    t.equal(pkruForKey(k), (0x3fffffff & ~(3 << (2 * k))) >>> 0, `key ${k}`);
    t.ok(pkruForKey(k) >= 0, 'unsigned');
  }
});

t.test('compartment k may read and write key k and key 15, and nothing else', async (t) => {
  for (let k = 0; k < 15; k++) {
    const pkru = pkruForKey(k);
    const allowed = KEYS.filter((j) => pkruAllows(pkru, j, 'read'));
    const writable = KEYS.filter((j) => pkruAllows(pkru, j, 'write'));
    t.same(allowed, [k, 15], `key ${k}: readable keys`);
    t.same(writable, [k, 15], `key ${k}: writable keys`);
  }
});

t.test('pkruForKey refuses key 15 (shared) and anything outside 0..14', async (t) => {
  for (const bad of [15, 16, -1, 1.5, Number.NaN]) t.throws(() => pkruForKey(bad), RangeError, `key ${bad}`);
});

t.test('the WD bit allows reads and refuses writes; the AD bit refuses both', async (t) => {
  const key = 3;
  const wd = 2 << (2 * key);
  const ad = 1 << (2 * key);
  t.ok(pkruAllows(wd, key, 'read'), 'WD: read');
  t.notOk(pkruAllows(wd, key, 'write'), 'WD: no write');
  t.notOk(pkruAllows(ad, key, 'read'), 'AD: no read');
  t.notOk(pkruAllows(ad, key, 'write'), 'AD: no write');
  t.notOk(pkruAllows(ad | wd, key, 'read'), 'AD+WD: no read');
  t.ok(pkruAllows(wd, key + 1, 'write'), 'the bits of one key leave the next alone');
  t.ok(pkruAllows(wd, key - 1, 'write'), 'and the previous');
  const readOnly15 = (2 << 30) >>> 0;
  t.ok(pkruAllows(readOnly15, 15, 'read'), 'WD on key 15 (bit 31): read');
  t.notOk(pkruAllows(readOnly15, 15, 'write'), 'WD on key 15: no write');
});

t.test('pkruAllows reads exactly the two bits of the key (model check)', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 15 }), (pkru, key) => {
      const ad = Math.floor(pkru / 2 ** (2 * key)) % 2 === 1;
      const wd = Math.floor(pkru / 2 ** (2 * key + 1)) % 2 === 1;
      return pkruAllows(pkru, key, 'read') === !ad && pkruAllows(pkru, key, 'write') === (!ad && !wd);
    }),
  );
  t.pass();
});

t.test('PKRU_ALLOW_ALL (fcalls) allows every key; formatPkru prints 8 hex digits', async (t) => {
  for (const k of KEYS) t.ok(pkruAllows(PKRU_ALLOW_ALL, k, 'write'), `key ${k}`);
  t.equal(formatPkru(pkruForKey(0)), '0x3ffffffc');
  t.equal(formatPkru(PKRU_ALLOW_ALL), '0x00000000');
  t.equal(formatPkru(0xffffffff | 0), '0xffffffff', 'a negative i32 prints unsigned');
});
