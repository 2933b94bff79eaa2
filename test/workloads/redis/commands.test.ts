// Command semantics and Redis 5.0.6's exact replies, byte for byte, over a MapValueStore and a
// hand-driven clock; that every value byte string is freed (DEL, overwrite, pops, expiry,
// FLUSHALL); and model-based properties for lists, sorted sets and SCAN.

import t from 'tap';
import type { Test } from 'tap';
import fc from 'fast-check';
import { createCommandTable, createSession, execute } from '../../../workloads/redis/commands.js';
import { Keyspace, MapValueStore } from '../../../workloads/redis/keyspace.js';
import type { ValueStore } from '../../../workloads/redis/keyspace.js';
import { ReplyWriter } from '../../../workloads/redis/resp.js';

const T0 = 1_700_000_000_000;

function harness(store: ValueStore = new MapValueStore()) {
  let now = T0;
  let seed = 42;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const ks = new Keyspace(store, { nowMs: () => now }, { random });
  const table = createCommandTable();
  const session = createSession(7);
  const out = new ReplyWriter(64);
  const run = (...argv: (string | Uint8Array)[]): string => {
    out.reset();
    table.execute(ks, argv.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)), session, out);
    return Buffer.from(out.bytes()).toString('latin1');
  };
  return { run, ks, session, table, advance: (ms: number) => void (now += ms) };
}

