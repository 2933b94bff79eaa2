// The built-in HTTP load generator: its response reader on streams cut anywhere, its counting
// against a plain TCP server that counts the requests it answers, and a booted Nginx image.

import t from 'tap';
import fc from 'fast-check';
import net from 'node:net';
import { HttpResponseReader, httpTarget, runHttpLoad } from '../../../workloads/loadgen/http-client.js';
import { ClientError } from '../../../kernel/abi/errors.js';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch } from '../../../workloads/launch.js';

// ---- the response reader ----------------------------------------------------------------------

interface Response {
  status: number;
  framing: 'length' | 'chunked' | 'none';
  body: string;
  chunks: number[];
  close: boolean;
}

// Bodies that look like the start of another response catch a reader that scans instead of counting.
const bodyArb = fc.string({ unit: fc.constantFrom('a', '\r', '\n', 'HTTP/1.1 200 OK\r\n\r\n', '0\r\n\r\n'), maxLength: 12 });
const responseArb: fc.Arbitrary<Response> = fc.record({
  status: fc.constantFrom(200, 204, 301, 304, 404, 500),
  framing: fc.constantFrom('length' as const, 'chunked' as const),
  body: bodyArb,
  chunks: fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 4 }),
  close: fc.constant(false),
});

function encode(r: Response): string {
  const bodyless = r.status === 204 || r.status === 304;
  const conn = r.close ? 'Connection: close\r\n' : '';
  if (bodyless) return `HTTP/1.1 ${r.status} X\r\nServer: t\r\n${conn}\r\n`;
  if (r.framing === 'length') return `HTTP/1.1 ${r.status} X\r\ncontent-length: ${r.body.length}\r\n${conn}\r\n${r.body}`;
  let out = `HTTP/1.1 ${r.status} X\r\nTransfer-Encoding: chunked\r\n${conn}\r\n`;
  let rest = r.body;
  for (const n of r.chunks) {
    if (!rest) break;
    out += `${Math.min(n, rest.length).toString(16)};ext=1\r\n${rest.slice(0, n)}\r\n`;
    rest = rest.slice(n);
  }
  if (rest) out += `${rest.length.toString(16)}\r\n${rest}\r\n`;
  return out + '0\r\nX-Trailer: y\r\n\r\n';
}

