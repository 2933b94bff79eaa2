// Sorted-set commands against Redis 5.0's replies (t_zset.c): ZADD's NX/XX/CH/INCR, ZINCRBY, score and lex
// ranges with their exclusive ends, infinities, WITHSCORES and LIMIT, ZREVRANK, the ZREMRANGEBY* family,
// ZUNIONSTORE/ZINTERSTORE with WEIGHTS and AGGREGATE, the pops, ZSCAN; scores printed as %.17g.

import t from 'tap';
import { NOTINT, SYNTAX, WRONGTYPE, bulks, check, harness } from './harness.js';

const NOTFLOAT = '-ERR min or max is not a float\r\n';
const NOTLEX = '-ERR min or max not valid string range item\r\n';

t.test("ZADD's flags and ZINCRBY", async (t) => {
  const { run } = harness();
  check(t, run, [
    [['zadd', 'z', '1', 'a', '2', 'b'], ':2\r\n'],
    [['zadd', 'z', 'NX', '5', 'a', '3', 'c'], ':1\r\n'],
    [['zscore', 'z', 'a'], '$1\r\n1\r\n'],
    [['zadd', 'z', 'XX', '5', 'a', '4', 'd'], ':0\r\n'],
    [['zscore', 'z', 'a'], '$1\r\n5\r\n'],
    [['zscore', 'z', 'd'], '$-1\r\n'],
    [['zadd', 'z', 'CH', '6', 'a', '2', 'b', '7', 'e'], ':2\r\n'],
    [['zadd', 'z', 'INCR', '0.5', 'a'], '$3\r\n6.5\r\n'],
    [['zadd', 'z', 'NX', 'INCR', '1', 'a'], '$-1\r\n'],
    [['zadd', 'z', 'XX', 'INCR', '1', 'nobody'], '$-1\r\n'],
    [['zadd', 'nokey', 'XX', '1', 'a'], ':0\r\n'],
    [['exists', 'nokey'], ':0\r\n'],
    [['zadd', 'z', 'NX', 'XX', '1', 'a'], '-ERR XX and NX options at the same time are not compatible\r\n'],
    [['zadd', 'z', 'INCR', '1', 'a', '2', 'b'], '-ERR INCR option supports a single increment-element pair\r\n'],
    [['zadd', 'z', '1', 'a', '2'], SYNTAX],
    [['zadd', 'z', 'x', 'a'], '-ERR value is not a valid float\r\n'],
    [['zincrby', 'z', '0.1', 'new'], '$19\r\n0.10000000000000001\r\n'],
    [['zincrby', 'z', '0.2', 'new'], '$19\r\n0.30000000000000004\r\n'],
    [['zincrby', 'z', 'abc', 'new'], '-ERR value is not a valid float\r\n'],
    [['zincrby', 'z', '+inf', 'big'], '$3\r\ninf\r\n'],
    [['zincrby', 'z', '-inf', 'big'], '-ERR resulting score is not a number (NaN)\r\n'],
    [['zincrby', 'z', '1e300', 'huge'], '$23\r\n1.0000000000000001e+300\r\n'],
    [['set', 's', 'v'], '+OK\r\n'],
    [['zincrby', 's', '1', 'a'], WRONGTYPE],
  ]);
});

t.test('ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZCOUNT: open ends, infinities, WITHSCORES, LIMIT', async (t) => {
  const { run } = harness();
  run('zadd', 'z', '-inf', 'ninf', '1', 'a', '2', 'b', '2', 'c', '3.5', 'd', '+inf', 'pinf');
  check(t, run, [
    [['zrangebyscore', 'z', '1', '2'], bulks('a', 'b', 'c')],
    [['zrangebyscore', 'z', '(1', '2'], bulks('b', 'c')],
    [['zrangebyscore', 'z', '(1', '(2'], '*0\r\n'],
    [['zrangebyscore', 'z', '-inf', '+inf'], bulks('ninf', 'a', 'b', 'c', 'd', 'pinf')],
    [['zrangebyscore', 'z', '(-inf', '(+inf'], bulks('a', 'b', 'c', 'd')],
    [['zrangebyscore', 'z', '2', '3.5', 'WITHSCORES'], bulks('b', '2', 'c', '2', 'd', '3.5')],
    [['zrangebyscore', 'z', '-inf', 'inf', 'LIMIT', '1', '2'], bulks('a', 'b')],
    [['zrangebyscore', 'z', '-inf', 'inf', 'withscores', 'limit', '4', '-1'], bulks('d', '3.5', 'pinf', 'inf')],
    [['zrangebyscore', 'z', '-inf', 'inf', 'LIMIT', '-1', '2'], '*0\r\n'],
    [['zrangebyscore', 'z', '-inf', 'inf', 'LIMIT', '0', '0'], '*0\r\n'],
    [['zrangebyscore', 'z', '3', '1'], '*0\r\n'],
    [['zrevrangebyscore', 'z', '2', '1'], bulks('c', 'b', 'a')],
    [['zrevrangebyscore', 'z', '+inf', '(2', 'WITHSCORES', 'LIMIT', '1', '1'], bulks('d', '3.5')],
    [['zrangebyscore', 'z', 'x', '1'], NOTFLOAT],
    [['zrangebyscore', 'z', '1', '(x'], NOTFLOAT],
    [['zrangebyscore', 'z', '1', '2', 'LIMIT', '1'], SYNTAX],
    [['zrangebyscore', 'z', '1', '2', 'LIMIT', 'a', '1'], NOTINT],
    [['zrangebyscore', 'z', '1', '2', 'FOO'], SYNTAX],
    [['zrangebyscore', 'nokey', '1', '2'], '*0\r\n'],
    [['zcount', 'z', '-inf', '+inf'], ':6\r\n'],
    [['zcount', 'z', '(1', '3.5'], ':3\r\n'],
    [['zcount', 'z', '(2', '(3.5'], ':0\r\n'],
    [['zcount', 'z', '5', '1'], ':0\r\n'],
    [['zcount', 'nokey', '0', '1'], ':0\r\n'],
    [['zcount', 'z', '0', 'nan'], NOTFLOAT],
  ]);
});