type Case = [string[], string];
/** Run each command and compare its exact reply bytes. */
function check(t: Test, run: (...a: string[]) => string, cases: Case[]): void {
  for (const [argv, want] of cases) t.equal(run(...argv), want, argv.join(' '));
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOTINT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';

t.test('dispatch: unknown commands, arity, case, QUIT', async (t) => {
  const { run, session } = harness();
  check(t, run, [
    [['foo'], '-ERR unknown command `foo`, with args beginning with: \r\n'],
    [['foo', 'a', 'b c'], '-ERR unknown command `foo`, with args beginning with: `a`, `b c`, \r\n'],
    [['foo', 'x'.repeat(200), 'y'], `-ERR unknown command \`foo\`, with args beginning with: \`${'x'.repeat(128)}\`, \r\n`],
    [['foo', 'a\r\nb'], '-ERR unknown command `foo`, with args beginning with: `a  b`, \r\n'],
    [['get'], "-ERR wrong number of arguments for 'get' command\r\n"],
    [['GET', 'a', 'b'], "-ERR wrong number of arguments for 'get' command\r\n"],
    [['lpush', 'k'], "-ERR wrong number of arguments for 'lpush' command\r\n"],
    [['PiNg'], '+PONG\r\n'],
    [['ping', 'hi'], '$2\r\nhi\r\n'],
    [['ping', 'a', 'b'], "-ERR wrong number of arguments for 'ping' command\r\n"],
    [['echo', ''], '$0\r\n\r\n'],
  ]);
  t.equal(session.quit, false);
  t.equal(run('QUIT', 'anything'), '+OK\r\n', 'QUIT takes any arguments, as Redis answers it before the table');
  t.equal(session.quit, true, 'and asks the caller to close');
  const out = new ReplyWriter();
  execute(harness().ks, [Buffer.from('ping')], createSession(), out);
  t.equal(Buffer.from(out.bytes()).toString(), '+PONG\r\n', 'the module-level execute uses a default table');
});

t.test('SET options, GET, SETNX, SETEX, GETSET, MSET, MGET, APPEND, STRLEN', async (t) => {
  const { run, advance } = harness();
  check(t, run, [
    [['set', 'k', 'v'], '+OK\r\n'],
    [['get', 'k'], '$1\r\nv\r\n'],
    [['get', 'nope'], '$-1\r\n'],
    [['set', 'k', 'w', 'NX'], '$-1\r\n'],
    [['set', 'new', 'w', 'xx'], '$-1\r\n'],
    [['set', 'k', 'w', 'xx', 'ex', '10'], '+OK\r\n'],
    [['ttl', 'k'], ':10\r\n'],
    [['set', 'k', 'x'], '+OK\r\n'],
    [['ttl', 'k'], ':-1\r\n'],
    [['set', 'k', 'y', 'px', '1500'], '+OK\r\n'],
    [['set', 'k', 'z', 'keepttl'], '+OK\r\n'],
    [['pttl', 'k'], ':1500\r\n'],
    [['set', 'k', 'g', 'get'], '$1\r\nz\r\n'],
    [['set', 'k', 'v', 'nx', 'xx'], SYNTAX],
    [['set', 'k', 'v', 'ex', '1', 'px', '1'], SYNTAX],
    [['set', 'k', 'v', 'ex'], SYNTAX],
    [['set', 'k', 'v', 'keepttl', 'ex', '5'], SYNTAX],
    [['set', 'k', 'v', 'nx', 'get'], SYNTAX],
    [['set', 'k', 'v', 'bogus'], SYNTAX],
    [['set', 'k', 'v', 'ex', '0'], '-ERR invalid expire time in set\r\n'],
    [['set', 'k', 'v', 'px', '-5'], '-ERR invalid expire time in set\r\n'],
    [['set', 'k', 'v', 'ex', '1.5'], NOTINT],
    [['setex', 'k', '0', 'v'], '-ERR invalid expire time in setex\r\n'],
    [['setex', 'k', '5', 'v'], '+OK\r\n'],
    [['psetex', 'k', '5000', 'v'], '+OK\r\n'],
    [['setnx', 'k', 'other'], ':0\r\n'],
    [['setnx', 'k2', 'other'], ':1\r\n'],
    [['getset', 'k2', 'new'], '$5\r\nother\r\n'],
    [['getset', 'none', 'x'], '$-1\r\n'],
    [['mset', 'a', '1', 'b', '2'], '+OK\r\n'],
    [['mset', 'a', '1', 'b'], '-ERR wrong number of arguments for MSET\r\n'],
    [['mget', 'a', 'nope', 'b'], '*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n'],
    [['append', 'a', 'bc'], ':3\r\n'],
    [['append', 'fresh', ''], ':0\r\n'],
    [['get', 'fresh'], '$0\r\n\r\n'],
    [['strlen', 'a'], ':3\r\n'],
    [['strlen', 'nope'], ':0\r\n'],
    [['rpush', 'list', 'x'], ':1\r\n'],
    [['get', 'list'], WRONGTYPE],
    [['set', 'list', 'v', 'get'], WRONGTYPE],
    [['append', 'list', 'x'], WRONGTYPE],
    [['mget', 'list'], '*1\r\n$-1\r\n'],
    [['set', 'list', 'now-a-string'], '+OK\r\n'],
    [['type', 'list'], '+string\r\n'],
  ]);
  run('set', 'e', 'v', 'px', '100');
  advance(100);
  t.equal(run('get', 'e'), '$1\r\nv\r\n', 'alive at exactly its expiry ms (Redis expires when now > when)');
  advance(1);
  t.equal(run('get', 'e'), '$-1\r\n', 'gone one ms later');
  const bin = Uint8Array.from({ length: 256 }, (_, i) => i);
  run('set', '\x00\xff', Buffer.from(bin).toString('latin1'));
  t.equal(run('get', '\x00\xff'), `$256\r\n${Buffer.from(bin).toString('latin1')}\r\n`, 'keys and values are binary-safe');
});

t.test('INCR family: exact 64-bit arithmetic, overflow and parse errors', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['incr', 'n'], ':1\r\n'],
    [['incrby', 'n', '-11'], ':-10\r\n'],
    [['decr', 'n'], ':-11\r\n'],
    [['decrby', 'n', '9'], ':-20\r\n'],
    [['set', 'n', '9007199254740992'], '+OK\r\n'],
    [['incr', 'n'], ':9007199254740993\r\n'],
    [['get', 'n'], '$16\r\n9007199254740993\r\n'],
    [['set', 'n', '9223372036854775806'], '+OK\r\n'],
    [['incr', 'n'], ':9223372036854775807\r\n'],
    [['incr', 'n'], '-ERR increment or decrement would overflow\r\n'],
    [['set', 'n', '-9223372036854775808'], '+OK\r\n'],
    [['decr', 'n'], '-ERR increment or decrement would overflow\r\n'],
    [['incrby', 'n', '9223372036854775807'], ':-1\r\n'],
    [['incrby', 'n', '9223372036854775808'], NOTINT],
    [['set', 's', 'abc'], '+OK\r\n'],
    [['incr', 's'], NOTINT],
    [['set', 's', ' 1'], '+OK\r\n'],
    [['incr', 's'], NOTINT],
    [['set', 's', '01'], '+OK\r\n'],
    [['incr', 's'], NOTINT],
    [['incrby', 'x', '+1'], NOTINT],
    [['incrby', 'x', '-0'], NOTINT],
    [['incrby', 'x', ''], NOTINT],
  ]);
  const { run: r2, advance } = harness();
  r2('set', 'c', '5', 'ex', '100');
  r2('incr', 'c');
  advance(50_000);
  t.equal(r2('ttl', 'c'), ':50\r\n', 'INCR keeps the TTL (dbOverwrite)');
});

