// The Nginx workload against the real Debian clients: curl sees the right statuses and headers,
// wrk -t 2 -c 30 -d 5s completes without errors; over raw sockets (no client needed, so these never
// skip), pipelined requests are answered in order and a bad request closes only its connection.

import t from 'tap';
import net from 'node:net';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch } from '../../../workloads/launch.js';
import { parseWrk } from '../../../workloads/nginx/benchmark.js';

const run = promisify(execFile);
const hasCurl = spawnSync('curl', ['--version']).status === 0;
const hasWrk = /^wrk /.test(spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout ?? '');

/** curl -i: status line and headers (lowercased names) and the body. */
async function curl(port: number, path: string, ...flags: string[]): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', ...flags, `http://127.0.0.1:${port}${path}`], { timeout: 20_000 });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split).split('\r\n');
  const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  return { status: Number(head[0]!.split(' ')[1]), headers, body: stdout.slice(split + 4) };
}

function raw(port: number, payload: string): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed: false });
    }, 3000);
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply, closed: true });
    });
    socket.on('error', reject);
    socket.write(payload, 'latin1');
  });
}

for (const preset of ['nginx-mpk2', 'nginx-none']) {
  t.test(`${preset} against the real clients and raw sockets`, async (t) => {
    const image = await launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
    t.teardown(() => image.stop());
    const port = image.port;

    t.test('curl fetches pages with the right status and headers', { skip: hasCurl ? false : 'curl is not installed' }, async (t) => {
      const index = await curl(port, '/');
      t.equal(index.status, 200);
      t.equal(index.headers.get('content-type'), 'text/html');
      t.equal(index.headers.get('content-length'), String(Buffer.byteLength(index.body)));
      t.match(index.body, /Welcome to flexos-nginx/);
      t.match(index.headers.get('date') ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      t.ok(index.headers.get('last-modified'), 'Last-Modified is sent');
      const json = await curl(port, '/hello.json');
      t.equal(json.headers.get('content-type'), 'application/json');
      const head = await curl(port, '/hello.json', '-I');
      t.equal(head.status, 200);
      t.equal(head.body, '', 'HEAD has no body');
      t.equal(head.headers.get('content-length'), json.headers.get('content-length'));
      t.equal((await curl(port, '/missing.html')).status, 404);
      t.equal((await curl(port, '/', '-X', 'POST', '-d', 'x=1')).status, 405);
      t.equal((await curl(port, '/' + 'a'.repeat(9000))).status, 414);
    });

    t.test('keep-alive pipelining answers in order on one connection', async (t) => {
      const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
      const { reply } = await raw(port, get('/robots.txt') + get('/hello.json') + `GET /robots.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
      const statuses = [...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);
      t.same(statuses, ['200', '200', '200']);
      t.ok(reply.indexOf('Disallow') < reply.indexOf('flexos-nginx", "simulated'), 'responses in request order');
    });

    t.test('a bad request is answered and closes that connection only', async (t) => {
      const bad = await raw(port, 'GARBAGE\r\n\r\n');
      t.match(bad.reply, /^HTTP\/1\.1 400/);
      t.ok(bad.closed, 'the connection was closed');
      const http2 = await raw(port, 'GET / HTTP/2.0\r\nHost: x\r\n\r\n');
      t.match(http2.reply, /^HTTP\/1\.1 505/);
      t.match((await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).reply, /^HTTP\/1\.1 200/, 'the server still answers');
    });

    t.test('wrk -t 2 -c 30 -d 5s completes without errors', { skip: hasWrk ? false : 'wrk is not installed' }, async (t) => {
      const { stdout } = await run('wrk', ['-t', '2', '-c', '30', '-d', '5s', '--latency', `http://127.0.0.1:${port}/`], { timeout: 60_000 });
      const result = parseWrk(stdout);
      t.ok(result.requests > 100, `wrk completed ${result.requests} requests`);
      t.equal(result.errors, 0, 'no socket errors and no non-2xx/3xx responses');
    });
  });
}
