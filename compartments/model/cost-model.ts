// The modelled clock: a run projected to FlexOS on the reference CPU. Each compartment's compute
// (its time neither waiting on a gate nor parked idle) is scaled to reference-CPU time, and each
// gate crossing is charged its calibrated hardware cost (FLEXOS.md, Fig. 11) at the stated clock.
// Every input is reported, so anyone can recompute the figure by hand.

import type { CostModelConfig } from '../../kernel/abi/schema.js';
import type { CompartmentTime, CrossingRow, GateKind } from '../gates/crossings.js';

export interface ModelInputs {
  readonly requests: number;
  readonly wallNs: number;
  readonly compartments: readonly CompartmentTime[];
  readonly crossings: readonly CrossingRow[];
  readonly costModel: CostModelConfig;
  /** Reference-CPU time per unit of JavaScript compute time (1 = unscaled). */
  readonly computeScale: number;
  /**
   * JavaScript busy time the simulator's own gate machinery costs per crossing (writing the control
   * block, the Atomics, the futex wake), measured by a gate microbenchmark: FlexOS does none of it,
   * so it is taken out of the compute before scaling; the crossing is charged its cycles instead.
   */
  readonly gateMachineryNs?: number;
}

export interface ModelResult {
  readonly computeNs: number;
  readonly gateNs: number;
  readonly gateCyclesByKind: Readonly<Partial<Record<GateKind, number>>>;
  readonly crossingsByKind: Readonly<Partial<Record<GateKind, number>>>;
  readonly nsPerRequest: number;
  readonly requestsPerSecond: number;
  /** Share of the modelled time spent in gates. */
  readonly gateShare: number;
  /** JavaScript busy time taken out as the simulator's gate machinery (crossings × gateMachineryNs). */
  readonly machineryNs: number;
}

export function projectRun(inputs: ModelInputs): ModelResult {
  const busyNs = inputs.compartments.reduce((sum, c) => sum + Math.max(0, inputs.wallNs - c.waitNs - c.idleNs), 0);
  const crossings = inputs.crossings.reduce((sum, row) => sum + row.count, 0);
  const machineryNs = Math.min(busyNs, crossings * (inputs.gateMachineryNs ?? 0));
  const computeNs = (busyNs - machineryNs) * inputs.computeScale;
  const cyclesPerNs = inputs.costModel.clockGhz;
  const gateCyclesByKind: Partial<Record<GateKind, number>> = {};
  const crossingsByKind: Partial<Record<GateKind, number>> = {};
  let gateCycles = 0;
  for (const row of inputs.crossings) {
    const cycles = row.count * inputs.costModel.gateCycles[row.kind];
    gateCycles += cycles;
    gateCyclesByKind[row.kind] = (gateCyclesByKind[row.kind] ?? 0) + cycles;
    crossingsByKind[row.kind] = (crossingsByKind[row.kind] ?? 0) + row.count;
  }
  const gateNs = gateCycles / cyclesPerNs;
  const totalNs = computeNs + gateNs;
  const nsPerRequest = inputs.requests > 0 ? totalNs / inputs.requests : 0;
  return {
    computeNs,
    gateNs,
    gateCyclesByKind,
    crossingsByKind,
    nsPerRequest,
    requestsPerSecond: nsPerRequest > 0 ? 1e9 / nsPerRequest : 0,
    gateShare: totalNs > 0 ? gateNs / totalNs : 0,
    machineryNs,
  };
}