t.test('lex ranges over members of equal score: [ and ( ends, - and +', async (t) => {
  const { run } = harness();
  run('zadd', 'z', '0', 'a', '0', 'b', '0', 'c', '0', 'cc', '0', 'd');
  check(t, run, [
    [['zrangebylex', 'z', '-', '+'], bulks('a', 'b', 'c', 'cc', 'd')],
    [['zrangebylex', 'z', '[b', '(cc'], bulks('b', 'c')],
    [['zrangebylex', 'z', '(b', '[cc'], bulks('c', 'cc')],
    [['zrangebylex', 'z', '-', '+', 'LIMIT', '1', '2'], bulks('b', 'c')],
    [['zrangebylex', 'z', '+', '-'], '*0\r\n'],
    [['zrevrangebylex', 'z', '+', '[c'], bulks('d', 'cc', 'c')],
    [['zrevrangebylex', 'z', '(d', '-', 'LIMIT', '0', '2'], bulks('cc', 'c')],
    [['zlexcount', 'z', '[b', '[cc'], ':3\r\n'],
    [['zlexcount', 'z', '-', '+'], ':5\r\n'],
    [['zlexcount', 'z', '(d', '+'], ':0\r\n'],
    [['zrangebylex', 'z', 'a', '+'], NOTLEX],
    [['zrangebylex', 'z', '-x', '+'], NOTLEX],
    [['zrangebylex', 'z', '-', '+', 'WITHSCORES'], SYNTAX],
    [['zremrangebylex', 'z', '[b', '(d'], ':3\r\n'],
    [['zrange', 'z', '0', '-1'], bulks('a', 'd')],
    [['zremrangebylex', 'z', '', '+'], NOTLEX],
  ]);
});

t.test('ZREVRANK and the ZREMRANGEBY family', async (t) => {
  const { run, store } = harness();
  run('zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  check(t, run, [
    [['zrevrank', 'z', 'a'], ':4\r\n'],
    [['zrevrank', 'z', 'e'], ':0\r\n'],
    [['zrevrank', 'z', 'x'], '$-1\r\n'],
    [['zrevrank', 'nokey', 'x'], '$-1\r\n'],
    [['zremrangebyrank', 'z', '0', '0'], ':1\r\n'],
    [['zremrangebyrank', 'z', '-1', '-1'], ':1\r\n'],
    [['zremrangebyrank', 'z', '5', '10'], ':0\r\n'],
    [['zrange', 'z', '0', '-1'], bulks('b', 'c', 'd')],
    [['zremrangebyscore', 'z', '(2', '+inf'], ':2\r\n'],
    [['zremrangebyscore', 'z', 'a', '1'], NOTFLOAT],
    [['zremrangebyrank', 'z', 'a', '1'], NOTINT],
    [['zremrangebyscore', 'z', '-inf', '+inf'], ':1\r\n'],
    [['exists', 'z'], ':0\r\n'],
    [['zremrangebyscore', 'z', '-inf', '+inf'], ':0\r\n'],
  ]);
  t.equal(store.count, 0, 'every removed member is freed');
});

