// The gate side of compartments/runtime/runtime.ts in one thread: one compartment booted on this
// thread with its real libraries, the others played by GateCallees from the fake doorbell wait:
// imports as gates or direct calls, callbacks, the idle loop, function pointers.

import t from 'tap';
import { CompartmentRuntime } from '../../../compartments/runtime/runtime.js';
import { GateCallee, type ExportedFunction } from '../../../compartments/gates/callee.js';
import { CrossingCounters } from '../../../compartments/gates/crossings.js';
import { G_CONTROL, G_SHUTDOWN, H_PENDING, STATE_CALLED, STATE_RETURNED, STATE_THREW } from '../../../compartments/gates/protocol.js';
import { buildImage, mayMap, type Image } from '../../../compartments/host/image.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { createRegion, describe } from '../../../shm/region.js';
import { RegionHeap } from '../../../shm/heap.js';
import { GateCalleeError } from '../../../kernel/abi/errors.js';
import type { LibraryRegistry } from '../../../kernel/abi/library.js';
import type { GateFunction } from '../../../kernel/abi/context.js';
import { fixtureRegistry, fixtureYaml } from '../../fixtures/libs/registry.js';
import { hardeningRegistry, hardeningYaml } from '../../fixtures/hardening/registry.js';
import { FakeDoorbell, RpcRegion, memoryOf } from '../gates/one-thread.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';

/** A compartment that is not booted: a GateCallee serving `impls` (library.fn -> function) under the image's function ids. */
function peerOf(rpc: RpcRegion, image: Image, impls: Record<string, GateFunction>): GateCallee {
  const functions: (ExportedFunction | undefined)[] = [];
  for (const e of image.exports) {
    const impl = impls[`${e.library}.${e.fn}`];
    if (impl) functions[e.id] = { library: e.library, fn: e.fn, impl };
  }
  return new GateCallee(rpc.buffer, { functions, memory: memoryOf('peer') });
}

/**
 * Boots the compartment holding `library` on this thread. Its gate waits run `onCall` (the other
 * side's move); its idle waits end at once as if the host sent a control message, and resolve `idle()`.
 */
async function bootOne(yaml: string, registry: LibraryRegistry, library: string) {
  const image = buildImage(parseConfiguration(yaml, { registry }), { registry });
  const regions = image.regions.map((d) => createRegion(d));
  for (const r of regions) if (r.kind === 'heap' || r.kind === 'shared-heap') RegionHeap.format(r);
  const me = image.compartments.find((c) => c.libraries.includes(library))!;
  const rpc = new RpcRegion(regions.find((r) => r.kind === 'rpc')!.buffer);
  const counters = new CrossingCounters(image.edges);
  let idleWaiters: (() => void)[] = [];
  const onCall = { step: (_n: number): void => {} };
  let callWaits = 0;
  const doorbell = new FakeDoorbell((_n, call) => {
    if (call.watch === undefined) {
      Atomics.add(rpc.words, G_CONTROL, 1);
      const waiting = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiting) resolve();
    } else onCall.step(callWaits++);
  });
  const runtime = new CompartmentRuntime({
    image, self: me.index, table: regions.map(describe), counters: counters.buffer, devices: {}, cpu: null, maxSpinners: 1,
    buffers: new Map(regions.filter((r) => mayMap(image, me, r)).map((r) => [r.id, r.buffer])),
  }, { wait: doorbell });
  const api = runtime.controlApi();
  const booted = await api.boot();
  for (const l of booted) api.init(l);
  const index = (lib: string): number => image.compartments.find((c) => c.libraries.includes(lib))!.index;
  const fnId = (lib: string, fn: string): number => image.exports.find((e) => e.library === lib && e.fn === fn)!.id;
  return {
    image, rpc, counters, runtime, api, booted, index, fnId, doorbell,
    /** The other side's moves while this compartment waits on a gate, numbered from 0 per call of onCall. */
    onCall(step: (n: number) => void): void {
      callWaits = 0;
      onCall.step = step;
    },
    /** Resolves at this compartment's next idle wait: by then its idle loop served what was pending. */
    idle: (): Promise<void> => new Promise((resolve) => idleWaiters.push(resolve)),
    stop(): void {
      api.stop();
      Atomics.store(rpc.words, G_SHUTDOWN, 1);
    },
  };
}

const crossings = (counters: CrossingCounters) => Object.fromEntries(counters.rows().map((r) => [`${r.caller}>${r.callee}`, r.count]));

