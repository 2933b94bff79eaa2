// redis-cli sessions over each family of Redis 5's data types, typed the same against the image and
// against Debian's redis-server: each command prints the same (only cases where Redis 5 and 7 agree are
// typed). Transactions, pub/sub, CONFIG and CLIENT have their session in differential.test.ts.

import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { bootImage, hasRedisServer, startRealRedis } from './servers.js';

const run = promisify(execFile);
const cli = async (port: number, args: string[]): Promise<string> => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 })).stdout;

/** Lists, sets and sorted sets. */
const COLLECTIONS: string[][] = [
  ['RPUSH', 'tasks', 'a', 'b', 'c', 'b'],
  ['LINSERT', 'tasks', 'BEFORE', 'c', 'x'],
  ['LREM', 'tasks', '-1', 'b'],
  ['LSET', 'tasks', '0', 'first'],
  ['LTRIM', 'tasks', '0', '2'],
  ['RPOPLPUSH', 'tasks', 'done'],
  ['LRANGE', 'tasks', '0', '-1'],
  ['LINDEX', 'done', '-1'],
  ['BLPOP', 'done', '1'],
  ['LSET', 'nothing', '0', 'x'],
  ['SADD', 'red', 'apple', 'cherry', 'rose'],
  ['SADD', 'fruit', 'apple', 'cherry', 'pear'],
  ['SINTERSTORE', 'both', 'red', 'fruit'],
  ['SDIFFSTORE', 'only', 'red', 'fruit'],
  ['SMEMBERS', 'only'],
  ['SMOVE', 'red', 'fruit', 'rose'],
  ['SUNIONSTORE', 'all', 'red', 'fruit'],
  ['SCARD', 'all'],
  ['SRANDMEMBER', 'only', '-2'],
  ['ZADD', 'board', '10', 'ann', '20', 'bob', '15.5', 'cid'],
  ['ZADD', 'board', 'XX', 'CH', 'INCR', '2.25', 'ann'],
  ['ZINCRBY', 'board', '0.1', 'bob'],
  ['ZRANGEBYSCORE', 'board', '(12.25', '+inf', 'WITHSCORES'],
  ['ZREVRANGEBYSCORE', 'board', '+inf', '-inf', 'LIMIT', '1', '1'],
  ['ZCOUNT', 'board', '-inf', '(20'],
  ['ZREVRANK', 'board', 'ann'],
  ['ZUNIONSTORE', 'sum', '2', 'board', 'both', 'WEIGHTS', '2', '1', 'AGGREGATE', 'MAX'],
  ['ZRANGE', 'sum', '0', '-1', 'WITHSCORES'],
  ['ZINTERSTORE', 'common', '2', 'sum', 'fruit'],
  ['ZPOPMAX', 'sum', '2'],
  ['ZADD', 'names', '0', 'alpha', '0', 'beta', '0', 'gamma'],
  ['ZRANGEBYLEX', 'names', '(alpha', '+'],
  ['ZLEXCOUNT', 'names', '[beta', '[gamma'],
  ['ZREMRANGEBYLEX', 'names', '-', '(beta'],
  ['ZREMRANGEBYRANK', 'board', '0', '0'],
  ['ZREMRANGEBYSCORE', 'board', '-inf', '16'],
  ['BZPOPMIN', 'board', '1'],
  ['ZRANGEBYSCORE', 'board', 'x', '1'],
];

/** Strings and their bit operations, keys, databases (redis-cli -n), hashes, HyperLogLog. */
const DATA: string[][] = [
  ['SET', 'greeting', 'Hello World'],
  ['GETRANGE', 'greeting', '0', '4'],
  ['SETRANGE', 'greeting', '6', 'Redis'],
  ['APPEND', 'greeting', '!'],
  ['STRLEN', 'greeting'],
  ['GET', 'greeting'],
  ['INCRBYFLOAT', 'price', '10.5'],
  ['INCRBYFLOAT', 'price', '0.1'],
  ['INCRBYFLOAT', 'price', '5.0e3'],
  ['MSETNX', 'a', '1', 'b', '2'],
  ['MSETNX', 'a', '3', 'c', '4'],
  ['MGET', 'a', 'b', 'c'],
  ['GETSET', 'a', '10'],
  ['SETBIT', 'bits', '7', '1'],
  ['SETBIT', 'bits', '12', '1'],
  ['GETBIT', 'bits', '7'],
  ['BITCOUNT', 'bits'],
  ['BITPOS', 'bits', '1'],
  ['BITOP', 'OR', 'both', 'bits', 'greeting'],
  ['STRLEN', 'both'],
  ['RENAME', 'a', 'a2'],
  ['RENAMENX', 'b', 'a2'],
  ['EXISTS', 'a2', 'b', 'a'],
  ['EXPIRE', 'a2', '100'],
  ['TTL', 'a2'],
  ['PERSIST', 'a2'],
  ['TTL', 'a2'],
  ['TYPE', 'a2'],
  ['OBJECT', 'ENCODING', 'a2'],
  ['TOUCH', 'a2', 'b', 'missing'],
  ['RPUSH', 'nums', '3', '1', '2'],
  ['SORT', 'nums'],
  ['SORT', 'nums', 'DESC', 'LIMIT', '0', '2'],
  ['SORT', 'nums', 'ALPHA', 'STORE', 'sorted'],
  ['LRANGE', 'sorted', '0', '-1'],
  ['KEYS', 'sort*'],
  ['MOVE', 'a2', '5'],
  ['-n', '5', 'GET', 'a2'],
  ['-n', '5', 'DBSIZE'],
  ['SWAPDB', '0', '5'],
  ['GET', 'a2'],
  ['-n', '5', 'EXISTS', 'greeting'],
  ['SWAPDB', '0', '5'],
  ['HSET', 'user', 'name', 'ann', 'age', '30'],
  ['HSETNX', 'user', 'name', 'bob'],
  ['HINCRBYFLOAT', 'user', 'age', '1.5'],
  ['HSTRLEN', 'user', 'name'],
  ['HGETALL', 'user'],
  ['HSCAN', 'user', '0'],
  ['PFADD', 'hll', 'a', 'b', 'c', 'd'],
  ['PFADD', 'hll2', 'c', 'd', 'e'],
  ['PFMERGE', 'hll3', 'hll', 'hll2'],
  ['PFCOUNT', 'hll3'],
  ['PFCOUNT', 'hll', 'hll2'],
  ['INCRBYFLOAT', 'greeting', '1'],
  ['HINCRBYFLOAT', 'user', 'name', '1'],
];

const SESSIONS: [string, string[][]][] = [
  ['strings, keys, databases, hashes and HyperLogLog', DATA],
  ['lists, sets and sorted sets', COLLECTIONS],
];

const haveCli = spawnSync('redis-cli', ['--version']).status === 0;

for (const [name, session] of SESSIONS) {
  t.test(`a redis-cli session over ${name} prints what the real server prints`, { skip: hasRedisServer && haveCli ? false : 'redis-server or redis-cli is not installed' }, async (t) => {
    const image = await bootImage();
    t.teardown(() => image.stop());
    const real = await startRealRedis();
    t.teardown(() => real.stop());
    for (const argv of session) {
      const want = await cli(real.port, argv);
      const got = await cli(image.port, argv);
      if (argv[0] === 'SRANDMEMBER') t.equal(got.split('\n').length, want.split('\n').length, argv.join(' '));
      else t.equal(got, want, argv.join(' '));
    }
  });
}