t.test('ZUNIONSTORE / ZINTERSTORE: WEIGHTS, AGGREGATE, sets as inputs, an empty result deletes', async (t) => {
  const { run, store } = harness();
  run('zadd', 'z1', '1', 'a', '2', 'b');
  run('zadd', 'z2', '10', 'b', '20', 'c');
  run('sadd', 's', 'a', 'c');
  check(t, run, [
    [['zunionstore', 'out', '2', 'z1', 'z2'], ':3\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('a', '1', 'b', '12', 'c', '20')],
    [['zinterstore', 'out', '2', 'z1', 'z2', 'WEIGHTS', '2', '0.5'], ':1\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('b', '9')],
    [['zunionstore', 'out', '3', 'z1', 'z2', 's', 'AGGREGATE', 'MAX'], ':3\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('a', '1', 'b', '10', 'c', '20')],
    [['zunionstore', 'out', '2', 'z1', 's', 'aggregate', 'min'], ':3\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('a', '1', 'c', '1', 'b', '2')],
    [['zinterstore', 'out', '2', 'z1', 'nokey'], ':0\r\n'],
    [['exists', 'out'], ':0\r\n'],
    [['zunionstore', 'out', '0', 'z1'], '-ERR at least 1 input key is needed for ZUNIONSTORE/ZINTERSTORE\r\n'],
    [['zunionstore', 'out', '3', 'z1'], SYNTAX],
    [['zunionstore', 'out', 'x', 'z1'], NOTINT],
    [['zunionstore', 'out', '1', 'z1', 'WEIGHTS'], SYNTAX],
    [['zunionstore', 'out', '1', 'z1', 'WEIGHTS', 'w'], '-ERR weight value is not a float\r\n'],
    [['zunionstore', 'out', '1', 'z1', 'AGGREGATE', 'avg'], SYNTAX],
    [['set', 'str', 'v'], '+OK\r\n'],
    [['zunionstore', 'out', '1', 'str', 'BOGUS'], WRONGTYPE],
    [['zunionstore', 'out', '2', 'z1', 'z1', 'WEIGHTS', '1', '-1'], ':2\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('a', '0', 'b', '0')],
    [['zadd', 'inf', '+inf', 'x'], ':1\r\n'],
    [['zunionstore', 'out', '2', 'inf', 'inf', 'WEIGHTS', '1', '-1'], ':1\r\n'],
    [['zscore', 'out', 'x'], '$1\r\n0\r\n'],
    [['zunionstore', 'out', '1', 'z1', 'WEIGHTS', '-1'], ':2\r\n'],
    [['zrange', 'out', '0', '-1', 'WITHSCORES'], bulks('b', '-2', 'a', '-1')],
    [['zunionstore', 'z1', '2', 'z1', 'z2'], ':3\r\n'],
  ]);
  run('del', 'z1', 'z2', 's', 'out', 'str', 'inf');
  t.equal(store.count, 0, 'stored results own their bytes');
});

t.test('ZPOPMIN/ZPOPMAX with a count; a flat member, score array', async (t) => {
  const { run } = harness();
  run('zadd', 'z', '1', 'a', '2', 'b', '3', 'c');
  check(t, run, [
    [['zpopmin', 'z'], bulks('a', '1')],
    [['zpopmax', 'z', '5'], bulks('c', '3', 'b', '2')],
    [['exists', 'z'], ':0\r\n'],
    [['zpopmin', 'z'], '*0\r\n'],
    [['zpopmin', 'z', '0'], '*0\r\n'],
    [['zpopmin', 'z', '1', '2'], SYNTAX],
  ]);
});

t.test('ZSCAN answers member, score pairs, filtered by MATCH', async (t) => {
  const { run } = harness();
  run('zadd', 'z', '1', 'a1', '2', 'b1', '2.5', 'a2');
  check(t, run, [
    [['zscan', 'z', '0'], '*2\r\n$1\r\n0\r\n' + bulks('a1', '1', 'b1', '2', 'a2', '2.5')],
    [['zscan', 'z', '0', 'MATCH', 'a*', 'COUNT', '1'], '*2\r\n$1\r\n0\r\n' + bulks('a1', '1', 'a2', '2.5')],
    [['zscan', 'nokey', '0'], '*2\r\n$1\r\n0\r\n*0\r\n'],
    [['zscan', 'z', 'x'], '-ERR invalid cursor\r\n'],
    [['zscan', 'z', '0', 'COUNT', '0'], SYNTAX],
  ]);
});

t.test('a sorted set of many members keeps ranks and ranges consistent with a sorted array', async (t) => {
  const { run } = harness();
  const model: [number, string][] = [];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 300; i++) {
    const m = `m${Math.floor(rnd() * 200)}`;
    const s = Math.floor(rnd() * 50) / 2;
    const at = model.findIndex(([, x]) => x === m);
    if (at >= 0) model.splice(at, 1);
    model.push([s, m]);
    run('zadd', 'z', String(s), m);
  }
  model.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  t.equal(run('zcard', 'z'), `:${model.length}\r\n`);
  t.equal(run('zrangebyscore', 'z', '(5', '12.5'), bulks(...model.filter(([s]) => s > 5 && s <= 12.5).map(([, m]) => m)));
  t.equal(run('zcount', 'z', '3', '(20'), `:${model.filter(([s]) => s >= 3 && s < 20).length}\r\n`);
  const [, m] = model[17]!;
  t.equal(run('zrevrank', 'z', m), `:${model.length - 18}\r\n`);
  t.equal(run('zremrangebyscore', 'z', '10', '15'), `:${model.filter(([s]) => s >= 10 && s <= 15).length}\r\n`);
  const left = model.filter(([s]) => s < 10 || s > 15);
  t.equal(run('zrevrangebyscore', 'z', '+inf', '-inf', 'LIMIT', '3', '4'), bulks(...left.reverse().slice(3, 7).map(([, x]) => x)));
});
