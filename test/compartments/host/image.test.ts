// The image build: where each declared call goes (a direct call inside a compartment, the driver's
// gate across), what a gate may carry (exportsyms, vmept's 6 integer arguments), which regions are
// planned per stack strategy and which of them each compartment is handed (mayMap) — and, in a
// booted machine, that a compartment really cannot reach a heap it was not handed.

import t, { type Test } from 'tap';
import { BuildError, GateCalleeError } from '../../../kernel/abi/errors.js';
import { buildImage, gateKindOf, mayMap, type Image } from '../../../compartments/host/image.js';
import { Machine } from '../../../compartments/host/host.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { EPT_MAX_ARGS } from '../../../compartments/gates/protocol.js';
import { PKRU_ALLOW_ALL, pkruForKey } from '../../../shm/pkru.js';
import { SHARED_KEY } from '../../../shm/region.js';
import { fixtureRegistry as registry, fixtureYaml } from '../../fixtures/libs/registry.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const THREE = { alpha: 'a', beta: 'b', gamma: 'c' };
const config = (driver: string, placement: Record<string, string>, extra = '') =>
  parseConfiguration(fixtureYaml(driver, placement, extra), { registry });
const build = (driver: string, placement: Record<string, string>, extra = ''): Image => buildImage(config(driver, placement, extra), { registry });
const kindOf = (image: Image, caller: string, callee: string, fn: string) =>
  image.imports.find((i) => i.caller === caller && i.callee === callee && i.fn === fn)?.kind;

/** Expects the build to be refused with a BuildError whose message mentions every word. */
function refused(t: Test, make: () => unknown, words: (string | RegExp)[]): void {
  try {
    make();
    t.fail('built, expected a refusal');
  } catch (error) {
    t.ok(error instanceof BuildError, 'a BuildError');
    t.equal((error as BuildError).code, 'FLEXOS_ERR_BUILD');
    for (const w of words) t.match((error as Error).message, w);
  }
}

t.test('gateKindOf: the gate each driver and stack strategy uses', async (t) => {
  for (const stack of ['shared', 'dss', 'heap'] as const) {
    t.equal(gateKindOf('fcalls', stack), 'function');
    t.equal(gateKindOf('vmept', stack), 'ept');
  }
  t.equal(gateKindOf('intel-pku', 'shared'), 'mpk-light', 'shared stacks: MPK-light');
  t.equal(gateKindOf('intel-pku', 'dss'), 'mpk-dss');
  t.equal(gateKindOf('intel-pku', 'heap'), 'mpk-dss', 'private stacks without DSS: the full gate');
});

t.test('calls inside a compartment are direct; calls across take the gate of the driver', async (t) => {
  const cases = [
    ['intel-pku', '', 'mpk-dss'],
    ['intel-pku', 'sharing: {stack: shared}', 'mpk-light'],
    ['intel-pku', 'sharing: {dss: false}', 'mpk-dss'],
    ['vmept', '', 'ept'],
    ['fcalls', '', 'function'],
  ] as const;
  for (const [driver, extra, kind] of cases) {
    const image = build(driver, { alpha: 'a', beta: 'a', gamma: 'c' }, extra);
    t.equal(image.gateKind, kind, `${driver} ${extra}`);
    t.equal(kindOf(image, 'alpha', 'beta', 'add'), 'direct', `${driver}: alpha -> beta in one compartment`);
    t.equal(kindOf(image, 'beta', 'gamma', 'step'), kind, `${driver}: beta -> gamma across`);
    t.equal(kindOf(image, 'gamma', 'alpha', 'onCallback'), kind, `${driver}: gamma -> alpha across`);
    t.same(image.edges.map((e) => `${e.caller}>${e.callee}:${e.kind}`).sort(), [`beta>gamma:${kind}`, `gamma>alpha:${kind}`, `gamma>beta:${kind}`]);
    for (const i of image.imports) {
      if (i.kind === 'direct') t.equal(i.edge, -1, 'a direct call feeds no counter');
      else t.same(image.edges[i.edge], { caller: i.caller, callee: i.callee, kind }, `${i.caller} -> ${i.callee}.${i.fn} counted on its edge`);
    }
  }
  const one = build('intel-pku', { alpha: 'a', beta: 'a', gamma: 'a' });
  t.ok(one.imports.every((i) => i.kind === 'direct'), 'one compartment: every call is direct');
  t.same(one.edges, []);
});

