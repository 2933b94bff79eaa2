// CPU placement of compartment threads: which CPU each pin policy gives, the affinity /proc reports
// after pinning, and the scheduling class a Waiter asks for (SCHED_BATCH only for a parking
// compartment pinned to one CPU).

import t from 'tap';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { cpuFor, currentThreadCpus, loadGeneratorCpu } from '../../compartments/pinning.js';
import type { PinnedData } from '../fixtures/waiter-worker.js';

const fixture = new URL('../fixtures/waiter-worker.js', import.meta.url);
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

t.test('a parking compartment pinned to one CPU runs in SCHED_BATCH; spinning or unpinned ones keep SCHED_OTHER', async (t) => {
  const parked = await report({ mode: 'pinned', cpu: 0, policy: 'park' });
  t.ok(parked.pinned, 'taskset pinned the worker');
  t.same(parked.cpus, [0], 'its affinity is CPU 0 alone');
  t.equal(parked.scheduling, 'batch');
  t.equal(parked.linuxPolicy, 3, '/proc says SCHED_BATCH');
  const spinning = await report({ mode: 'pinned', cpu: 0, policy: 'spin' });
  t.same([spinning.scheduling, spinning.linuxPolicy], ['normal', 0], 'a spinner keeps SCHED_OTHER');
  const loose = await report({ mode: 'pinned', cpu: null, policy: 'park' });
  t.same([loose.pinned, loose.scheduling, loose.linuxPolicy], [false, 'normal', 0], 'an unpinned parker keeps SCHED_OTHER');
});
