// The Redis workload against the real Debian clients: the whole default redis-benchmark suite, a
// redis-cli session that sets, reads and expires keys, and raw RESP edge cases over TCP (which need
// no client, so they run, and do not skip, where redis-tools is missing).

import t from 'tap';
import net from 'node:net';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';

// Clients run asynchronously: the host's event loop moves the bytes between sockets and the image.
const run = promisify(execFile);
const cli = async (port: number, ...args: string[]): Promise<string> => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 })).stdout.trim();

/** Sends raw bytes, collects everything until the server closes or `until` matches. */
function exchange(port: number, payload: string, until?: RegExp): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (closed: boolean): void => {
      socket.destroy();
      resolve({ reply, closed });
    };
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (until?.test(reply)) done(false);
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.write(payload, 'latin1');
  });
}

const hasClients = spawnSync('redis-benchmark', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
const needsClients = { skip: hasClients ? false : 'redis-tools is not installed' };
/** One command over a raw socket: its reply line (what the raw-socket tests need instead of redis-cli). */
const command = async (port: number, resp: string): Promise<string> => (await exchange(port, resp, /\r\n$/)).reply;

for (const preset of ['redis-mpk2', 'redis-none']) {
  t.test(`${preset} against the real clients and raw sockets`, async (t) => {
    const image: RunningImage = await launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
    t.teardown(() => image.stop());
    const port = image.port;

    t.test('the default redis-benchmark suite completes without errors', needsClients, async (t) => {
      const r = await run('redis-benchmark', ['-p', String(port), '-n', '300', '-c', '5', '-q'], { timeout: 120_000, maxBuffer: 16 << 20 });
      const lines = r.stdout.split(/[\r\n]/).filter((l) => /requests per second/.test(l));
      t.notMatch(r.stdout + r.stderr, /ERR|Error|error/, 'no error reply or client error');
      const names = lines.map((l) => l.split(':')[0]!.trim());
      for (const test of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'LPUSH', 'RPUSH', 'LPOP', 'RPOP', 'SADD', 'HSET', 'SPOP', 'ZADD', 'ZPOPMIN', 'LRANGE_100 (first 100 elements)', 'LRANGE_600 (first 600 elements)', 'MSET (10 keys)']) {
        t.ok(names.includes(test), `${test} ran`);
      }
    });

    t.test('a redis-cli session sets, reads and expires keys', needsClients, async (t) => {
      t.equal(await cli(port, 'FLUSHALL'), 'OK');
      t.equal(await cli(port, 'SET', 'greeting', 'hello world'), 'OK');
      t.equal(await cli(port, 'GET', 'greeting'), 'hello world');
      t.equal(await cli(port, 'EXISTS', 'greeting', 'nothing'), '1');
      t.equal(await cli(port, 'EXPIRE', 'greeting', '100'), '1');
      t.equal(await cli(port, 'TTL', 'greeting'), '100');
      t.equal(await cli(port, 'PERSIST', 'greeting'), '1');
      t.equal(await cli(port, 'TTL', 'greeting'), '-1');
      t.equal(await cli(port, 'SET', 'short', 'lived', 'PX', '400'), 'OK');
      t.equal(await cli(port, 'DBSIZE'), '2');
      const deadline = Date.now() + 5000;
      while ((await cli(port, 'EXISTS', 'short')) !== '0' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      t.equal(await cli(port, 'GET', 'short'), '', 'the expired key reads as nil');
      t.equal(await cli(port, 'KEYS', '*'), 'greeting');
      t.equal(await cli(port, 'DEL', 'greeting'), '1');
      t.equal(await cli(port, 'ECHO', 'x'), 'x');
      // redis-benchmark 7.0 (Debian 12) has no XADD test yet; XADD is checked here instead.
      t.match(await cli(port, 'XADD', 'stream', '*', 'field', 'value'), /^\d+-\d+$/);
      t.equal(await cli(port, 'XLEN', 'stream'), '1');
      t.match(await cli(port, 'INFO', 'server'), /redis_version:5\.0\.6/);
      t.match(await cli(port, 'NOSUCH'), /ERR unknown command `NOSUCH`/);
      t.match(await cli(port, 'GET'), /ERR wrong number of arguments for 'get' command/);
      await cli(port, 'LPUSH', 'list', 'a');
      t.match(await cli(port, 'GET', 'list'), /WRONGTYPE/);
    });

    t.test('pipelined inline commands are answered in order', async (t) => {
      const { reply } = await exchange(port, 'PING\r\nECHO one\r\n*2\r\n$4\r\nECHO\r\n$3\r\ntwo\r\n', /two\r\n$/);
      t.equal(reply, '+PONG\r\n$3\r\none\r\n$3\r\ntwo\r\n');
    });

    t.test('clients that reset mid-reply give their device slots back (more of them than there are slots)', async (t) => {
      t.equal(await command(port, `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${32 * 1024}\r\n${'b'.repeat(32 * 1024)}\r\n`), '+OK\r\n');
      const slots = 128; // the netdev backend's default maxConnections
      for (let i = 0; i < slots + 40; i++) {
        await new Promise<void>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'));
          socket.once('data', () => {
            socket.resetAndDestroy(); // RST while the reply is still coming
            resolve();
          });
          socket.on('error', () => resolve());
        });
      }
      t.equal(image.backend.stats().refused, 0, 'no connection was refused for want of a slot');
      t.equal(await command(port, 'PING\r\n'), '+PONG\r\n', 'the server still accepts and answers');
    });

    t.test('malformed input answers an error and closes that connection only', async (t) => {
      const { reply, closed } = await exchange(port, '*abc\r\n');
      t.match(reply, /^-ERR Protocol error: invalid multibulk length/);
      t.ok(closed, 'the server closed the connection');
      const big = await exchange(port, '*1\r\n$999999999999\r\n');
      t.match(big.reply, /^-ERR Protocol error: invalid bulk length/);
      t.equal(await command(port, 'PING\r\n'), '+PONG\r\n', 'the server still answers');
    });
  });
}
