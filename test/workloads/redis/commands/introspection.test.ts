// INFO sections, CONFIG GET/SET/RESETSTAT over the parameter table, WAIT and LASTSAVE in-process (Redis 5.0's
// replies byte for byte); CLIENT LIST/SETNAME/KILL (ADDR and ID forms, the old form killing itself) over
// real loopback connections to the image.

import t from 'tap';
import { createCommandTable, createSession } from '../../../../workloads/redis/commands.js';
import { Keyspace, MapValueStore } from '../../../../workloads/redis/keyspace.js';
import { ReplyWriter } from '../../../../workloads/redis/resp.js';
import { maxmemoryBytes, maxmemoryPolicy } from '../../../../workloads/redis/config-params.js';
import { RespSocket, parseReply } from '../resp-socket.js';
import { bootImage } from '../servers.js';

const T0 = 1_700_000_000_000;

function harness() {
  const ks = new Keyspace(new MapValueStore(), { nowMs: () => T0 });
  const table = createCommandTable();
  const session = createSession(5);
  const out = new ReplyWriter(64);
  const run = (...argv: string[]): string => {
    out.reset();
    table.execute(ks, argv.map((a) => Buffer.from(a, 'latin1')), session, out);
    return Buffer.from(out.bytes()).toString('latin1');
  };
  return { run, ks };
}

const pairs = (...kv: string[]): string => `*${kv.length}\r\n${kv.map((s) => `$${s.length}\r\n${s}\r\n`).join('')}`;

t.test('CONFIG GET: exact names, globs, case, unknown names', async (t) => {
  const { run } = harness();
  t.equal(run('CONFIG', 'GET', 'hash-max-ziplist-entries'), pairs('hash-max-ziplist-entries', '512'));
  t.equal(run('CONFIG', 'GET', 'list-max-ziplist-size'), pairs('list-max-ziplist-size', '-2'));
  t.equal(run('CONFIG', 'GET', 'set-max-intset-entries'), pairs('set-max-intset-entries', '512'));
  t.equal(run('CONFIG', 'GET', 'zset-max-ziplist-*'), pairs('zset-max-ziplist-entries', '128', 'zset-max-ziplist-value', '64'));
  t.equal(run('CONFIG', 'GET', 'hash-max-ziplist-value'), pairs('hash-max-ziplist-value', '64'));
  t.equal(run('CONFIG', 'GET', 'DATABASES'), pairs('databases', '16'), 'names match without case');
  t.equal(run('CONFIG', 'GET', 'appendonly'), pairs('appendonly', 'no'));
  t.equal(run('CONFIG', 'GET', 'nosuch'), '*0\r\n');
  t.equal(run('CONFIG', 'GET'), "-ERR Unknown subcommand or wrong number of arguments for 'GET'. Try CONFIG HELP.\r\n");
});

t.test('CONFIG SET validates, normalises and is read back by the getters', async (t) => {
  const { run, ks } = harness();
  t.equal(run('CONFIG', 'SET', 'maxmemory', '2mb'), '+OK\r\n');
  t.equal(run('CONFIG', 'GET', 'maxmemory'), pairs('maxmemory', '2097152'), 'memtoll units');
  t.equal(maxmemoryBytes(ks), 2097152, 'the getter the OOM check reads');
  t.equal(run('CONFIG', 'SET', 'maxmemory-policy', 'ALLKEYS-LRU'), '+OK\r\n');
  t.equal(maxmemoryPolicy(ks), 'allkeys-lru');
  t.equal(run('CONFIG', 'SET', 'maxmemory-policy', 'sometimes'), "-ERR Invalid argument 'sometimes' for CONFIG SET 'maxmemory-policy'\r\n");
  t.equal(run('CONFIG', 'SET', 'timeout', '-1'), "-ERR Invalid argument '-1' for CONFIG SET 'timeout'\r\n");
  t.equal(run('CONFIG', 'SET', 'timeout', '300'), '+OK\r\n');
  t.equal(run('CONFIG', 'SET', 'hash-max-ziplist-entries', '64'), '+OK\r\n');
  t.equal(run('CONFIG', 'GET', 'hash-max-ziplist-entries'), pairs('hash-max-ziplist-entries', '64'));
  t.equal(run('CONFIG', 'SET', 'list-max-ziplist-size', '-3'), '+OK\r\n');
  t.equal(run('CONFIG', 'SET', 'save', '900 1 300 x'), "-ERR Invalid argument '900 1 300 x' for CONFIG SET 'save'\r\n");
  t.equal(run('CONFIG', 'SET', 'save', ''), '+OK\r\n');
  t.equal(run('CONFIG', 'GET', 'save'), pairs('save', ''));
  t.equal(run('CONFIG', 'SET', 'appendonly', 'YES'), '+OK\r\n');
  t.equal(run('CONFIG', 'GET', 'appendonly'), pairs('appendonly', 'yes'));
  t.equal(run('CONFIG', 'SET', 'databases', '32'), '-ERR Unsupported CONFIG parameter: databases\r\n', 'fixed at start-up');
  t.equal(run('CONFIG', 'SET', 'nosuch', '1'), '-ERR Unsupported CONFIG parameter: nosuch\r\n');
});