t.test('an import from another compartment is a gate to its compartment and function id, counted on its edge', async (t) => {
  const a = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
  t.teardown(() => a.stop());
  t.same(a.booted, ['alpha'], 'the compartment loads only its own libraries');
  const B = a.index('beta');
  const seen: { from: number; to: number; fn: number; args: number[] }[] = [];
  const beta = peerOf(a.rpc, a.image, { 'beta.empty': () => 0, 'beta.add': (x = 0, y = 0) => x + y });
  a.onCall(() => {
    const index = a.rpc.claim(B) - 1;
    const { from, to, fn, args } = a.rpc.block(a.index('alpha'), 0);
    seen.push({ from, to, fn, args });
    beta.serve(index);
  });
  t.equal(a.api.run('alpha', 'pingBeta', [2]), 3, 'pingBeta(2): two empty gates, then add(2, 1)');
  const call = (fn: string, args: number[]) => ({ from: a.index('alpha'), to: B, fn: a.fnId('beta', fn), args });
  t.same(seen, [call('empty', []), call('empty', []), call('add', [2, 1])], 'each gate names the callee\'s compartment and the image\'s function id');
  t.same(crossings(a.counters), { 'alpha>beta': 3 });
});

t.test('another compartment\'s imports: each gate goes to its callee\'s compartment, counted on its own edge', async (t) => {
  // beta in the last compartment, gamma before it: the callee is not simply "the next one".
  const b = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'c', gamma: 'b' }, SMALL), fixtureRegistry, 'beta');
  t.teardown(() => b.stop());
  const [B, C] = [b.index('beta'), b.index('gamma')];
  t.same([B, C], [3, 2]);
  const gamma = peerOf(b.rpc, b.image, { 'gamma.hop': (i = 0) => i * 2 });
  const posted: { to: number; fn: number }[] = [];
  b.onCall(() => {
    const { to, fn } = b.rpc.block(B, 0);
    posted.push({ to, fn });
    gamma.serve(b.rpc.claim(C) - 1);
  });
  t.equal(b.api.run('beta', 'hop', [5]), 11, 'beta.hop(5) = gamma.hop(5) + 1');
  t.same(posted, [{ to: C, fn: b.fnId('gamma', 'hop') }]);
  t.same(crossings(b.counters), { 'beta>gamma': 1 }, 'on the beta>gamma edge');
});

t.test('an import inside the compartment is a direct call: nothing is posted, nothing counted', async (t) => {
  const a = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'a', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
  t.teardown(() => a.stop());
  t.same(a.booted, ['alpha', 'beta']);
  a.onCall(() => t.fail('no gate wait'));
  t.equal(a.api.run('alpha', 'pingBeta', [2]), 3);
  t.same(crossings(a.counters), {});
  t.equal(a.doorbell.calls.filter((c) => c.watch !== undefined).length, 0);
});

t.test('a callee\'s error comes back through run() as a GateCalleeError', async (t) => {
  const a = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
  t.teardown(() => a.stop());
  const beta = peerOf(a.rpc, a.image, { 'beta.throws': () => { throw new RangeError('beta failed on purpose'); } });
  a.onCall(() => beta.serve(a.rpc.claim(a.index('beta')) - 1));
  t.throws(() => a.api.run('alpha', 'callThrows', []), new GateCalleeError('beta', 'throws', 'RangeError', 'beta failed on purpose'));
  t.throws(() => a.api.run('alpha', 'nope', []), { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: 'alpha does not export nope' });
});

