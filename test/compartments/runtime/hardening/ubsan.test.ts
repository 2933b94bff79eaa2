// UBSan: a hardened library's negative, fractional or overflowing access lengths and its signed
// overflows are reported by name and address; unhardened, the same bugs fault or wrap.

import t from 'tap';
import { bootBuggy, violation } from '../../../fixtures/hardening/boot.js';
import { checkedInts } from '../../../../compartments/runtime/hardening/ubsan.js';

t.test('a negative, fractional or region-overflowing length is a ubsan report naming the address', async (t) => {
  const machine = await bootBuggy(t, ['ubsan']);
  for (const [length, detail] of [[-1, /invalid length -1/], [1.5, /invalid length 1.5/], [2 ** 21, /pointer overflow/]] as const) {
    const error = await violation(machine.run('buggy', 'negativeLength', [length]));
    t.equal(error.code, 'FLEXOS_ERR_HARDENING', `length ${length}: a hardening violation`);
    t.match(error.info, { check: 'ubsan', library: 'buggy', address: await machine.run('buggy', 'blockAddress') }, `length ${length}: names ubsan, buggy, the block`);
    t.match(error.message, detail);
  }
  t.equal(await machine.run('buggy', 'negativeLength', [16]), 16, 'a correct length passes');
});

t.test('unhardened, the same lengths surface as protection faults', async (t) => {
  const machine = await bootBuggy(t, []);
  for (const length of [-1, 2 ** 21]) {
    const error = await violation(machine.run('buggy', 'negativeLength', [length]));
    t.equal(error.code, 'FLEXOS_ERR_PROTECTION_FAULT', `length ${length}`);
  }
});

t.test('ctx.checked: signed overflow reported when hardened, wrapped otherwise', async (t) => {
  const hardened = await bootBuggy(t, ['ubsan']);
  const error = await violation(hardened.run('buggy', 'intOverflow', [2 ** 31 - 1, 1]));
  t.match(error.info, { check: 'ubsan', library: 'buggy' });
  t.match(error.message, /signed integer overflow/);
  t.equal(await hardened.run('buggy', 'intOverflow', [40, 2]), 42);
  const plain = await bootBuggy(t, []);
  t.equal(await plain.run('buggy', 'intOverflow', [2 ** 31 - 1, 1]), -(2 ** 31), 'wraps like C at -O2');
});

t.test('checked ints: shifts and indexes', (t) => {
  const c = checkedInts('lib', true);
  t.equal(c.shift(1, 30), 2 ** 30);
  t.throws(() => c.shift(1, 31), { code: 'FLEXOS_ERR_HARDENING' }, '1 << 31 overflows an int');
  t.throws(() => c.shift(1, 32), { code: 'FLEXOS_ERR_HARDENING' }, 'shift exponent too large');
  t.throws(() => c.index(4, 4), { code: 'FLEXOS_ERR_HARDENING' }, 'index past the end');
  t.equal(c.mul(-3, 7), -21);
  t.equal(checkedInts('lib', false).mul(2 ** 20, 2 ** 12), 0, 'unchecked mul wraps');
  t.end();
});

t.test('correct code runs the same under ubsan', async (t) => {
  const plain = await bootBuggy(t, []);
  const hardened = await bootBuggy(t, ['ubsan']);
  t.equal(await hardened.run('buggy', 'workout', [100]), await plain.run('buggy', 'workout', [100]));
});
