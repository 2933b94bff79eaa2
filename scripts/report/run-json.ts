// The shape of `run.js --json` (built by scripts/report.ts) as far as the run report page reads it,
// and the check that a saved file has it: a page is built from this JSON alone, so a run saved with
// `--json` can be drawn later, on another machine.

import type { LatencyDistribution } from './latency.js';

interface Spread {
  readonly min: number;
  readonly max: number;
  readonly cv: number;
}

export interface RunReportJson {
  readonly preset: string;
  readonly configuration: string;
  readonly client: string;
  readonly throughput_gbps?: { readonly measured: number; readonly modelled: number };
  readonly throughput_rps_by_test: Readonly<Record<string, { readonly measured: number; readonly modelled: number }>>;
  readonly throughput_spread_by_test: Readonly<Record<string, { readonly measured: Spread; readonly modelled: Spread }>>;
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  readonly crossings_per_request: number;
  readonly crossings_by_edge: readonly { readonly edge: string; readonly kind: string; readonly per_request: number; readonly mean_ns: number }[];
  readonly gate_share: { readonly measured: number; readonly modelled: number };
  readonly model: {
    readonly cpu: string;
    readonly clock_ghz: number;
    readonly ns_per_request: number;
    readonly compute_ns_per_request: number;
    readonly gate_ns_per_request: number;
    readonly host_tcp_ns_per_request: number;
    readonly by_library: readonly { readonly library: string; readonly ns_per_request: number; readonly hardening_factor: number; readonly ns_per_request_by_kind: Readonly<Record<string, number>> }[];
    readonly by_edge: readonly { readonly edge: string; readonly kind: string; readonly crossings_per_request: number; readonly ns_per_request: number }[];
  };
  readonly runs: readonly { readonly test: string; readonly size?: number; readonly rps: number; readonly p50Ms: number; readonly p99Ms: number; readonly requests: number }[];
  readonly compartments: readonly { readonly name: string; readonly index: number; readonly mechanism: string; readonly default: boolean; readonly libraries: readonly { readonly name: string; readonly hardening: readonly string[] }[] }[];
  readonly time_by_compartment: readonly { readonly compartment: string; readonly measured_busy_ns_per_request: number; readonly measured_wait_ns_per_request: number; readonly modelled_ns_per_request: number }[];
  readonly latency_distribution: LatencyDistribution | null;
}

/** What the page counts per: a request, or for a byte-counting client (iPerf) a MiB received, as the text report does. */
export function perUnit(report: Pick<RunReportJson, 'throughput_gbps'>): { readonly scale: number; readonly name: string; readonly long: string } {
  return report.throughput_gbps === undefined ? { scale: 1, name: 'req', long: 'request' } : { scale: 1024 * 1024, name: 'MiB', long: 'MiB received' };
}

const REQUIRED = ['preset', 'configuration', 'throughput_rps_by_test', 'throughput_spread_by_test', 'crossings_by_edge', 'gate_share', 'model', 'runs', 'compartments', 'time_by_compartment', 'latency_distribution'] as const;

/** The run JSON, checked for what the page draws; a TypeError names what is missing. */
export function asRunReportJson(value: unknown): RunReportJson {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('a run report is built from the JSON object of `run.js --json`');
  const missing = REQUIRED.filter((key) => !(key in value));
  if (missing.length > 0) throw new TypeError(`the run JSON has no ${missing.join(', ')}: it is not from \`run.js --json\`, or from a version before run reports (run it again)`);
  return value as RunReportJson;
}
