// The modelled clock by hand: each library's counted work times the price of its kind, times its
// hardening slowdown; each crossing its Fig. 11 cycles at the stated clock; the host's TCP/IP row apart.

import t from 'tap';
import { hardeningOf, projectRun, type ModelInputs } from '../../../compartments/model/cost-model.js';
import { DEFAULT_BOUNDARY_CYCLES, DEFAULT_GATE_CYCLES } from '../../../kernel/abi/schema.js';
import { WORK_KINDS, type WorkKind } from '../../../kernel/abi/work.js';
import { HOST_ROW, type WorkRow } from '../../../compartments/runtime/work-counters.js';

const costModel = { cpu: 'Xeon Silver 4114', clockGhz: 2.2, gateCycles: DEFAULT_GATE_CYCLES };
const edge = (kind: 'mpk-dss' | 'ept', count: number) => ({ caller: 'redis', callee: 'lwip', kind, count, totalNs: 0, meanNs: 0 });
const zero = (): Record<WorkKind, number> => Object.fromEntries(WORK_KINDS.map((k) => [k, 0])) as Record<WorkKind, number>;
const row = (library: string, work: Partial<Record<WorkKind, number>>): WorkRow => ({ library, work: { ...zero(), ...work } });
const prices = { ...zero(), copy: 0.5, call: 2, segment: 10, checksum: 0.25 };

function inputs(over: Partial<ModelInputs>): ModelInputs {
  return { requests: 10, work: [], crossings: [], costModel, prices, hardening: {}, slowdown: () => 1, ...over };
}

t.test('work is priced per kind and attributed to its library; the per-request figures divide by requests', async (t) => {
  const r = projectRun(inputs({ work: [row('redis', { copy: 1000, call: 50 }), row('lwip', { copy: 200 })] }));
  t.equal(r.computeNs, 1000 * 0.5 + 50 * 2 + 200 * 0.5);
  t.same(r.byLibrary.map((l) => [l.library, l.ns]), [['redis', 600], ['lwip', 100]], 'busiest first');
  t.same(r.byLibrary[0]!.byKind, { copy: 500, call: 100 });
  t.equal(r.nsPerRequest, 70);
  t.equal(r.requestsPerSecond, 1e9 / 70);
  t.equal(r.gateNs, 0);
  t.equal(r.hostNs, 0);
});

t.test('each crossing is charged its Fig. 11 cycles at the clock, per edge', async (t) => {
  const r = projectRun(inputs({ crossings: [edge('mpk-dss', 100), edge('ept', 10)] }));
  t.ok(Math.abs(r.gateNs - (100 * 108 + 10 * 462) / 2.2) < 1e-9, `gate ns ${r.gateNs}`);
  t.same(r.crossingsByKind, { 'mpk-dss': 100, ept: 10 });
  t.same(r.byEdge.map((e) => [e.kind, e.crossings]), [['mpk-dss', 100], ['ept', 10]]);
  t.equal(r.gateShare, 1);
});

t.test('a hardened library pays its slowdown on its work, the others do not', async (t) => {
  const asked: string[] = [];
  const r = projectRun(inputs({
    work: [row('redis', { copy: 1000 }), row('lwip', { copy: 1000 }), row(HOST_ROW, { segment: 2, checksum: 100 })],
    hardening: { redis: ['kasan', 'ubsan'], lwip: [] },
    slowdown: (library, options) => (asked.push(`${library}:${options.join('+')}`), 1.5),
  }));
  t.same(asked, ['redis:kasan+ubsan']);
  t.equal(r.byLibrary.find((l) => l.library === 'redis')!.ns, 750);
  t.equal(r.byLibrary.find((l) => l.library === 'redis')!.hardening, 1.5);
  t.equal(r.byLibrary.find((l) => l.library === 'lwip')!.ns, 500);
  t.equal(r.hostNs, 2 * 10 + 100 * 0.25, 'the host TCP/IP work is its own line');
  t.equal(r.computeNs, 1250);
  t.equal(r.totalNs, 1250 + 45);
});

t.test("the host's TCP/IP row is lwIP's work: it pays lwip's hardening", async (t) => {
  const r = projectRun(inputs({ work: [row(HOST_ROW, { segment: 2 })], hardening: { lwip: ['kasan'] }, slowdown: (library) => (library === 'lwip' ? 3 : 1) }));
  t.equal(r.hostNs, 2 * 10 * 3);
  t.equal(r.byLibrary[0]!.hardening, 3);
});

t.test('the same counts give the same figure: nothing in the model reads a clock', async (t) => {
  const make = () => projectRun(inputs({ work: [row('redis', { copy: 123, hash: 7 })], crossings: [edge('mpk-dss', 3)] }));
  t.same(make(), make());
});

t.test('hardeningOf lists each library of a configuration with its options', async (t) => {
  t.same(hardeningOf({ libraries: [{ name: 'redis', hardening: ['kasan'] }, { name: 'lwip', hardening: [] }] }), { redis: ['kasan'], lwip: [] });
});

t.test('a baseline\'s crossings are charged its boundary\'s cycles: system calls, IPCs, trampolines and window operations', async (t) => {
  const baseline = { ...costModel, boundaryCycles: DEFAULT_BOUNDARY_CYCLES };
  const crossing = (kind: 'syscall' | 'ipc' | 'cubicle' | 'pkru-window', count: number) => ({ caller: 'sqlite', callee: 'vfscore', kind, count, totalNs: 0, meanNs: 0 });
  const r = projectRun(inputs({ costModel: baseline, crossings: [crossing('syscall', 26), crossing('ipc', 2), crossing('cubicle', 3), crossing('pkru-window', 4)] }));
  t.ok(Math.abs(r.gateNs - (26 * 470 + 2 * 1267 + 3 * 108 + 4 * 31) / 2.2) < 1e-9, `gate ns ${r.gateNs}`);
  t.same(r.crossingsByKind, { syscall: 26, ipc: 2, cubicle: 3, 'pkru-window': 4 });
  t.throws(() => projectRun(inputs({ crossings: [crossing('syscall', 1)] })), TypeError, 'a FlexOS cost model cannot price a system call');
});
