// A redis-cli session over lists, sets and sorted sets, typed the same against the image and against
// Debian's redis-server: each command prints the same (only cases where Redis 5 and 7 agree are typed).

import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';

const run = promisify(execFile);
const cli = async (port: number, args: string[]): Promise<string> => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 })).stdout;

const SESSION: string[][] = [
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

const haveServer = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

t.test('a redis-cli session over the collections prints what the real server prints', { skip: haveServer ? false : 'redis-server is not installed' }, async (t) => {
  const image: RunningImage = await launch(loadPreset('redis-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  const realPort = 20_000 + Math.floor(Math.random() * 20_000);
  const real = spawn('redis-server', ['--port', String(realPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  t.teardown(() => void real.kill());
  for (let i = 0; i < 50; i++) {
    try {
      if ((await cli(realPort, ['PING'])).trim() === 'PONG') break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await cli(realPort, ['FLUSHALL']);
  for (const argv of SESSION) {
    const want = await cli(realPort, argv);
    const got = await cli(image.port, argv);
    const randomReply = argv[0] === 'SRANDMEMBER';
    if (randomReply) t.equal(got.split('\n').length, want.split('\n').length, argv.join(' '));
    else t.equal(got, want, argv.join(' '));
  }
});
