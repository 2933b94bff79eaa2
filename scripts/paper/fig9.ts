// Paper Fig. 9 in simulation: iperf bandwidth against the receive buffer size (2^4 .. 2^20 bytes)
// for NONE, MPK2-light, MPK2-dss and EPT2, and the Unikraft line the paper draws beside them, one
// point per (preset, size) via scripts/iperf-sweep.ts.

import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry } from '../../workloads/registry.js';
import { IPERF_BUFFER_SIZES } from '../../workloads/iperf/exports.js';
import { measureIperfPoint, PAPER_PRESETS } from '../iperf-sweep.js';
import { modelPricing } from '../report.js';
import type { TopLevelSpec } from 'vega-lite';
import { bySource, FIGURE_CONFIG, VEGA_LITE_SCHEMA } from './chart.js';
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

/**
 * Fig. 9: one line per preset over the buffer size on a log-2 axis, measured and modelled in two
 * panels side by side (each on its own scale: they differ by orders of magnitude), one colour per preset.
 */
export function fig9Spec(records: readonly PaperRecord[]): TopLevelSpec {
  const presetOf = (r: PaperRecord): string => String(r['preset'] ?? r.label.split('/')[0]);
  const values = bySource(records, (r) => ({ preset: presetOf(r), buffer: Number(r['buffer_bytes'] ?? r.label.split('/')[1]) }));
  const sizes = [...new Set(values.map((v) => v.buffer))].sort((a, b) => a - b);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Fig. 9: iPerf throughput against the receive buffer size',
    config: FIGURE_CONFIG,
    data: { values },
    facet: { column: { field: 'source', type: 'nominal', sort: ['measured', 'modelled'], title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: 360,
      height: 260,
      mark: { type: 'line', point: true, tooltip: true },
      encoding: {
        x: { field: 'buffer', type: 'quantitative', title: 'receive buffer size (bytes, log2)', scale: { type: 'log', base: 2 }, axis: { values: sizes, labelExpr: "'2^' + round(log(datum.value) / LN2)", labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: 'Gb/s' },
        color: { field: 'preset', type: 'nominal', title: 'preset', sort: [...new Set(values.map((v) => v.preset))] },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}
