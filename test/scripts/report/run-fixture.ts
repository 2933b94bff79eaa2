// A run's JSON without booting an image: scripts/report.ts's buildReport over a three-compartment
// Redis configuration (lwip hardened) and made-up windows, priced at the fixed test prices, so the
// run report page can be checked quickly and on any machine.

import { parseConfiguration } from '../../../compartments/config/parse.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { WORK_KINDS, type WorkKind } from '../../../kernel/abi/work.js';
import type { ClientRun, WorkloadResult } from '../../../workloads/drive.js';
import type { Window } from '../../../compartments/model/window.js';
import { LatencyHistogram } from '../../../workloads/loadgen/histogram.js';
import { buildReport } from '../../../scripts/report.js';
import { fixedPricing } from '../../fixtures/pricing.js';

export const CONFIG_YAML = `name: redis-report-test
compartments:
  - {name: comp1, mechanism: {driver: intel-pku}, default: true}
  - {name: comp2, mechanism: {driver: intel-pku}}
  - {name: comp3, mechanism: {driver: intel-pku}}
libraries:
  redis: {compartment: comp1}
  newlib: {compartment: comp1}
  uksched: {compartment: comp2}
  ukschedcoop: {compartment: comp2}
  lwip: {compartment: comp3, hardening: [H]}
`;

/** The gate edges the made-up windows carry: caller library, callee library, crossings per request. */
export const EDGES = [
  ['redis', 'lwip', 0.25],
  ['lwip', 'uksched', 0.8],
  ['lwip', 'newlib', 0.3],
] as const;

const work = (units: Partial<Record<WorkKind, number>>): Record<WorkKind, number> => Object.fromEntries(WORK_KINDS.map((k) => [k, units[k] ?? 0])) as Record<WorkKind, number>;

function windowOf(requests: number): Window {
  return {
    wallNs: requests * 50_000,
    crossings: EDGES.map(([caller, callee, per]) => ({ caller, callee, kind: 'mpk-dss' as const, count: Math.round(per * requests), totalNs: per * requests * 20_000, meanNs: 20_000 })),
    compartments: [1, 2, 3].map((compartment) => ({ compartment, waitNs: requests * 10_000 * compartment, idleNs: requests * 1_000 })),
    work: [
      { library: 'redis', work: work({ hash: 19 * requests, alloc: 4 * requests }) },
      { library: 'lwip', work: work({ copy: 40 * requests, alloc: requests }) },
      { library: 'uksched', work: work({ call: 10 * requests }) },
    ],
  };
}

function run(test: string, rps: number, samplesUs: readonly number[], options: { readonly histogram: boolean }): ClientRun {
  const h = new LatencyHistogram();
  for (const us of samplesUs) h.record(us);
  const ms = (p: number): number => h.percentileUs(p) / 1000;
  return { test, size: 1, rps, p50Ms: ms(50), p99Ms: ms(99), requests: 1000, ...(options.histogram ? { histogram: h.encode() } : {}) };
}

/** `run.js --json`'s object for the test configuration; `histogram: false` is a real client's (percentiles only). */
export function runJson(options: { readonly histogram?: boolean } = {}): Record<string, unknown> {
  const config = parseConfiguration(CONFIG_YAML, { registry: libraryRegistry });
  const latencies = (scale: number): number[] => Array.from({ length: 1000 }, (_, i) => scale * (100 + (i % 97) * 3 + (i === 999 ? 5000 : 0)));
  const histogram = options.histogram ?? true;
  const runs = [run('get', 9000, latencies(1), { histogram }), run('set', 8000, latencies(1.2), { histogram }), run('get', 9500, latencies(0.9), { histogram }), run('set', 8200, latencies(1.1), { histogram })];
  const result: WorkloadResult = { client: 'test client', command: 'built-in -n 1000 -c 30 -P 16 -t {get,set}', runs, windows: runs.map((r) => windowOf(r.requests)), headline: 'get' };
  return buildReport({ config, result, pricing: fixedPricing() }).json;
}
