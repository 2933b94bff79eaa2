// Redis 5's key commands added beside the existing ones: RENAME and RENAMENX move the value with its
// TTL, TOUCH counts existing keys, OBJECT answers by Redis 5's encodings and does not touch the key.

import t from 'tap';
import { NIL, OK, bulk, check, harness, int } from './harness.js';

t.test('RENAME moves the value and its TTL, replacing the destination', async (t) => {
  const { run, store } = harness();
  check(t, run, [
    [['set', 'a', '1', 'ex', '100'], OK],
    [['set', 'b', '2'], OK],
    [['rename', 'a', 'b'], OK],
    [['get', 'b'], bulk('1')],
    [['ttl', 'b'], int(100)],
    [['exists', 'a'], int(0)],
    [['rename', 'nokey', 'x'], '-ERR no such key\r\n'],
    [['rename', 'b', 'b'], OK],
    [['renamenx', 'b', 'b'], int(0)],
    [['set', 'c', '3'], OK],
    [['renamenx', 'b', 'c'], int(0)],
    [['renamenx', 'b', 'd'], int(1)],
    [['get', 'd'], bulk('1')],
    [['renamenx', 'nokey', 'x'], '-ERR no such key\r\n'],
  ]);
  t.equal(store.count, 2, 'the replaced value is freed, the moved one kept (c and d)');
});

t.test('RENAME of an expired key is no such key', async (t) => {
  const { run, advance } = harness();
  run('set', 'a', '1', 'px', '10');
  advance(11);
  t.equal(run('rename', 'a', 'b'), '-ERR no such key\r\n');
});

t.test('TOUCH counts the keys that exist, repeats included', async (t) => {
  const { run } = harness();
  run('set', 'a', '1');
  t.equal(run('touch', 'a', 'nokey', 'a'), int(2));
});

t.test('OBJECT ENCODING follows Redis 5: int, embstr, raw, ziplist, hashtable, quicklist, intset', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['set', 'n', '12345'], OK],
    [['object', 'encoding', 'n'], bulk('int')],
    [['set', 's', 'hello'], OK],
    [['object', 'encoding', 's'], bulk('embstr')],
    [['set', 'long', 'x'.repeat(45)], OK],
    [['object', 'encoding', 'long'], bulk('raw')],
    [['append', 's', '!'], int(6)],
    [['object', 'encoding', 's'], bulk('raw')],
    [['incr', 'counter'], int(1)],
    [['object', 'encoding', 'counter'], bulk('int')],
    [['hset', 'h', 'f', 'v'], int(1)],
    [['object', 'encoding', 'h'], bulk('ziplist')],
    [['hset', 'h', 'g', 'v'.repeat(65)], int(1)],
    [['object', 'encoding', 'h'], bulk('hashtable')],
    [['hdel', 'h', 'g'], int(1)],
    [['object', 'encoding', 'h'], bulk('hashtable')],
    [['rpush', 'l', 'a'], int(1)],
    [['object', 'encoding', 'l'], bulk('quicklist')],
    [['sadd', 'set', '1', '2'], int(2)],
    [['object', 'encoding', 'set'], bulk('intset')],
    [['sadd', 'set', 'x'], int(1)],
    [['object', 'encoding', 'set'], bulk('hashtable')],
    [['zadd', 'z', '1', 'a'], int(1)],
    [['object', 'encoding', 'z'], bulk('ziplist')],
    [['object', 'encoding', 'nokey'], NIL],
  ]);
});

t.test('OBJECT REFCOUNT, IDLETIME, FREQ, HELP and bad subcommands', async (t) => {
  const { run, advance } = harness();
  run('set', 'small', '100');
  run('set', 'text', 'abc');
  advance(5500);
  check(t, run, [
    [['object', 'refcount', 'small'], int(2147483647)],
    [['object', 'refcount', 'text'], int(1)],
    [['object', 'idletime', 'text'], int(5)],
    [['object', 'idletime', 'text'], int(5)],
    [['get', 'text'], bulk('abc')],
    [['object', 'idletime', 'text'], int(0)],
    [['object', 'refcount', 'nokey'], NIL],
    [['object', 'bogus', 'text'], "-ERR Unknown subcommand or wrong number of arguments for 'bogus'. Try OBJECT HELP.\r\n"],
    [['object', 'encoding'], "-ERR Unknown subcommand or wrong number of arguments for 'encoding'. Try OBJECT HELP.\r\n"],
  ]);
  t.match(run('object', 'freq', 'text'), /^-ERR An LFU maxmemory policy is not selected/);
  t.match(run('object', 'help'), /^\*5\r\n\+OBJECT <subcommand> arg arg \.\.\. arg\. Subcommands are:\r\n/);
});
