// The run report: throughput and latency measured by the real client, the same runs projected by
// the cost model to the reference CPU, the gate crossings per request by edge, the share of time in
// gates, and the model's inputs so the modelled figure can be recomputed by hand.

import type { Configuration } from '../compartments/config/schema.js';
import { projectRun, type ModelResult } from '../compartments/cost-model.js';
import type { RunningImage } from '../workloads/launch.js';
import type { WorkloadResult } from '../workloads/drive.js';
import { mergeWindows, type Window } from '../workloads/window.js';

/** JavaScript compute is not yet scaled to C (the calibration of the cost-model issue); said in every report. */
export const COMPUTE_SCALE = 1;

export function describeConfiguration(config: Configuration): string {
  const layout = config.compartments
    .map((c) => `${c.name}${c.isDefault ? '*' : ''}{${config.libraries.filter((l) => l.compartment === c.name).map((l) => l.name + (l.hardening.length ? `+${l.hardening.join('+')}` : '')).join(',')}}`)
    .join(' ');
  return `${config.driver}, ${config.compartments.length} compartment(s): ${layout}; stack ${config.stack}; gates ${config.gates.policy}/${config.gates.pin}`;
}

export interface RunReport {
  readonly text: string[];
  readonly json: Record<string, unknown>;
}

interface Inputs {
  readonly config: Configuration;
  readonly image: RunningImage;
  readonly result: WorkloadResult;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function model(config: Configuration, requests: number, w: Window): ModelResult {
  return projectRun({ requests, wallNs: w.wallNs, compartments: w.compartments, crossings: w.crossings, costModel: config.costModel, computeScale: COMPUTE_SCALE });
}

export function buildReport({ config, image, result }: Inputs): RunReport {
  const indexes = result.runs.map((_, i) => i);
  const getRuns = indexes.filter((i) => result.runs[i]!.test === 'get');
  const setRuns = indexes.filter((i) => result.runs[i]!.test === 'set');
  const modelled = (runs: number[]): number => mean(runs.map((i) => model(config, result.runs[i]!.requests, result.windows[i]!).requestsPerSecond));
  const measured = (runs: number[]): number => mean(runs.map((i) => result.runs[i]!.rps));
  const getWindow = mergeWindows(getRuns.map((i) => result.windows[i]!));
  const getRequests = getRuns.reduce((s, i) => s + result.runs[i]!.requests, 0);
  const getModel = model(config, getRequests, getWindow);
  const busyNs = getWindow.compartments.reduce((s, c) => s + Math.max(0, getWindow.wallNs - c.waitNs - c.idleNs), 0);
  const idleNs = getWindow.compartments.reduce((s, c) => s + c.idleNs, 0);
  const activeNs = Math.max(1, getWindow.wallNs - idleNs);
  const measuredGateShare = Math.max(0, Math.min(1, (activeNs - busyNs) / activeNs));
  const perRequest = getWindow.crossings.map((r) => ({
    edge: `${r.caller} -> ${r.callee}`,
    kind: r.kind,
    per_request: r.count / Math.max(1, getRequests),
    mean_ns: r.meanNs,
  }));
  const crossingsPerRequest = perRequest.reduce((s, r) => s + r.per_request, 0);
  const json = {
    preset: config.name,
    configuration: describeConfiguration(config),
    client: result.command,
    throughput_rps: { measured: measured(getRuns), modelled: modelled(getRuns) },
    set_throughput_rps: { measured: measured(setRuns), modelled: modelled(setRuns) },
    latency_ms: { p50: result.p50Ms, p99: result.p99Ms },
    crossings_per_request: crossingsPerRequest,
    crossings_by_edge: perRequest,
    gate_share: { measured: measuredGateShare, modelled: getModel.gateShare },
    model: {
      cpu: config.costModel.cpu,
      clock_ghz: config.costModel.clockGhz,
      gate_cycles: config.costModel.gateCycles,
      compute_scale: COMPUTE_SCALE,
      compute_scale_note: 'JavaScript compute time, not yet scaled to C',
      get_requests: getRequests,
      compute_ns_per_request: getModel.computeNs / Math.max(1, getRequests),
      gate_ns_per_request: getModel.gateNs / Math.max(1, getRequests),
      crossings_by_kind: getModel.crossingsByKind,
    },
    runs: result.runs,
  };
  const text = [
    `flexos-sim run: ${config.name}`,
    `configuration: ${describeConfiguration(config)}`,
    `client: ${result.command} (${result.client})`,
    '',
    `                        measured        modelled (${config.costModel.cpu} @ ${config.costModel.clockGhz} GHz)`,
    `GET throughput (mean)   ${fmt(measured(getRuns)).padStart(9)} rps   ${fmt(modelled(getRuns)).padStart(9)} rps`,
    `SET throughput (mean)   ${fmt(measured(setRuns)).padStart(9)} rps   ${fmt(modelled(setRuns)).padStart(9)} rps`,
    `GET latency p50 / p99   ${result.p50Ms.toFixed(3)} / ${result.p99Ms.toFixed(3)} ms (measured by the client)`,
    `time in gates           ${(measuredGateShare * 100).toFixed(1).padStart(8)} %    ${(getModel.gateShare * 100).toFixed(1).padStart(8)} %`,
    '',
    `gate crossings per GET request: ${crossingsPerRequest.toFixed(3)}`,
    ...(perRequest.length === 0 ? ['  (none: every call is a direct function call)'] : perRequest.map((r) => `  ${r.edge.padEnd(24)} ${r.kind.padEnd(9)} ${r.per_request.toFixed(3).padStart(8)} /req   ${(r.mean_ns / 1000).toFixed(1).padStart(7)} µs measured per crossing`)),
    '',
    'model inputs (GET runs): ' +
      `${fmt(getRequests)} requests; compute ${(getModel.computeNs / Math.max(1, getRequests)).toFixed(0)} ns/req ` +
      `(JavaScript time × ${COMPUTE_SCALE}: not yet scaled to C); gates ${(getModel.gateNs / Math.max(1, getRequests)).toFixed(1)} ns/req ` +
      `from ${Object.entries(config.costModel.gateCycles).map(([k, v]) => `${k} ${v}`).join(', ')} cycles`,
  ];
  void image;
  return { text, json };
}

export function printReport(report: RunReport, print: (line: string) => void): void {
  for (const line of report.text) print(line);
}