t.test('exports are numbered; each names its library and compartment; keys and PKRUs follow the driver', async (t) => {
  const image = build('intel-pku', THREE);
  image.exports.forEach((e, i) => t.equal(e.id, i, 'id is the index'));
  const add = image.exports.find((e) => e.library === 'beta' && e.fn === 'add');
  t.equal(add?.compartment, 2);
  t.equal(image.imports.find((i) => i.caller === 'alpha' && i.fn === 'add')?.fnId, add?.id, 'an import points at the export');
  t.same(image.compartments.map((c) => [c.name, c.index, c.key, c.pkru, c.libraries]), [
    ['a', 1, 0, pkruForKey(0), ['alpha']],
    ['b', 2, 1, pkruForKey(1), ['beta']],
    ['c', 3, 2, pkruForKey(2), ['gamma']],
  ]);
  for (const driver of ['fcalls', 'vmept']) {
    t.ok(build(driver, THREE).compartments.every((c) => c.pkru === PKRU_ALLOW_ALL), `${driver}: no PKRU restriction`);
  }
});

t.test('a call to a function the callee does not export is refused', async (t) => {
  refused(t, () => build('intel-pku', { rogue: 'a', beta: 'b' }), ['rogue', 'beta.secret', /does not export/]);
  refused(t, () => build('intel-pku', { rogue: 'a', beta: 'a' }), ['beta.secret']);
  refused(t, () => build('fcalls', { rogue: 'a' }), ['beta.secret']);
});

t.test('a vmept gate carries at most 6 integer or address arguments', async (t) => {
  t.equal(EPT_MAX_ARGS, 6);
  refused(t, () => build('vmept', { wide: 'a', beta: 'b' }), ['wide -> beta.wide', /at most 6/, /takes 7/]);
  t.equal(kindOf(build('intel-pku', { wide: 'a', beta: 'b' }), 'wide', 'beta', 'wide'), 'mpk-dss', 'MPK passes the rest on the stack');
  t.equal(kindOf(build('vmept', { wide: 'a', beta: 'a' }), 'wide', 'beta', 'wide'), 'direct', 'inside one VM it is a plain call');
  refused(t, () => build('vmept', { floaty: 'a', beta: 'b' }), ['floaty -> beta.half', /double/, /integers and addresses only/]);
  t.equal(kindOf(build('intel-pku', { floaty: 'a', beta: 'b' }), 'floaty', 'beta', 'half'), 'mpk-dss', 'MPK carries a double');
  t.equal(kindOf(build('vmept', THREE), 'alpha', 'beta', 'sum'), 'ept', 'an addr argument crosses an EPT gate');
});

t.test('regions are planned per stack strategy', async (t) => {
  const plan = (image: Image) => image.regions.map((r) => `${r.name}:${r.kind}:${r.key}:${r.owner}`);
  const MiB = 1024 * 1024;
  const dss = build('intel-pku', { alpha: 'a', beta: 'b' }, 'sharing: {heap: 1MiB, shared_heap: 2MiB}');
  t.same(plan(dss), ['rpc:rpc:15:0', 'shared-heap:shared-heap:15:0', 'heap.a:heap:0:1', 'stack.a:stack:0:1', 'dss.a:dss:15:1', 'heap.b:heap:1:2', 'stack.b:stack:1:2', 'dss.b:dss:15:2']);
  const size = (image: Image, name: string) => image.regions.find((r) => r.name === name)?.size;
  t.equal(size(dss, 'heap.b'), MiB, 'sharing.heap');
  t.equal(size(dss, 'shared-heap'), 2 * MiB, 'sharing.shared_heap');
  t.equal(size(dss, 'dss.a'), size(dss, 'stack.a'), 'the shadow stack mirrors the private stack');
  t.same(dss.regions.map((r) => r.id), dss.regions.map((_, i) => i + 1), 'ids 1..n (0 is NULL)');
  t.same(plan(build('intel-pku', { alpha: 'a', beta: 'b' }, 'sharing: {stack: shared}')), ['rpc:rpc:15:0', 'shared-heap:shared-heap:15:0', 'stack.shared:stack:15:0', 'heap.a:heap:0:1', 'heap.b:heap:1:2']);
  t.same(plan(build('intel-pku', { alpha: 'a', beta: 'b' }, 'sharing: {dss: false}')), ['rpc:rpc:15:0', 'shared-heap:shared-heap:15:0', 'heap.a:heap:0:1', 'stack.a:stack:0:1', 'heap.b:heap:1:2', 'stack.b:stack:1:2']);
  t.same(plan(build('vmept', { alpha: 'a', beta: 'b' })), ['rpc:rpc:15:0', 'shared-heap:shared-heap:15:0', 'heap.a:heap:0:1', 'stack.a:stack:0:1', 'heap.b:heap:1:2', 'stack.b:stack:1:2'], 'vmept: stack-to-heap by default');
});

