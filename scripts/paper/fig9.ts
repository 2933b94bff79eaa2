// Paper Fig. 9 in simulation: iperf bandwidth against the receive buffer size (2^4 .. 2^20 bytes)
// for NONE, MPK2-light, MPK2-dss and EPT2, and the Unikraft line the paper draws beside them, one
// point per (preset, size) via scripts/iperf-sweep.ts.

import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry } from '../../workloads/registry.js';
import { IPERF_BUFFER_SIZES } from '../../workloads/iperf/exports.js';
import { measureIperfPoint, PAPER_PRESETS } from '../iperf-sweep.js';
import { modelPricing } from '../report.js';
import { lineChartSvg } from './svg.js';
import { measureEach, type FigureOptions } from './measure.js';
import type { PaperRecord, ResultStore } from './store.js';

export const FIG9_PRESETS: readonly string[] = [...PAPER_PRESETS, 'iperf-unikraft'];
export const FIG9_SIZES: readonly number[] = IPERF_BUFFER_SIZES;

export interface Fig9Options extends FigureOptions {
  readonly durationS: number;
  readonly presets?: readonly string[];
  readonly sizes?: readonly number[];
}

export const fig9Label = (preset: string, size: number): string => `${preset}/${size}`;

export async function runFig9(store: ResultStore, options: Fig9Options): Promise<PaperRecord[]> {
  const presets = options.presets ?? FIG9_PRESETS;
  const configs = new Map(presets.map((p) => [p, loadPreset(p, { registry: libraryRegistry })]));
  const items = presets.flatMap((preset) => (options.sizes ?? FIG9_SIZES).map((size) => ({ label: fig9Label(preset, size), preset, size })));
  return measureEach(items, store, async ({ label, preset, size }) => {
    const config = configs.get(preset)!;
    const point = await measureIperfPoint(config, size, { durationS: options.durationS, pricing: modelPricing(config) });
    return { label, measured: point.measured, modelled: point.modelled, unit: 'Gb/s', preset, buffer_bytes: size, crossings: point.crossings, bytes: point.bytes };
  }, { ...options, params: { duration_s: options.durationS } });
}

export function fig9Rows(records: readonly PaperRecord[]): { header: string[]; rows: (string | number)[][]; notes: string[] } {
  return {
    header: ['preset', 'buffer B', 'Gb/s measured', 'Gb/s modelled', 'crossings'],
    rows: records.map((r) => [String(r['preset'] ?? r.label.split('/')[0]), Number(r['buffer_bytes'] ?? r.label.split('/')[1]), r.measured, r.modelled, typeof r['crossings'] === 'number' ? r['crossings'] : 'n/a']),
    notes: [],
  };
}

export function plotFig9(records: readonly PaperRecord[]): string {
  const presets = [...new Set(records.map((r) => String(r['preset'] ?? r.label.split('/')[0])))];
  const pointsOf = (preset: string, key: 'measured' | 'modelled') =>
    records.filter((r) => String(r['preset'] ?? r.label.split('/')[0]) === preset).map((r) => ({ x: Math.log2(Number(r['buffer_bytes'] ?? r.label.split('/')[1])), y: r[key] }));
  return lineChartSvg({
    title: 'Fig. 9: iPerf throughput against the receive buffer size',
    xLabel: 'receive buffer size (bytes, log2)',
    yLabel: 'Gb/s',
    xTick: (x) => `2^${x}`,
    series: presets.flatMap((preset) => [
      { name: `${preset} measured`, key: preset, dashed: false, points: pointsOf(preset, 'measured') },
      { name: `${preset} modelled`, key: preset, dashed: true, points: pointsOf(preset, 'modelled') },
    ]),
  });
}
