// MULTI/EXEC/DISCARD/WATCH/UNWATCH with Redis 5's rules (multi.c): queuing, EXECABORT after a queuing
// error, per-command errors inside EXEC, WATCH aborting on another client's write (and on FLUSHALL, MOVE),
// but not on no-op writes that reply an error or leave an absent key absent.

import t from 'tap';
import { CommandTable, createCommandTable, createSession, isCommand } from '../../../../workloads/redis/commands.js';
import { spec } from '../../../../workloads/redis/commands/common.js';
import { Keyspace, MapValueStore } from '../../../../workloads/redis/keyspace.js';
import { ReplyWriter } from '../../../../workloads/redis/resp.js';
import type { Session } from '../../../../workloads/redis/commands.js';

const T0 = 1_700_000_000_000;

function harness() {
  let now = T0;
  const ks = new Keyspace(new MapValueStore(), { nowMs: () => now });
  // A write command whose key is at the second position (as RENAME's destination), to check the key
  // positions without depending on which commands the table has.
  const setSecond = spec('setsecond', (c) => {
    c.db.set(Buffer.from(c.argv[2]!).toString('latin1'), { type: 'string', addr: c.ks.putBytes(c.argv[3]!), len: c.argv[3]!.length });
    c.out.simple('OK');
  }, { arity: 4, flags: 'wm', keys: [1, 2, 1] });
  const table = new CommandTable([...createCommandTable().specs(), setSecond]);
  const client = (id: number) => {
    const session: Session = createSession(id);
    const out = new ReplyWriter(64);
    return (...argv: string[]): string => {
      out.reset();
      table.execute(ks, argv.map((a) => Buffer.from(a, 'latin1')), session, out);
      return Buffer.from(out.bytes()).toString('latin1');
    };
  };
  return { a: client(1), b: client(2), advance: (ms: number) => void (now += ms) };
}

const OK = '+OK\r\n';
const QUEUED = '+QUEUED\r\n';
const EXECABORT = '-EXECABORT Transaction discarded because of previous errors.\r\n';

t.test('MULTI queues, EXEC answers every reply in order', async (t) => {
  const { a } = harness();
  t.equal(a('MULTI'), OK);
  t.equal(a('SET', 'k', 'v'), QUEUED);
  t.equal(a('INCR', 'n'), QUEUED);
  t.equal(a('GET', 'k'), QUEUED);
  t.equal(a('GET', 'k'), QUEUED, 'nothing ran yet');
  t.equal(a('EXEC'), '*4\r\n+OK\r\n:1\r\n$1\r\nv\r\n$1\r\nv\r\n');
  t.equal(a('EXEC'), '-ERR EXEC without MULTI\r\n', 'EXEC ended the transaction');
  t.equal(a('MULTI'), OK);
  t.equal(a('EXEC'), '*0\r\n', 'an empty transaction');
});

t.test('runtime errors inside EXEC are per-command replies; the rest still runs', async (t) => {
  const { a } = harness();
  a('SET', 's', 'text');
  t.equal(a('MULTI'), OK);
  t.equal(a('INCR', 's'), QUEUED);
  t.equal(a('LPUSH', 's', 'x'), QUEUED);
  t.equal(a('SET', 'after', '1'), QUEUED);
  t.equal(
    a('EXEC'),
    '*3\r\n-ERR value is not an integer or out of range\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n+OK\r\n',
  );
  t.equal(a('GET', 'after'), '$1\r\n1\r\n');
});

t.test('an unknown command or a wrong arity while queuing makes EXEC answer EXECABORT', async (t) => {
  const { a } = harness();
  t.equal(a('MULTI'), OK);
  t.equal(a('SET', 'k', 'v'), QUEUED);
  t.equal(a('NOSUCH', 'x'), '-ERR unknown command `NOSUCH`, with args beginning with: `x`, \r\n');
  t.equal(a('SET', 'k2', 'v'), QUEUED, 'queuing goes on after the error');
  t.equal(a('EXEC'), EXECABORT);
  t.equal(a('EXISTS', 'k', 'k2'), ':0\r\n', 'nothing ran');
  t.equal(a('MULTI'), OK);
  t.equal(a('GET'), "-ERR wrong number of arguments for 'get' command\r\n");
  t.equal(a('EXEC'), EXECABORT);
  t.equal(a('GET'), "-ERR wrong number of arguments for 'get' command\r\n", 'outside MULTI the error flags nothing');
  t.equal(a('MULTI'), OK, 'the aborted transaction is over');
});

t.test('nested MULTI, EXEC/DISCARD without MULTI, WATCH inside MULTI', async (t) => {
  const { a } = harness();
  t.equal(a('EXEC'), '-ERR EXEC without MULTI\r\n');
  t.equal(a('DISCARD'), '-ERR DISCARD without MULTI\r\n');
  t.equal(a('MULTI'), OK);
  t.equal(a('MULTI'), '-ERR MULTI calls can not be nested\r\n');
  t.equal(a('WATCH', 'k'), '-ERR WATCH inside MULTI is not allowed\r\n');
  t.equal(a('SET', 'k', 'v'), QUEUED);
  t.equal(a('EXEC'), '*1\r\n+OK\r\n', 'neither error dirtied the transaction (Redis 5 does not flag them)');
  t.equal(a('MULTI'), OK);
  t.equal(a('SET', 'k', 'w'), QUEUED);
  t.equal(a('DISCARD'), OK);
  t.equal(a('GET', 'k'), '$1\r\nv\r\n', 'DISCARD dropped the queue');
  t.equal(a('MULTI', 'x'), "-ERR wrong number of arguments for 'multi' command\r\n");
});

