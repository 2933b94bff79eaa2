// How every report shows the modelled clock: the time per request split by library, by gate edge
// and the host's TCP/IP work, then what each figure was priced with. The same lines and JSON for
// Redis, Nginx, iPerf (per MiB) and SQLite (per INSERT).

import type { Configuration } from '../../kernel/abi/schema.js';
import { gateCyclesOf, hardeningOf, projectRun, type ModelResult } from './cost-model.js';
import { boundaryJson, boundaryLines } from '../baselines/boundary-report.js';
import type { Window } from './window.js';
import { describePricing, pricingJson, type ModelPricing } from './pricing.js';
import { HOST_ROW, type WorkRow } from '../runtime/work-counters.js';

/** The modelled clock of one window (a run, or runs merged) of a configuration. */
export function modelWindow(config: Configuration, requests: number, w: Pick<Window, 'work' | 'crossings'>, pricing: ModelPricing): ModelResult {
  return projectRun({ requests, work: w.work, crossings: w.crossings, costModel: config.costModel, prices: pricing.prices, hardening: hardeningOf(config), slowdown: pricing.slowdown });
}

export interface PerUnit {
  /** Requests (bytes, statements) the model's window served. */
  readonly requests: number;
  /** Shown per this many requests (1, or 1 MiB of bytes). */
  readonly scale: number;
  /** What one shown unit is called: "GET request", "MiB received", "INSERT". */
  readonly name: string;
}

const HOST_LABEL = 'host TCP/IP (lwIP + virtio in FlexOS)';

export function modelLines(model: ModelResult, options: { readonly config: Configuration; readonly pricing: ModelPricing; readonly per: PerUnit }): string[] {
  const { config, pricing, per } = options;
  const shown = (ns: number): string => ((ns / Math.max(1, per.requests)) * per.scale).toFixed(1).padStart(10);
  const pricingLines = describePricing(pricing, config);
  return [
    `modelled time per ${per.name} (${per.requests.toLocaleString('en-US')} counted): ${shown(model.totalNs).trim()} ns = ` +
      `libraries ${shown(model.computeNs).trim()} + gates ${shown(model.gateNs).trim()} + host TCP/IP ${shown(model.hostNs).trim()}`,
    ...model.byLibrary.map((l) => `  ${(l.library === HOST_ROW ? HOST_LABEL : l.library).padEnd(38)} ${shown(l.ns)} ns` + (l.hardening === 1 ? '' : `  (hardening × ${l.hardening.toFixed(3)})`)),
    ...model.byEdge.map((e) => `  gate ${`${e.caller} -> ${e.callee}`.padEnd(33)} ${shown(e.ns)} ns  (${((e.crossings / Math.max(1, per.requests)) * per.scale).toFixed(3)} × ${gateCyclesOf(config.costModel, e.kind)} cycles, ${e.kind})`),
    `model inputs: ${pricingLines[0]}`,
    ...pricingLines.slice(1),
    `  gates: ${Object.entries(config.costModel.gateCycles).map(([k, v]) => `${k} ${v}`).join(', ')} cycles (FlexOS, Fig. 11) at ${config.costModel.clockGhz} GHz`,
    ...boundaryLines(config),
  ];
}

export function modelJson(model: ModelResult, options: { readonly config: Configuration; readonly pricing: ModelPricing; readonly requests: number; readonly work: readonly WorkRow[] }): Record<string, unknown> {
  const per = (n: number): number => n / Math.max(1, options.requests);
  const { config } = options;
  return {
    cpu: config.costModel.cpu,
    clock_ghz: config.costModel.clockGhz,
    gate_cycles: config.costModel.gateCycles,
    ...(config.costModel.boundaryCycles ? { boundary_cycles: config.costModel.boundaryCycles, ...boundaryJson(config) } : {}),
    ...pricingJson(options.pricing),
    requests: options.requests,
    ns_per_request: model.nsPerRequest,
    compute_ns_per_request: per(model.computeNs),
    gate_ns_per_request: per(model.gateNs),
    host_tcp_ns_per_request: per(model.hostNs),
    gate_share: model.gateShare,
    crossings_by_kind: model.crossingsByKind,
    by_library: model.byLibrary.map((l) => ({
      library: l.library,
      ns_per_request: per(l.ns),
      hardening_factor: l.hardening,
      ns_per_request_by_kind: Object.fromEntries(Object.entries(l.byKind).map(([k, ns]) => [k, per(ns)])),
      work_per_request: Object.fromEntries(Object.entries(options.work.find((w) => w.library === l.library)?.work ?? {}).filter(([, n]) => n !== 0).map(([k, n]) => [k, per(n)])),
    })),
    by_edge: model.byEdge.map((e) => ({ edge: `${e.caller} -> ${e.callee}`, kind: e.kind, crossings_per_request: per(e.crossings), ns_per_request: per(e.ns) })),
  };
}
