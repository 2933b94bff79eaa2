// DUMP and RESTORE: every type this image serializes comes back equal, with its TTL options; a
// payload with a wrong checksum or version, or malformed, is refused and leaves nothing allocated.

import t from 'tap';
import { NIL, OK, SYNTAX, array, bulk, check, harness, int } from './harness.js';

const payloadOf = (reply: string): string => reply.slice(reply.indexOf('\r\n') + 2, -2);

t.test('DUMP then RESTORE reproduces strings, lists, sets, hashes and sorted sets', async (t) => {
  const { run } = harness();
  run('set', 'str', 'hello');
  run('set', 'int', '-70000');
  run('rpush', 'list', 'a', '', 'x'.repeat(300));
  run('sadd', 'set', '1', 'b');
  run('hset', 'hash', 'f', 'v', 'n', '5');
  run('zadd', 'zset', '1.5', 'a', '-2', 'b', 'inf', 'c');
  for (const key of ['str', 'int', 'list', 'set', 'hash', 'zset']) {
    t.equal(run('restore', `${key}2`, '0', payloadOf(run('dump', key))), OK, `RESTORE of ${key}`);
    t.equal(run('type', `${key}2`), run('type', key));
  }
  check(t, run, [
    [['get', 'str2'], bulk('hello')],
    [['get', 'int2'], bulk('-70000')],
    [['lrange', 'list2', '0', '-1'], array('a', '', 'x'.repeat(300))],
    [['sismember', 'set2', 'b'], int(1)],
    [['hget', 'hash2', 'n'], bulk('5')],
    [['zrange', 'zset2', '0', '-1', 'withscores'], array('b', '-2', 'a', '1.5', 'c', 'inf')],
    [['dump', 'nokey'], NIL],
  ]);
});

t.test('DUMP payloads end with RDB version 9 and the CRC-64 of what precedes', async (t) => {
  const { run } = harness();
  run('set', 'k', 'a');
  // Type 0 (string), length 1, "a", version 9 (LE), then the CRC-64/Jones, as Redis 5 writes it.
  t.equal(payloadOf(run('dump', 'k')).slice(0, 5), '\x00\x01a\x09\x00');
});

t.test('RESTORE options and refusals', async (t) => {
  const { run, advance, store } = harness();
  run('set', 'k', 'v');
  const p = payloadOf(run('dump', 'k'));
  const before = store.count;
  check(t, run, [
    [['restore', 'k', '0', p], '-BUSYKEY Target key name already exists.\r\n'],
    [['restore', 'k', '1000', p, 'replace'], OK],
    [['pttl', 'k'], int(1000)],
    [['restore', 'n', '-1', p], '-ERR Invalid TTL value, must be >= 0\r\n'],
    [['restore', 'n', '0', p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1)], '-ERR DUMP payload version or checksum are wrong\r\n'],
    [['restore', 'n', '0', 'short'], '-ERR DUMP payload version or checksum are wrong\r\n'],
    [['restore', 'n', '0', p, 'bogus'], SYNTAX],
    [['restore', 'n', '0', p, 'idletime', '-1'], '-ERR Invalid IDLETIME value, must be >= 0\r\n'],
    [['restore', 'n', '0', p, 'freq', '256'], '-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n'],
    [['restore', 'n', String(1_700_000_000_000 + 5000), p, 'absttl'], OK],
    [['pttl', 'n'], int(5000)],
    [['restore', 'gone', '1', p, 'absttl'], OK],
    [['exists', 'gone'], int(0)],
  ]);
  advance(1);
  t.equal(store.count, before + 1, 'the replaced value was freed and an already-expired RESTORE stored nothing');
});
