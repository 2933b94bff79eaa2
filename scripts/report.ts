// The run report: throughput and latency measured by the real client, the same runs projected by
// the cost model to the reference CPU, the gate crossings per request by edge, the share of time in
// gates, and the model's inputs so the modelled figure can be recomputed by hand.

import type { Configuration } from '../kernel/abi/schema.js';
import { projectRun, type ModelResult } from '../compartments/model/cost-model.js';
import type { WorkloadResult } from '../workloads/drive.js';
import { mergeWindows, type Window } from '../compartments/model/window.js';
import { calibrationJson, computeScaleOf, describeCalibration, loadCalibration, type Calibration } from '../compartments/model/calibration.js';
import { gateMachinery } from '../compartments/model/gate-machinery.js';
import { mean } from './stats.js';

/** This machine's compute-scale calibration (compartments/model/calibration.ts): cached, or measured now in a few seconds. */
export function machineCalibration(): Calibration {
  return loadCalibration({ say: (line) => void process.stderr.write(line + '\n') });
}

/** Reference-CPU ns per ns of JavaScript compute under a configuration: the C/JS factor × this machine's clock / the reference clock. */
export function computeScale(config: Configuration, calibration: Calibration = machineCalibration()): number {
  return computeScaleOf(calibration, config.costModel.clockGhz);
}

/** What the model takes from the simulator's own microbenchmarks for a configuration. */
export interface ModelConstants {
  /** Reference-CPU ns per ns of JavaScript compute (scripts/calibrate.js). */
  readonly computeScale: number;
  /** JavaScript busy ns per crossing spent in the simulator's gate machinery (compartments/model/gate-machinery.ts). */
  readonly gateMachineryNs: number;
}

/** Measures (once per process and policy) what the model needs; call it before booting the image it models. */
export async function modelConstants(config: Configuration, calibration: Calibration = machineCalibration()): Promise<ModelConstants> {
  const gateMachineryNs = config.compartments.length > 1 ? (await gateMachinery(config.gates)).nsPerCrossing : 0;
  return { computeScale: computeScale(config, calibration), gateMachineryNs };
}

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
  readonly result: WorkloadResult;
  /** Default: the cached calibration of this machine (measured now if there is none). */
  readonly calibration?: Calibration;
  /** From `modelConstants`; 0 leaves the simulator's gate machinery in the compute (said in the report). */
  readonly gateMachineryNs?: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function model(config: Configuration, requests: number, w: Window, scale: number, gateMachineryNs: number): ModelResult {
  return projectRun({ requests, wallNs: w.wallNs, compartments: w.compartments, crossings: w.crossings, costModel: config.costModel, computeScale: scale, gateMachineryNs });
}

