// Redis 5's hash commands added here: HSETNX, HSTRLEN, HINCRBYFLOAT (long double, as INCRBYFLOAT) and
// HSCAN, which returns a small (ziplist) hash whole with cursor 0 and walks a large one by cursor.

import t from 'tap';
import { NOTFLOAT, SYNTAX, WRONGTYPE, arity, bulk, check, harness, int } from './harness.js';

const scanReply = (cursor: string, ...items: string[]): string => `*2\r\n${bulk(cursor)}*${items.length}\r\n${items.map(bulk).join('')}`;

t.test('HSETNX sets only a new field; HSTRLEN is the value length', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['hsetnx', 'h', 'f', 'v'], int(1)],
    [['hsetnx', 'h', 'f', 'w'], int(0)],
    [['hget', 'h', 'f'], bulk('v')],
    [['hstrlen', 'h', 'f'], int(1)],
    [['hstrlen', 'h', 'nofield'], int(0)],
    [['hstrlen', 'nokey', 'f'], int(0)],
    [['hsetnx', 'h', 'f'], arity('hsetnx')],
    [['set', 's', 'x'], '+OK\r\n'],
    [['hsetnx', 's', 'f', 'v'], WRONGTYPE],
    [['hstrlen', 's', 'f'], WRONGTYPE],
  ]);
});

t.test('HINCRBYFLOAT adds in long double and refuses non-floats', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['hset', 'h', 'field', '10.50'], int(1)],
    [['hincrbyfloat', 'h', 'field', '0.1'], bulk('10.6')],
    [['hincrbyfloat', 'h', 'field', '-5'], bulk('5.6')],
    [['hset', 'h', 'field', '5.0e3'], int(0)],
    [['hincrbyfloat', 'h', 'field', '2.0e2'], bulk('5200')],
    [['hincrbyfloat', 'h', 'new', '0x10'], bulk('16')],
    [['hset', 'h', 'text', 'abc'], int(1)],
    [['hincrbyfloat', 'h', 'text', '1'], '-ERR hash value is not a float\r\n'],
    [['hincrbyfloat', 'h', 'field', 'x'], NOTFLOAT],
    [['hincrbyfloat', 'h', 'field', 'inf'], '-ERR increment would produce NaN or Infinity\r\n'],
    [['hincrbyfloat', 'nokey', 'f', 'x'], NOTFLOAT],
    [['exists', 'nokey'], int(0)],
  ]);
});

t.test('HSCAN of a ziplist hash is one reply with cursor 0, MATCH filtering fields', async (t) => {
  const { run } = harness();
  run('hset', 'h', 'a', '1', 'b', '2', 'ab', '3');
  check(t, run, [
    [['hscan', 'h', '0'], scanReply('0', 'a', '1', 'b', '2', 'ab', '3')],
    [['hscan', 'h', '0', 'count', '1'], scanReply('0', 'a', '1', 'b', '2', 'ab', '3')],
    [['hscan', 'h', '0', 'match', 'a*'], scanReply('0', 'a', '1', 'ab', '3')],
    [['hscan', 'h', '0', 'count', '0'], SYNTAX],
    [['hscan', 'h', '0', 'bogus'], SYNTAX],
    [['hscan', 'h', 'x'], '-ERR invalid cursor\r\n'],
    [['hscan', 'nokey', '0', 'count', '0'], scanReply('0')],
  ]);
});

t.test('HSCAN walks a hash table by cursor and visits every field once', async (t) => {
  const { run } = harness();
  for (let i = 0; i < 200; i++) run('hset', 'big', `f${i}`, `${i}`);
  t.equal(run('object', 'encoding', 'big'), bulk('hashtable'), 'past 128 fields');
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const reply = run('hscan', 'big', cursor, 'count', '30');
    const parts = reply.split('\r\n');
    cursor = parts[2]!;
    for (let i = 5; i < parts.length - 1; i += 4) seen.add(parts[i]!);
    calls++;
  } while (cursor !== '0' && calls < 100);
  t.equal(seen.size, 200);
  t.ok(calls > 1, 'more than one call');
});
