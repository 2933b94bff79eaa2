// Paper Fig. 10 in simulation: the time to run N autocommit INSERTs into SQLite on ramfs for the
// presets NONE, MPK3 and EPT2, measured (wall time of the window) and modelled (workloads/sqlite).

import { FlexosError } from '../../kernel/abi/errors.js';
import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry } from '../../workloads/registry.js';
import { modelBench, SqliteImage } from '../../workloads/sqlite/drive.js';
import { modelPricing } from '../report.js';
import { barChartSvg } from './svg.js';
import { measureEach, type FigureOptions } from './measure.js';
import type { PaperRecord, ResultStore } from './store.js';

export const FIG10_PRESETS: readonly string[] = ['sqlite-none', 'sqlite-mpk3', 'sqlite-ept2'];

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
      return { label, measured: seconds.measured, modelled: seconds.modelled, unit: 's', inserts: options.count, crossings_per_insert: crossings / options.count, gate_share: model.gateShare };
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
    notes: [`${String(records[0]?.['inserts'] ?? '?')} INSERTs per preset, one transaction each, on ramfs`],
  };
}

export function plotFig10(records: readonly PaperRecord[]): string {
  return barChartSvg([{
    title: `Fig. 10: SQLite, time for ${String(records[0]?.['inserts'] ?? '?')} INSERTs`,
    yLabel: 'seconds',
    series: ['measured', 'modelled'],
    groups: [{ name: '', bars: records.map((r) => ({ label: r.label, values: [r.measured, r.modelled] })) }],
  }]);
}