t.test('lists: push/pop both ends, LRANGE and LINDEX indexing', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['rpush', 'l', 'a', 'b', 'c'], ':3\r\n'],
    [['lpush', 'l', 'y', 'z'], ':5\r\n'],
    [['lrange', 'l', '0', '-1'], '*5\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
    [['lrange', 'l', '-2', '100'], '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
    [['lrange', 'l', '3', '1'], '*0\r\n'],
    [['lrange', 'l', '5', '9'], '*0\r\n'],
    [['lrange', 'l', 'a', '1'], NOTINT],
    [['lrange', 'nope', '0', '1'], '*0\r\n'],
    [['lindex', 'l', '-1'], '$1\r\nc\r\n'],
    [['lindex', 'l', '5'], '$-1\r\n'],
    [['lindex', 'l', 'x'], NOTINT],
    [['lindex', 'nope', 'x'], '$-1\r\n'],
    [['llen', 'l'], ':5\r\n'],
    [['lpop', 'l'], '$1\r\nz\r\n'],
    [['rpop', 'l'], '$1\r\nc\r\n'],
    [['lpushx', 'nope', 'a'], ':0\r\n'],
    [['rpushx', 'l', 'd'], ':4\r\n'],
    [['lpop', 'nope'], '$-1\r\n'],
    [['set', 's', 'v'], '+OK\r\n'],
    [['lpush', 's', 'x'], WRONGTYPE],
    [['lrange', 's', '0', '1'], WRONGTYPE],
    [['llen', 's'], WRONGTYPE],
  ]);
  for (let i = 0; i < 4; i++) run('rpop', 'l');
  t.equal(run('exists', 'l'), ':0\r\n', 'popping the last element deletes the key');
});

t.test('property: lists behave like an array under pushes, pops and LRANGE', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('lpush', 'rpush', 'lpop', 'rpop', 'lrange'), fc.string({ maxLength: 3 }), fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 })), { maxLength: 60 }),
      (ops) => {
        const { run } = harness();
        const model: string[] = [];
        for (const [op, v, i, j] of ops) {
          let want: string;
          if (op === 'lpush' || op === 'rpush') {
            if (op === 'lpush') model.unshift(v);
            else model.push(v);
            want = `:${model.length}\r\n`;
            if (run(op, 'l', v) !== want) return false;
          } else if (op === 'lpop' || op === 'rpop') {
            const x = op === 'lpop' ? model.shift() : model.pop();
            want = x === undefined ? '$-1\r\n' : `$${x.length}\r\n${x}\r\n`;
            if (run(op, 'l') !== want) return false;
          } else {
            const n = model.length;
            let s = i < 0 ? n + i : i;
            let e = j < 0 ? n + j : j;
            if (s < 0) s = 0;
            if (e >= n) e = n - 1;
            const slice = s > e || s >= n ? [] : model.slice(s, e + 1);
            want = `*${slice.length}\r\n${slice.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`;
            if (run('lrange', 'l', String(i), String(j)) !== want) return false;
          }
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass('200 random sequences matched the model');
});

