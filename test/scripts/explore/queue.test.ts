import t from 'tap';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { UsageError } from '../../../scripts/cli.js';
import { QueueError } from '../../../kernel/abi/errors.js';
import { connectionOptions, parseQueueUrl, queueOracle, QUEUE_NAME } from '../../../scripts/explore/queue.js';
import { freePort, haveRedisServer, startRedis, startWorker } from '../explore-redis.js';

const skip = (await haveRedisServer()) ? false : 'redis-server is not installed (scripts/install.sh installs it)';

function table(entries: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'explore-queue-')), 'table.json');
  writeFileSync(path, JSON.stringify(entries));
  return path;
}

t.test('parseQueueUrl: redis://[user:password@]host[:port][/db]; anything else is a UsageError saying what is valid', async (t) => {
  t.match(parseQueueUrl('redis://10.0.0.1'), { host: '10.0.0.1', port: 6379, db: 0, shown: 'redis://10.0.0.1' });
  t.match(parseQueueUrl('redis://lab-2.local:7000/3'), { host: 'lab-2.local', port: 7000, db: 3 });
  t.match(parseQueueUrl('redis://[::1]:7000'), { host: '::1', port: 7000 });
  const secret = parseQueueUrl('redis://me:p%40ss@h:1');
  t.match(secret, { username: 'me', password: 'p@ss', shown: 'redis://h:1' }, 'the password is not shown');
  for (const [url, problem] of [
    ['http://h:1', /scheme http/],
    ['rediss://h', /TLS is not supported/],
    ['redis://', /no host/],
    ['redis://h:0', /port 0, not 1-65535/],
    ['redis://h:99999', /port 99999, not 1-65535/],
    ['redis://h/x', /database "x", not a number/],
    ['redis://h?db=1', /query/],
    ['localhost:6379', /scheme localhost/],
    ['nonsense', /not a URL/],
  ] as const) {
    const error = (() => {
      try {
        parseQueueUrl(url);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    t.ok(error instanceof UsageError, `${url}: a UsageError (exit 2)`);
    t.match(error?.message, problem, url);
    t.match(error?.message, /expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\]/, `${url}: says what is valid`);
  }
});

t.test('an unreachable queue fails within a few seconds, saying why', async (t) => {
  const options = { space: 'redis', metric: 'file', values: {} } as const;
  const refused = `redis://127.0.0.1:${await freePort()}`;
  let started = Date.now();
  await t.rejects(queueOracle(refused, options), { message: new RegExp(`^--queue ${refused}: cannot reach Redis \\(connect ECONNREFUSED`) });
  t.ok(Date.now() - started < 5000, 'a refused connection is not retried');
  const error = await queueOracle(refused, options).then(() => null, (e: unknown) => e);
  t.ok(error instanceof QueueError, 'a QueueError');
  t.match(error, { code: 'FLEXOS_ERR_QUEUE', queue: refused, cause: { code: 'ECONNREFUSED' } }, 'carries its code, the queue and the cause');

  // Something listens but never answers (a stuck Redis, a firewall that accepts): bounded too.
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s)).listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  started = Date.now();
  await t.rejects(queueOracle(`redis://127.0.0.1:${(silent.address() as { port: number }).port}`, options), { message: /cannot reach Redis \(no answer within 3 s\)/ });
  t.ok(Date.now() - started < 6000, `gave up after ${Date.now() - started} ms`);
});

t.test('a job goes to a worker and comes back with its value and machine; a bad job fails naming the configuration and the worker', { skip }, async (t) => {
  const url = await startRedis(t);
  const worker = await startWorker(t, url, ['--name', 'lab-1']);
  const from = table({ R1N1S1L1: 5, R1N1S1L1H: { value: 4, noise: 0.5 } });
  const q = await queueOracle(url, { space: 'redis', metric: 'file', values: { from, margin: '0' } });
  t.equal(await q.workers(), 1);
  t.same(await q.measure('R1N1S1L1'), { value: 5, machine: 'lab-1' });
  t.same(await q.measure('R1N1S1L1H'), { value: 4, noise: 0.5, machine: 'lab-1' });
  await t.rejects(q.measure('R9N9'), { message: /^measuring R9N9 on the queue redis:\/\/127\.0\.0\.1:\d+ failed: lab-1: unknown configuration "R9N9" in space redis \(80 configurations/ });
  await t.rejects(q.measure('R1N1S2L3'), { message: /failed: lab-1: --from .*table\.json: no value for R1N1S2L3/ });
  t.match(worker.log(), /R9N9 of redis \(file\): failed: unknown configuration/);
  t.match(worker.log(), /R1N1S1L1 of redis \(file\): 5 on lab-1/);
  await q.close();
});

t.test('--once: a worker measures one configuration, then exits', { skip }, async (t) => {
  const url = await startRedis(t);
  const worker = await startWorker(t, url, ['--once', '--name', 'once']);
  const q = await queueOracle(url, { space: 'redis', metric: 'file', values: { from: table({ R1N1S1L1: 7 }) } });
  const exited = once(worker.child, 'exit');
  t.same(await q.measure('R1N1S1L1'), { value: 7, machine: 'once' });
  t.same(await exited, [0, null], 'exit code 0');
  t.match(worker.log(), /once: stopped/);
  await q.close();
});

t.test('close() takes back the jobs no worker took and fails what still waits', { skip }, async (t) => {
  const url = await startRedis(t);
  let queued!: () => void;
  const isQueued = new Promise<void>((resolve) => (queued = resolve));
  const q = await queueOracle(url, { space: 'redis', metric: 'file', values: { from: table({}) }, say: (line) => void (/^queued/.test(line) && queued()) });
  t.equal(await q.workers(), 0);
  const waiting = t.rejects(q.measure('R1N1S1L1'), { message: /^the queue redis:\/\/127\.0\.0\.1:\d+ was closed$/ });
  await isQueued;
  await q.close();
  await waiting;
  const look = new Queue(QUEUE_NAME, { connection: connectionOptions(parseQueueUrl(url)) });
  t.same(await look.getJobCounts('wait', 'active'), { wait: 0, active: 0 }, 'no job left for a worker that starts later');
  await look.close();
});
