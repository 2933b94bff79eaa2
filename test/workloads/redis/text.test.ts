// The ported string routines: printf("%.17g") against glibc's output (ties included), strtod as
// Redis accepts scores, string2ll, and stringmatchlen against a regular-expression model.

import t from 'tap';
import fc from 'fast-check';
import { formatDouble, parseDouble, parseInteger, parseLongLong, stringMatch } from '../../../workloads/redis/text.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');

t.test('formatDouble prints what glibc printf("%.17g") prints', async (t) => {
  // Reference outputs produced by glibc 2.x for these inputs.
  const glibc: [number, string][] = [
    [0.1, '0.10000000000000001'],
    [1.5, '1.5'],
    [100, '100'],
    [1e20, '1e+20'],
    [1e17, '1e+17'],
    [1e16, '10000000000000000'],
    [123456789012345678, '1.2345678901234568e+17'],
    [9.999999999999999e16, '99999999999999984'],
    [1e-5, '1.0000000000000001e-05'],
    [1e-4, '0.0001'],
    [0.00012345, '0.00012344999999999999'],
    [1e-7, '9.9999999999999995e-08'],
    [5e-324, '4.9406564584124654e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-2.5e-300, '-2.5e-300'],
    [0.3, '0.29999999999999999'],
    [4503599627370497.5, '4503599627370498'],
    [46029580400734.0625, '46029580400734.062'], // an exact tie: half to even
    [-459954703970412.125, '-459954703970412.12'],
    [93314763436671.5625, '93314763436671.562'],
    [-0, '-0'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [d, want] of glibc) t.equal(formatDouble(d), want, String(d));
});

t.test('formatDouble output reads back as the same double', async (t) => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => Object.is(Number(formatDouble(d)), d)));
  t.pass();
});

t.test('parseDouble accepts what getDoubleFromObject accepts', async (t) => {
  const ok: [string, number][] = [['1', 1], ['-1.5', -1.5], ['.5', 0.5], ['5.', 5], ['+3e2', 300], ['1E-2', 0.01], ['inf', Infinity], ['-Infinity', -Infinity], ['+INF', Infinity], ['0e99999', 0]];
  for (const [s, v] of ok) t.equal(parseDouble(b(s)), v, s);
  for (const s of ['', ' 1', '1 ', 'nan', '-nan', '1e', 'e5', '1.2.3', '0x10', '1e400', '1e-400', 'abc', '--1']) t.equal(parseDouble(b(s)), null, JSON.stringify(s));
});

t.test('string2ll: strict decimal int64', async (t) => {
  t.equal(parseLongLong(b('9223372036854775807')), 9223372036854775807n);
  t.equal(parseLongLong(b('-9223372036854775808')), -9223372036854775808n);
  for (const s of ['9223372036854775808', '-9223372036854775809', '', '-', '+1', '01', '-0', ' 1', '1 ', '1.0', '123456789012345678901']) {
    t.equal(parseLongLong(b(s)), null, JSON.stringify(s));
  }
  t.equal(parseInteger(b('0')), 0);
  t.equal(parseInteger(b('-42')), -42);
  t.equal(parseInteger(b('-0')), null);
  fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => parseLongLong(b(v.toString())) === v && parseInteger(b(v.toString())) === Number(v)));
});

t.test('stringmatchlen: Redis glob cases', async (t) => {
  const cases: [string, string, boolean][] = [
    ['*', '', false], // the loop runs while both remain: an empty key matches no pattern (KEYS * has its own shortcut)
    ['**', '', false],
    ['*', 'anything', true],
    ['a*b', 'ab', true],
    ['a*b', 'axxb', true],
    ['a*b', 'axxc', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['[\\]]', ']', true],
    ['a[', 'a', false],
    ['a[bc', 'ab', true],
    ['**a', 'a', true],
    ['a**', 'a', true],
    ['?', '', false],
  ];
  for (const [p, s, want] of cases) t.equal(stringMatch(p, s), want, `${p} ~ ${s}`);
  t.equal(stringMatch('SAVE', 'save', { nocase: true }), true, 'nocase, as CONFIG GET uses it');
  t.equal(stringMatch('[A-Z]', 'q', { nocase: true }), true);
});

t.test('property: stringmatchlen agrees with a regex for *, ? and literals (on non-empty strings)', async (t) => {
  const pattern = fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 8 }).map((a) => a.join(''));
  const text = fc.array(fc.constantFrom('a', 'b'), { maxLength: 8 }).map((a) => a.join(''));
  fc.assert(
    fc.property(pattern, text, (p, s) => {
      const re = new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      return stringMatch(p, s) === (s === '' ? p === '' : re.test(s));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
