// Blocking pops on the running image over loopback: one client's BLPOP parks it while others are served,
// another client's push wakes the longest-blocked first, the timeout answers *-1, and the commands a
// parked client pipelined behind its BLPOP run once it is served.

import t from 'tap';
import net from 'node:net';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';

/** A raw RESP connection collecting what the server sends. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let got = '';
  let wake: (() => void) | null = null;
  socket.on('data', (d) => {
    got += d.toString('latin1');
    wake?.();
  });
  const send = (...argv: string[]): void => {
    socket.write(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  };
  /** Everything received once it has at least `bytes` bytes (or after `ms` without, whatever arrived). */
  const read = async (bytes: number, ms = 5000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (got.length < bytes && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
    const s = got;
    got = '';
    return s;
  };
  return { send, read, close: () => socket.destroy() };
}

const POP = (key: string, value: string): string => `*2\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;

t.test('blocking pops over loopback', async (t) => {
  const image: RunningImage = await launch(loadPreset('redis-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  const [a, b, c] = await Promise.all([connect(image.port), connect(image.port), connect(image.port)]);
  t.teardown(() => [a, b, c].forEach((x) => x.close()));

  a.send('BLPOP', 'queue', '0');
  t.equal(await a.read(1, 300), '', 'A is parked: no reply');
  b.send('BRPOP', 'queue', '0');
  c.send('PING');
  t.equal(await c.read(7), '+PONG\r\n', 'another client is served while A and B wait');
  c.send('RPUSH', 'queue', 'first');
  t.equal(await c.read(4), ':1\r\n');
  t.equal(await a.read(POP('queue', 'first').length), POP('queue', 'first'), 'the push wakes A, the longest blocked');
  t.equal(await b.read(1, 200), '', 'B still waits');
  c.send('RPUSH', 'queue', 'second', 'third');
  t.equal(await c.read(4), ':2\r\n');
  t.equal(await b.read(POP('queue', 'third').length), POP('queue', 'third'), 'B pops the tail');
  c.send('LRANGE', 'queue', '0', '-1');
  t.equal(await c.read(15), '*1\r\n$6\r\nsecond\r\n');

  const started = Date.now();
  a.send('BLPOP', 'empty', '1');
  t.equal(await a.read(5, 5000), '*-1\r\n', 'the timeout answers a nil multi-bulk');
  t.ok(Date.now() - started >= 900, `after about a second (${Date.now() - started} ms)`);

  a.send('BRPOPLPUSH', 'src', 'dst', '0');
  a.send('LLEN', 'dst'); // pipelined behind the blocked command: runs after it is served
  t.equal(await a.read(1, 200), '');
  c.send('LPUSH', 'src', 'moved');
  t.equal(await c.read(4), ':1\r\n');
  t.equal(await a.read(15), '$5\r\nmoved\r\n:1\r\n', 'served, then the pipelined LLEN runs');

  b.send('BZPOPMAX', 'scores', '0');
  b.close(); // a client that goes away while parked is forgotten
  await new Promise((r) => setTimeout(r, 100));
  c.send('ZADD', 'scores', '1', 'm');
  c.send('ZCARD', 'scores');
  t.equal(await c.read(8), ':1\r\n:1\r\n', 'nothing was popped for the departed client');
});