t.test('sets and hashes', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['sadd', 's', 'a', 'b', 'a'], ':2\r\n'],
    [['scard', 's'], ':2\r\n'],
    [['sismember', 's', 'a'], ':1\r\n'],
    [['sismember', 's', 'x'], ':0\r\n'],
    [['smembers', 's'], '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
    [['srem', 's', 'a', 'x'], ':1\r\n'],
    [['spop', 's', '-1'], '-ERR index out of range\r\n'],
    [['spop', 's', '1', '2'], SYNTAX],
    [['spop', 's', '0'], '*0\r\n'],
    [['spop', 's'], '$1\r\nb\r\n'],
    [['exists', 's'], ':0\r\n'],
    [['spop', 's'], '$-1\r\n'],
    [['spop', 's', '3'], '*0\r\n'],
    [['smembers', 's'], '*0\r\n'],
    [['hset', 'h', 'f1', 'v1', 'f2', 'v2'], ':2\r\n'],
    [['hset', 'h', 'f1', 'v1', 'f3'], '-ERR wrong number of arguments for HMSET\r\n'],
    [['hset', 'h', 'f1', 'new'], ':0\r\n'],
    [['hmset', 'h', 'f3', 'v3'], '+OK\r\n'],
    [['hget', 'h', 'f1'], '$3\r\nnew\r\n'],
    [['hget', 'h', 'zz'], '$-1\r\n'],
    [['hmget', 'h', 'f2', 'zz'], '*2\r\n$2\r\nv2\r\n$-1\r\n'],
    [['hgetall', 'h'], '*6\r\n$2\r\nf1\r\n$3\r\nnew\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$2\r\nv3\r\n'],
    [['hkeys', 'h'], '*3\r\n$2\r\nf1\r\n$2\r\nf2\r\n$2\r\nf3\r\n'],
    [['hvals', 'nope'], '*0\r\n'],
    [['hlen', 'h'], ':3\r\n'],
    [['hexists', 'h', 'f2'], ':1\r\n'],
    [['hdel', 'h', 'f2', 'zz'], ':1\r\n'],
    [['hincrby', 'h', 'n', '5'], ':5\r\n'],
    [['hincrby', 'h', 'n', '-7'], ':-2\r\n'],
    [['hincrby', 'h', 'f1', '1'], '-ERR hash value is not an integer\r\n'],
    [['hincrby', 'h', 'n', 'x'], NOTINT],
    [['hset', 'h', 'big', '9223372036854775807'], ':1\r\n'],
    [['hincrby', 'h', 'big', '1'], '-ERR increment or decrement would overflow\r\n'],
    [['hdel', 'h', 'f1', 'f3', 'n', 'big'], ':4\r\n'],
    [['type', 'h'], '+none\r\n'],
    [['sadd', 'h2', 'x'], ':1\r\n'],
    [['hget', 'h2', 'x'], WRONGTYPE],
    [['sadd', 'h2'], "-ERR wrong number of arguments for 'sadd' command\r\n"],
  ]);
  run('sadd', 'big', ...Array.from({ length: 50 }, (_, i) => `m${i}`));
  const popped = run('spop', 'big', '60');
  t.match(popped, /^\*50\r\n/, 'SPOP with a count larger than the set returns all of it');
  t.equal(new Set(popped.split('\r\n').filter((l) => l.startsWith('m'))).size, 50, 'each member once');
});

t.test('sorted sets: ordering, WITHSCORES as %.17g, flags, pops', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['zadd', 'z', '1', 'b', '1', 'a', '0.1', 'c', '1e20', 'd', '-inf', 'e'], ':5\r\n'],
    [['zrange', 'z', '0', '-1'], '*5\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n'],
    [['zrange', 'z', '1', '2', 'WITHSCORES'], '*4\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n'],
    [['zrevrange', 'z', '0', '0', 'withscores'], '*2\r\n$1\r\nd\r\n$5\r\n1e+20\r\n'],
    [['zrange', 'z', '0', '-1', 'withscore'], SYNTAX],
    [['zscore', 'z', 'e'], '$4\r\n-inf\r\n'],
    [['zscore', 'z', 'x'], '$-1\r\n'],
    [['zrank', 'z', 'b'], ':3\r\n'],
    [['zcard', 'z'], ':5\r\n'],
    [['zadd', 'z', 'nx', 'xx', '1', 'a'], '-ERR XX and NX options at the same time are not compatible\r\n'],
    [['zadd', 'z', 'incr', '1', 'a', '2', 'b'], '-ERR INCR option supports a single increment-element pair\r\n'],
    [['zadd', 'z', '1', 'a', '2'], SYNTAX],
    [['zadd', 'z', 'x1', 'a'], '-ERR value is not a valid float\r\n'],
    [['zadd', 'z', 'nan', 'a'], '-ERR value is not a valid float\r\n'],
    [['zadd', 'z', 'incr', '2.5', 'a'], '$3\r\n3.5\r\n'],
    [['zadd', 'z', 'nx', 'incr', '1', 'a'], '$-1\r\n'],
    [['zadd', 'z', 'xx', '5', 'new'], ':0\r\n'],
    [['zadd', 'z', 'ch', '7', 'a', '8', 'f'], ':2\r\n'],
    [['zadd', 'z', 'incr', '+inf', 'e'], '-ERR resulting score is not a number (NaN)\r\n'],
    [['zrem', 'z', 'f', 'x'], ':1\r\n'],
    [['zpopmin', 'z'], '*2\r\n$1\r\ne\r\n$4\r\n-inf\r\n'],
    [['zpopmax', 'z', '2'], '*4\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\na\r\n$1\r\n7\r\n'],
    [['zpopmin', 'z', '0'], '*0\r\n'],
    [['zpopmin', 'z', '1', '2'], SYNTAX],
    [['zpopmin', 'z', '10'], '*4\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\nb\r\n$1\r\n1\r\n'],
    [['exists', 'z'], ':0\r\n'],
    [['zadd', 'z', 'xx', '1', 'a'], ':0\r\n'],
    [['exists', 'z'], ':0\r\n'],
    [['zpopmin', 'nope'], '*0\r\n'],
    [['set', 's', 'v'], '+OK\r\n'],
    [['zadd', 's', '1', 'a'], WRONGTYPE],
  ]);
});