t.test('the response reader finds every response end in a stream cut anywhere', (t) => {
  fc.assert(
    fc.property(fc.array(responseArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (responses, cuts) => {
      const bytes = Buffer.from(responses.map(encode).join(''), 'latin1');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const reader = new HttpResponseReader();
      const seen: number[] = [];
      let from = 0;
      for (const p of [...points, bytes.length]) {
        reader.feed(bytes.subarray(from, p), (status, keepAlive) => {
          if (!keepAlive) throw new Error('HTTP/1.1 without Connection: close keeps the connection');
          seen.push(status);
        });
        from = p;
      }
      return JSON.stringify(seen) === JSON.stringify(responses.map((r) => r.status));
    }),
  );
  t.end();
});

t.test('the response reader honours Connection: close, HTTP/1.0 and close-delimited bodies', (t) => {
  const seen: [number, boolean][] = [];
  const on = (s: number, k: boolean): void => void seen.push([s, k]);
  new HttpResponseReader().feed(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi'), on);
  new HttpResponseReader().feed(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), on);
  new HttpResponseReader().feed(Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), on);
  const untilClose = new HttpResponseReader();
  untilClose.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody runs to the close'), on);
  t.equal(seen.length, 3, 'a body without a length is not complete before the close');
  untilClose.end(on);
  t.same(seen, [[200, false], [200, false], [200, true], [200, false]]);
  t.throws(() => new HttpResponseReader().feed(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'), on), /status line/);
  t.throws(() => new HttpResponseReader().feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), on), /Content-Length/);
  t.throws(() => new HttpResponseReader().feed(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'), on), { code: 'FLEXOS_ERR_CLIENT', client: 'built-in generator' }, 'a malformed response carries the client code');
  t.end();
});

t.test('a URL becomes the request wrk would send', (t) => {
  t.same(httpTarget('http://127.0.0.1:8080/a?b=1'), { host: '127.0.0.1', port: 8080, request: 'GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n' });
  t.throws(() => httpTarget('https://x/'), { name: 'TypeError', message: /url/ });
  t.end();
});

// ---- against a server that counts -------------------------------------------------------------

interface Tally {
  answered: number;
  connections: number;
  bad: string[];
}

/**
 * An HTTP stand-in that answers each GET with a 1000-byte body written in two pieces (the body holds
 * text that looks like a response), 404 for /missing, and closes after each response when `close`.
 */
async function countingServer(options: { close?: boolean } = {}): Promise<{ port: number; tally: Tally; close: () => Promise<void> }> {
  const tally: Tally = { answered: 0, connections: 0, bad: [] };
  const body = ('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + 'y'.repeat(1000)).slice(0, 1000);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    tally.connections++;
    sockets.add(socket);
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const path = /^GET (\S+) HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+$/.exec(head)?.[1];
        if (path === undefined) tally.bad.push(head);
        const status = path === '/missing' ? '404 Not Found' : '200 OK';
        tally.answered++;
        socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\n${options.close ? 'Connection: close\r\n' : ''}\r\n${body.slice(0, 300)}`, 'latin1');
        setImmediate(() => {
          if (socket.destroyed) return;
          socket.write(body.slice(300), 'latin1');
          if (options.close) socket.end();
        });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    tally,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

t.test('each complete response is counted once: no more than the server answered, at most one in flight per connection less', async (t) => {
  const server = await countingServer();
  t.teardown(server.close);
  const seen: number[] = [];
  const runs = await runHttpLoad({ url: `http://127.0.0.1:${server.port}/`, connections: 5, durationS: 0.3, runs: 2, cpu: null, threads: 2, onRun: (_r, i) => seen.push(i) });
  t.same(seen, [1, 2], 'one report per run');
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  t.ok(requests > 0, `requests were made (${requests})`);
  t.ok(requests <= server.tally.answered && server.tally.answered <= requests + 2 * 5, `client ${requests} vs server ${server.tally.answered}`);
  t.equal(server.tally.connections, 2 * 5, '-c connections per run, kept alive');
  t.same(server.tally.bad, [], 'every request is a GET / with a Host header');
  for (const r of runs) {
    t.equal(r.errors, 0, 'no errors');
    t.ok(r.rps > 0 && r.p50Ms > 0 && r.p50Ms <= r.p99Ms, `rps ${r.rps}, p50 ${r.p50Ms} <= p99 ${r.p99Ms}`);
  }
});

t.test('non-2xx/3xx responses are counted as errors', async (t) => {
  const server = await countingServer();
  t.teardown(server.close);
  const [r] = await runHttpLoad({ url: `http://127.0.0.1:${server.port}/missing`, connections: 2, durationS: 0.2, runs: 1, cpu: null, threads: 1 });
  t.ok(r!.requests > 0);
  t.equal(r!.errors, r!.requests, 'every 404 is an error');
});

t.test('a server that closes after each response is reconnected to, without errors', async (t) => {
  const server = await countingServer({ close: true });
  t.teardown(server.close);
  const [r] = await runHttpLoad({ url: `http://127.0.0.1:${server.port}/`, connections: 2, durationS: 0.3, runs: 1, cpu: null, threads: 1 });
  t.ok(r!.requests > 2, `more requests (${r!.requests}) than connections opened at start`);
  t.equal(r!.errors, 0);
  t.ok(server.tally.connections >= r!.requests, 'one connection per response');
});

t.test('a server that is not there fails the run instead of hanging', async (t) => {
  const server = await countingServer();
  const port = server.port;
  await server.close();
  await t.rejects(runHttpLoad({ url: `http://127.0.0.1:${port}/`, connections: 3, durationS: 5, runs: 1, cpu: null, threads: 2 }), /ECONNREFUSED/);
});

t.test('a refused connection fails the run with FLEXOS_ERR_CLIENT, keeping the system message', async (t) => {
  const server = await countingServer();
  const port = server.port;
  await server.close();
  const error = await runHttpLoad({ url: `http://127.0.0.1:${port}/`, connections: 1, durationS: 5, runs: 1, cpu: null, threads: 1 }).then(() => null, (e: unknown) => e);
  t.ok(error instanceof ClientError, 'a ClientError, although it was raised in a client thread');
  t.match(error, { code: 'FLEXOS_ERR_CLIENT', client: 'built-in generator', message: /^connect ECONNREFUSED/ });
});

// ---- against a booted image --------------------------------------------------------------------

t.test('nginx-none serves the built-in load without errors', async (t) => {
  const image = await launch(loadPreset('nginx-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  const [r] = await runHttpLoad({ url: `http://127.0.0.1:${image.port}/`, connections: 8, durationS: 0.5, runs: 1, cpu: null, threads: 1 });
  t.ok(r!.requests > 0, `requests were answered (${r!.requests})`);
  t.equal(r!.errors, 0, 'every response was 2xx/3xx');
});
