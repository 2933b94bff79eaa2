// Paper Fig. 10 in simulation: the time to run N autocommit INSERTs into SQLite on ramfs for the
// presets NONE, MPK3 and EPT2 beside the baselines (Unikraft, a Linux process, seL4/Genode,
// CubicleOS), measured (wall time of the window) and modelled (workloads/sqlite).

import { FlexosError } from '../../kernel/abi/errors.js';
import { SEL4_IPC_CYCLES, SYSCALL_CYCLES, type Configuration } from '../../kernel/abi/schema.js';
import { lastSyscallMeasurement, measureSyscall } from '../../compartments/baselines/syscall-clock.js';
import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry } from '../../workloads/registry.js';
import { modelBench, SqliteImage } from '../../workloads/sqlite/drive.js';
import { modelPricing } from '../report.js';
import type { TopLevelSpec } from 'vega-lite';
import { bySource, sourceBars } from './chart.js';
import { measureEach, type FigureOptions } from './measure.js';
import type { PaperRecord, ResultStore } from './store.js';

const FIG10_FLEXOS: readonly string[] = ['sqlite-none', 'sqlite-mpk3', 'sqlite-ept2'];
const FIG10_BASELINES: readonly string[] = ['sqlite-unikraft', 'sqlite-linux-pt2', 'sqlite-sel4-pt3', 'sqlite-cubicleos-mpk3'];
export const FIG10_PRESETS: readonly string[] = [...FIG10_FLEXOS, ...FIG10_BASELINES];

/** The configuration with Fig. 11's system call without KPTI, for the Linux row's second modelled figure. */
function withoutKpti(config: Configuration): Configuration {
  const boundary = config.costModel.boundaryCycles;
  if (!boundary) return config;
  return { ...config, costModel: { ...config.costModel, boundaryCycles: { ...boundary, syscall: SYSCALL_CYCLES.noKpti } } };
}

export interface Fig10Options extends FigureOptions {
  /** INSERT statements per preset (the paper: 5000). */
  readonly count: number;
  readonly presets?: readonly string[];
}

export async function runFig10(store: ResultStore, options: Fig10Options): Promise<PaperRecord[]> {
  const items = (options.presets ?? FIG10_PRESETS).map((label) => ({ label }));
  return measureEach(items, store, async ({ label }) => {
    const config = loadPreset(label, { registry: libraryRegistry });
    const pricing = modelPricing(config);
    options.say(`${label}: booting, ${options.count} INSERTs`);
    const image = await SqliteImage.boot(config, { registry: libraryRegistry });
    try {
      const result = await image.bench(options.count);
      const intact = await image.integrity();
      if (!intact) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `${label}: PRAGMA integrity_check failed after the benchmark`);
      const { seconds, model } = modelBench(config, result, pricing);
      const crossings = result.window.crossings.reduce((s, r) => s + r.count, 0);
      const record = { label, measured: seconds.measured, modelled: seconds.modelled, unit: 's', inserts: options.count, crossings_per_insert: crossings / options.count, gate_share: model.gateShare, driver: config.driver };
      if (config.driver !== 'linux') return record;
      const syscall = lastSyscallMeasurement() ?? measureSyscall();
      return {
        ...record,
        modelled_no_kpti: modelBench(withoutKpti(config), result, pricing).seconds.modelled,
        ...(typeof syscall === 'string' ? {} : { syscall_measured_ns: syscall.ns, syscall_measured_cycles: syscall.hostCycles, syscall_host_ghz: syscall.hostGhz }),
      };
    } finally {
      await image.shutdown();
    }
  }, { ...options, params: { count: options.count } });
}

export function fig10Rows(records: readonly PaperRecord[]): { header: string[]; rows: (string | number)[][]; notes: string[] } {
  const base = records.find((r) => r.label === 'sqlite-none');
  const rel = (r: PaperRecord, key: 'measured' | 'modelled'): string => (base ? `${(r[key] / base[key]).toFixed(2)}x` : 'n/a');
  return {
    header: ['preset', 'measured s', 'modelled s', 'measured vs none', 'modelled vs none', 'crossings/INSERT'],
    rows: records.map((r) => [r.label, r.measured, r.modelled, rel(r, 'measured'), rel(r, 'modelled'), typeof r['crossings_per_insert'] === 'number' ? r['crossings_per_insert'] : 'n/a']),
    notes: [`${String(records[0]?.['inserts'] ?? '?')} INSERTs per preset, one transaction each, on ramfs`, ...baselineNotes(records)],
  };
}

/** What the baseline rows were priced with, and the system call measured here beside Fig. 11's. */
function baselineNotes(records: readonly PaperRecord[]): string[] {
  const notes: string[] = [];
  const linux = records.find((r) => r['driver'] === 'linux');
  if (linux) {
    const noKpti = typeof linux['modelled_no_kpti'] === 'number' ? `; without KPTI (${SYSCALL_CYCLES.noKpti} cycles) ${linux['modelled_no_kpti'].toFixed(4)} s` : '';
    notes.push(`${linux.label}: modelled with Fig. 11's system call with KPTI (${SYSCALL_CYCLES.kpti} cycles)${noKpti}; copy_from_user/copy_to_user priced as copies`);
    if (typeof linux['syscall_measured_ns'] === 'number' && typeof linux['syscall_measured_cycles'] === 'number') {
      notes.push(`a syscall(SYS_getpid) round trip measured here: ${linux['syscall_measured_ns'].toFixed(1)} ns = ${linux['syscall_measured_cycles'].toFixed(0)} cycles at ${Number(linux['syscall_host_ghz']).toFixed(3)} GHz (Fig. 11: ${SYSCALL_CYCLES.kpti} / ${SYSCALL_CYCLES.noKpti})`);
    }
  }
  if (records.some((r) => r['driver'] === 'sel4')) notes.push(`seL4/Genode: ${SEL4_IPC_CYCLES.call + SEL4_IPC_CYCLES.reply} cycles per IPC call and reply (sel4.systems/performance.html, sel4bench x86-64 Skylake: Call ${SEL4_IPC_CYCLES.call} + ReplyRecv ${SEL4_IPC_CYCLES.reply}), Genode's marshalling and bulk copies priced as copies`);
  if (records.some((r) => r['driver'] === 'cubicleos')) notes.push('CubicleOS: trampoline at Fig. 11\'s MPK-DSS gate (108 cycles), each window open or close one WRPKRU (31 cycles, half the MPK-light gate)');
  return notes;
}

/** Fig. 10: the seconds of each preset, FlexOS's first and then the baselines, measured beside modelled. */
export function fig10Spec(records: readonly PaperRecord[]): TopLevelSpec {
  return sourceBars(bySource(records, () => ({})), {
    title: `Fig. 10: SQLite, time for ${String(records[0]?.['inserts'] ?? '?')} INSERTs (log scale)`,
    xTitle: 'preset (FlexOS NONE, MPK3, EPT2, then the baselines)',
    yTitle: 'seconds (log)',
    log: true,
  });
}