for (const driver of ['intel-pku', 'vmept'] as const) {
  t.test(`${driver}: a float passed to a gate ${driver === 'vmept' ? 'is refused before it is posted' : 'crosses'}`, async (t) => {
    const a = await bootOne(fixtureYaml(driver, { alpha: 'a', beta: 'b', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
    t.teardown(() => a.stop());
    const got: number[][] = [];
    const beta = peerOf(a.rpc, a.image, { 'beta.add': (x = 0, y = 0) => (got.push([x, y]), x + y) });
    a.onCall(() => beta.serve(a.rpc.claim(a.index('beta')) - 1));
    if (driver === 'vmept') {
      t.throws(() => a.api.run('alpha', 'callWithDouble', []), { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: 'beta.add: argument 1 is 1.5; an EPT gate carries integers and addresses only' });
      t.same([got, a.rpc.header(a.index('beta'), H_PENDING)], [[], 0], 'nothing reached beta');
    } else {
      t.equal(a.api.run('alpha', 'callWithDouble', []), 2.5);
      t.same(got, [[1.5, 1]]);
    }
  });
}

t.test('a callback arriving while a gate waits is served by the export table built at boot', async (t) => {
  // alpha.stress(n): alpha -> beta.step(i) -> gamma -> alpha.onCallback(i) (here gamma posts it), i in order.
  const a = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
  t.teardown(() => a.stop());
  const [A, B, C] = [a.index('alpha'), a.index('beta'), a.index('gamma')];
  let open = -1;
  const callbacks: number[] = [];
  a.onCall(() => {
    const token = a.rpc.claim(B);
    if (token !== 0) {
      // A new beta.step(i): gamma's callback goes to alpha before the step is answered.
      open = token - 1;
      const i = a.rpc.block(A, 0).args[0] ?? -1;
      a.rpc.post({ from: C, to: A, fnId: a.fnId('alpha', 'onCallback'), args: [i] });
      return;
    }
    const back = a.rpc.block(C, 0);
    callbacks.push(back.state === STATE_RETURNED ? back.value : NaN);
    a.rpc.answer(open, back.value + 2); // beta.step adds 1, gamma.step adds 1
  });
  t.equal(a.api.run('alpha', 'stress', [4]), 0, 'stress(4): every step and callback as expected, in order, once each');
  t.same(callbacks, [1, 4, 7, 10], 'onCallback(i) = 3i + 1 came back to gamma each time');
  t.equal(a.runtime.status().served, 4, 'the status counts the calls this compartment served');
});

t.test('the idle loop serves calls posted to an idle compartment, and answers an unknown function id with an error', async (t) => {
  const a = await bootOne(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }, SMALL), fixtureRegistry, 'alpha');
  t.teardown(() => a.stop());
  const [A, B] = [a.index('alpha'), a.index('beta')];
  a.rpc.post({ from: B, to: A, fnId: a.fnId('alpha', 'onCallback'), args: [0] });
  t.equal(a.rpc.block(B, 0).state, STATE_CALLED);
  await a.idle();
  t.match(a.rpc.block(B, 0), { state: STATE_RETURNED, value: 1 }, 'served by the idle loop');
  t.equal(a.rpc.header(A, H_PENDING), 0, 'and claimed');

  a.rpc.post({ from: B, to: A, fnId: a.fnId('beta', 'add'), args: [1, 2] });
  await a.idle();
  t.match(a.rpc.block(B, 0), { state: STATE_THREW, error: `FLEXOS_ERR_BAD_ARGUMENT\nno function ${a.fnId('beta', 'add')} is exported by this compartment` }, 'a function of another compartment is not served here');
});

t.test('function pointers: one into another compartment is a gate with its two arguments; a bad one is refused', async (t) => {
  const a = await bootOne(hardeningYaml([]), hardeningRegistry, 'buggy');
  t.teardown(() => a.stop());
  const peer = peerOf(a.rpc, a.image, { 'peer.target': (x = 0, y = 0) => x * 10 + y });
  const posted: number[] = [];
  a.onCall(() => {
    posted.push(a.rpc.block(a.index('buggy'), 0).fn);
    peer.serve(a.rpc.claim(a.index('peer')) - 1);
  });
  const target = a.fnId('peer', 'target');
  t.equal(a.api.run('buggy', 'callPointer', [target]), 42, 'peer.target(4, 2) through a gate');
  t.same(posted, [target], 'the pointer is the function id');
  t.same(crossings(a.counters), { 'buggy>peer': 1 });
  t.equal(a.api.run('buggy', 'callPointer', [a.fnId('buggy', 'intOverflow')]), 6, 'a pointer into this compartment: a direct call');
  t.equal(posted.length, 1);
  for (const bad of [a.fnId('buggy', 'peerTarget'), -1, 1.5, a.image.exports.length]) {
    t.throws(() => a.api.run('buggy', 'callPointer', [bad]), { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: `buggy: ${bad} is not a valid function pointer (an exported function taking (int, int))` }, `${bad}: refused`);
  }
  t.equal(posted.length, 1, 'nothing posted for a bad pointer');
});

t.test('a runtime handed a compartment the image does not have fails to boot, naming it', async (t) => {
  const registry = fixtureRegistry;
  const image = buildImage(parseConfiguration(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b' }, SMALL), { registry }), { registry });
  const base = { image, table: [], buffers: new Map(), counters: new CrossingCounters(image.edges).buffer, devices: {}, cpu: null, maxSpinners: 1 };
  t.throws(() => new CompartmentRuntime({ ...base, self: 9 }), { code: 'FLEXOS_ERR_BOOT', message: 'compartment 9 is not in the image' });
  t.throws(() => new CompartmentRuntime({ ...base, self: 1 }), { code: 'FLEXOS_ERR_BOOT', message: 'compartment a was not handed region heap.a' });
});
