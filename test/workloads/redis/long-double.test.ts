// The x87 long double emulation behind INCRBYFLOAT: strtold's acceptance rules, one correctly
// rounded addition at 64 significant bits, and "%.17Lf" with trailing zeros trimmed.

import t from 'tap';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../../../workloads/redis/long-double.js';

const ld = (s: string) => {
  const v = parseLongDouble(Buffer.from(s, 'latin1'));
  if (v === null) throw new Error(`unparsable ${s}`);
  return v;
};
const sum = (a: string, b: string): string => formatLongDouble(addLongDouble(ld(a), ld(b)));

t.test('sums print as Redis 5 prints them on x86-64', async (t) => {
  t.equal(sum('10.50', '0.1'), '10.6');
  t.equal(sum('10.6', '-5.0e3'), '-4989.39999999999999991', 'the 64-bit significand shows at the 17th decimal');
  t.equal(sum('0.1', '0.2'), '0.3');
  t.equal(sum('5.0e3', '2.0e2'), '5200');
  t.equal(sum('0', '5.0e-20'), '0', '%.17Lf rounds away what is below 1e-17');
  t.equal(sum('-0', '-0'), '-0');
  t.equal(sum('1', '-1'), '0');
  t.equal(sum('0', '0x1.8p1'), '3');
  t.equal(sum('0', '1e20'), '100000000000000000000');
});

t.test('parsing refuses what getLongDoubleFromObject refuses', async (t) => {
  for (const bad of ['', ' 1', '1 ', 'abc', 'nan', '1e', '.', '0x', '1e6000', '1e-6000', '--1']) {
    t.equal(parseLongDouble(Buffer.from(bad, 'latin1')), null, JSON.stringify(bad));
  }
  t.equal(parseLongDouble(Buffer.from('inf'))?.inf, true);
  t.equal(parseLongDouble(Buffer.from('-Infinity'))?.neg, true);
  t.not(parseLongDouble(Buffer.from('1e4000')), null, 'within the long double range');
});

t.test('the sum of opposite infinities is refused like an overflow', async (t) => {
  t.equal(addLongDouble(ld('inf'), ld('-inf')).inf, true);
  t.equal(addLongDouble(ld('1e4932'), ld('1e4932')).inf, true, 'past the largest long double');
});