t.test("WATCH: another client's write makes EXEC answer the nil multi-bulk", async (t) => {
  const { a, b } = harness();
  a('SET', 'k', '1');
  t.equal(a('WATCH', 'k', 'other'), OK);
  t.equal(b('INCR', 'k'), ':2\r\n');
  t.equal(a('MULTI'), OK);
  t.equal(a('SET', 'k', '10'), QUEUED);
  t.equal(a('EXEC'), '*-1\r\n');
  t.equal(a('GET', 'k'), '$1\r\n2\r\n', 'the transaction did not run');
  // EXEC unwatched everything: the next transaction runs.
  b('INCR', 'k');
  t.equal(a('MULTI'), OK);
  t.equal(a('SET', 'k', '10'), QUEUED);
  t.equal(a('EXEC'), '*1\r\n+OK\r\n');
});

t.test('WATCH: an untouched key, UNWATCH, and the own write before MULTI', async (t) => {
  const { a, b } = harness();
  a('SET', 'k', '1');
  a('WATCH', 'k');
  b('SET', 'unrelated', 'x');
  b('GET', 'k');
  a('MULTI');
  a('INCR', 'k');
  t.equal(a('EXEC'), '*1\r\n:2\r\n', 'reads and other keys do not abort');
  a('WATCH', 'k');
  b('SET', 'k', 'changed');
  t.equal(a('UNWATCH'), OK);
  a('MULTI');
  a('GET', 'k');
  t.equal(a('EXEC'), '*1\r\n$7\r\nchanged\r\n', 'UNWATCH cleared the dirty flag');
  a('WATCH', 'k');
  a('SET', 'k', 'mine');
  a('MULTI');
  a('GET', 'k');
  t.equal(a('EXEC'), '*-1\r\n', "the watching client's own write counts too");
});

t.test('WATCH: which writes touch a key', async (t) => {
  const { a, b } = harness();
  const aborted = (write: () => void, setup?: () => void): boolean => {
    b('FLUSHALL');
    setup?.();
    a('WATCH', 'k');
    write();
    a('MULTI');
    a('PING');
    return a('EXEC') === '*-1\r\n';
  };
  t.ok(aborted(() => b('DEL', 'k'), () => b('SET', 'k', 'v')), 'DEL of the key');
  t.notOk(aborted(() => b('DEL', 'k')), 'DEL of an absent key modifies nothing');
  t.ok(aborted(() => b('LPUSH', 'k', 'x')), 'a write creating the key');
  t.ok(aborted(() => b('SETSECOND', 'src', 'k', 'v')), 'a write naming it at its second key position');
  t.ok(aborted(() => b('MSET', 'a', '1', 'k', '2')), 'MSET (a key step of 2)');
  t.notOk(aborted(() => b('INCR', 'k'), () => b('SET', 'k', 'text')), 'a write that replies an error');
  t.ok(aborted(() => b('FLUSHALL'), () => b('SET', 'k', 'v')), 'FLUSHALL of an existing watched key');
  t.notOk(aborted(() => b('FLUSHALL')), 'FLUSHALL with the watched key absent');
  t.ok(aborted(() => b('EXPIRE', 'k', '100'), () => b('SET', 'k', 'v')), 'EXPIRE');
  t.notOk(aborted(() => { b('SELECT', '1'); b('SET', 'k', 'v'); b('SELECT', '0'); }), 'the same key in another db');
  t.test('MOVE into the watched db', { skip: isCommand('move') ? false : 'MOVE is not in the table' }, async (t) => {
    t.ok(aborted(() => { b('SELECT', '1'); b('SET', 'k', 'v'); b('MOVE', 'k', '0'); b('SELECT', '0'); }));
  });
  t.test('ZUNIONSTORE writes its destination only', { skip: isCommand('zunionstore') ? false : 'ZUNIONSTORE is not in the table' }, async (t) => {
    t.ok(aborted(() => b('ZUNIONSTORE', 'k', '1', 'z'), () => b('ZADD', 'z', '1', 'm')), 'into it');
    t.notOk(aborted(() => b('ZUNIONSTORE', 'dest', '1', 'k'), () => b('ZADD', 'k', '1', 'm')), 'reading it');
  });
});

t.test('the queued commands see the db selected when they run', async (t) => {
  const { a } = harness();
  a('MULTI');
  a('SELECT', '3');
  a('SET', 'k', 'v');
  t.equal(a('EXEC'), '*2\r\n+OK\r\n+OK\r\n');
  t.equal(a('GET', 'k'), '$1\r\nv\r\n', 'still in db 3');
  a('SELECT', '0');
  t.equal(a('GET', 'k'), '$-1\r\n');
});
