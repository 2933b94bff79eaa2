// List commands against Redis 5.0's replies (t_list.c), byte for byte: LINSERT, LREM, LSET, LTRIM,
// RPOPLPUSH, LINDEX, LRANGE, LPUSHX/RPUSHX, and that every element they drop is freed.

import t from 'tap';
import { NOTINT, SYNTAX, WRONGTYPE, bulks, check, harness } from './harness.js';

t.test('LINSERT finds the first pivot from the head; -1 without it, 0 without the key', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['linsert', 'l', 'before', 'a', 'x'], ':0\r\n'],
    [['rpush', 'l', 'a', 'b', 'a'], ':3\r\n'],
    [['linsert', 'l', 'BEFORE', 'a', 'x'], ':4\r\n'],
    [['linsert', 'l', 'after', 'a', 'y'], ':5\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('x', 'a', 'y', 'b', 'a')],
    [['linsert', 'l', 'after', 'zz', 'y'], ':-1\r\n'],
    [['linsert', 'l', 'around', 'a', 'y'], SYNTAX],
    [['linsert', 'l', 'after', 'b', ''], ':6\r\n'],
    [['lindex', 'l', '4'], '$0\r\n\r\n'],
    [['set', 's', 'v'], '+OK\r\n'],
    [['linsert', 's', 'after', 'a', 'b'], WRONGTYPE],
    [['linsert', 'l', 'after', 'a'], "-ERR wrong number of arguments for 'linsert' command\r\n"],
  ]);
});

t.test('LREM removes count from the head, -count from the tail, 0 all; the key goes with its last element', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['rpush', 'l', 'a', 'b', 'a', 'c', 'a', 'b'], ':6\r\n'],
    [['lrem', 'l', '1', 'a'], ':1\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('b', 'a', 'c', 'a', 'b')],
    [['lrem', 'l', '-1', 'b'], ':1\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('b', 'a', 'c', 'a')],
    [['lrem', 'l', '0', 'a'], ':2\r\n'],
    [['lrem', 'l', '5', 'nothing'], ':0\r\n'],
    [['lrem', 'l', 'x', 'b'], NOTINT],
    [['lrem', 'l', '0', 'b'], ':1\r\n'],
    [['lrem', 'l', '0', 'c'], ':1\r\n'],
    [['exists', 'l'], ':0\r\n'],
    [['lrem', 'l', '0', 'c'], ':0\r\n'],
  ]);
});

t.test('LSET replaces by index; no such key, index out of range, a non-integer index', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['lset', 'l', '0', 'x'], '-ERR no such key\r\n'],
    [['rpush', 'l', 'a', 'b', 'c'], ':3\r\n'],
    [['lset', 'l', '0', 'x'], '+OK\r\n'],
    [['lset', 'l', '-1', 'z'], '+OK\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('x', 'b', 'z')],
    [['lset', 'l', '3', 'q'], '-ERR index out of range\r\n'],
    [['lset', 'l', '-4', 'q'], '-ERR index out of range\r\n'],
    [['lset', 'l', 'one', 'q'], NOTINT],
    [['sadd', 's', 'm'], ':1\r\n'],
    [['lset', 's', '0', 'q'], WRONGTYPE],
  ]);
});

t.test('LTRIM keeps [start, end] with negative indexes; an empty range deletes the key', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['ltrim', 'nokey', '0', '1'], '+OK\r\n'],
    [['rpush', 'l', '1', '2', '3', '4', '5'], ':5\r\n'],
    [['ltrim', 'l', '1', '-2'], '+OK\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('2', '3', '4')],
    [['ltrim', 'l', '-100', '100'], '+OK\r\n'],
    [['llen', 'l'], ':3\r\n'],
    [['ltrim', 'l', '2', '1'], '+OK\r\n'],
    [['exists', 'l'], ':0\r\n'],
    [['ltrim', 'l', 'a', '1'], NOTINT],
  ]);
});

t.test('RPOPLPUSH moves the tail to the head of the destination, rotates a list onto itself', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['rpoplpush', 'src', 'dst'], '$-1\r\n'],
    [['rpush', 'src', 'a', 'b', 'c'], ':3\r\n'],
    [['rpoplpush', 'src', 'dst'], '$1\r\nc\r\n'],
    [['rpoplpush', 'src', 'dst'], '$1\r\nb\r\n'],
    [['lrange', 'dst', '0', '-1'], bulks('b', 'c')],
    [['rpoplpush', 'dst', 'dst'], '$1\r\nc\r\n'],
    [['lrange', 'dst', '0', '-1'], bulks('c', 'b')],
    [['set', 'str', 'v'], '+OK\r\n'],
    [['rpoplpush', 'src', 'str'], WRONGTYPE],
    [['lrange', 'src', '0', '-1'], bulks('a')],
    [['rpoplpush', 'str', 'dst'], WRONGTYPE],
    [['rpoplpush', 'src', 'dst'], '$1\r\na\r\n'],
    [['exists', 'src'], ':0\r\n'],
  ]);
});

t.test('LINDEX and LRANGE read by index; LPUSHX/RPUSHX push only onto an existing list', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['lpushx', 'l', 'a'], ':0\r\n'],
    [['exists', 'l'], ':0\r\n'],
    [['rpush', 'l', 'b'], ':1\r\n'],
    [['lpushx', 'l', 'a', 'z'], ':3\r\n'],
    [['rpushx', 'l', 'c'], ':4\r\n'],
    [['lrange', 'l', '0', '-1'], bulks('z', 'a', 'b', 'c')],
    [['lrange', 'l', '-2', '10'], bulks('b', 'c')],
    [['lrange', 'l', '3', '1'], '*0\r\n'],
    [['lindex', 'l', '-1'], '$1\r\nc\r\n'],
    [['lindex', 'l', '4'], '$-1\r\n'],
    [['lindex', 'l', 'x'], NOTINT],
    [['lindex', 'nokey', 'x'], '$-1\r\n'],
  ]);
});

t.test('every element LREM, LSET, LTRIM and the pops drop is freed; moved elements are not copied', async (t) => {
  const { run, store } = harness();
  run('rpush', 'l', 'a', 'b', 'c', 'd', 'e', 'a');
  run('lrem', 'l', '0', 'a');
  run('lset', 'l', '0', 'B');
  run('linsert', 'l', 'after', 'c', 'cc');
  run('ltrim', 'l', '0', '2');
  t.equal(store.count, 3, 'three elements left, three allocations');
  run('rpoplpush', 'l', 'other');
  t.equal(store.count, 3, 'RPOPLPUSH moves the element without a copy');
  run('del', 'l', 'other');
  t.equal(store.count, 0);
});
