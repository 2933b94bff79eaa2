// The modelled clock: a run projected to FlexOS on the reference CPU from what the image did, not
// from how long the simulator took. Each library's counted work (kernel/abi/work.ts) is priced by the
// C kernels timed here (prices.ts) and slowed by its hardening as the compiler's instrumentation
// slows that C work; each gate crossing costs its Fig. 11 cycles; the host's TCP/IP work for the
// image is priced like a library's. Every input is reported, so the figure can be recomputed by hand.

import { WORK_KINDS, type WorkKind } from '../../kernel/abi/work.js';
import type { HardeningOption } from '../../kernel/abi/library.js';
import type { CostModelConfig } from '../../kernel/abi/schema.js';
import type { CrossingRow, GateKind } from '../gates/crossings.js';
import { HOST_ROW, type WorkRow } from '../runtime/work-counters.js';

/** A hardened library's work costs this many times its plain cost (1 for none). */
export type SlowdownOf = (library: string, options: readonly HardeningOption[]) => number;

export interface ModelInputs {
  /** Requests (or bytes, or statements) the window served: the divisor of the per-request figures. */
  readonly requests: number;
  readonly work: readonly WorkRow[];
  readonly crossings: readonly CrossingRow[];
  readonly costModel: CostModelConfig;
  /** Reference-CPU ns per unit of each kind (prices.ts, referencePrices). */
  readonly prices: Readonly<Record<WorkKind, number>>;
  /** Each library's hardening list, from the configuration. */
  readonly hardening: Readonly<Record<string, readonly HardeningOption[]>>;
  readonly slowdown: SlowdownOf;
}

export interface LibraryTime {
  readonly library: string;
  /** Modelled ns in the window, hardening included. */
  readonly ns: number;
  /** The factor its hardening multiplied its work by. */
  readonly hardening: number;
  /** ns per kind before hardening. */
  readonly byKind: Readonly<Partial<Record<WorkKind, number>>>;
}

export interface EdgeTime {
  readonly caller: string;
  readonly callee: string;
  readonly kind: GateKind;
  readonly crossings: number;
  readonly ns: number;
}

export interface ModelResult {
  /** The libraries' work (host TCP/IP work and gates apart). */
  readonly computeNs: number;
  readonly gateNs: number;
  /** The TCP/IP work the host did for the image (FlexOS's lwIP and virtio would do it). */
  readonly hostNs: number;
  readonly totalNs: number;
  readonly byLibrary: readonly LibraryTime[];
  readonly byEdge: readonly EdgeTime[];
  readonly gateCyclesByKind: Readonly<Partial<Record<GateKind, number>>>;
  readonly crossingsByKind: Readonly<Partial<Record<GateKind, number>>>;
  readonly nsPerRequest: number;
  readonly requestsPerSecond: number;
  /** Share of the modelled time spent in gates. */
  readonly gateShare: number;
}

/** The library whose work the host's TCP/IP row stands for. */
export const HOST_WORK_LIBRARY = 'lwip';

export function projectRun(inputs: ModelInputs): ModelResult {
  const byLibrary: LibraryTime[] = [];
  let computeNs = 0;
  let hostNs = 0;
  for (const row of inputs.work) {
    const byKind: Partial<Record<WorkKind, number>> = {};
    let plain = 0;
    for (const kind of WORK_KINDS) {
      const ns = row.work[kind] * inputs.prices[kind];
      if (ns !== 0) byKind[kind] = ns;
      plain += ns;
    }
    // The host's TCP/IP work is lwIP's in FlexOS: a hardened lwip makes it slower too.
    const owner = row.library === HOST_ROW ? HOST_WORK_LIBRARY : row.library;
    const options = inputs.hardening[owner] ?? [];
    const hardening = options.length === 0 ? 1 : inputs.slowdown(owner, options);
    const ns = plain * hardening;
    if (row.library === HOST_ROW) hostNs += ns;
    else computeNs += ns;
    byLibrary.push({ library: row.library, ns, hardening, byKind });
  }
  byLibrary.sort((a, b) => b.ns - a.ns);
  const gateCyclesByKind: Partial<Record<GateKind, number>> = {};
  const crossingsByKind: Partial<Record<GateKind, number>> = {};
  const byEdge: EdgeTime[] = [];
  let gateNs = 0;
  for (const row of inputs.crossings) {
    const cycles = row.count * gateCyclesOf(inputs.costModel, row.kind);
    gateCyclesByKind[row.kind] = (gateCyclesByKind[row.kind] ?? 0) + cycles;
    crossingsByKind[row.kind] = (crossingsByKind[row.kind] ?? 0) + row.count;
    const ns = cycles / inputs.costModel.clockGhz;
    gateNs += ns;
    byEdge.push({ caller: row.caller, callee: row.callee, kind: row.kind, crossings: row.count, ns });
  }
  byEdge.sort((a, b) => b.ns - a.ns);
  const totalNs = computeNs + gateNs + hostNs;
  const nsPerRequest = inputs.requests > 0 ? totalNs / inputs.requests : 0;
  return {
    computeNs,
    gateNs,
    hostNs,
    totalNs,
    byLibrary,
    byEdge,
    gateCyclesByKind,
    crossingsByKind,
    nsPerRequest,
    requestsPerSecond: nsPerRequest > 0 ? 1e9 / nsPerRequest : 0,
    gateShare: totalNs > 0 ? gateNs / totalNs : 0,
  };
}

/** The cycles one crossing of `kind` costs: Fig. 11's for FlexOS's gates, the baseline's boundary otherwise. */
export function gateCyclesOf(costModel: CostModelConfig, kind: GateKind): number {
  switch (kind) {
    case 'function':
    case 'mpk-light':
    case 'mpk-dss':
    case 'ept':
      return costModel.gateCycles[kind];
    default: {
      const cycles = costModel.boundaryCycles?.[kind];
      if (cycles === undefined) throw new TypeError(`a ${kind} crossing in an image whose cost model prices no baseline boundary (cost_model ${costModel.cpu})`);
      return cycles;
    }
  }
}

/** Each library's hardening list of a configuration, for ModelInputs.hardening. */
export function hardeningOf(config: { readonly libraries: readonly { readonly name: string; readonly hardening: readonly HardeningOption[] }[] }): Record<string, readonly HardeningOption[]> {
  return Object.fromEntries(config.libraries.map((l) => [l.name, l.hardening]));
}
