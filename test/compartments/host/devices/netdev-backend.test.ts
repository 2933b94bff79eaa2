// The netdev device end to end over real loopback TCP: the host backend with the guest driver run
// in this thread (echo of 1 B..8 MiB through 64 KiB rings, many connections, FIN, RST, close and
// shutdown ordering, slot reuse, a full table), then with the guest parked in a real worker.

import t, { type Test } from 'tap';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { NetdevBackend } from '../../../../compartments/host/devices/netdev-backend.js';
import { NetdevDevice } from '../../../../kernel/netdev/device.js';
import { netdevConnGeneration, netdevConnSlot } from '../../../../kernel/netdev/layout.js';
import { EchoGuest, runGuestHere, untilDoorbell, type EchoGuestOptions } from '../../../fixtures/netdev-guest.js';

const MiB = 1024 * 1024;

/** Sends data, half-closes, and resolves with everything received until the server's FIN. */
function exchange(port: number, data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.end(data));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything a socket receives until it ends or closes, and how it ended. */
function collect(socket: net.Socket): Promise<{ data: Buffer; ended: boolean; error: string | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let ended = false;
    let error: string | null = null;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => (ended = true));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), ended, error }));
  });
}

/** A backend, the driver attached to it, and the echo guest polling in this thread; all stopped at teardown. */
async function setup(t: Test, options: { maxConnections?: number; ringBytes?: number; guest?: EchoGuestOptions } = {}) {
  const { guest: guestOptions, ...deviceOptions } = options;
  const backend = await NetdevBackend.create({ port: 0, ...deviceOptions });
  const device = NetdevDevice.attach(backend.sab);
  const guest = new EchoGuest(device, guestOptions);
  const run = runGuestHere(guest);
  t.teardown(async () => {
    await backend.close();
    await run.done;
  });
  return { backend, device, guest, run };
}

t.test('options are validated up front, naming the option', async (t) => {
  await t.rejects(NetdevBackend.create({ port: -1 }), { name: 'RangeError', message: /options\.port/ });
  await t.rejects(NetdevBackend.create({ port: 0, ringBytes: 1000 }), { name: 'RangeError', message: /options\.ringBytes/ });
  await t.rejects(NetdevBackend.create({ port: 0, maxConnections: 0 }), { name: 'RangeError', message: /options\.maxConnections/ });
  t.throws(() => NetdevDevice.attach(new SharedArrayBuffer(4096)), RangeError, 'no device in an empty buffer');
});

t.test('echo in one thread: 1 B to 8 MiB through 64 KiB rings, identical bytes', async (t) => {
  const { backend, guest } = await setup(t);
  for (const size of [1, 100, 65_535, 65_536, 65_537, 200_000, MiB, 8 * MiB]) {
    const data = randomBytes(size);
    const back = await exchange(backend.port, data);
    t.equal(back.length, size, `${size} B: length`);
    t.ok(back.equals(data), `${size} B: same bytes in the same order`);
  }
  const stats = backend.stats();
  t.ok(stats.rxPauses > 0, 'a full rx ring paused a socket');
  t.equal(stats.rxBytes, stats.txBytes, 'every byte in went out');
  t.equal(guest.closed, 8, 'each connection closed by the guest after the peer FIN');
});

t.test('a client that stops reading fills the tx ring; when it reads again nothing was lost', async (t) => {
  const { backend, guest, run } = await setup(t);
  // More than the loopback socket buffers of both ends hold, so the echo must back up into the rings.
  const data = randomBytes(32 * MiB);
  const socket = await connect(backend.port);
  socket.pause(); // stays paused while collect() listens: flowing was turned off explicitly
  const result = collect(socket);
  socket.end(data);
  await run.until(() => backend.stats().txStalls > 0 && guest.txFull > 0 && backend.stats().rxPauses > 0);
  t.pass('socket.write refused, the guest met a full tx ring, and the rx side paused in turn');
  socket.resume();
  const { data: back, ended } = await result;
  t.ok(ended);
  t.equal(back.length, data.length);
  t.ok(back.equals(data), 'same bytes in the same order');
});