t.test('mayMap: intel-pku hands own key + key 15, vmept own + shared, fcalls everything', async (t) => {
  const handed = (image: Image, name: string) => {
    const c = image.compartments.find((x) => x.name === name)!;
    return image.regions.filter((r) => mayMap(image, c, r)).map((r) => r.name);
  };
  const pku = build('intel-pku', THREE);
  t.same(handed(pku, 'a'), ['rpc', 'shared-heap', 'heap.a', 'stack.a', 'dss.a', 'dss.b', 'dss.c']);
  t.same(handed(pku, 'b'), ['rpc', 'shared-heap', 'dss.a', 'heap.b', 'stack.b', 'dss.b', 'dss.c']);
  for (const c of pku.compartments) {
    for (const r of pku.regions) t.equal(mayMap(pku, c, r), r.key === c.key || r.key === SHARED_KEY, `intel-pku ${c.name} ${r.name}`);
  }
  const light = build('intel-pku', THREE, 'sharing: {stack: shared}');
  t.same(handed(light, 'c'), ['rpc', 'shared-heap', 'stack.shared', 'heap.c'], 'MPK-light: the one stack is shared');
  const ept = build('vmept', THREE);
  t.same(handed(ept, 'a'), ['rpc', 'shared-heap', 'heap.a', 'stack.a']);
  t.same(handed(ept, 'c'), ['rpc', 'shared-heap', 'heap.c', 'stack.c']);
  for (const c of ept.compartments) {
    for (const r of ept.regions) t.equal(mayMap(ept, c, r), r.owner === c.index || r.key === SHARED_KEY, `vmept ${c.name} ${r.name}`);
  }
  const none = build('fcalls', THREE);
  for (const c of none.compartments) t.equal(handed(none, c.name).length, none.regions.length, `fcalls ${c.name}: everything`);
});

t.test('booted: a compartment does not get another compartment\'s heap buffer', async (t) => {
  for (const [driver, isolated] of [['intel-pku', true], ['vmept', true], ['fcalls', false]] as const) {
    const machine = await Machine.boot(config(driver, THREE, SMALL), { registry });
    t.teardown(() => machine.shutdown());
    t.equal(await machine.run('alpha', 'passShared'), 136, `${driver}: the shared heap crosses`);
    if (!isolated) {
      t.equal(await machine.run('alpha', 'passPrivate'), 136, `${driver}: no isolation, the private heap is readable`);
      continue;
    }
    const error = await machine.run('alpha', 'passPrivate').then(
      () => undefined,
      (e: unknown) => e as GateCalleeError,
    );
    t.ok(error, `${driver}: beta reading alpha's private heap fails`);
    t.equal(error?.name, 'GateCalleeError', `${driver}: a GateCalleeError`);
    t.type(error, GateCalleeError, `${driver}: of its class on the host side`);
    t.match(error?.message, /beta\.sum/, 'names the callee function');
    t.match(error?.message, /heap\.a \(key 0\) by library beta in compartment b/, 'the protection fault names region, key, library and compartment');
    t.equal(error?.code, 'FLEXOS_ERR_GATE_CALLEE', `${driver}: code survives the control plane`);
    t.equal(error?.remoteCode, 'FLEXOS_ERR_PROTECTION_FAULT', `${driver}: remoteCode survives the control plane`);
    t.equal(await machine.run('alpha', 'passShared'), 136, `${driver}: the machine still works after the fault`);
  }
});