t.test('property: ZADD/ZREM/ZPOPMIN keep the order of a sorted model', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('zadd', 'zrem', 'zpopmin'), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'ab', ''), fc.integer({ min: -3, max: 3 })), { maxLength: 80 }),
      (ops) => {
        const { run } = harness();
        const model = new Map<string, number>();
        for (const [op, m, s] of ops) {
          if (op === 'zadd') {
            model.set(m, s);
            run('zadd', 'z', String(s), m);
          } else if (op === 'zrem') {
            model.delete(m);
            run('zrem', 'z', m);
          } else {
            const first = [...model].sort(([ma, sa], [mb, sb]) => sa - sb || (ma < mb ? -1 : ma > mb ? 1 : 0))[0];
            const want = first === undefined ? '*0\r\n' : `*2\r\n$${first[0].length}\r\n${first[0]}\r\n$${String(first[1]).length}\r\n${first[1]}\r\n`;
            if (first !== undefined) model.delete(first[0]);
            if (run('zpopmin', 'z') !== want) return false;
          }
        }
        const sorted = [...model].sort(([ma, sa], [mb, sb]) => sa - sb || (ma < mb ? -1 : ma > mb ? 1 : 0)).map(([m]) => m);
        const want = `*${sorted.length}\r\n${sorted.map((m) => `$${m.length}\r\n${m}\r\n`).join('')}`;
        return run('zrange', 'z', '0', '-1') === (sorted.length === 0 ? '*0\r\n' : want);
      },
    ),
    { numRuns: 200 },
  );
  t.pass('200 random sequences matched the model');
});

