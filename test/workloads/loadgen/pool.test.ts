// The client-thread pool: the even split of connections, the start barrier in one thread, and the
// pool's threads really pinned to the client CPU (read back from /proc).

import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { LoadPool, splitEvenly, StartBarrier } from '../../../workloads/loadgen/pool.js';

t.test('splitEvenly keeps the total and differs by at most one', (t) => {
  fc.assert(
    fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 64 }), (total, parts) => {
      const split = splitEvenly(total, parts);
      return split.length === parts && split.reduce((a, b) => a + b, 0) === total && Math.max(...split) - Math.min(...split) <= 1;
    }),
  );
  t.end();
});

t.test('the start barrier opens when the last party arrives, and reports a party that failed', async (t) => {
  const ok = new StartBarrier(2);
  const first = ok.arrive(true);
  const again = new StartBarrier(2, ok.buffer); // the other party, as a thread would see it
  t.same(await Promise.all([first, again.arrive(true)]), [true, true]);
  const failed = new StartBarrier(2);
  const waiting = failed.arrive(true);
  t.equal(await new StartBarrier(2, failed.buffer).arrive(false), false, 'the failing party stands down');
  t.equal(await waiting, false, 'so does the one that was ready');
  t.equal(await new StartBarrier(2).arrive(true, 10), false, 'a party that never comes times the wait out');
});

const cpusAllowed = (): string[] =>
  readdirSync('/proc/self/task').map((tid) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'))?.[1] ?? '');

t.test('the pool threads pin themselves to the client CPU', { skip: spawnSync('taskset', ['-V']).status === 0 ? false : 'no taskset' }, async (t) => {
  const before = cpusAllowed().filter((c) => c === '0').length;
  const pool = await LoadPool.start({ threads: 2, cpu: 0 });
  t.teardown(() => pool.close());
  t.equal(pool.threads, 2);
  t.ok(pool.pinned, 'every thread reports it is pinned');
  t.equal(cpusAllowed().filter((c) => c === '0').length - before, 2, 'two more threads of this process may run only on CPU 0');
});

t.test('bad pool options are refused, naming the option', async (t) => {
  await t.rejects(LoadPool.start({ threads: 0, cpu: null }), { name: 'RangeError', message: /threads/ });
  await t.rejects(LoadPool.start({ threads: 1, cpu: -1 }), { name: 'RangeError', message: /cpu/ });
});
