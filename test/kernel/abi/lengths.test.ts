// A library's length arithmetic: ctx.checked (UBSan's checked int arithmetic) when the library is
// hardened with ubsan, exact arithmetic otherwise, so unhardened code computes what it always did.

import t from 'tap';
import { EXACT_INTS, lengthArithmetic } from '../../../kernel/abi/lengths.js';
import { checkedInts } from '../../../compartments/runtime/hardening/ubsan.js';

t.test('under ubsan the library gets ctx.checked, otherwise exact arithmetic', async (t) => {
  const checked = checkedInts('lwip', true);
  t.equal(lengthArithmetic({ hardening: ['kasan', 'ubsan'], checked }), checked);
  t.equal(lengthArithmetic({ hardening: ['kasan'], checked }), EXACT_INTS);
  t.equal(lengthArithmetic({ hardening: [], checked }), EXACT_INTS);
  t.equal(lengthArithmetic({}), EXACT_INTS, 'a partial context (a unit test\'s) is unhardened');
});

t.test('exact arithmetic neither wraps nor throws; the checked one reports an int overflow', async (t) => {
  t.equal(EXACT_INTS.add(2 ** 31 - 1, 1), 2 ** 31, 'no 32-bit wrap');
  t.equal(EXACT_INTS.mul(922337203685477, 10), 9223372036854770);
  t.equal(EXACT_INTS.sub(5, 7), -2);
  t.equal(EXACT_INTS.shift(3, 40), 3 * 2 ** 40);
  t.equal(EXACT_INTS.index(7, 3), 7, 'no bounds check');
  t.throws(() => checkedInts('lwip', true).add(2 ** 31 - 1, 1), { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'lwip' } });
});
