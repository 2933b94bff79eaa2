// The built-in Redis load generator: its reply counter on streams cut anywhere, its request
// accounting against a plain TCP server that counts what it gets, a booted image, and run.js --builtin.

import t from 'tap';
import fc from 'fast-check';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { RespParser } from '../../../workloads/redis/resp.js';
import { BENCHMARK_KEY, RespReplyCounter, runRedisLoad } from '../../../workloads/loadgen/redis-client.js';
import { ClientError } from '../../../kernel/abi/errors.js';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch } from '../../../workloads/launch.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

// ---- the reply counter ------------------------------------------------------------------------

type Reply = { simple: string } | { error: string } | { integer: number } | { bulk: string | null } | { array: Reply[] | null };

const replyArb: fc.Arbitrary<Reply> = fc.letrec<{ reply: Reply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ simple: fc.string({ unit: fc.constantFrom('O', 'K', ' ', 'a') }) }),
    fc.record({ error: fc.constantFrom('ERR nope', 'WRONGTYPE Operation against a key') }),
    fc.record({ integer: fc.integer() }),
    fc.record({ bulk: fc.option(fc.string({ unit: fc.constantFrom('x', '\r', '\n', '$', '*', '-') , maxLength: 40 }), { nil: null }) }),
    fc.record({ array: fc.option(fc.array(tie('reply'), { maxLength: 4 }), { nil: null }) }),
  ),
})).reply;

function encode(r: Reply): string {
  if ('simple' in r) return `+${r.simple}\r\n`;
  if ('error' in r) return `-${r.error}\r\n`;
  if ('integer' in r) return `:${r.integer}\r\n`;
  if ('bulk' in r) return r.bulk === null ? '$-1\r\n' : `$${r.bulk.length}\r\n${r.bulk}\r\n`;
  return r.array === null ? '*-1\r\n' : `*${r.array.length}\r\n${r.array.map(encode).join('')}`;
}

t.test('the reply counter counts whole replies and error replies in a stream cut anywhere', (t) => {
  fc.assert(
    fc.property(fc.array(replyArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 12 }), (replies, cuts) => {
      const bytes = Buffer.from(replies.map(encode).join(''), 'latin1');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const counter = new RespReplyCounter();
      let seen = 0;
      let from = 0;
      for (const p of [...points, bytes.length]) {
        seen += counter.feed(bytes.subarray(from, p));
        from = p;
      }
      return seen === replies.length && counter.replies === replies.length && counter.errors === replies.filter((r) => 'error' in r).length;
    }),
  );
  t.end();
});

t.test('the reply counter refuses bytes that are not RESP2', (t) => {
  t.throws(() => new RespReplyCounter().feed(Buffer.from('HTTP/1.1 200 OK\r\n')), /protocol error/);
  t.throws(() => new RespReplyCounter().feed(Buffer.from('$x1\r\n')), /bad length/);
  t.throws(() => new RespReplyCounter().feed(Buffer.from('?\r\n')), { code: 'FLEXOS_ERR_CLIENT', client: 'built-in generator', message: /protocol error/ });
  t.end();
});

// ---- against a server that counts -------------------------------------------------------------

interface Tally {
  get: number;
  set: number;
  connections: number;
  /** Most commands read from one connection before the server answered any of them. */
  deepest: number;
  bad: string[];
  values: Set<string>;
}

