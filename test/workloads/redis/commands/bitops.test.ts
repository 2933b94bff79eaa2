// Redis 5's bit commands (bitops.c) as documented: SETBIT/GETBIT grow and read bits MSB first,
// BITCOUNT and BITPOS take byte ranges, BITOP combines strings padded with zeros.

import t from 'tap';
import { NOTINT, OK, SYNTAX, WRONGTYPE, bulk, check, harness, int } from './harness.js';

const BADOFFSET = '-ERR bit offset is not an integer or out of range\r\n';
const BADBIT = '-ERR bit is not an integer or out of range\r\n';

t.test('SETBIT returns the old bit and zero-pads; GETBIT past the end is 0', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['setbit', 'k', '7', '1'], int(0)],
    [['setbit', 'k', '7', '0'], int(1)],
    [['setbit', 'k', '1', '1'], int(0)],
    [['get', 'k'], bulk('@')],
    [['setbit', 'k', '23', '1'], int(0)],
    [['get', 'k'], bulk('@\0\x01')],
    [['getbit', 'k', '1'], int(1)],
    [['getbit', 'k', '0'], int(0)],
    [['getbit', 'k', '1000'], int(0)],
    [['getbit', 'none', '3'], int(0)],
    [['setbit', 'k', '-1', '1'], BADOFFSET],
    [['setbit', 'k', '4294967296', '1'], BADOFFSET],
    [['setbit', 'k', '1', '2'], BADBIT],
    [['setbit', 'k', '1', 'x'], BADBIT],
    [['getbit', 'k', 'x'], BADOFFSET],
    [['object', 'encoding', 'k'], bulk('raw')],
  ]);
  run('rpush', 'l', 'a');
  t.equal(run('setbit', 'l', '1', '1'), WRONGTYPE);
  t.equal(run('getbit', 'l', '1'), WRONGTYPE);
});

t.test('BITCOUNT counts set bits over a byte range', async (t) => {
  const { run } = harness();
  run('set', 'mykey', 'foobar');
  check(t, run, [
    [['bitcount', 'mykey'], int(26)],
    [['bitcount', 'mykey', '0', '0'], int(4)],
    [['bitcount', 'mykey', '1', '1'], int(6)],
    [['bitcount', 'mykey', '-2', '-1'], int(7)],
    [['bitcount', 'mykey', '-1', '-2'], int(0)],
    [['bitcount', 'mykey', '1'], SYNTAX],
    [['bitcount', 'mykey', 'a', '1'], NOTINT],
    [['bitcount', 'none'], int(0)],
    [['bitcount', 'none', 'x', '1'], int(0)], // a missing key answers before its range is read
  ]);
});

t.test('BITPOS finds the first 1 or 0, and the bit after the range for all ones', async (t) => {
  const { run } = harness();
  run('set', 'k', '\xff\xf0\x00');
  run('set', 'ones', '\xff\xff\xff');
  run('set', 'zeros', '\0\0\0');
  check(t, run, [
    [['bitpos', 'k', '0'], int(12)],
    [['bitpos', 'k', '1', '2'], int(-1)],
    [['bitpos', 'k', '1', '1'], int(8)],
    [['bitpos', 'ones', '0'], int(24)],
    [['bitpos', 'ones', '0', '1'], int(24)],
    [['bitpos', 'ones', '0', '0', '-1'], int(-1)],
    [['bitpos', 'zeros', '1'], int(-1)],
    [['bitpos', 'none', '0'], int(0)],
    [['bitpos', 'none', '1'], int(-1)],
    [['bitpos', 'k', '2'], '-ERR The bit argument must be 1 or 0.\r\n'],
  ]);
});

t.test('BITOP AND/OR/XOR/NOT store the result and its length', async (t) => {
  const { run } = harness();
  run('set', 'a', 'foobar');
  run('set', 'b', 'abcdef');
  check(t, run, [
    [['bitop', 'and', 'dest', 'a', 'b'], int(6)],
    [['get', 'dest'], bulk('`bc`ab')],
    [['bitop', 'OR', 'dest', 'a', 'b', 'none'], int(6)],
    [['get', 'dest'], bulk('goofev')],
    [['bitop', 'xor', 'dest', 'a', 'none'], int(6)],
    [['get', 'dest'], bulk('foobar')],
    [['bitop', 'not', 'dest', 'a'], int(6)],
    [['get', 'dest'], bulk('\x99\x90\x90\x9d\x9e\x8d')],
    [['bitop', 'not', 'dest', 'a', 'b'], '-ERR BITOP NOT must be called with a single source key.\r\n'],
    [['bitop', 'nand', 'dest', 'a'], SYNTAX],
    [['set', 'dest', 'x', 'ex', '100'], OK],
    [['bitop', 'and', 'dest', 'none1', 'none2'], int(0)],
    [['exists', 'dest'], int(0)],
  ]);
  run('rpush', 'l', 'x');
  t.equal(run('bitop', 'and', 'dest', 'a', 'l'), WRONGTYPE);
});