t.test('50 concurrent connections each get their own bytes back', async (t) => {
  const { backend, guest } = await setup(t);
  const payloads = Array.from({ length: 50 }, (_, i) => randomBytes(20_000 + i * 3_001));
  const backs = await Promise.all(payloads.map((data) => exchange(backend.port, data)));
  let same = 0;
  for (let i = 0; i < payloads.length; i++) if (backs[i]!.equals(payloads[i]!)) same++;
  t.equal(same, 50);
  t.equal(new Set(guest.opened).size, 50, 'distinct conn ids');
  await new Promise<void>((resolve) => setImmediate(resolve));
  t.equal(backend.stats().active, 0, 'every slot given back');
});

t.test('peer close after data: PEER_CLOSED comes only once all its bytes are in the rx ring', async (t) => {
  const { backend, guest, run } = await setup(t, { guest: { onOpen: () => 'sink' } });
  const socket = await connect(backend.port);
  const result = collect(socket);
  const data = randomBytes(3 * MiB);
  socket.end(data);
  await run.until(() => guest.closed === 1);
  const conn = guest.opened[0]!;
  t.equal(guest.atPeerClosed.get(conn), data.length, 'read so far + rx ring = everything sent');
  t.equal(guest.received.get(conn), data.length);
  const { ended, error } = await result;
  t.ok(ended, 'the client sees our FIN');
  t.equal(error, null);
  t.ok(backend.stats().rxPauses > 0, 'the socket was paused on the way');
});

t.test('guest close flushes its pending tx before FIN', async (t) => {
  const sent = randomBytes(48 * 1024);
  const { backend } = await setup(t, {
    guest: {
      onOpen: (conn, device) => {
        t.equal(device.txWrite(conn, sent), sent.length);
        device.close(conn); // no kick between the write and the close: the CLOSE request carries it
        return null;
      },
    },
  });
  const socket = await connect(backend.port);
  const { data, ended, error } = await collect(socket);
  t.ok(data.equals(sent), 'all queued bytes arrived');
  t.ok(ended, 'then FIN');
  t.equal(error, null);
});

t.test('shutdownWrite sends FIN but keeps receiving until the peer closes', async (t) => {
  const { backend, guest, run } = await setup(t, {
    guest: {
      onOpen: (conn, device) => {
        device.txWrite(conn, Buffer.from('bye'));
        device.shutdownWrite(conn);
        t.throws(() => device.txWrite(conn, Buffer.from('x')), RangeError, 'no writes after shutdown');
        t.equal(device.txSpace(conn), 0);
        return 'sink';
      },
    },
  });
  const socket = await connect(backend.port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => socket.end('more'));
  await run.until(() => guest.closed === 1);
  t.equal(Buffer.concat(chunks).toString(), 'bye');
  t.equal(guest.received.get(guest.opened[0]!), 4, 'the guest got the bytes sent after its FIN');
});

t.test('a reset from the client reaches the guest as RESET', async (t) => {
  const { backend, guest, run } = await setup(t, { guest: { onOpen: () => 'sink' } });
  const socket = await connect(backend.port);
  socket.write('abc');
  await run.until(() => (guest.received.get(guest.opened[0] ?? -1) ?? 0) === 3);
  socket.resetAndDestroy();
  await run.until(() => guest.resets.length === 1);
  t.same(guest.resets, guest.opened);
  t.equal(guest.closed, 0, 'not a clean close');
  await run.until(() => backend.stats().active === 0);
  t.pass('the slot came back after the guest closed it');
});

