// Fuzzing live servers over TCP: random bytes (and RESP/HTTP-shaped garbage) sent to redis-none and
// nginx-none never take the server down: after each burst a normal request still succeeds.

import t from 'tap';
import fc from 'fast-check';
import net from 'node:net';
import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry } from '../../workloads/registry.js';
import { launch } from '../../workloads/launch.js';

/** Sends `payload`, half-closes, and resolves with what came back once the server closes (bounded). */
function exchange(port: number, payload: Uint8Array, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close or answer within 5 s (reply so far: ${JSON.stringify(reply.slice(0, 80))})`));
    }, 5000);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (until?.test(reply)) done();
    });
    socket.on('close', done);
    socket.on('error', () => done()); // a reset by the server is an acceptable answer to garbage
    socket.end(payload);
  });
}

const encoder = new TextEncoder();
const garbage = (shapes: string[]) =>
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2048 }),
    fc.array(fc.oneof(fc.constantFrom(...shapes), fc.string({ maxLength: 16 })), { minLength: 1, maxLength: 20 }).map((p) => encoder.encode(p.join(''))),
  );

const SERVERS = [
  { preset: 'redis-none', shapes: ['*', '$', '\r\n', '*3\r\n', '$-1\r\n', '$99999999999\r\n', 'SET k ', 'GET k\r\n', '"', '\0'], probe: encoder.encode('PING\r\n'), expect: /\+PONG\r\n/ },
  { preset: 'nginx-none', shapes: ['GET ', '/ ', 'HTTP/1.1', '\r\n', 'Host: x\r\n', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', 'ffffffff\r\n', '\0'], probe: encoder.encode('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), expect: /^HTTP\/1\.1 200 /m },
];

for (const server of SERVERS) {
  t.test(`${server.preset}: random bytes over TCP never take the server down`, async (t) => {
    const image = await launch(loadPreset(server.preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
    t.teardown(() => image.stop());
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(garbage(server.shapes), async (payload) => {
        await exchange(image.port, payload);
        sent++;
        const reply = await exchange(image.port, server.probe, server.expect);
        if (!server.expect.test(reply)) throw new Error(`after ${payload.length} random bytes, a normal request got ${JSON.stringify(reply.slice(0, 80))}`);
      }),
      { numRuns: 25 },
    );
    t.equal(sent, 25, 'every burst was delivered');
    t.match(await exchange(image.port, server.probe, server.expect), server.expect, 'the server still answers at the end');
    t.equal(image.machine.failure, null, 'no compartment thread failed');
    let settled = false;
    image.main.then(() => (settled = true), () => (settled = true));
    await Promise.resolve();
    t.notOk(settled, 'the application main is still running');
  });
}
