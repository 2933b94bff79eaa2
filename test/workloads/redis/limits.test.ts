// Redis under abuse, over raw loopback sockets against booted images (no client needed, so these
// never skip): -OOM instead of dying when the heap or maxmemory has no room, output limits checked
// between pipelined commands, a client that never reads, the query buffer limit, buffers that shrink.

import t, { type Test } from 'tap';
import net from 'node:net';
import { once } from 'node:events';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';
import { encodeCommand } from '../../../workloads/redis/resp.js';
import { redisMainArgs, type RedisBootSettings } from '../../../workloads/redis/boot-settings.js';

const MiB = 1024 * 1024;
const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

/** A raw RESP connection: send commands, read whole replies (one RESP value each). */
class Conn {
  readonly socket: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  closed = false;
  received = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Conn> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new Conn(socket);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  send(...argv: (string | Uint8Array)[]): void {
    this.socket.write(encodeCommand(argv));
  }

  /** The next whole reply as latin1 text; null when the server closed first. */
  async reply(): Promise<string | null> {
    for (;;) {
      const end = replyEnd(this.#buf, 0);
      if (end > 0) {
        const text = this.#buf.subarray(0, end).toString('latin1');
        this.#buf = this.#buf.subarray(end);
        return text;
      }
      if (this.closed) return null;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async call(...argv: (string | Uint8Array)[]): Promise<string | null> {
    this.send(...argv);
    return this.reply();
  }

  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One past the end of the RESP value at `at`, or -1 when it is incomplete. */
function replyEnd(b: Buffer, at: number): number {
  const cr = b.indexOf('\r\n', at, 'latin1');
  if (cr < 0) return -1;
  const type = String.fromCharCode(b[at]!);
  const n = Number(b.toString('latin1', at + 1, cr));
  if (type === '$') return n < 0 ? cr + 2 : b.length >= cr + 2 + n + 2 ? cr + 2 + n + 2 : -1;
  if (type === '*') {
    let p = cr + 2;
    for (let i = 0; i < n; i++) {
      p = replyEnd(b, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return cr + 2;
}

/** A field of an INFO reply. */
function infoField(info: string | null, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info ?? '');
  if (m === null) throw new Error(`INFO has no ${name}: ${info}`);
  return Number(m[1]);
}

async function boot(t: Test, heapSize: number, settings: Partial<RedisBootSettings>): Promise<RunningImage> {
  const config = { ...loadPreset('redis-mpk2', { registry: libraryRegistry }), heapSize };
  const image = await launch(config, { registry: libraryRegistry, port: 0, mainArgs: redisMainArgs(settings) });
  t.teardown(() => image.stop());
  return image;
}

const bytes = (n: number, fill = 0x61): Uint8Array => new Uint8Array(n).fill(fill);

t.test('a full value heap answers -OOM and keeps serving', async (t) => {
  const image = await boot(t, 16 * MiB, { outputHard: 8 * MiB, outputSoft: 2 * MiB, outputSoftSeconds: 4 });
  const c = await Conn.open(image.port);
  t.teardown(() => c.destroy());

  t.test('a SET bigger than the heap is refused, and the next command is served', async (t) => {
    t.equal(await c.call('SET', 'huge', bytes(17 * MiB)), OOM);
    t.equal(await c.call('PING'), '+PONG\r\n');
    t.equal(await c.call('EXISTS', 'huge'), ':0\r\n', 'nothing was stored');
  });

  t.test('an APPEND that outgrows the heap mid-command leaves the key as it was', async (t) => {
    t.equal(await c.call('SET', 'grow', bytes(10 * MiB)), '+OK\r\n');
    const used = infoField(await c.call('INFO', 'memory'), 'used_memory');
    t.equal(await c.call('APPEND', 'grow', bytes(4 * MiB, 0x62)), OOM);
    t.equal(await c.call('STRLEN', 'grow'), `:${10 * MiB}\r\n`, 'the old value is intact');
    t.equal(infoField(await c.call('INFO', 'memory'), 'used_memory'), used, 'no bytes counted for the failed value');
    t.equal(await c.call('PING'), '+PONG\r\n', 'still served');
    t.equal(await c.call('DEL', 'grow'), ':1\r\n');
    t.equal(await c.call('SET', 'grow', bytes(12 * MiB)), '+OK\r\n', 'the freed room is usable again: nothing leaked');
    t.equal(await c.call('DEL', 'grow'), ':1\r\n');
  });

  t.test('700 pipelined GETs of a big key stop at the soft limit while a second client is served', async (t) => {
    t.equal(await c.call('SET', 'bigkey', bytes(MiB)), '+OK\r\n');
    const flood = await Conn.open(image.port);
    t.teardown(() => flood.destroy());
    flood.socket.pause(); // never reads
    const pipeline = Buffer.concat(Array.from({ length: 700 }, () => encodeCommand(['GET', 'bigkey'])));
    flood.socket.write(pipeline);
    // The server runs GETs until the replies pass the soft limit; INFO shows the biggest output buffer.
    let peak = 0;
    const deadline = Date.now() + 10_000;
    while (peak < 2 * MiB && Date.now() < deadline) {
      peak = infoField(await c.call('INFO', 'clients'), 'client_recent_max_output_buffer');
      await new Promise((r) => setTimeout(r, 50));
    }
    t.ok(peak > 2 * MiB, `the flood's replies reached the soft limit (${peak} bytes)`);
    t.equal(await c.call('PING'), '+PONG\r\n', 'another client is served meanwhile');
    const info = await c.call('INFO');
    t.ok(infoField(info, 'client_recent_max_output_buffer') <= 8 * MiB, 'the output buffer never passed the hard limit');
    t.ok(infoField(info, 'mem_clients_normal') <= 8 * MiB, 'nor did all clients together');
    t.equal(infoField(info, 'connected_clients'), 2, 'the flooding client is throttled, not closed, before its soft seconds');
    // Over the soft limit for its soft seconds without a pause, it is closed; the paused socket cannot
    // see it (the host still holds replies for it), the server's client count does.
    let connected = 2;
    const closeBy = Date.now() + 30_000;
    while (connected > 1 && Date.now() < closeBy) {
      await new Promise((r) => setTimeout(r, 100));
      connected = infoField(await c.call('INFO', 'clients'), 'connected_clients');
    }
    t.equal(connected, 1, 'it is closed once it stayed over the soft limit for its soft seconds');
  });

  t.test('a throttled client that reads gets every reply', async (t) => {
    const reader = await Conn.open(image.port);
    t.teardown(() => reader.destroy());
    reader.socket.write(Buffer.concat(Array.from({ length: 12 }, () => encodeCommand(['GET', 'bigkey']))));
    for (let i = 0; i < 12; i++) t.equal((await reader.reply())?.length, `$${MiB}\r\n`.length + MiB + 2, `reply ${i + 1}`);
  });

  t.test('the reply buffer shrinks after a large reply', async (t) => {
    t.equal((await c.call('GET', 'bigkey'))?.length, `$${MiB}\r\n`.length + MiB + 2);
    const info = await c.call('INFO');
    t.ok(infoField(info, 'client_recent_max_output_buffer') >= MiB, 'the big reply was measured');
    t.ok(infoField(info, 'mem_clients_normal') < 256 * 1024, `the buffers went back to a small size (${infoField(info, 'mem_clients_normal')} bytes)`);
  });
  t.test('a reply over the hard output limit closes that client only', async (t) => {
    t.equal(await c.call('SET', 'tenmb', bytes(10 * MiB)), '+OK\r\n');
    const greedy = await Conn.open(image.port);
    t.teardown(() => greedy.destroy());
    greedy.send('GET', 'tenmb');
    t.ok(await greedy.closedWithin(10_000), 'closed');
    t.ok(greedy.received < 10 * MiB, 'without the reply');
    t.equal(await c.call('DEL', 'tenmb'), ':1\r\n', 'the other client is served');
  });

  t.test('a subscriber that never reads is closed once the messages it was sent pass the hard limit', async (t) => {
    const sub = await Conn.open(image.port);
    t.teardown(() => sub.destroy());
    t.equal(await sub.call('SUBSCRIBE', 'news'), '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
    sub.socket.pause(); // it runs no command: only PUBLISH from another client fills its buffer
    const before = infoField(await c.call('INFO', 'clients'), 'connected_clients');
    const message = bytes(MiB);
    let receivers = 1;
    for (let i = 0; i < 24 && receivers === 1; i++) receivers = Number((await c.call('PUBLISH', 'news', message))?.slice(1, -2));
    let connected = before;
    const closeBy = Date.now() + 10_000;
    while (connected === before && Date.now() < closeBy) {
      await new Promise((r) => setTimeout(r, 50));
      connected = infoField(await c.call('INFO', 'clients'), 'connected_clients');
    }
    t.equal(connected, before - 1, 'the subscriber was closed, well before its soft seconds');
    t.equal(await c.call('PING'), '+PONG\r\n', 'the publisher is served');
  });
});

t.test('maxmemory refuses denyoom commands until memory is freed', async (t) => {
  const image = await boot(t, 16 * MiB, { maxmemory: MiB, queryBufferLimit: 2 * MiB });
  const c = await Conn.open(image.port);
  t.teardown(() => c.destroy());
  const value = bytes(400 * 1024);
  t.equal(await c.call('SET', 'a', value), '+OK\r\n');
  t.equal(await c.call('SET', 'b', value), '+OK\r\n');
  t.equal(await c.call('SET', 'c', value), '+OK\r\n', 'used memory was under maxmemory before it ran');
  t.equal(await c.call('SET', 'd', value), OOM, 'over maxmemory, SET is refused');
  t.equal(await c.call('INCR', 'n'), OOM, 'so is INCR (denyoom)');
  t.equal(await c.call('MULTI'), '+OK\r\n');
  t.equal(await c.call('SET', 'd', 'v'), OOM, 'refused in MULTI too, instead of QUEUED');
  t.equal(await c.call('GET', 'a'), '+QUEUED\r\n');
  t.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n', 'which makes EXEC abort');
  t.equal(await c.call('SET', 'd'), "-ERR wrong number of arguments for 'set' command\r\n", 'a wrong arity still gets its own error');
  t.equal((await c.call('GET', 'a'))?.length, 400 * 1024 + `$${400 * 1024}\r\n`.length + 2, 'GET still works');
  t.equal(await c.call('EXPIRE', 'b', '100'), ':1\r\n', 'a write that is not denyoom still works');
  t.equal(await c.call('DEL', 'a', 'b'), ':2\r\n', 'DEL still works');
  t.equal(await c.call('SET', 'd', value), '+OK\r\n', 'after the DEL the write succeeds');
  t.equal(await c.call('INFO', 'memory').then((i) => infoField(i, 'used_memory')), 2 * 400 * 1024);

  t.test('a client past the query buffer limit is closed, the others are not', async (t) => {
    const big = await Conn.open(image.port);
    t.teardown(() => big.destroy());
    const limit = `*2\r\n$25\r\nclient-query-buffer-limit\r\n$${String(2 * MiB).length}\r\n${2 * MiB}\r\n`;
    t.equal(await c.call('CONFIG', 'GET', 'client-query-buffer-limit'), limit, 'CONFIG GET reports the limit it was booted with');
    big.socket.write('*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$5000000\r\n');
    big.socket.write(Buffer.alloc(3 * MiB, 0x7a));
    t.ok(await big.closedWithin(10_000), 'closed');
    t.equal(await c.call('PING'), '+PONG\r\n');
  });
});