/** A Redis stand-in: answers GET with the last value and SET with +OK (or -ERR when asked to). */
async function countingServer(options: { failSets?: boolean } = {}): Promise<{ port: number; tally: Tally; close: () => Promise<void> }> {
  const tally: Tally = { get: 0, set: 0, connections: 0, deepest: 0, bad: [], values: new Set() };
  let value = Buffer.alloc(0);
  const server = net.createServer((socket) => {
    tally.connections++;
    const parser = new RespParser();
    socket.on('data', (chunk) => {
      parser.feed(chunk);
      const out: Buffer[] = [];
      let n = 0;
      for (let r = parser.next(); r !== null; r = parser.next()) {
        if (!('argv' in r)) throw new Error(r.error);
        n++;
        const [name, key, v] = r.argv.map((a) => Buffer.from(a).toString('latin1'));
        if (key !== BENCHMARK_KEY) tally.bad.push(`key ${key}`);
        if (name === 'GET' && r.argv.length === 2) {
          tally.get++;
          out.push(Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n'));
        } else if (name === 'SET' && r.argv.length === 3) {
          tally.set++;
          value = Buffer.from(v!, 'latin1');
          tally.values.add(v!);
          out.push(Buffer.from(options.failSets ? '-ERR not today\r\n' : '+OK\r\n'));
        } else tally.bad.push(`command ${name}/${r.argv.length}`);
      }
      tally.deepest = Math.max(tally.deepest, n);
      if (out.length) socket.write(Buffer.concat(out));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, tally, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

t.test('every request is answered once and counted once, split across threads and connections', async (t) => {
  const server = await countingServer();
  t.teardown(server.close);
  const seen: string[] = [];
  const runs = await runRedisLoad({
    port: server.port, requests: 1003, clients: 7, pipeline: 16, sizes: [1, 3], tests: ['set', 'get'], cpu: null, threads: 2,
    onRun: (r, i, n) => seen.push(`${i}/${n} ${r.test} ${r.size}`),
  });
  t.same(seen, ['1/4 set 1', '2/4 get 1', '3/4 set 3', '4/4 get 3'], 'one run per test and size, in order');
  t.same(runs.map((r) => r.requests), [1003, 1003, 1003, 1003], 'each run counts -n replies');
  t.equal(server.tally.set, 2006, 'the server got exactly -n SETs per run');
  t.equal(server.tally.get, 2006, 'the server got exactly -n GETs per run');
  t.equal(server.tally.connections, 4 * 7, '-c connections per run');
  t.ok(server.tally.deepest > 1 && server.tally.deepest <= 16, `requests are pipelined, at most -P deep (deepest ${server.tally.deepest})`);
  t.same(server.tally.bad, [], 'only GET/SET of the benchmark key');
  t.same([...server.tally.values].sort(), ['x', 'xxx'], 'values are -d bytes of x');
  for (const r of runs) {
    t.equal(r.errors, 0);
    t.ok(r.rps > 0 && Number.isFinite(r.rps), 'a throughput');
    t.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms, `p50 ${r.p50Ms} <= p99 ${r.p99Ms}`);
  }
});

t.test('error replies are counted as errors, not lost', async (t) => {
  const server = await countingServer({ failSets: true });
  t.teardown(server.close);
  const [set, get] = await runRedisLoad({ port: server.port, requests: 200, clients: 3, pipeline: 16, sizes: [2], tests: ['set', 'get'], cpu: null, threads: 1 });
  t.equal(set!.requests, 200);
  t.equal(set!.errors, 200, 'every SET was answered -ERR');
  t.equal(get!.errors, 0);
});

t.test('a server that is not there fails the run instead of hanging', async (t) => {
  const server = await countingServer();
  const port = server.port;
  await server.close();
  await t.rejects(runRedisLoad({ port, requests: 100, clients: 4, pipeline: 16, sizes: [1], tests: ['get'], cpu: null, threads: 2 }), /ECONNREFUSED/);
});

t.test('a refused connection fails the run with FLEXOS_ERR_CLIENT, keeping the system message', async (t) => {
  const server = await countingServer();
  const port = server.port;
  await server.close();
  const error = await runRedisLoad({ port, requests: 10, clients: 1, pipeline: 1, sizes: [1], tests: ['get'], cpu: null, threads: 1 }).then(() => null, (e: unknown) => e);
  t.ok(error instanceof ClientError, 'a ClientError, although it was raised in a client thread');
  t.match(error, { code: 'FLEXOS_ERR_CLIENT', client: 'built-in generator', exitStatus: null, message: new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`) });
});

t.test('a server whose replies are not RESP2 fails the run with FLEXOS_ERR_CLIENT, naming the protocol error', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  await t.rejects(runRedisLoad({ port, requests: 10, clients: 1, pipeline: 1, sizes: [1], tests: ['get'], cpu: null, threads: 1 }), {
    code: 'FLEXOS_ERR_CLIENT', message: 'protocol error: a reply cannot start with "H"',
  });
});

t.test('bad options are refused up front, naming the option', async (t) => {
  await t.rejects(runRedisLoad({ port: 1, requests: 0, clients: 1, pipeline: 1, sizes: [1], tests: ['get'], cpu: null }), { name: 'RangeError', message: /requests/ });
  await t.rejects(runRedisLoad({ port: 1, requests: 1, clients: 1, pipeline: 1, sizes: [1], tests: ['lpush'], cpu: null }), { name: 'RangeError', message: /tests/ });
});

// ---- against a booted image --------------------------------------------------------------------

t.test('redis-none serves the built-in load: -n replies per run and the SET values stored', async (t) => {
  const image = await launch(loadPreset('redis-none', { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  const runs = await runRedisLoad({ port: image.port, requests: 2000, clients: 30, pipeline: 16, sizes: [2], tests: ['set', 'get'], cpu: null, threads: 1 });
  t.same(runs.map((r) => [r.test, r.requests, r.errors]), [['set', 2000, 0], ['get', 2000, 0]]);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(image.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (text.endsWith('\r\n') && text.length >= 8) socket.end(), resolve(text);
    });
    socket.on('error', reject);
    socket.write(`GET ${BENCHMARK_KEY}\r\n`);
  });
  t.equal(reply, '$2\r\nxx\r\n', 'the image holds the value the generator set');
});

t.test('run.js --builtin drives a preset and reports the usual JSON', async (t) => {
  const { stdout, stderr } = await run(process.execPath, ['scripts/run.js', 'redis-none', '--builtin', '--requests', '2000', '--sizes', '1', '--json'], { cwd: root, timeout: 60_000 });
  t.match(stderr, /client: built-in generator/, 'the progress output says which client ran');
  const report = JSON.parse(stdout) as Record<string, any>;
  t.equal(report['preset'], 'redis-none');
  t.match(report['client'], /^built-in .*-n 2000 -c 30 -k 1 -P 16/);
  for (const [name, value] of Object.entries({
    'throughput_rps.measured': report['throughput_rps']?.measured,
    'throughput_rps.modelled': report['throughput_rps']?.modelled,
    'latency_ms.p50': report['latency_ms']?.p50,
    'latency_ms.p99': report['latency_ms']?.p99,
    crossings_per_request: report['crossings_per_request'],
  })) {
    t.equal(typeof value, 'number', `${name} is a number`);
    t.ok(Number.isFinite(value), `${name} is finite`);
  }
  t.ok(report['throughput_rps'].measured > 0, 'a measured throughput');
});
