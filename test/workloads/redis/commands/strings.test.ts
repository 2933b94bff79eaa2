// Redis 5's string commands as its documentation and t_string.c answer them: INCRBYFLOAT's long
// double arithmetic and formatting, GETRANGE/SUBSTR, SETRANGE, MSETNX, and their errors.

import t from 'tap';
import { NOTFLOAT, NOTINT, OK, WRONGTYPE, array, arity, bulk, check, harness, int } from './harness.js';

t.test('INCRBYFLOAT adds in long double and prints as ld2string does', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['set', 'f', '10.50'], OK],
    [['incrbyfloat', 'f', '0.1'], bulk('10.6')],
    [['incrbyfloat', 'f', '-5.0e3'], bulk('-4989.39999999999999991')], // 10.6 is not exact in 64 bits either: Redis prints this too
    [['set', 'k', '5.0e3'], OK],
    [['incrbyfloat', 'k', '2.0e2'], bulk('5200')],
    [['set', 'i', '0.1'], OK],
    [['incrbyfloat', 'i', '0.2'], bulk('0.3')], // 0.30000000000000004 in double; long double hides it
    [['incrbyfloat', 'new', '3'], bulk('3')],
    [['incrbyfloat', 'tiny', '5.0e-20'], bulk('0')],
    [['incrbyfloat', 'hex', '0x10'], bulk('16')],
    [['incrbyfloat', 'hex', '0x1.8p1'], bulk('19')],
    [['incrbyfloat', 'dot', '.5'], bulk('0.5')],
    [['incrbyfloat', 'dot', '1.'], bulk('1.5')],
    [['set', 'nz', '-0'], OK],
    [['incrbyfloat', 'nz', '-0'], bulk('-0')], // Redis 5 keeps the sign; Redis 7 prints 0
  ]);
  t.equal(run('incrbyfloat', 'big', '1e300').length > 300, true, '1e300 is printed in full, without an exponent');
  t.match(run('incrbyfloat', 'big', '1e300'), /^\$301\r\n2000000000000000000/, 'the digits are those of the long double nearest 2e300');
});

t.test('INCRBYFLOAT refuses what strtold refuses and what overflows', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['incrbyfloat', 'x', 'abc'], NOTFLOAT],
    [['incrbyfloat', 'x', ' 1'], NOTFLOAT],
    [['incrbyfloat', 'x', '1 '], NOTFLOAT],
    [['incrbyfloat', 'x', ''], NOTFLOAT],
    [['incrbyfloat', 'x', 'nan'], NOTFLOAT],
    [['incrbyfloat', 'x', '1e-6000'], NOTFLOAT],
    [['incrbyfloat', 'x', '1e6000'], NOTFLOAT],
    [['incrbyfloat', 'x', 'inf'], '-ERR increment would produce NaN or Infinity\r\n'],
    [['exists', 'x'], int(0)],
    [['set', 's', 'text'], OK],
    [['incrbyfloat', 's', '1'], NOTFLOAT],
    [['rpush', 'l', 'a'], int(1)],
    [['incrbyfloat', 'l', '1'], WRONGTYPE],
    [['incrbyfloat', 'x'], arity('incrbyfloat')],
  ]);
  run('set', 'm', '1.7976931348623157e308');
  t.equal(run('incrbyfloat', 'm', '1.7976931348623157e308').slice(0, 6), '$309\r\n', 'past the double range, within long double');
});

t.test('INCRBYFLOAT keeps the TTL', async (t) => {
  const { run } = harness();
  run('set', 'f', '1', 'ex', '100');
  run('incrbyfloat', 'f', '1.5');
  t.equal(run('ttl', 'f'), int(100));
  t.equal(run('object', 'encoding', 'f'), bulk('embstr'), 'created by createStringObject, never int-encoded');
});

t.test('GETRANGE and SUBSTR clamp like Redis, empty for a missing key', async (t) => {
  const { run } = harness();
  run('set', 's', 'This is a string');
  check(t, run, [
    [['getrange', 's', '0', '3'], bulk('This')],
    [['getrange', 's', '-3', '-1'], bulk('ing')],
    [['getrange', 's', '0', '-1'], bulk('This is a string')],
    [['getrange', 's', '10', '100'], bulk('string')],
    [['getrange', 's', '-1', '-5'], bulk('')],
    [['getrange', 's', '100', '200'], bulk('')],
    [['getrange', 's', '-100', '1'], bulk('Th')],
    [['substr', 's', '5', '6'], bulk('is')],
    [['getrange', 'none', '0', '-1'], bulk('')],
    [['getrange', 's', 'a', '1'], NOTINT],
    [['getrange', 's', '0'], arity('getrange')],
  ]);
  run('rpush', 'l', 'x');
  t.equal(run('getrange', 'l', '0', '1'), WRONGTYPE);
});

t.test('SETRANGE overwrites, zero-pads and reports the length', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['set', 'k', 'Hello World'], OK],
    [['setrange', 'k', '6', 'Redis'], int(11)],
    [['get', 'k'], bulk('Hello Redis')],
    [['setrange', 'pad', '5', 'x'], int(6)],
    [['get', 'pad'], bulk('\0\0\0\0\0x')],
    [['setrange', 'k', '0', ''], int(11)],
    [['setrange', 'nokey', '3', ''], int(0)],
    [['exists', 'nokey'], int(0)],
    [['setrange', 'k', '-1', 'x'], '-ERR offset is out of range\r\n'],
    [['setrange', 'k', '536870912', 'x'], '-ERR string exceeds maximum allowed size (512MB)\r\n'],
    [['object', 'encoding', 'k'], bulk('raw')],
  ]);
});

t.test('MSETNX sets all keys or none', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['msetnx', 'a', '1', 'b', '2'], int(1)],
    [['msetnx', 'b', '3', 'c', '4'], int(0)],
    [['mget', 'a', 'b', 'c'], array('1', '2', null)],
    [['msetnx', 'a', '1', 'c'], '-ERR wrong number of arguments for MSET\r\n'],
  ]);
});
