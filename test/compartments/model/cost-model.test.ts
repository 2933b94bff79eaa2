// The modelled clock by hand: compute (busy time minus the simulator's gate machinery) scaled to the
// reference CPU, plus each crossing's calibrated cycles at the stated clock.

import t from 'tap';
import { projectRun } from '../../../compartments/model/cost-model.js';
import { DEFAULT_GATE_CYCLES } from '../../../kernel/abi/schema.js';

const costModel = { cpu: 'Xeon Silver 4114', clockGhz: 2.2, gateCycles: DEFAULT_GATE_CYCLES };
const edge = (kind: 'mpk-dss' | 'ept', count: number) => ({ caller: 'redis', callee: 'lwip', kind, count, totalNs: 0, meanNs: 0 });

t.test('compute is busy time (wall minus wait and idle, per compartment) times the scale', async (t) => {
  const r = projectRun({
    requests: 1000,
    wallNs: 1e9,
    compartments: [{ compartment: 1, waitNs: 2e8, idleNs: 3e8 }, { compartment: 2, waitNs: 9e8, idleNs: 0 }],
    crossings: [],
    costModel,
    computeScale: 0.5,
  });
  t.equal(r.computeNs, (5e8 + 1e8) * 0.5);
  t.equal(r.gateNs, 0);
  t.equal(r.nsPerRequest, 3e5);
  t.equal(r.requestsPerSecond, 1e9 / 3e5);
  t.equal(r.machineryNs, 0);
});

t.test('each crossing is charged its cycles at the clock, and its machinery leaves the compute', async (t) => {
  const r = projectRun({
    requests: 100,
    wallNs: 1e6,
    compartments: [{ compartment: 1, waitNs: 0, idleNs: 0 }],
    crossings: [edge('mpk-dss', 50), edge('ept', 10)],
    costModel,
    computeScale: 1,
    gateMachineryNs: 1000,
  });
  t.equal(r.machineryNs, 60 * 1000, '60 crossings × 1000 ns of machinery');
  t.equal(r.computeNs, 1e6 - 60_000);
  t.equal(r.gateNs, (50 * 108 + 10 * 462) / 2.2);
  t.same(r.crossingsByKind, { 'mpk-dss': 50, ept: 10 });
  t.equal(r.gateShare, r.gateNs / (r.gateNs + r.computeNs));
});

t.test('the machinery taken out never exceeds the busy time', async (t) => {
  const r = projectRun({ requests: 1, wallNs: 1000, compartments: [{ compartment: 1, waitNs: 0, idleNs: 0 }], crossings: [edge('mpk-dss', 10)], costModel, computeScale: 1, gateMachineryNs: 1e6 });
  t.equal(r.computeNs, 0);
  t.equal(r.machineryNs, 1000);
});