t.test('streams: XADD ids, MAXLEN, errors, XLEN, XRANGE', async (t) => {
  const { run, advance } = harness();
  check(t, run, [
    [['xadd', 's', '*', 'f', 'v'], `$15\r\n${T0}-0\r\n`],
    [['xadd', 's', '*', 'f', 'v'], `$15\r\n${T0}-1\r\n`],
    [['xadd', 's', `${T0}-1`, 'f', 'v'], '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n'],
    [['xadd', 's', `${T0 + 5}`, 'f', 'v'], `$15\r\n${T0 + 5}-0\r\n`],
    [['xadd', 's', '*', 'f', 'v', 'g'], '-ERR wrong number of arguments for XADD\r\n'],
    [['xadd', 's', '*', 'f'], "-ERR wrong number of arguments for 'xadd' command\r\n"],
    [['xadd', 's', 'x-1', 'f', 'v'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
    [['xadd', 'n', '0-0', 'f', 'v'], '-ERR The ID specified in XADD must be greater than 0-0\r\n'],
    [['xadd', 's', 'maxlen', '-1', '*', 'f', 'v'], '-ERR The MAXLEN argument must be >= 0.\r\n'],
    [['xadd', 's', 'MAXLEN', '2', '*', 'a', '1', 'b', '2'], `$15\r\n${T0 + 5}-1\r\n`],
    [['xlen', 's'], ':2\r\n'],
    [['xrange', 's', '-', '+', 'COUNT', '1'], `*1\r\n*2\r\n$15\r\n${T0 + 5}-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n`],
    [['xrange', 's', `${T0 + 5}-1`, '+'], `*1\r\n*2\r\n$15\r\n${T0 + 5}-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n`],
    [['xlen', 'nope'], ':0\r\n'],
    [['exists', 'n'], ':0\r\n'],
    [['set', 'str', 'v'], '+OK\r\n'],
    [['xadd', 'str', '*', 'f', 'v'], WRONGTYPE],
  ]);
  advance(10);
  t.equal(run('xadd', 's', '*', 'f', 'v'), `$15\r\n${T0 + 10}-0\r\n`, 'a later clock restarts the sequence at 0');
  for (let i = 0; i < 250; i++) run('xadd', 'a', 'maxlen', '~', '10', '*', 'f', 'v');
  t.equal(run('xlen', 'a'), ':50\r\n', 'MAXLEN ~ trims only whole 100-entry nodes');
});

t.test('keys: DEL, EXISTS, expiry, TTL, PERSIST, TYPE, KEYS globs, DBSIZE, SELECT, FLUSH*', async (t) => {
  const { run, advance, session } = harness();
  run('mset', 'a1', '1', 'a2', '2', 'b1', '3', 'c[', '4', 'h\\x', '5');
  check(t, run, [
    [['keys', 'a*'], '*2\r\n$2\r\na1\r\n$2\r\na2\r\n'],
    [['keys', '?1'], '*2\r\n$2\r\na1\r\n$2\r\nb1\r\n'],
    [['keys', '[ab]1'], '*2\r\n$2\r\na1\r\n$2\r\nb1\r\n'],
    [['keys', '[^a]1'], '*1\r\n$2\r\nb1\r\n'],
    [['keys', '[b-a]2'], '*1\r\n$2\r\na2\r\n'],
    [['keys', 'c\\['], '*1\r\n$2\r\nc[\r\n'],
    [['keys', 'h\\\\x'], '*1\r\n$3\r\nh\\x\r\n'],
    [['keys', 'z*'], '*0\r\n'],
    [['exists', 'a1', 'a1', 'zz'], ':2\r\n'],
    [['del', 'a1', 'zz'], ':1\r\n'],
    [['unlink', 'a2'], ':1\r\n'],
    [['dbsize'], ':3\r\n'],
    [['expire', 'b1', '10'], ':1\r\n'],
    [['expire', 'zz', '10'], ':0\r\n'],
    [['expire', 'b1', 'x'], NOTINT],
    [['ttl', 'b1'], ':10\r\n'],
    [['pexpire', 'c[', '2500'], ':1\r\n'],
    [['pttl', 'c['], ':2500\r\n'],
    [['ttl', 'c['], ':3\r\n'],
    [['persist', 'c['], ':1\r\n'],
    [['persist', 'c['], ':0\r\n'],
    [['ttl', 'c['], ':-1\r\n'],
    [['ttl', 'zz'], ':-2\r\n'],
    [['pexpireat', 'h\\x', String(T0 + 20)], ':1\r\n'],
    [['expireat', 'c[', String(T0 / 1000 - 1)], ':1\r\n'],
    [['exists', 'c['], ':0\r\n'],
    [['type', 'b1'], '+string\r\n'],
    [['select', '16'], '-ERR DB index is out of range\r\n'],
    [['select', '-1'], '-ERR DB index is out of range\r\n'],
    [['select', 'x'], '-ERR invalid DB index\r\n'],
  ]);
  advance(10_001);
  t.equal(run('dbsize'), ':0\r\n', 'DBSIZE does not count expired keys');
  t.equal(run('keys', '*'), '*0\r\n');
  run('set', 'x', '0');
  t.equal(run('select', '15'), '+OK\r\n');
  t.equal(session.db, 15);
  t.equal(run('get', 'x'), '$-1\r\n', 'dbs are separate');
  run('set', 'y', '1');
  t.equal(run('randomkey'), '$1\r\ny\r\n');
  t.equal(run('flushdb', 'x'), SYNTAX);
  t.equal(run('flushdb'), '+OK\r\n');
  t.equal(run('randomkey'), '$-1\r\n');
  run('select', '0');
  t.equal(run('dbsize'), ':1\r\n', 'FLUSHDB left db 0 alone');
  t.equal(run('flushall', 'async'), '+OK\r\n');
  t.equal(run('dbsize'), ':0\r\n');
});

t.test('SCAN: cursors, MATCH, COUNT, TYPE and errors', async (t) => {
  const { run } = harness();
  for (let i = 0; i < 25; i++) run('set', `k${i}`, 'v');
  run('rpush', 'list', 'x');
  check(t, run, [
    [['scan', 'abc'], '-ERR invalid cursor\r\n'],
    [['scan', '0', 'count', '0'], SYNTAX],
    [['scan', '0', 'count', 'x'], NOTINT],
    [['scan', '0', 'bogus'], SYNTAX],
    [['scan', '0', 'match'], SYNTAX],
    [['scan', '0', 'count', '100', 'type', 'LIST'], '*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlist\r\n'],
    [['scan', '0', 'count', '100', 'match', 'k1?'], '*2\r\n$1\r\n0\r\n*10\r\n' + Array.from({ length: 10 }, (_, i) => `$3\r\nk1${i}\r\n`).join('')],
  ]);
  const first = run('scan', '0');
  t.match(first, /^\*2\r\n\$\d+\r\n[1-9]\d*\r\n\*10\r\n/, 'COUNT defaults to 10 and the cursor moves on');
});

t.test('property: SCAN returns every key present for the whole scan, despite concurrent changes', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.tuple(fc.constantFrom('add', 'del', 'none'), fc.integer({ min: 0, max: 60 }), fc.boolean()), { maxLength: 40 }),
      fc.integer({ min: 1, max: 7 }),
      (initial, changes, count) => {
        const { run } = harness();
        for (let i = 0; i < initial; i++) run('set', `k${i}`, 'v');
        const stable = new Set(Array.from({ length: initial }, (_, i) => `k${i}`));
        const seen: string[] = [];
        let cursor = '0';
        let step = 0;
        do {
          // A replayed cursor is no longer cached: the second call takes the O(n) resume path.
          if (changes[step]?.[2] === true) run('scan', cursor, 'count', String(count));
          const reply = run('scan', cursor, 'count', String(count)).split('\r\n');
          cursor = reply[2]!;
          for (let i = 5; i < reply.length; i += 2) if (reply[i] !== undefined && reply[i] !== '') seen.push(reply[i]!);
          const change = changes[step++];
          if (change !== undefined && change[0] !== 'none') {
            const key = `k${change[1]}`;
            stable.delete(key); // touched during the scan: no guarantee either way
            run(change[0] === 'add' ? 'set' : 'del', key, ...(change[0] === 'add' ? ['v'] : []));
          }
        } while (cursor !== '0' && step < 1000);
        return [...stable].every((k) => seen.includes(k)) && seen.filter((k) => stable.has(k)).length === new Set(seen.filter((k) => stable.has(k))).size;
      },
    ),
    { numRuns: 150 },
  );
  t.pass('150 scans with interleaved writes and replayed cursors returned each untouched key exactly once');
});

