// The gate crossing matrix: one count and one time per edge, shared between the compartments that
// write it and the host that reads it; then, across real workers, exactly the calls made per edge,
// and the stress run: a million crossings, nested three deep with callbacks, none lost,
// duplicated or reordered, under the default wait policy, then shorter under spin, park, adaptive.

import t, { type Test } from 'tap';
import { CrossingCounters, type Edge } from '../../../compartments/gates/crossings.js';
import { Machine } from '../../../compartments/host/host.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { fixtureRegistry as registry, fixtureYaml } from '../../fixtures/libs/registry.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const boot = (placement: Record<string, string>, extra = SMALL) =>
  Machine.boot(parseConfiguration(fixtureYaml('intel-pku', placement, extra), { registry }), { registry });
const counts = (machine: Machine, before?: Float64Array) =>
  Object.fromEntries((before ? machine.counters.rowsSince(before) : machine.counters.rows()).map((r) => [`${r.caller}>${r.callee}`, r.count]));

t.test('counters: record, rows busiest first, snapshots, reset, one buffer for two views', async (t) => {
  const edges: Edge[] = [
    { caller: 'a', callee: 'b', kind: 'mpk-dss' },
    { caller: 'b', callee: 'c', kind: 'mpk-dss' },
    { caller: 'c', callee: 'a', kind: 'mpk-dss' },
  ];
  const host = new CrossingCounters(edges);
  const compartment = new CrossingCounters(edges, host.buffer);
  t.same(host.rows(), [], 'edges never crossed are left out');
  compartment.record(1, 100);
  compartment.record(1, 300);
  compartment.record(0, 50);
  t.same(host.rows(), [
    { caller: 'b', callee: 'c', kind: 'mpk-dss', count: 2, totalNs: 400, meanNs: 200 },
    { caller: 'a', callee: 'b', kind: 'mpk-dss', count: 1, totalNs: 50, meanNs: 50 },
  ], 'the host sees what the compartment wrote, busiest first');
  const mark = host.snapshot();
  compartment.record(2, 10);
  compartment.record(1, 20);
  t.same(host.rowsSince(mark).map((r) => [r.caller, r.count, r.totalNs]), [['b', 1, 20], ['c', 1, 10]], 'rowsSince subtracts the snapshot');
  host.reset();
  t.same(compartment.rows(), []);
  t.ok(new CrossingCounters([]).buffer.byteLength > 0, 'an image without gates still has a buffer');
});

t.test('booted: the counters count exactly the calls made, per edge', async (t) => {
  const machine = await boot({ alpha: 'a', beta: 'b', gamma: 'c' });
  t.teardown(() => machine.shutdown());
  let mark = machine.counters.snapshot();
  await machine.run('alpha', 'pingBeta', [50]);
  t.same(counts(machine, mark), { 'alpha>beta': 51 }, 'pingBeta(50): 50 empty + 1 add');
  mark = machine.counters.snapshot();
  await machine.run('alpha', 'chain', [10]);
  t.same(counts(machine, mark), { 'alpha>beta': 10, 'beta>gamma': 10, 'gamma>beta': 10 }, 'chain(10)');
  mark = machine.counters.snapshot();
  t.equal(await machine.run('alpha', 'stress', [25]), 0);
  t.same(counts(machine, mark), { 'alpha>beta': 25, 'beta>gamma': 25, 'gamma>alpha': 25 }, 'stress(25)');
  mark = machine.counters.snapshot();
  await machine.run('beta', 'add', [1, 2]);
  t.same(counts(machine, mark), {}, 'an entry point from the host is not a gate');
  const rows = machine.counters.rows();
  t.ok(rows.every((r) => r.kind === 'mpk-dss' && r.meanNs > 0), 'each row has its mechanism and a measured time');

  const merged = await boot({ alpha: 'a', beta: 'a', gamma: 'c' });
  t.teardown(() => merged.shutdown());
  await merged.run('alpha', 'pingBeta', [50]);
  t.same(counts(merged), {}, 'alpha and beta together: direct calls, no crossings');
  t.equal(await merged.run('alpha', 'stress', [25]), 0);
  t.same(counts(merged), { 'beta>gamma': 25, 'gamma>alpha': 25 });
});