t.test('a reused slot gets a new generation; the old conn id and its late events are dead', async (t) => {
  const backend = await NetdevBackend.create({ port: 0, maxConnections: 1, ringBytes: 4096 });
  t.teardown(() => backend.close());
  const device = NetdevDevice.attach(backend.sab);
  let ev: ReturnType<NetdevDevice['pollEvent']> = null;

  const a = await connect(backend.port);
  const aResult = collect(a);
  await untilDoorbell(device, () => (ev = device.pollEvent()) !== null);
  t.equal(ev!.type, 'open');
  const first = ev!.conn;
  a.end('hi');
  await untilDoorbell(device, () => backend.stats().eventsPosted === 2); // OPEN, PEER_CLOSED: not polled
  device.close(first);
  t.ok((await aResult).ended, 'A got FIN');

  const b = await connect(backend.port);
  await untilDoorbell(device, () => (ev = device.pollEvent()) !== null);
  t.same(ev, { type: 'open', conn: ev!.conn }, 'the stale PEER_CLOSED of A was dropped');
  const second = ev!.conn;
  t.equal(netdevConnSlot(second), netdevConnSlot(first), 'same slot');
  t.equal(netdevConnGeneration(second), netdevConnGeneration(first) + 1, 'next generation');
  const buf = new Uint8Array(16);
  t.throws(() => device.rxRead(first, buf), RangeError);
  t.throws(() => device.txWrite(first, buf), RangeError);
  t.throws(() => device.close(first), RangeError);
  b.write('new');
  await untilDoorbell(device, () => device.rxAvailable(second) === 3);
  t.equal(device.rxRead(second, buf), 3);
  t.equal(Buffer.from(buf.subarray(0, 3)).toString(), 'new', 'nothing of A leaked into B');
  b.destroy();
});

t.test('a full table refuses the extra connection cleanly and keeps serving the others', async (t) => {
  const backend = await NetdevBackend.create({ port: 0, maxConnections: 2, ringBytes: 4096 });
  t.teardown(() => backend.close());
  const device = NetdevDevice.attach(backend.sab);
  const conns: number[] = [];
  const pollOpens = (): boolean => {
    for (let ev = device.pollEvent(); ev !== null; ev = device.pollEvent()) conns.push(ev.conn);
    return conns.length === 2;
  };
  const a = await connect(backend.port);
  const b = await connect(backend.port);
  await untilDoorbell(device, pollOpens);
  const c = await connect(backend.port);
  const cResult = await collect(c);
  t.equal(cResult.data.length, 0, 'the third connection got nothing');
  t.equal(backend.stats().refused, 1);
  t.equal(device.pollEvent(), null, 'no OPEN for it');
  a.write('ok');
  b.write('fine');
  await untilDoorbell(device, () => device.rxAvailable(conns[0]!) === 2 && device.rxAvailable(conns[1]!) === 4);
  t.pass('the two admitted connections still flow');
  a.destroy();
  b.destroy();
});

t.test('close() resets open connections, stops the device and frees the port', async (t) => {
  const backend = await NetdevBackend.create({ port: 0 });
  const device = NetdevDevice.attach(backend.sab);
  const socket = await connect(backend.port);
  const result = collect(socket);
  let conn = 0;
  await untilDoorbell(device, () => {
    const ev = device.pollEvent();
    if (ev !== null) conn = ev.conn;
    return conn !== 0;
  });
  await backend.close();
  t.ok(device.stopped());
  t.same(device.pollEvent(), { type: 'reset', conn });
  await result;
  await t.rejects(connect(backend.port), { code: 'ECONNREFUSED' });
  await backend.close(); // idempotent
});

t.test('echo with the guest in a worker parked on the guest doorbell', async (t) => {
  const backend = await NetdevBackend.create({ port: 0 });
  const worker = new Worker(new URL('../../../fixtures/netdev-echo-worker.js', import.meta.url), { workerData: { sab: backend.sab } });
  const report = new Promise<Record<string, number>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  for (const size of [1, 65_537, 8 * MiB]) {
    const data = randomBytes(size);
    t.ok((await exchange(backend.port, data)).equals(data), `${size} B echoed`);
  }
  const payloads = Array.from({ length: 20 }, (_, i) => randomBytes(100_000 + i));
  const backs = await Promise.all(payloads.map((data) => exchange(backend.port, data)));
  t.equal(backs.filter((back, i) => back.equals(payloads[i]!)).length, 20, '20 concurrent echoes');
  const stats = backend.stats();
  await backend.close();
  const guest = await report;
  t.equal(guest.opened, 23);
  t.equal(guest.closed, 23);
  t.ok(guest.woken! > 0, 'the guest parked and was woken by the host');
  t.equal(guest.timedOut, 0, 'no wait ran into its timeout: no doorbell was missed');
  t.ok(stats.hostWakes > 0, 'the host was woken by guest kicks');
  t.ok(stats.rxPauses > 0, 'rx backpressure engaged');
});
