import t from 'tap';
import { appNamed, libraryRegistry } from '../../workloads/registry.js';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpace } from '../../compartments/config/space.js';
import { exploreScript, freePort, haveRedisServer, runNode, startRedis, startWorker, workerScript } from './explore-redis.js';

const skip = (await haveRedisServer()) ? false : 'redis-server is not installed (scripts/install.sh installs it)';

t.test('explore.js --queue with two workers: the answer of a local run, every sample recorded with the machine that measured it', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'explore-queue-cli-'));
  // Paper-shaped: every hardened library and every split costs throughput.
  const table = Object.fromEntries(expandSpace(appNamed('redis').space(), { registry: libraryRegistry }).map((p) => [p.label, 100 - 10 * p.hardened.length - (p.layout === 'R1N1S1L1' ? 0 : 3)]));
  const from = join(dir, 't.json');
  writeFileSync(from, JSON.stringify(table));
  const url = await startRedis(t);
  const workers = [await startWorker(t, url, ['--name', 'lab-1']), await startWorker(t, url, ['--name', 'lab-2'])];
  const args = [exploreScript, 'redis', '--metric', 'file', '--from', from, '--budget', '85', '--margin', '0', '--json'];

  const local = await runNode(args);
  const queued = await runNode([...args, '--queue', url, '--results', join(dir, 'r.jsonl')]);
  t.equal(local.code, 0, local.stderr);
  t.equal(queued.code, 0, queued.stderr);
  const a = JSON.parse(local.stdout) as { safest: string[]; uncertain: string[]; measured_count: number };
  const b = JSON.parse(queued.stdout) as typeof a;
  t.same([...b.safest].sort(), [...a.safest].sort(), 'the same safest configurations');
  t.same(b.uncertain, a.uncertain);
  t.ok(a.safest.includes('R1N1S2L3H'));
  t.match(queued.stderr, /: 2 worker\(s\) connected; 2 measurement\(s\) at a time/, 'the workers on the queue set the concurrency');

  const lines = readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { label: string; machine?: string });
  t.equal(lines.length, b.measured_count, 'one sample per measured configuration (margin 0)');
  const byMachine = new Map<string, number>();
  for (const l of lines) byMachine.set(l.machine ?? '?', (byMachine.get(l.machine ?? '?') ?? 0) + 1);
  t.same([...byMachine.keys()].sort(), ['lab-1', 'lab-2'], `both workers measured: ${JSON.stringify([...byMachine])}`);
  for (const [i, w] of workers.entries()) t.match(w.log(), /job \d+: \S+ of redis \(file\): \d+ on lab-/, `worker ${i + 1} printed its jobs`);
  for (const l of lines) t.match(queued.stderr, new RegExp(`measured ${l.label} on ${l.machine}:`), 'progress says which configuration went to which machine');

  // A rerun resumes from the results file: nothing recorded goes to the queue again. (Its picks may
  // differ a little: which parallel measurement finished first is not recorded.)
  const again = await runNode([...args, '--queue', url, '--results', join(dir, 'r.jsonl')]);
  t.equal(again.code, 0, again.stderr);
  t.same([...(JSON.parse(again.stdout) as typeof a).safest].sort(), [...a.safest].sort());
  const labels = readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { label: string }).label);
  t.equal(new Set(labels).size, labels.length, 'no configuration measured twice');
  for (const l of lines) t.notMatch(again.stderr, new RegExp(`queued ${l.label} `), `${l.label} replayed`);
});

t.test('explore.js: a bad --queue is a usage error naming what is valid; an unreachable one fails within seconds', async (t) => {
  const from = join(mkdtempSync(join(tmpdir(), 'explore-queue-cli-')), 't.json');
  writeFileSync(from, '{}');
  const args = [exploreScript, 'redis', '--metric', 'file', '--from', from, '--budget', '1'];
  const port = await freePort();
  const [bad, badK, down] = await Promise.all([
    runNode([...args, '--queue', 'localhost:6379']),
    runNode([...args, '--concurrency', '0']),
    runNode([...args, '--queue', `redis://127.0.0.1:${port}`]),
  ]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--queue: "localhost:6379" has scheme localhost; expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\]/);
  t.equal(badK.code, 2);
  t.match(badK.stderr, /--concurrency: "0" is not valid; expected an integer from 1/);
  t.equal(down.code, 1);
  t.match(down.stderr, new RegExp(`--queue redis://127.0.0.1:${port}: cannot reach Redis \\(connect ECONNREFUSED`));
  // Counted from the refused run started beside it, so a slow start on a busy machine is not counted.
  t.ok(down.ms - bad.ms < 5000, `ended after ${down.ms} ms, ${down.ms - bad.ms} ms after a run that never connects`);
});

t.test('explore-worker.js: bad flags are clear errors with a non-zero exit; --help', async (t) => {
  const port = await freePort();
  const [unknown, missing, badUrl, badName, down, help] = await Promise.all([
    runNode([workerScript, '--queue', 'redis://127.0.0.1:1', '--bogus']),
    runNode([workerScript]),
    runNode([workerScript, '--queue', 'redis://h:0']),
    runNode([workerScript, '--queue', 'redis://127.0.0.1:1', '--name', 'two words']),
    runNode([workerScript, '--queue', `redis://127.0.0.1:${port}`]),
    runNode([workerScript, '--help']),
  ]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /Unknown option '--bogus'\nvalid options: --queue, --name, --once, --help/);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--queue <redis:\/\/host:port> is required/);
  t.equal(badUrl.code, 2);
  t.match(badUrl.stderr, /--queue: "redis:\/\/h:0" has port 0/);
  t.equal(badName.code, 2);
  t.match(badName.stderr, /--name: "two words" is not valid/);
  t.equal(down.code, 1);
  t.match(down.stderr, /cannot reach Redis \(connect ECONNREFUSED/);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: node scripts\/explore-worker\.js --queue <redis:\/\/host:port>/);
});

t.test('explore-worker.js stops cleanly on SIGTERM and SIGINT', { skip }, async (t) => {
  const url = await startRedis(t);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const worker = await startWorker(t, url, ['--name', `w-${signal}`]);
    const exited = once(worker.child, 'exit');
    worker.child.kill(signal);
    t.same(await exited, [0, null], `${signal}: exit code 0`);
    t.match(worker.log(), new RegExp(`${signal}: stopping after the current job\\nexplore-worker w-${signal}: stopped`));
  }
});