t.test('INFO, CONFIG, COMMAND, CLIENT, TIME, AUTH', async (t) => {
  const { run, ks } = harness();
  run('set', 'k', 'v', 'ex', '100');
  run('set', 'k2', 'v');
  const info = run('info');
  t.match(info, /^\$\d+\r\n# Server\r\nredis_version:5\.0\.6\r\n/, 'INFO starts with the server section');
  t.match(info, /\r\n\r\n# Clients\r\nconnected_clients:0\r\n/, 'sections are separated by a blank line');
  t.match(info, /# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\n/);
  t.equal(Number(/^\$(\d+)/.exec(info)![1]), Buffer.byteLength(info) - /^\$\d+\r\n/.exec(info)![0].length - 2, 'a well-formed bulk');
  t.equal(run('info', 'keyspace'), '$49\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\n\r\n');
  t.equal(run('info', 'nosuch'), '$0\r\n\r\n');
  t.equal(run('info', 'a', 'b'), SYNTAX);
  ks.server.connectedClients = 3;
  t.match(run('info', 'clients'), /connected_clients:3\r\n/, 'the socket side feeds INFO');
  check(t, run, [
    [['config', 'get', 'save'], '*2\r\n$4\r\nsave\r\n$21\r\n900 1 300 10 60 10000\r\n'],
    [['CONFIG', 'GET', 'appendonly'], '*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n'],
    [['config', 'get', 'MAXMEMORY*'], '*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n'],
    [['config', 'get', 'nosuch'], '*0\r\n'],
    [['config', 'set', 'maxmemory', '1mb'], '+OK\r\n'],
    [['config', 'get', 'maxmemory'], '*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n'],
    [['config', 'set', 'appendonly', 'maybe'], "-ERR Invalid argument 'maybe' for CONFIG SET 'appendonly'\r\n"],
    [['config', 'set', 'nosuch', '1'], '-ERR Unsupported CONFIG parameter: nosuch\r\n'],
    [['config', 'get'], "-ERR Unknown subcommand or wrong number of arguments for 'get'. Try CONFIG HELP.\r\n"],
    [['config', 'resetstat'], '+OK\r\n'],
    [['command', 'info', 'get', 'nosuch'], '*2\r\n*6\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n$-1\r\n'],
    [['command', 'info', 'MSET'], '*1\r\n*6\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n'],
    [['command', 'foo'], "-ERR Unknown subcommand or wrong number of arguments for 'foo'. Try COMMAND HELP.\r\n"],
    [['client', 'getname'], '$-1\r\n'],
    [['client', 'setname', 'a b'], '-ERR Client names cannot contain spaces, newlines or special characters.\r\n'],
    [['client', 'setname', 'bench'], '+OK\r\n'],
    [['client', 'getname'], '$5\r\nbench\r\n'],
    [['client', 'id'], ':7\r\n'],
    [['client', 'kill'], '-ERR syntax error\r\n'],
    [['time'], `*2\r\n$10\r\n${T0 / 1000}\r\n$1\r\n0\r\n`],
    [['auth', 'pw'], '-ERR Client sent AUTH, but no password is set\r\n'],
  ]);
  const count = Number(/^:(\d+)/.exec(run('command', 'count'))![1]);
  t.ok(count > 60, `COMMAND COUNT is the table size (${count})`);
  t.match(run('command'), new RegExp(`^\\*${count}\\r\\n\\*6\\r\\n\\$`), 'COMMAND lists every entry with 6 fields');
});

t.test('value bytes are freed: DEL, overwrite, pops, expiry, FLUSHALL', async (t) => {
  const store = new MapValueStore();
  const { run, ks, advance } = harness(store);
  run('set', 'k', 'v1');
  run('set', 'k', 'v2');
  t.equal(store.count, 1, 'an overwrite frees the old value');
  run('rpush', 'l', 'a', 'b', 'c');
  run('lpop', 'l');
  t.equal(store.count, 3, 'a pop frees the element');
  run('sadd', 's', 'x', 'y');
  run('spop', 's');
  run('hset', 'h', 'f', '1');
  run('hincrby', 'h', 'f', '1');
  run('zadd', 'z', '1', 'm', '2', 'n');
  run('zadd', 'z', '5', 'm');
  run('zpopmax', 'z');
  run('xadd', 'x', '*', 'f', 'v');
  run('xadd', 'x', 'maxlen', '1', '*', 'g', 'w');
  t.equal(store.count, 1 + 2 + 1 + 1 + 1 + 2, 'each structure holds exactly its live byte strings');
  t.equal(ks.storedBytes, store.bytes, 'the keyspace accounts the same bytes as the store');
  run('del', 'l');
  t.equal(store.count, 6, 'DEL frees a whole list');
  run('set', 'e', 'v', 'px', '5');
  run('set', 'e2', 'v', 'px', '5');
  advance(10);
  t.equal(run('get', 'e'), '$-1\r\n');
  t.equal(store.count, 7, 'a lazily expired key is freed on access');
  t.equal(ks.activeExpireCycle(100), 1, 'the active cycle reaps the other one');
  t.equal(store.count, 6);
  run('select', '3');
  run('set', 'other', 'db');
  run('flushall');
  t.equal(store.count, 0, 'FLUSHALL releases everything');
  t.equal(ks.storedBytes, 0);
});

t.test('property: any command mix leaves the store empty after FLUSHALL', async (t) => {
  const cmd = fc.oneof(
    fc.tuple(fc.constant('set'), fc.constantFrom('a', 'b'), fc.string({ maxLength: 4 })),
    fc.tuple(fc.constant('append'), fc.constantFrom('a', 'b'), fc.string({ maxLength: 4 })),
    fc.tuple(fc.constant('incr'), fc.constantFrom('a', 'n')),
    fc.tuple(fc.constant('rpush'), fc.constantFrom('a', 'l'), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('lpop'), fc.constantFrom('a', 'l')),
    fc.tuple(fc.constant('sadd'), fc.constantFrom('s', 'l'), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('srem'), fc.constantFrom('s'), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('hset'), fc.constantFrom('h'), fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('hdel'), fc.constantFrom('h'), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('zadd'), fc.constantFrom('z', 'h'), fc.constantFrom('1', '2', 'x'), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('zpopmin'), fc.constantFrom('z')),
    fc.tuple(fc.constant('xadd'), fc.constantFrom('x'), fc.constantFrom('*'), fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 })),
    fc.tuple(fc.constant('del'), fc.constantFrom('a', 'b', 'l', 's', 'h', 'z', 'x')),
    fc.tuple(fc.constant('pexpire'), fc.constantFrom('a', 'l', 'z'), fc.constantFrom('1', '5')),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 50 }), (cmds) => {
      const store = new MapValueStore();
      const { run, ks, advance } = harness(store);
      for (const c of cmds) {
        run(...c);
        advance(1);
        if (ks.storedBytes !== store.bytes) return false;
      }
      run('flushall');
      return store.count === 0 && store.bytes === 0 && ks.storedBytes === 0;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random command mixes freed every allocation');
});

t.test('a handler that throws leaves no half-written reply', async (t) => {
  const inner = new MapValueStore();
  let failReads = false;
  const store: ValueStore = {
    put: (b) => inner.put(b),
    free: (a) => inner.free(a),
    read: (a, l) => {
      if (failReads) throw new Error('protection fault');
      return inner.read(a, l);
    },
  };
  const { ks, table } = harness(store);
  const out = new ReplyWriter();
  const cmd = (...a: string[]): Uint8Array[] => a.map((x) => Buffer.from(x));
  table.execute(ks, cmd('rpush', 'l', 'a', 'b'), createSession(), out);
  const before = out.length;
  failReads = true;
  t.throws(() => table.execute(ks, cmd('lrange', 'l', '0', '-1'), createSession(), out), /protection fault/);
  t.equal(out.length, before, 'the array header written before the fault is gone');
});
