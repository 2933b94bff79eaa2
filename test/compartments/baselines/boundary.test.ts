// The baselines' boundaries in the image build and in a booted machine: which gate each crossing
// takes, what each side maps, that a wild access across a Linux, seL4 or CubicleOS boundary faults
// while Unikraft has none, and how the configuration prices the boundary (Fig. 11, seL4's figures).

import t from 'tap';
import { GateCalleeError, ConfigError } from '../../../kernel/abi/errors.js';
import { buildImage, mayMap } from '../../../compartments/host/image.js';
import { Machine } from '../../../compartments/host/host.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { crossingKind, isBaseline } from '../../../compartments/baselines/boundary.js';
import { gateCyclesOf } from '../../../compartments/model/cost-model.js';
import { DEFAULT_BOUNDARY_CYCLES, SEL4_IPC_CYCLES, SYSCALL_CYCLES } from '../../../kernel/abi/schema.js';
import { SHARED_KEY } from '../../../shm/region.js';
import { fixtureRegistry as registry, fixtureYaml } from '../../fixtures/libs/registry.js';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const config = (driver: string, placement: Record<string, string>, extra = SMALL) => parseConfiguration(fixtureYaml(driver, placement, extra), { registry });

t.test('each baseline crosses with its own gate; libraries every domain links are function calls', async (t) => {
  t.ok(isBaseline('linux') && isBaseline('unikraft') && !isBaseline('vmept'));
  t.equal(crossingKind('linux', 'vfscore'), 'syscall');
  t.equal(crossingKind('linux', 'newlib'), 'function', 'the kernel has its own memcpy');
  t.equal(crossingKind('linux', 'uktime'), 'function', 'user space reads the time through the vDSO');
  t.equal(crossingKind('sel4', 'uktime'), 'ipc', 'seL4: the timer is a service');
  t.equal(crossingKind('sel4', 'newlib'), 'function');
  t.equal(crossingKind('cubicleos', 'newlib'), 'cubicle', 'CubicleOS: every cross-cubicle call takes the trampoline');
  const image = buildImage(loadPreset('sqlite-cubicleos-mpk3', { registry: libraryRegistry }), { registry: libraryRegistry });
  const open = image.imports.find((i) => i.caller === 'sqlite' && i.callee === 'vfscore' && i.fn === 'pwrite');
  t.equal(open?.kind, 'cubicle');
  t.equal(image.edges[open?.windowEdge ?? -1]?.kind, 'pkru-window', 'a call passing a buffer has an edge counting its window operations');
});

t.test('what each side maps: Linux and seL4 own memory plus shared, CubicleOS its key plus 15, Unikraft everything', async (t) => {
  const three = { alpha: 'a', beta: 'b', gamma: 'c' };
  for (const driver of ['sel4', 'linux'] as const) {
    const image = buildImage(config(driver, driver === 'linux' ? { alpha: 'a', beta: 'b', gamma: 'b' } : three), { registry });
    for (const c of image.compartments) for (const r of image.regions) t.equal(mayMap(image, c, r), r.owner === c.index || r.key === SHARED_KEY, `${driver} ${c.name} ${r.name}`);
  }
  const cubicle = buildImage(config('cubicleos', three), { registry });
  for (const c of cubicle.compartments) for (const r of cubicle.regions) t.equal(mayMap(cubicle, c, r), r.key === c.key || r.key === SHARED_KEY, `cubicleos ${c.name} ${r.name}`);
  const unikraft = buildImage(config('unikraft', { alpha: 'a', beta: 'a', gamma: 'a' }), { registry });
  t.equal(unikraft.edges.length, 0, 'Unikraft: no gate at all');
  t.ok(unikraft.regions.every((r) => mayMap(unikraft, unikraft.compartments[0]!, r)));
});

t.test('booted: a wild access across a Linux, seL4 or CubicleOS boundary faults; Unikraft has no boundary', async (t) => {
  const cases = [
    ['linux', { alpha: 'a', beta: 'b', gamma: 'b' }, true],
    ['sel4', { alpha: 'a', beta: 'b', gamma: 'c' }, true],
    ['cubicleos', { alpha: 'a', beta: 'b', gamma: 'c' }, true],
    ['unikraft', { alpha: 'a', beta: 'a', gamma: 'a' }, false],
  ] as const;
  for (const [driver, placement, isolated] of cases) {
    const machine = await Machine.boot(config(driver, placement), { registry });
    t.teardown(() => machine.shutdown());
    t.equal(await machine.run('alpha', 'passShared'), 136, `${driver}: the shared heap crosses`);
    if (!isolated) {
      t.equal(await machine.run('alpha', 'passPrivate'), 136, `${driver}: no boundary, the private heap is readable`);
      continue;
    }
    const error = await machine.run('alpha', 'passPrivate').then(() => undefined, (e: unknown) => e as GateCalleeError);
    t.type(error, GateCalleeError, `${driver}: beta reading alpha's private heap fails`);
    t.equal(error?.remoteCode, 'FLEXOS_ERR_PROTECTION_FAULT', `${driver}: a protection fault`);
    t.equal(await machine.run('alpha', 'passShared'), 136, `${driver}: the machine still works after the fault`);
  }
});

t.test('the configuration prices the boundary: Fig. 11 syscalls with or without KPTI, seL4 call + reply', async (t) => {
  const linux = config('linux', { alpha: 'a', beta: 'b', gamma: 'b' });
  t.equal(gateCyclesOf(linux.costModel, 'syscall'), SYSCALL_CYCLES.kpti, 'KPTI by default, as the paper measured');
  const noKpti = config('linux', { alpha: 'a', beta: 'b', gamma: 'b' }, `${SMALL}\ncost_model: {kpti: false}`);
  t.equal(gateCyclesOf(noKpti.costModel, 'syscall'), 146);
  const sel4 = config('sel4', { alpha: 'a', beta: 'b', gamma: 'c' });
  t.equal(gateCyclesOf(sel4.costModel, 'ipc'), SEL4_IPC_CYCLES.call + SEL4_IPC_CYCLES.reply);
  t.equal(gateCyclesOf(sel4.costModel, 'function'), 2);
  const cubicle = config('cubicleos', { alpha: 'a', beta: 'b', gamma: 'c' }, `${SMALL}\ncost_model: {gate_cycles: {pkru-window: 40}}`);
  t.equal(gateCyclesOf(cubicle.costModel, 'pkru-window'), 40, 'a window operation\'s cost can be set');
  t.equal(gateCyclesOf(cubicle.costModel, 'cubicle'), DEFAULT_BOUNDARY_CYCLES.cubicle);
  const flexos = config('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' });
  t.equal(flexos.costModel.boundaryCycles, undefined, 'a FlexOS image carries no baseline prices');
  t.throws(() => gateCyclesOf(flexos.costModel, 'syscall'), TypeError);
  t.throws(() => config('vmept', { alpha: 'a', beta: 'b', gamma: 'c' }, `${SMALL}\ncost_model: {kpti: false}`), ConfigError, 'kpti only prices a Linux image');
  t.throws(() => config('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }, `${SMALL}\ncost_model: {gate_cycles: {syscall: 1}}`), ConfigError, 'a FlexOS image refuses baseline cycles');
});

t.test('Unikraft is one image and Linux two sides: more compartments are refused', async (t) => {
  t.throws(() => config('unikraft', { alpha: 'a', beta: 'b', gamma: 'b' }), ConfigError);
  t.throws(() => config('linux', { alpha: 'a', beta: 'b', gamma: 'c' }), ConfigError);
});
