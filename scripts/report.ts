// The run report: throughput and latency measured by the real client, the same runs projected by
// the cost model to the reference CPU, the gate crossings per request by edge, the share of time in
// gates, and the model's inputs so the modelled figure can be recomputed by hand; the JSON
// holds the same figures and what the `--html` page draws with them (scripts/report/).

import type { Configuration } from '../kernel/abi/schema.js';
import type { WorkloadResult } from '../workloads/drive.js';
import { mergeWindows } from '../compartments/model/window.js';
import { modelPricing, type ModelPricing } from '../compartments/model/pricing.js';
import { modelJson, modelLines, modelWindow } from '../compartments/model/model-report.js';
import { coefficientOfVariation, mean } from './stats.js';
import { latencyDistribution } from './report/latency.js';

export { modelPricing, type ModelPricing } from '../compartments/model/pricing.js';
export { modelWindow } from '../compartments/model/model-report.js';

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
  /** Default: this machine's price list and hardening costs (cached; measured now if there are none). */
  readonly pricing?: ModelPricing;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export function buildReport({ config, result, pricing = modelPricing(config) }: Inputs): RunReport {
  const tests = [...new Set(result.runs.map((r) => r.test))];
  const runsOf = (test: string): number[] => result.runs.map((r, i) => (r.test === test ? i : -1)).filter((i) => i >= 0);
  const runModelled = result.runs.map((run, i) => modelWindow(config, run.requests, result.windows[i]!, pricing).requestsPerSecond);
  const modelled = (runs: number[]): number => mean(runs.map((i) => runModelled[i]!));
  const measured = (runs: number[]): number => mean(runs.map((i) => result.runs[i]!.rps));
  const headRuns = runsOf(result.headline);
  const headWindow = mergeWindows(headRuns.map((i) => result.windows[i]!));
  const headRequests = headRuns.reduce((s, i) => s + result.runs[i]!.requests, 0);
  const headModel = modelWindow(config, headRequests, headWindow, pricing);
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
  const spread = (xs: number[]): { min: number; max: number; cv: number } => ({ min: Math.min(...xs), max: Math.max(...xs), cv: coefficientOfVariation(xs) });
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
    model: modelJson(headModel, { config, pricing, requests: headRequests, work: headWindow.work }),
    runs: result.runs,
    // What the run report page (scripts/report/html.ts) draws besides the figures above.
    compartments: compartmentsJson(config),
    throughput_spread_by_test: Object.fromEntries(tests.map((t) => [t, { measured: spread(runsOf(t).map((i) => result.runs[i]!.rps)), modelled: spread(runsOf(t).map((i) => runModelled[i]!)) }])),
    runs_modelled_rps: runModelled,
    // Measured: the compartment's thread neither waiting on a gate nor idle; modelled: its libraries' priced work.
    time_by_compartment: config.compartments.map((c) => {
      const time = headWindow.compartments.find((t) => t.compartment === c.index);
      const wait = time?.waitNs ?? 0;
      const idle = time?.idleNs ?? 0;
      return {
        compartment: c.name,
        measured_busy_ns_per_request: Math.max(0, headWindow.wallNs - wait - idle) / Math.max(1, headRequests),
        measured_wait_ns_per_request: wait / Math.max(1, headRequests),
        modelled_ns_per_request: headModel.byLibrary.filter((l) => config.libraries.some((p) => p.name === l.library && p.compartment === c.name)).reduce((s, l) => s + l.ns, 0) / Math.max(1, headRequests),
      };
    }),
    latency_distribution: bytes ? null : latencyDistribution(headRuns.map((i) => result.runs[i]!)),
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
    '',
    ...modelLines(headModel, { config, pricing, per: { requests: headRequests, scale: perUnit, name: unitName } }),
  ];
  return { text, json };
}

/** The configuration as the run report draws it: compartments holding their libraries. */
function compartmentsJson(config: Configuration): { name: string; index: number; mechanism: string; default: boolean; libraries: { name: string; hardening: string[] }[] }[] {
  return config.compartments.map((c) => ({
    name: c.name,
    index: c.index,
    mechanism: c.driver,
    default: c.isDefault,
    libraries: config.libraries.filter((l) => l.compartment === c.name).map((l) => ({ name: l.name, hardening: [...l.hardening] })),
  }));
}

export function printReport(report: RunReport, print: (line: string) => void): void {
  for (const line of report.text) print(line);
}