t.test('CONFIG RESETSTAT zeroes the counters INFO stats prints', async (t) => {
  const { run } = harness();
  run('PING');
  run('PING');
  t.match(run('INFO', 'stats'), /total_commands_processed:3\r\n/, 'INFO itself counts');
  t.equal(run('CONFIG', 'RESETSTAT'), '+OK\r\n');
  t.match(run('INFO', 'stats'), /total_commands_processed:1\r\n/);
});

t.test('INFO: every section by name, all of them by default, none for an unknown name', async (t) => {
  const { run } = harness();
  run('SET', 'k', 'v');
  const titles = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Cluster', 'Keyspace'];
  const all = run('INFO');
  t.same([...all.matchAll(/# (\w+)\r\n/g)].map((m) => m[1]), titles, 'in genRedisInfoString order');
  t.same([...run('INFO', 'all').matchAll(/# (\w+)\r\n/g)].map((m) => m[1]), titles, 'INFO all: the same sections');
  for (const [name, line] of [
    ['server', /redis_version:5\.0\.6\r\n/], ['clients', /connected_clients:0\r\n/], ['memory', /maxmemory_policy:noeviction\r\n/],
    ['stats', /pubsub_channels:0\r\n/], ['replication', /role:master\r\nconnected_slaves:0\r\n/], ['cpu', /used_cpu_user:\d+\.\d{6}\r\n/],
    ['keyspace', /db0:keys=1,expires=0,avg_ttl=0\r\n/], ['persistence', /aof_enabled:0\r\n/],
  ] as const) {
    const text = run('INFO', name.toUpperCase());
    t.match(text, line, `INFO ${name}`);
    t.equal((text.match(/# /g) ?? []).length, 1, `INFO ${name} is one section`);
  }
  t.equal(run('INFO', 'nosuch'), '$0\r\n\r\n');
  t.equal(run('INFO', 'a', 'b'), '-ERR syntax error\r\n');
});

t.test('WAIT answers 0 replicas; LASTSAVE the start time', async (t) => {
  const { run } = harness();
  t.equal(run('WAIT', '0', '0'), ':0\r\n');
  t.equal(run('WAIT', '1', '100'), ':0\r\n', 'no replica will ever acknowledge');
  t.equal(run('WAIT', 'x', '0'), '-ERR value is not an integer or out of range\r\n');
  t.equal(run('WAIT', '0', 'x'), '-ERR timeout is not an integer or out of range\r\n');
  t.equal(run('WAIT', '0', '-1'), '-ERR timeout is negative\r\n');
  t.equal(run('LASTSAVE'), `:${Math.floor(T0 / 1000)}\r\n`);
});

/** CLIENT LIST's lines as field maps. */
function clientList(reply: string): Map<string, string>[] {
  const r = parseReply(reply, 0)!.reply;
  if (r.type !== '$' || r.text === null) throw new Error(`not a bulk: ${reply}`);
  return r.text.split('\n').filter((l) => l !== '').map((l) => new Map(l.split(' ').map((f) => f.split('=', 2) as [string, string])));
}

t.test('CLIENT LIST/SETNAME/KILL over loopback connections to the image', async (t) => {
  const image = await bootImage();
  t.teardown(() => image.stop());
  const a = await RespSocket.connect(image.port);
  const b = await RespSocket.connect(image.port);
  const c = await RespSocket.connect(image.port);
  t.teardown(() => [a, b, c].forEach((s) => s.close()));
  t.equal(await b.call('CLIENT', 'SETNAME', 'worker'), '+OK\r\n');
  await b.call('SUBSCRIBE', 'ch');
  await c.call('MULTI');
  await c.call('SET', 'k', 'v');
  const list = clientList(await a.call('CLIENT', 'LIST'));
  t.equal(list.length, 3);
  const [la, lb, lc] = list;
  t.match(la!.get('addr'), /^127\.0\.0\.1:\d+$/, 'the peer address accept() gave');
  t.equal(la!.get('cmd'), 'client');
  t.equal(lb!.get('name'), 'worker');
  t.equal(lb!.get('flags'), 'P');
  t.equal(lb!.get('sub'), '1');
  t.equal(lc!.get('flags'), 'x');
  t.equal(lc!.get('multi'), '1');
  t.equal(lc!.get('cmd'), 'set');
  t.same(clientList(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).map((l) => l.get('name')), ['worker']);

  t.equal(await a.call('CLIENT', 'KILL', 'ID', lc!.get('id')!), ':1\r\n');
  await c.whenClosed();
  t.ok(c.closed, 'the killed client is disconnected');
  t.equal(await a.call('CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'), ':0\r\n');
  t.equal(await a.call('CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client\r\n');
  t.equal(await a.call('CLIENT', 'KILL', 'ADDR', lb!.get('addr')!, 'SKIPME', 'maybe'), '-ERR syntax error\r\n');
  t.equal(await a.call('CLIENT', 'KILL', 'ADDR', lb!.get('addr')!), ':1\r\n', 'the ADDR form');
  await b.whenClosed();
  t.equal(await a.call('CLIENT', 'KILL', 'ID', la!.get('id')!), ':0\r\n', 'SKIPME yes by default');
  t.equal(await a.call('CLIENT', 'KILL', la!.get('addr')!), '+OK\r\n', 'the old form kills its own connection, after the reply');
  await a.whenClosed();
  const d = await RespSocket.connect(image.port);
  t.teardown(() => d.close());
  t.equal(clientList(await d.call('CLIENT', 'LIST')).length, 1, 'the killed clients left the list');
  t.match(await d.call('INFO', 'clients'), /connected_clients:1\r\n/);
});

t.test('a blocked client killed leaves the element a later push brings to the next waiter', async (t) => {
  const image = await bootImage();
  t.teardown(() => image.stop());
  const [admin, first, second] = [await RespSocket.connect(image.port), await RespSocket.connect(image.port), await RespSocket.connect(image.port)];
  t.teardown(() => [admin, first, second].forEach((s) => s.close()));
  const id = (await first.call('CLIENT', 'ID')).slice(1, -2);
  first.send('BLPOP', 'q', '0');
  await admin.call('PING'); // the loop has run FIRST's BLPOP before SECOND's
  second.send('BLPOP', 'q', '0');
  const blocked = (): Promise<string> => admin.call('INFO', 'clients');
  for (let i = 0; i < 100 && !/blocked_clients:2\r\n/.test(await blocked()); i++) await new Promise((r) => setTimeout(r, 20));
  // In one EXEC, so that the push runs before the loop's next pass closes the killed connection.
  await admin.call('MULTI');
  await admin.call('CLIENT', 'KILL', 'ID', id);
  await admin.call('RPUSH', 'q', 'x');
  t.equal(await admin.call('EXEC'), '*2\r\n:1\r\n:1\r\n');
  t.equal((await second.next()).raw, '*2\r\n$1\r\nq\r\n$1\r\nx\r\n', 'the next waiter got the element');
  await first.whenClosed();
  t.match(await admin.call('INFO', 'clients'), /connected_clients:2\r\n/);
});

t.test('CONFIG SET timeout closes idle clients, but not subscribers', async (t) => {
  const image = await bootImage();
  t.teardown(() => image.stop());
  const admin = await RespSocket.connect(image.port);
  const idle = await RespSocket.connect(image.port);
  const sub = await RespSocket.connect(image.port);
  t.teardown(() => [admin, idle, sub].forEach((s) => s.close()));
  await idle.call('PING');
  await sub.call('SUBSCRIBE', 'ch');
  t.equal(await admin.call('CONFIG', 'SET', 'timeout', '1'), '+OK\r\n');
  const deadline = Date.now() + 8000;
  while (!idle.closed && Date.now() < deadline) {
    await admin.call('PING'); // the admin connection stays active
    await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(idle.closed, 'the idle client was closed');
  t.notOk(sub.closed, 'the subscriber was spared');
  t.notOk(admin.closed, 'the active client was spared');
  t.equal(await sub.call('PING'), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
});
