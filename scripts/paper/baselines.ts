// Redis against its baselines: the paper's redis-benchmark load on FlexOS NONE / MPK3 / EPT2 and on
// the same libraries as Unikraft, a Linux process (PT2), seL4/Genode components (PT3) and CubicleOS
// (MPK3), GET throughput measured and modelled (`node scripts/paper.js baselines`).

import { FlexosError } from '../../kernel/abi/errors.js';
import { SEL4_IPC_CYCLES, SYSCALL_CYCLES } from '../../kernel/abi/schema.js';
import { loadGeneratorCpu } from '../../compartments/runtime/pinning.js';
import { appNamed, libraryRegistry } from '../../workloads/registry.js';
import { loadPreset } from '../../workloads/presets.js';
import { runAppWorkload } from '../../workloads/drive.js';
import { launch } from '../../workloads/launch.js';
import { lastSyscallMeasurement } from '../../compartments/baselines/syscall-clock.js';
import { buildReport, modelPricing } from '../report.js';
import type { TopLevelSpec } from 'vega-lite';
import { bySource, sourceBars } from './chart.js';
import { measureEach, withDeadline, type FigureOptions } from './measure.js';
import type { Fig6Workload } from './fig6.js';
import type { PaperRecord, ResultStore } from './store.js';

const BASELINE_FLEXOS: readonly string[] = ['redis-none', 'redis-mpk3', 'redis-ept2'];
export const BASELINE_PRESETS: readonly string[] = [...BASELINE_FLEXOS, 'redis-unikraft', 'redis-linux-pt2', 'redis-sel4-pt3', 'redis-cubicleos-mpk3'];

export interface BaselinesOptions extends FigureOptions {
  readonly workload: Fig6Workload;
  readonly presets?: readonly string[];
}

export async function runBaselines(store: ResultStore, options: BaselinesOptions): Promise<PaperRecord[]> {
  const server = appNamed('redis').server;
  if (!server) throw new TypeError('baselines: redis is not a network server');
  const w = options.workload;
  options.say(`redis against its baselines: ${server.describe(w)}`);
  const items = (options.presets ?? BASELINE_PRESETS).map((label) => ({ label }));
  return measureEach(items, store, async ({ label }) => {
    const config = loadPreset(label, { registry: libraryRegistry });
    const pricing = modelPricing(config);
    options.say(`${label}: booting`);
    const image = await launch(config, { registry: libraryRegistry, port: 0 });
    try {
      const workload = runAppWorkload(image, { ...w, cpu: loadGeneratorCpu(config.gates.pin), say: () => undefined });
      const result = await withDeadline((60 + server.expectedSeconds(w)) * 1000, workload, { what: `${label}: the redis workload`, onTimeout: () => image.stop() });
      const report = buildReport({ config, result, pricing });
      const rps = report.json['throughput_rps'] as { measured: number; modelled: number } | undefined;
      if (!rps) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `${label}: the report has no GET throughput`);
      return { label, measured: rps.measured, modelled: rps.modelled, unit: 'rps', driver: config.driver, client: result.client, crossings_per_request: report.json['crossings_per_request'] };
    } finally {
      await image.stop();
    }
  }, { ...options, params: server.params(w) });
}

export function baselinesRows(records: readonly PaperRecord[]): { header: string[]; rows: (string | number)[][]; notes: string[] } {
  const base = records.find((r) => r.label === 'redis-none');
  const rel = (r: PaperRecord, key: 'measured' | 'modelled'): string => (base ? `${((100 * r[key]) / base[key]).toFixed(0)}%` : 'n/a');
  const syscall = lastSyscallMeasurement();
  return {
    header: ['preset', 'boundary', 'GET rps measured', 'GET rps modelled', 'measured vs none', 'modelled vs none'],
    rows: records.map((r) => [r.label, String(r['driver'] ?? '?'), Math.round(r.measured), Math.round(r.modelled), rel(r, 'measured'), rel(r, 'modelled')]),
    notes: [
      `redis: mean GET throughput${records[0]?.['client'] ? ` (client: ${String(records[0]['client']).split(' [')[0]})` : ''}`,
      `linux: Fig. 11's system call with KPTI (${SYSCALL_CYCLES.kpti} cycles; ${SYSCALL_CYCLES.noKpti} without)` + (syscall ? `; measured here: ${syscall.ns.toFixed(1)} ns = ${syscall.hostCycles.toFixed(0)} cycles per syscall(SYS_getpid)` : ''),
      `sel4: ${SEL4_IPC_CYCLES.call} + ${SEL4_IPC_CYCLES.reply} cycles per IPC call and reply (sel4.systems/performance.html, sel4bench x86-64 Skylake)`,
    ],
  };
}

/** Redis on FlexOS beside its baselines: GET throughput, measured beside modelled (log scale). */
export function baselinesSpec(records: readonly PaperRecord[]): TopLevelSpec {
  return sourceBars(bySource(records, () => ({})), { title: 'Redis GET throughput: FlexOS beside its baselines (log scale)', xTitle: 'preset', yTitle: 'GET requests/s (log)', log: true });
}
