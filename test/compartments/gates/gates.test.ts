// Gates across real compartment workers: the same library code gives the same results under every
// mechanism and stack strategy; a callee's exception, a callee that never returns and a float on
// an EPT gate each fail the call with the right error, and the machine still shuts down.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { Machine } from '../../../compartments/host/host.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { RegionHeap } from '../../../shm/heap.js';
import type { GateKind } from '../../../compartments/gates/crossings.js';
import type { StackStrategy } from '../../../kernel/abi/schema.js';
import { FlexosError, GateCalleeError, GateTimeoutError } from '../../../kernel/abi/errors.js';
import { fixtureRegistry as registry, fixtureYaml } from '../../fixtures/libs/registry.js';

const THREE = { alpha: 'a', beta: 'b', gamma: 'c' };
const boot = (driver: string, extra: string, options: { placement?: Record<string, string>; stopGraceMs?: number } = {}) =>
  Machine.boot(parseConfiguration(fixtureYaml(driver, options.placement ?? THREE, extra), { registry }), {
    registry,
    ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
  });
const threads = (): number => readdirSync('/proc/self/task').length;
const failure = <E = FlexosError>(p: Promise<unknown>): Promise<E | undefined> => p.then(() => undefined, (e: unknown) => e as E);
/** Fails instead of hanging when `promise` has not settled within `ms` (a bound, not a coordination). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}
/** What beta.sum reads back from a buffer alpha filled with 1, 2, ..., n. */
const triangle = (n: number) => (n * (n + 1)) / 2;
/** alpha.chain(n): each hop(i) comes back as i + 3 through beta -> gamma -> beta. */
const chainOf = (n: number) => (n * (n - 1)) / 2 + 3 * n;

const IMAGES: readonly { name: string; driver: string; sharing: string; kind: GateKind; stack: StackStrategy }[] = [
  { name: 'fcalls', driver: 'fcalls', sharing: '', kind: 'function', stack: 'shared' },
  { name: 'intel-pku light', driver: 'intel-pku', sharing: 'stack: shared', kind: 'mpk-light', stack: 'shared' },
  { name: 'intel-pku dss', driver: 'intel-pku', sharing: 'dss: true', kind: 'mpk-dss', stack: 'dss' },
  { name: 'intel-pku stack-to-heap', driver: 'intel-pku', sharing: 'dss: false', kind: 'mpk-dss', stack: 'heap' },
  { name: 'vmept', driver: 'vmept', sharing: '', kind: 'ept', stack: 'heap' },
  { name: 'vmept dss', driver: 'vmept', sharing: 'dss: true', kind: 'ept', stack: 'dss' },
];
const SIZES = [1, 17, 200];

for (const image of IMAGES) {
  t.test(`${image.name}: gate results, shared stack data, callee errors`, async (t) => {
    const sharing = `sharing: {${image.sharing ? image.sharing + ', ' : ''}heap: 1MiB, shared_heap: 1MiB}`;
    const machine = await boot(image.driver, sharing);
    t.teardown(() => machine.shutdown());
    t.equal(machine.image.gateKind, image.kind, 'the gate of this image');
    t.equal(machine.image.config.stack, image.stack, 'the stack strategy of this image');

    t.equal(await machine.run('alpha', 'pingBeta', [100]), 101, '100 empty gates then add(100, 1)');
    t.equal(await machine.run('alpha', 'chain', [40]), chainOf(40), 'A -> B -> C -> B, nested');
    t.equal(await machine.run('alpha', 'stress', [300]), 0, 'A -> B -> C -> A callbacks, in order, once each');
    t.equal(await machine.run('gamma', 'step', [7]), 7 * 3 + 2, 'an entry point in another compartment');

    // The same library code under every strategy; only stack-to-heap touches the shared heap.
    const sharedHeap = RegionHeap.attach(machine.regions.find((r) => r.kind === 'shared-heap')!);
    const before = sharedHeap.stats();
    const results: number[] = [];
    for (const n of SIZES) results.push(await machine.run('alpha', 'shareViaStack', [n]));
    t.same(results, SIZES.map(triangle), 'data annotated shared reaches the callee');
    const after = sharedHeap.stats();
    t.equal(after.used, 0, 'the shared heap is empty again');
    t.equal(after.allocations - before.allocations, image.stack === 'heap' ? SIZES.length : 0, 'stack-to-heap allocates in the shared heap, the others do not');
    t.equal(after.frees - before.frees, after.allocations - before.allocations, 'and frees on frame exit');
    const local = await failure<GateCalleeError>(machine.run('alpha', 'shareLocal', [8]));
    if (image.stack === 'shared') t.equal(local, undefined, 'a local on the shared stack is reachable');
    else t.match(local?.message, /protection fault .* in region stack\.a \(key 0\) by library beta in compartment b/, 'a private stack local is not');

    const thrown = await failure<GateCalleeError>(machine.run('alpha', 'callThrows'));
    t.equal(thrown?.name, 'GateCalleeError', 'an exception in the callee: a GateCalleeError');
    t.type(thrown, GateCalleeError, 'of its class on the host side');
    t.match(thrown?.message, 'beta.throws failed in its compartment: RangeError: beta failed on purpose', 'naming library, function and the remote error');
    t.equal(thrown?.code, 'FLEXOS_ERR_GATE_CALLEE', 'code survives the control plane');
    t.equal(thrown?.remoteCode, 'RangeError', 'remoteCode survives the control plane');
    t.equal(thrown?.library, 'beta', 'library survives the control plane');
    t.equal(thrown?.fn, 'throws', 'fn survives the control plane');
    t.equal(await machine.run('alpha', 'pingBeta', [3]), 4, 'the gate works again after the error');

    // FlexOS refuses floats on EPT gates at build time; a float passed where an int is declared is caught at run time.
    if (image.kind === 'ept') {
      const refused = await failure(machine.run('alpha', 'callWithDouble'));
      t.match(refused?.message, /beta\.add: argument 1 is 1\.5; an EPT gate carries integers and addresses only/, 'a float on an EPT gate is refused');
      t.equal(refused?.code, 'FLEXOS_ERR_BAD_ARGUMENT', 'code survives the control plane');
      t.type(refused, FlexosError);
    } else {
      t.equal(await machine.run('alpha', 'callWithDouble'), 2.5, 'a float crosses a non-EPT gate');
    }
    t.equal(await machine.run('alpha', 'pingBeta', [2]), 3, 'still usable');
    await machine.shutdown();
  });
}

t.test('a callee that never returns times out the gate, and the machine still shuts down', async (t) => {
  const baseline = threads();
  const machine = await boot('intel-pku', 'gates: {timeout_ms: 300}\nsharing: {heap: 1MiB, shared_heap: 1MiB}', {
    placement: { alpha: 'a', beta: 'b', gamma: 'b' },
    stopGraceMs: 200,
  });
  t.teardown(() => machine.shutdown());
  const started = performance.now();
  const error = await failure(machine.run('alpha', 'callHangs'));
  const waited = performance.now() - started;
  t.equal(error?.name, 'GateTimeoutError');
  t.type(error, GateTimeoutError, 'of its class on the host side');
  t.match(error?.message, /gate to beta\.hangs \(compartment 2\) did not return within 300 ms/);
  t.equal(error?.code, 'FLEXOS_ERR_GATE_TIMEOUT', 'code survives the control plane');
  t.ok(waited >= 300, `waited the timeout (${waited.toFixed(0)} ms)`);
  await within(machine.shutdown(), 10_000, 'shutdown with a hung compartment');
  t.equal(threads(), baseline, 'the hung compartment was terminated');
});
