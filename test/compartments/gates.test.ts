// Gates across real compartment workers: the same library code gives the same results under every
// mechanism and stack strategy; a callee's exception, a callee that never returns and a float on
// an EPT gate each fail the call with the right error, and the machine still shuts down.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { Machine } from '../../compartments/host.js';
import { parseConfiguration } from '../../compartments/config/parse.js';
import { RegionHeap } from '../../shm/heap.js';
import type { FlexosError, GateCalleeError } from '../../compartments/errors.js';
import { fixtureRegistry as registry, fixtureYaml } from '../fixtures/libs/registry.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const THREE = { alpha: 'a', beta: 'b', gamma: 'c' };
const boot = (driver: string, extra = '', placement: Record<string, string> = THREE, stopGraceMs?: number) =>
  Machine.boot(parseConfiguration(fixtureYaml(driver, placement, extra), { registry }), { registry, ...(stopGraceMs === undefined ? {} : { stopGraceMs }) });
const threads = (): number => readdirSync('/proc/self/task').length;
const failure = <E = FlexosError>(p: Promise<unknown>): Promise<E | undefined> => p.then(() => undefined, (e: unknown) => e as E);
/** sum of 1..n: what beta.sum reads back from a buffer alpha filled with 1, 2, ..., n. */
const triangle = (n: number) => (n * (n + 1)) / 2;
/** alpha.chain(n): each hop(i) comes back as i + 3 through beta -> gamma -> beta. */
const chainOf = (n: number) => (n * (n - 1)) / 2 + 3 * n;

const MECHANISMS = [
  ['fcalls', `${SMALL}`],
  ['intel-pku light', `sharing: {stack: shared, heap: 1MiB, shared_heap: 1MiB}`],
  ['intel-pku dss', `${SMALL}`],
  ['vmept', `${SMALL}`],
] as const;

t.test('gate results are correct under every mechanism', async (t) => {
  for (const [name, extra] of MECHANISMS) {
    const machine = await boot(name.split(' ')[0]!, extra);
    t.teardown(() => machine.shutdown());
    t.equal(await machine.run('alpha', 'pingBeta', [100]), 101, `${name}: 100 empty gates then add`);
    t.equal(await machine.run('alpha', 'chain', [40]), chainOf(40), `${name}: A -> B -> C -> B nested`);
    t.equal(await machine.run('alpha', 'stress', [300]), 0, `${name}: A -> B -> C -> A callbacks in order`);
    t.equal(await machine.run('alpha', 'shareViaStack', [64]), triangle(64), `${name}: shared stack data reaches the callee`);
    t.equal(await machine.run('gamma', 'step', [7]), 7 * 3 + 2, `${name}: an entry point in another compartment`);
    await machine.shutdown();
  }
});

t.test('the stack strategies run the same library code with identical results', async (t) => {
  const results: Record<string, number[]> = {};
  for (const [driver, stack] of [['intel-pku', 'shared'], ['intel-pku', 'dss'], ['intel-pku', 'heap'], ['vmept', 'heap'], ['vmept', 'dss']] as const) {
    const sharing = stack === 'shared' ? 'stack: shared' : `dss: ${stack === 'dss'}`;
    const machine = await boot(driver, `sharing: {${sharing}, heap: 1MiB, shared_heap: 1MiB}`);
    t.teardown(() => machine.shutdown());
    t.equal(machine.image.config.stack, stack, `${driver}: the ${stack} strategy`);
    const shared = machine.regions.find((r) => r.kind === 'shared-heap')!;
    const before = RegionHeap.attach(shared).stats();
    const label = `${driver} ${stack}`;
    results[label] = [];
    for (const n of [1, 17, 200]) results[label].push(await machine.run('alpha', 'shareViaStack', [n]));
    const after = RegionHeap.attach(shared).stats();
    t.equal(after.used, 0, `${label}: the shared heap is empty again`);
    t.equal(after.allocations - before.allocations, stack === 'heap' ? 3 : 0, `${label}: stack-to-heap allocates only under heap`);
    t.equal(after.frees - before.frees, after.allocations - before.allocations, `${label}: and frees on frame exit`);
    const local = await failure<GateCalleeError>(machine.run('alpha', 'shareLocal', [8]));
    if (stack === 'shared') t.equal(local, undefined, `${label}: a local on the shared stack is reachable`);
    else t.match(local?.message, /protection fault .* in region stack\.a \(key 0\) by library beta/, `${label}: a private stack local is not`);
    await machine.shutdown();
  }
  for (const label of Object.keys(results)) t.same(results[label], [1, triangle(17), triangle(200)], label);
});

t.test('an exception in the callee fails the gate with a GateCalleeError naming library and function', async (t) => {
  for (const [name, extra] of MECHANISMS) {
    const machine = await boot(name.split(' ')[0]!, extra);
    t.teardown(() => machine.shutdown());
    const error = await failure<GateCalleeError>(machine.run('alpha', 'callThrows'));
    t.equal(error?.name, 'GateCalleeError', `${name}: a GateCalleeError`);
    t.match(error?.message, 'beta.throws failed in its compartment: RangeError: beta failed on purpose', `${name}: names library, function and the remote error`);
    t.equal(error?.code, 'FLEXOS_ERR_GATE_CALLEE', `${name}: code survives the control plane`);
    t.equal(error?.remoteCode, 'RangeError', `${name}: remoteCode survives the control plane`);
    t.equal(error?.library, 'beta', `${name}: library survives the control plane`);
    t.equal(error?.fn, 'throws', `${name}: fn survives the control plane`);
    t.equal(await machine.run('alpha', 'pingBeta', [3]), 4, `${name}: the gate works again after the error`);
    await machine.shutdown();
  }
});

t.test('a callee that never returns times out the gate, and the machine still shuts down', async (t) => {
  const baseline = threads();
  const machine = await boot('intel-pku', `gates: {timeout_ms: 300}\n${SMALL}`, THREE, 200);
  t.teardown(() => machine.shutdown());
  const started = performance.now();
  const error = await failure(machine.run('alpha', 'callHangs'));
  const waited = performance.now() - started;
  t.equal(error?.name, 'GateTimeoutError');
  t.match(error?.message, /gate to beta\.hangs .* did not return within 300 ms/);
  t.equal(error?.code, 'FLEXOS_ERR_GATE_TIMEOUT', 'code survives the control plane');
  t.ok(waited >= 300, `waited the timeout (${waited.toFixed(0)} ms)`);
  await machine.shutdown();
  t.equal(threads(), baseline, 'the hung compartment was terminated');
});

t.test('an EPT gate refuses a non-integer argument at run time; MPK carries it', async (t) => {
  const ept = await boot('vmept', SMALL);
  t.teardown(() => ept.shutdown());
  const error = await failure(ept.run('alpha', 'callWithDouble'));
  t.match(error?.message, /beta\.add: argument 1 is 1\.5; an EPT gate carries integers and addresses only/);
  t.equal(error?.code, 'FLEXOS_ERR_BAD_ARGUMENT', 'code survives the control plane');
  t.equal(await ept.run('alpha', 'pingBeta', [2]), 3, 'the gate is still usable');
  await ept.shutdown();
  const mpk = await boot('intel-pku', SMALL);
  t.teardown(() => mpk.shutdown());
  t.equal(await mpk.run('alpha', 'callWithDouble'), 2.5);
});