t.test('a compartment asked for a collection runs it at a gate wait and publishes its retained heap', async (t) => {
  const machine = await boot({ alpha: 'a', beta: 'b', gamma: 'c' });
  t.teardown(() => machine.shutdown());
  const alpha = machine.image.compartments.find((c) => c.libraries.includes('alpha'))!.index;
  await machine.run('alpha', 'pingBeta', [10]);
  t.equal(machine.counters.collectsDone(alpha), 0, 'nothing collected unasked');
  t.equal(machine.counters.retainedHeap(alpha), 0);
  t.ok(machine.counters.heapUsed(alpha) > 0, 'the heap is published at a gate wait');
  machine.counters.askCollect(alpha);
  machine.counters.askCollect(alpha);
  t.equal(machine.counters.collectsAsked(alpha), 2);
  // Heaps are published at most every 200 ms of gate waits: cross until the request is served.
  const deadline = Date.now() + 20_000;
  while (machine.counters.collectsDone(alpha) < 2 && Date.now() < deadline) await machine.run('alpha', 'pingBeta', [500]);
  t.equal(machine.counters.collectsDone(alpha), 2, 'both requests served by one collection');
  const retained = machine.counters.retainedHeap(alpha);
  t.ok(retained > 1024 * 1024, `it published the heap it retains, a plausible size (${(retained / 1048576).toFixed(1)} MiB)`);
  await machine.run('alpha', 'pingBeta', [500]);
  t.equal(machine.counters.retainedHeap(alpha), retained, 'later unasked publications leave the retained figure alone');
});

/** Runs alpha.stress(n) and checks the errors and that each gate edge was crossed exactly n times. */
async function stress(t: Test, machine: Machine, n: number, options: { label: string; edges: readonly string[] }): Promise<void> {
  const mark = machine.counters.snapshot();
  const started = performance.now();
  const errors = await machine.run('alpha', 'stress', [n]);
  const ms = performance.now() - started;
  t.equal(errors, 0, `${options.label}: every result right, every callback once and in order`);
  t.same(counts(machine, mark), Object.fromEntries(options.edges.map((e) => [e, n])), `${options.label}: crossings counted exactly`);
  const crossings = n * options.edges.length;
  t.comment(`${options.label}: ${crossings} crossings in ${(ms / 1000).toFixed(1)} s (${((ms * 1000) / n).toFixed(1)} µs/iteration)`);
}

t.test('stress: a million crossings, three compartments, nested with callbacks, default policy', async (t) => {
  const machine = await boot({ alpha: 'a', beta: 'b', gamma: 'c' });
  t.teardown(() => machine.shutdown());
  t.equal(machine.image.config.gates.policy, 'yield', 'the default policy');
  const n = Math.ceil(1_000_000 / 3);
  await stress(t, machine, n, { label: 'default policy', edges: ['alpha>beta', 'beta>gamma', 'gamma>alpha'] });
  t.equal(machine.counters.rows().reduce((sum, r) => sum + r.count, 0), 3 * n, 'at least a million crossings in all');
});

t.test('stress, shorter, under each wait policy', async (t) => {
  const runs = [
    // Spinners need a core each: two compartments, spread over the cores.
    ['spin', { alpha: 'a', beta: 'b', gamma: 'b' }, 'spread', 2000, ['alpha>beta', 'gamma>alpha']],
    ['park', { alpha: 'a', beta: 'b', gamma: 'c' }, 'one-core', 10000, ['alpha>beta', 'beta>gamma', 'gamma>alpha']],
    ['adaptive', { alpha: 'a', beta: 'b', gamma: 'c' }, 'one-core', 10000, ['alpha>beta', 'beta>gamma', 'gamma>alpha']],
  ] as const;
  for (const [policy, placement, pin, n, edges] of runs) {
    const machine = await boot(placement, `gates: {policy: ${policy}, pin: ${pin}}\n${SMALL}`);
    t.teardown(() => machine.shutdown());
    t.equal(machine.image.config.gates.policy, policy);
    await stress(t, machine, n, { label: `${policy}, ${machine.image.compartments.length} compartments`, edges });
    await machine.shutdown();
  }
});