export function buildReport({ config, result, calibration = machineCalibration(), gateMachineryNs = 0 }: Inputs): RunReport {
  const scale = computeScale(config, calibration);
  const tests = [...new Set(result.runs.map((r) => r.test))];
  const runsOf = (test: string): number[] => result.runs.map((r, i) => (r.test === test ? i : -1)).filter((i) => i >= 0);
  const modelled = (runs: number[]): number => mean(runs.map((i) => model(config, result.runs[i]!.requests, result.windows[i]!, scale, gateMachineryNs).requestsPerSecond));
  const measured = (runs: number[]): number => mean(runs.map((i) => result.runs[i]!.rps));
  const headRuns = runsOf(result.headline);
  const headWindow = mergeWindows(headRuns.map((i) => result.windows[i]!));
  const headRequests = headRuns.reduce((s, i) => s + result.runs[i]!.requests, 0);
  const headModel = model(config, headRequests, headWindow, scale, gateMachineryNs);
  const busyNs = headWindow.compartments.reduce((s, c) => s + Math.max(0, headWindow.wallNs - c.waitNs - c.idleNs), 0);
  const idleNs = headWindow.compartments.reduce((s, c) => s + c.idleNs, 0);
  const activeNs = Math.max(1, headWindow.wallNs - idleNs);
  // One logical CPU: at any moment a compartment computes, a gate hands over, or the CPU is idle.
  const measuredGateShare = Math.max(0, Math.min(1, (activeNs - busyNs) / activeNs));
  const perRequest = headWindow.crossings.map((r) => ({
    edge: `${r.caller} -> ${r.callee}`,
    kind: r.kind,
    per_request: r.count / Math.max(1, headRequests),
    mean_ns: r.meanNs,
  }));
  const crossingsPerRequest = perRequest.reduce((s, r) => s + r.per_request, 0);
  const head = result.headline.toUpperCase();
  const bytes = result.unit === 'bytes';
  // iperf counts bytes: show Gb/s, and crossings per MiB received rather than per byte.
  const show = (perSecond: number): string => (bytes ? `${((perSecond * 8) / 1e9).toFixed(3).padStart(9)} Gb/s` : `${fmt(perSecond).padStart(9)} rps `);
  const perUnit = bytes ? 1024 * 1024 : 1;
  const unitName = bytes ? 'MiB received' : `${head} request`;
  const throughput = Object.fromEntries(tests.map((t) => [t, { measured: measured(runsOf(t)), modelled: modelled(runsOf(t)) }]));
  const json = {
    preset: config.name,
    configuration: describeConfiguration(config),
    client: result.command,
    ...(bytes
      ? { throughput_gbps: { measured: ((throughput[result.headline]?.measured ?? 0) * 8) / 1e9, modelled: ((throughput[result.headline]?.modelled ?? 0) * 8) / 1e9 } }
      : { throughput_rps: throughput[result.headline] }),
    throughput_rps_by_test: throughput,
    latency_ms: { p50: mean(headRuns.map((i) => result.runs[i]!.p50Ms)), p99: mean(headRuns.map((i) => result.runs[i]!.p99Ms)) },
    crossings_per_request: crossingsPerRequest,
    crossings_by_edge: perRequest,
    gate_share: { measured: measuredGateShare, modelled: headModel.gateShare },
    model: {
      cpu: config.costModel.cpu,
      clock_ghz: config.costModel.clockGhz,
      gate_cycles: config.costModel.gateCycles,
      ...calibrationJson(calibration, config.costModel.clockGhz),
      requests: headRequests,
      compute_ns_per_request: headModel.computeNs / Math.max(1, headRequests),
      gate_ns_per_request: headModel.gateNs / Math.max(1, headRequests),
      gate_machinery_ns_per_crossing: gateMachineryNs,
      gate_machinery_ns_per_request: headModel.machineryNs / Math.max(1, headRequests),
      crossings_by_kind: headModel.crossingsByKind,
    },
    runs: result.runs,
  };
  const latency = json.latency_ms;
  const text = [
    `flexos-sim run: ${config.name}`,
    `configuration: ${describeConfiguration(config)}`,
    `client: ${result.command} (${result.client})`,
    '',
    `                        measured        modelled (${config.costModel.cpu} @ ${config.costModel.clockGhz} GHz)`,
    ...tests.map((t) => `${`${t.toUpperCase()} throughput (mean)`.padEnd(24)}${show(throughput[t]!.measured)}  ${show(throughput[t]!.modelled)}`),
    ...(bytes ? [] : [`${`${head} latency p50 / p99`.padEnd(24)}${latency.p50.toFixed(3)} / ${latency.p99.toFixed(3)} ms (measured by the client)`]),
    `time in gates           ${(measuredGateShare * 100).toFixed(1).padStart(8)} %    ${(headModel.gateShare * 100).toFixed(1).padStart(8)} %`,
    '',
    `gate crossings per ${unitName}: ${(crossingsPerRequest * perUnit).toFixed(3)}`,
    ...(perRequest.length === 0 ? ['  (none: every call is a direct function call)'] : perRequest.map((r) => `  ${r.edge.padEnd(24)} ${r.kind.padEnd(9)} ${(r.per_request * perUnit).toFixed(3).padStart(10)} /${bytes ? 'MiB' : 'req'}   ${(r.mean_ns / 1000).toFixed(1).padStart(7)} µs measured per crossing`)),
    '',
    `model inputs (${head} runs): ` +
      `${fmt(headRequests)} requests; compute ${(headModel.computeNs / Math.max(1, headRequests)).toFixed(0)} ns/req ` +
      `(${describeCalibration(calibration, config.costModel.clockGhz)}); gates ${(headModel.gateNs / Math.max(1, headRequests)).toFixed(1)} ns/req ` +
      `from ${Object.entries(config.costModel.gateCycles).map(([k, v]) => `${k} ${v}`).join(', ')} cycles`,
    `  the simulator's own gate machinery, ${gateMachineryNs.toFixed(0)} ns of JavaScript per crossing (a gate microbenchmark), is taken out of the compute` +
      (gateMachineryNs === 0 && perRequest.length > 0 ? ' (not measured for this report: compute includes it)' : ''),
  ];
  return { text, json };
}

export function printReport(report: RunReport, print: (line: string) => void): void {
  for (const line of report.text) print(line);
}
