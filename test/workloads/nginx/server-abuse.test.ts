// The Nginx image under hostile clients over real loopback sockets (no external client, so these
// never skip): a pipelining client that never reads keeps the output bounded in the app heap while
// another client is served, a large file streams byte-exact in 32 KiB reads, connections past
// worker_connections are refused with nginx's alert while the first ones keep working, and
// send_timeout closes a client that takes nothing (half-closed or not), counted per response.

import t, { type Test } from 'tap';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { compartmentsYaml, SHARING } from '../../../compartments/config/presets.js';
import { RegionHeap } from '../../../shm/heap.js';
import { nginxMainArgs, OUTPUT_BUFFER, OUTPUT_CAP } from '../../../workloads/nginx/limits.js';
import { RawHttpConnection } from './http-raw.js';

const BIG_BYTES = 1_000_003; // not a multiple of the buffer: the last read is short
const site = mkdtempSync(join(tmpdir(), 'nginx-abuse-'));
const index = '<h1>abuse</h1>\n'.repeat(40);
const big = randomBytes(BIG_BYTES);
writeFileSync(join(site, 'index.html'), index);
writeFileSync(join(site, 'big.bin'), big);
t.teardown(() => rmSync(site, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The TLSF heap of the compartment nginx runs in, read by the host from the region's header. */
function appHeap(image: RunningImage): RegionHeap {
  const c = image.machine.image.compartments.find((x) => x.libraries.includes('nginx'))!;
  return RegionHeap.attach(image.machine.regions.find((r) => r.name === `heap.${c.name}`)!);
}

/** Bytes of requests nginx has parsed since boot (its `parse` work: a byte at a time). */
function parsedBytes(image: RunningImage): number {
  return image.machine.work.rowsSince().find((r) => r.library === 'nginx')?.work.parse ?? 0;
}

async function until(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** nginx-none on the test site (main's arguments `mainArgs`), a probe client served once, and the app heap's use then. */
async function bootProbed(t: Test, mainArgs?: readonly number[]): Promise<{ image: RunningImage; heap: RegionHeap; probe: RawHttpConnection; baseline: number }> {
  const image = await launch(loadPreset('nginx-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, initrd: site, ...(mainArgs === undefined ? {} : { mainArgs }) });
  t.teardown(() => image.stop());
  const heap = appHeap(image);
  const probe = await RawHttpConnection.open(image.port);
  t.equal((await probe.get('/')).status, 200);
  return { image, heap, probe, baseline: heap.stats().used };
}

/** A client that sends `count` pipelined GETs of `path` and never reads. */
function flood(port: number, path: string, count: number): { socket: net.Socket; bytes: number } {
  const request = `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
  const socket = net.connect(port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  socket.write(request.repeat(count));
  return { socket, bytes: request.length * count };
}

t.test('pipelining 2000 requests without reading: output bounded in the app heap, another client served', async (t) => {
  const { image, heap, probe, baseline } = await bootProbed(t);

  const pages = flood(image.port, '/', 2000);
  const files = flood(image.port, '/big.bin', 2000);
  t.teardown(() => {
    pages.socket.destroy();
    files.socket.destroy();
  });
  // Output the clients do not take waits in the app heap: the server is holding back.
  await until('output is pending in the app heap', () => heap.stats().used > baseline + OUTPUT_BUFFER);

  let peak = 0;
  for (let i = 0; i < 20; i++) {
    const r = await probe.get(i % 2 === 0 ? '/' : '/hello.json');
    if (i % 2 === 0) t.equal(r.body.toString(), index, `request ${i} of the well-behaved client is answered in full`);
    else t.equal(r.status, 404);
    peak = Math.max(peak, heap.stats().used);
  }
  t.ok(peak - baseline <= 2 * OUTPUT_CAP, `pending output ${peak - baseline} bytes, at most 2 connections x ${OUTPUT_CAP}`);
  t.ok(heap.stats().peakUsed - baseline <= 2 * OUTPUT_CAP, 'the TLSF high-water mark stays within the bound too');
  t.ok(parsedBytes(image) < pages.bytes + files.bytes, `nginx stopped reading: ${parsedBytes(image)} of ${pages.bytes + files.bytes} request bytes parsed`);

  pages.socket.destroy();
  files.socket.destroy();
  await until('closed connections give their output back', () => heap.stats().used <= baseline);
  t.equal((await probe.get('/')).status, 200, 'still serving');
  probe.close();
});

t.test('a large file is served byte-exact, read through vfscore in 32 KiB buffers', async (t) => {
  // vfscore and ramfs in a compartment of their own, so that each nginx -> vfscore call is a counted gate.
  const config = parseConfiguration(
    `name: nginx-vfs2
${compartmentsYaml('intel-pku', 2)}
libraries:
  nginx: {compartment: comp1}
  newlib: {compartment: comp1}
  vfscore: {compartment: comp2}
  ramfs: {compartment: comp2}
${SHARING.dss}
`,
    { registry: libraryRegistry },
  );
  const image = await launch(config, { registry: libraryRegistry, port: 0, initrd: site });
  t.teardown(() => image.stop());
  const client = await RawHttpConnection.open(image.port);
  const vfsCalls = (): number => image.machine.counters.rows().filter((r) => r.caller === 'nginx' && r.callee === 'vfscore').reduce((s, r) => s + r.count, 0);
  await client.get('/hello.json');
  const before = vfsCalls();
  const r = await client.get('/big.bin');
  t.equal(r.status, 200);
  t.equal(r.headers.get('content-length'), String(BIG_BYTES));
  t.equal(sha256(r.body), sha256(big), 'the body is the file, byte for byte');
  // stat, open, fstat, one read per 32 KiB buffer, close.
  t.equal(vfsCalls() - before, 4 + Math.ceil(BIG_BYTES / OUTPUT_BUFFER), `${Math.ceil(BIG_BYTES / OUTPUT_BUFFER)} reads of 32 KiB`);
  const small = await client.get('/');
  t.equal(small.body.toString(), index, 'the connection goes on after the file');
  client.close();
});

t.test('connections past worker_connections are refused with nginx\'s alert; the first ones keep working', async (t) => {
  const logged: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (text.includes('[alert]')) {
      logged.push(text);
      return true;
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  t.teardown(() => void (process.stdout.write = write));

  const image = await launch(loadPreset('nginx-mpk2', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, initrd: site, mainArgs: nginxMainArgs({ workerConnections: 6 }) });
  t.teardown(() => image.stop());
  const first: RawHttpConnection[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await RawHttpConnection.open(image.port);
    t.equal((await c.get('/')).status, 200, `connection ${i + 1} of 5 (6 with the listener) is served`);
    first.push(c);
  }
  for (let i = 0; i < 3; i++) {
    const extra = await RawHttpConnection.open(image.port);
    extra.socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
    t.ok(await extra.waitClosed(10_000), `connection ${6 + i} is closed by the server`);
    t.equal(extra.received, 0, 'without a response');
    extra.close();
  }
  for (const [i, c] of first.entries()) t.equal((await c.get('/')).body.toString(), index, `connection ${i + 1} still works`);
  await until('the alert is logged', () => logged.length > 0, 5_000);
  t.match(logged[0]!, /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[alert\] 1#0: 6 worker_connections are not enough\n/);
  first[0]!.close();
  // The server notices the close on its next poll; until then a new connection may still be one too many.
  let served = false;
  for (let attempt = 0; attempt < 20 && !served; attempt++) {
    const again = await RawHttpConnection.open(image.port);
    served = await again.get('/', 2000).then((r) => r.status === 200, () => false);
    again.close();
    if (!served) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(served, 'once one closes, a new connection is served');
  for (const c of first) c.close();
});

t.test('send_timeout closes a client that takes nothing, and its output goes back to the heap', async (t) => {
  const { image, heap, probe, baseline } = await bootProbed(t, nginxMainArgs({ sendTimeoutS: 1 }));
  const files = flood(image.port, '/big.bin', 100);
  t.teardown(() => files.socket.destroy());
  let closed = false;
  files.socket.on('close', () => (closed = true));
  await until('output is pending', () => heap.stats().used > baseline);
  // The client never reads: once no byte has been taken for send_timeout, nginx closes it.
  await until('the server closed the client that reads nothing', () => heap.stats().used <= baseline, 20_000);
  files.socket.resume(); // now read what the kernel held, to see the close
  await until('the client sees the close', () => closed, 20_000);
  t.ok(closed, 'closed by the server');
  t.equal((await probe.get('/')).body.toString(), index, 'the other client is still served');
  probe.close();
});

t.test('send_timeout counts from the response, not from the last one: a keep-alive client idle past it gets a large file in full', async (t) => {
  const image = await launch(loadPreset('nginx-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, initrd: site, mainArgs: nginxMainArgs({ sendTimeoutS: 1 }) });
  t.teardown(() => image.stop());
  const client = await RawHttpConnection.open(image.port);
  t.teardown(() => client.close());
  t.equal((await client.get('/')).status, 200);
  await new Promise((r) => setTimeout(r, 1500)); // idle, with nothing to send, longer than send_timeout
  t.equal(sha256((await client.get('/big.bin')).body), sha256(big), 'the file in full');
});

t.test('send_timeout also closes a client that half-closed after its requests and reads nothing', async (t) => {
  const { image, heap, probe, baseline } = await bootProbed(t, nginxMainArgs({ sendTimeoutS: 1 }));
  // All its requests are read at once, then the hang-up: poll reports POLLHUP on every pass.
  const socket = net.connect(image.port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  socket.end('GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n'.repeat(100));
  await until('output is pending', () => heap.stats().used > baseline);
  await until('the server closed the half-closed client that reads nothing', () => heap.stats().used <= baseline, 20_000);
  t.equal((await probe.get('/')).body.toString(), index, 'the other client is still served');
  probe.close();
});

t.test('a half-closed client gets its answers, then the server closes', async (t) => {
  const image = await launch(loadPreset('nginx-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, initrd: site });
  t.teardown(() => image.stop());
  const socket = net.connect(image.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.end('GET / HTTP/1.1\r\nHost: test\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n');
  await ended;
  const all = Buffer.concat(chunks);
  const second = all.indexOf('HTTP/1.1 200', 10);
  t.ok(all.subarray(0, second).toString().endsWith(index), 'the first answer in full');
  t.equal(sha256(all.subarray(all.indexOf('\r\n\r\n', second) + 4)), sha256(big), 'the second, a streamed file, in full');
});

t.test('bad worker_connections and send_timeout are refused naming the valid values', async (t) => {
  t.throws(() => nginxMainArgs({ workerConnections: 1 }), { code: 'FLEXOS_ERR_CONFIG', message: /worker_connections.*got 1.*from 2 .* to 1020/ });
  t.throws(() => nginxMainArgs({ workerConnections: 1.5 }), { code: 'FLEXOS_ERR_CONFIG' });
  t.throws(() => nginxMainArgs({ sendTimeoutS: 0 }), { code: 'FLEXOS_ERR_CONFIG', message: /send_timeout.*from 1 to 3600/ });
  t.same(nginxMainArgs(), [512, 60], "nginx's defaults");
  const image = await launch(loadPreset('nginx-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, mainArgs: [5000, 60] });
  t.teardown(() => image.stop());
  await t.rejects(image.main, { message: /worker_connections.*5000/ }, 'the image refuses what the host did not check');
});
