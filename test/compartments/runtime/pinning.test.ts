// CPU placement of compartment threads: which CPU each pin policy gives, the affinity /proc reports
// after pinning, and the scheduling class a Waiter asks for (SCHED_BATCH only for a parking
// compartment pinned to one CPU), and a whole process pinned at once (the benchmarks' server CPU).

import t from 'tap';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { cpuFor, currentThreadCpus, loadGeneratorCpu } from '../../../compartments/runtime/pinning.js';
import type { PinnedData } from '../../fixtures/waiter-worker.js';

const fixture = new URL('../../fixtures/waiter-worker.js', import.meta.url);
const cpus = availableParallelism();

interface Report {
  readonly pinned: boolean;
  readonly cpus: number[] | null;
  readonly scheduling: string;
  readonly linuxPolicy: number;
}

function report(data: PinnedData): Promise<Report> {
  const worker = new Worker(fixture, { workerData: data, execArgv: [] });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

t.test('pin policies: one-core puts every compartment on CPU 0, spread deals them round-robin, none leaves them', async (t) => {
  t.same([1, 2, 3].map((i) => cpuFor('one-core', i)), [0, 0, 0]);
  t.same([1, 2, 3].map((i) => cpuFor('spread', i)), [0, 1 % cpus, 2 % cpus]);
  t.same([1, 2].map((i) => cpuFor('none', i)), [null, null]);
  t.equal(loadGeneratorCpu('one-core'), cpus > 1 ? cpus - 1 : null, 'the load generator gets the last CPU beside a one-core image');
  t.equal(loadGeneratorCpu('spread'), null);
});

t.test('the affinity of the test thread lists the CPUs it may use', async (t) => {
  const mine = currentThreadCpus();
  t.ok(mine !== null && mine.length >= 1 && mine.every((c) => Number.isInteger(c) && c >= 0), `CPUs ${mine?.join(',')}`);
});

t.test('a parking compartment pinned to one CPU runs in SCHED_BATCH; yielding, spinning or unpinned ones keep SCHED_OTHER', async (t) => {
  const parked = await report({ mode: 'pinned', cpu: 0, policy: 'park' });
  t.ok(parked.pinned, 'taskset pinned the worker');
  t.same(parked.cpus, [0], 'its affinity is CPU 0 alone');
  t.equal(parked.scheduling, 'batch');
  t.equal(parked.linuxPolicy, 3, '/proc says SCHED_BATCH');
  const yielding = await report({ mode: 'pinned', cpu: 0, policy: 'yield' });
  t.same([yielding.scheduling, yielding.linuxPolicy], ['normal', 0], 'a yielding one keeps SCHED_OTHER (it must preempt a hog when woken)');
  const spinning = await report({ mode: 'pinned', cpu: 0, policy: 'spin' });
  t.same([spinning.scheduling, spinning.linuxPolicy], ['normal', 0], 'a spinner keeps SCHED_OTHER');
  const loose = await report({ mode: 'pinned', cpu: null, policy: 'park' });
  t.same([loose.pinned, loose.scheduling, loose.linuxPolicy], [false, 'normal', 0], 'an unpinned parker keeps SCHED_OTHER');
});

t.test('pinProcess: every thread of the process, helper threads included, and threads started later', { skip: cpus < 2 ? 'needs two CPUs' : false }, async (t) => {
  const { execFile } = await import('node:child_process');
  const pinning = new URL('../../../compartments/runtime/pinning.js', import.meta.url).href;
  // A child process, so that this test runner keeps its own affinity.
  const script = `
    import { pinProcess } from ${JSON.stringify(pinning)};
    import { readdirSync, readFileSync } from 'node:fs';
    import { Worker } from 'node:worker_threads';
    const cpus = () => readdirSync('/proc/self/task').map((tid) => /^Cpus_allowed_list:\\s*(\\S+)/m.exec(readFileSync('/proc/self/task/' + tid + '/status', 'utf8'))[1]);
    const ok = pinProcess(1);
    const before = cpus();
    const worker = new Worker('setTimeout(() => {}, 500)', { eval: true });
    await new Promise((r) => worker.once('online', r));
    const after = cpus();
    await worker.terminate();
    console.log(JSON.stringify({ ok, before, after }));`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const { ok, before, after } = JSON.parse(out) as { ok: boolean; before: string[]; after: string[] };
  t.ok(ok, 'taskset pinned the process');
  t.ok(before.length > 1, `the process has helper threads (${before.length})`);
  t.ok(before.every((c) => c === '1'), `every thread on CPU 1: ${before.join(' ')}`);
  t.ok(after.length > before.length && after.every((c) => c === '1'), 'a worker started later inherits it');
});
