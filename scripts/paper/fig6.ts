// Paper Fig. 6 in simulation: GET throughput of the 80 Redis and the 80 Nginx configurations of the
// paper's exploration space (each application's space, workloads/<app>/app.ts), measured and
// modelled, by layout.

import { FlexosError } from '../../kernel/abi/errors.js';
import { expandSpace, type SpacePoint } from '../../compartments/config/space.js';
import { loadGeneratorCpu } from '../../compartments/runtime/pinning.js';
import { appNamed, libraryRegistry } from '../../workloads/registry.js';
import type { ServerSide } from '../../workloads/app.js';
import { runAppWorkload } from '../../workloads/drive.js';
import { launch } from '../../workloads/launch.js';
import { buildReport, modelPricing } from '../report.js';
import type { TopLevelSpec } from 'vega-lite';
import { bySource, FIGURE_CONFIG, SOURCE_SCALE, VEGA_LITE_SCHEMA } from './chart.js';
import { measureEach, withDeadline, type FigureOptions } from './measure.js';
import type { PaperRecord, ResultStore } from './store.js';

export type Fig6App = 'redis' | 'nginx';
export const FIG6_APPS: readonly Fig6App[] = ['redis', 'nginx'];

/** The paper's workload (FLEXOS.md), and the short one of --quick. */
export interface Fig6Workload {
  readonly requests: number;
  readonly sizes: readonly number[];
  readonly durationS: number;
  readonly runs: number;
}
export const FIG6_FULL: Fig6Workload = { requests: 100_000, sizes: [1, 2, 3, 4, 5], durationS: 10, runs: 5 };
export const FIG6_QUICK: Fig6Workload = { requests: 10_000, sizes: [1], durationS: 2, runs: 1 };

export interface Fig6Options extends FigureOptions {
  readonly app: Fig6App;
  readonly workload: Fig6Workload;
  /** Only these labels (default: all 80). */
  readonly labels?: readonly string[];
}

/** The 80 points of one app's space, in the paper's order (layouts, then hardening choices). */
export function fig6Points(app: Fig6App): SpacePoint[] {
  return expandSpace(appNamed(app).space(), { registry: libraryRegistry });
}

/** The driving side of a Fig. 6 application: every one is a network server. */
function serverOf(app: Fig6App): ServerSide {
  const server = appNamed(app).server;
  if (!server) throw new TypeError(`fig6: ${app} is not a network server`);
  return server;
}

/** Generous: a run far slower than this is stuck (a lost wakeup, a client that never finishes), not slow. */
function deadlineMs(server: ServerSide, w: Fig6Workload): number {
  return (60 + server.expectedSeconds(w)) * 1000;
}

export async function runFig6(store: ResultStore, options: Fig6Options): Promise<PaperRecord[]> {
  const all = fig6Points(options.app);
  const points = options.labels ? all.filter((p) => options.labels!.includes(p.label)) : all;
  const w = options.workload;
  const server = serverOf(options.app);
  const params = server.params(w);
  options.say(`${options.app}: ${points.length} configurations, ${server.describe(w)}`);
  return measureEach(points, store, async (point) => {
    const config = point.configuration;
    const pricing = modelPricing(config); // before the image boots: a first run times the model's C kernels
    const image = await launch(config, { registry: libraryRegistry, port: 0 });
    try {
      const workload = runAppWorkload(image, { ...w, cpu: loadGeneratorCpu(config.gates.pin), say: () => undefined });
      const result = await withDeadline(deadlineMs(server, w), workload, { what: `${point.label}: the ${options.app} workload`, onTimeout: () => image.stop() });
      const report = buildReport({ config, result, pricing });
      const rps = report.json['throughput_rps'] as { measured: number; modelled: number } | undefined;
      if (!rps) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `${point.label}: the report has no GET throughput`);
      return { label: point.label, measured: rps.measured, modelled: rps.modelled, unit: 'rps', app: options.app, layout: point.layout, client: result.client, crossings_per_request: report.json['crossings_per_request'] };
    } finally {
      await image.stop();
    }
  }, { ...options, params });
}

const layoutOf = (r: PaperRecord): string => (typeof r['layout'] === 'string' ? r['layout'] : r.label.replace(/H/g, ''));

export function fig6Rows(app: Fig6App, records: readonly PaperRecord[]): { header: string[]; rows: (string | number)[][]; notes: string[] } {
  const base = records.find((r) => r.label === 'R1N1S1L1');
  const rel = (r: PaperRecord, key: 'measured' | 'modelled'): string => (base ? `${((100 * r[key]) / base[key]).toFixed(0)}%` : 'n/a');
  return {
    header: ['label', 'layout', 'GET rps measured', 'GET rps modelled', 'measured vs R1N1S1L1', 'modelled vs R1N1S1L1'],
    rows: records.map((r) => [r.label, layoutOf(r), Math.round(r.measured), Math.round(r.modelled), rel(r, 'measured'), rel(r, 'modelled')]),
    notes: [`${app}: ${records.length} configurations; mean GET throughput${records[0]?.['client'] ? ` (client: ${String(records[0]['client']).split(' [')[0]})` : ''}`],
  };
}

/**
 * The hardening of a configuration as the paper marks it under each bar: one letter per library of the
 * label, shown when that library is hardened (R1N1HS1L1H -> "-N-L"), so the 16 patterns of a layout
 * line up letter under letter.
 */
export function hardeningPattern(label: string): string {
  return [...label.matchAll(/([A-Z])\d+(H?)/g)].map((m) => (m[2] ? m[1] : '-')).join('');
}

/** One app's panel: a column per layout, in it a bar pair (measured, modelled) per hardening pattern. */
function fig6Panel(app: Fig6App, records: readonly PaperRecord[]): Record<string, unknown> {
  const layouts = [...new Set(records.map(layoutOf))];
  return {
    title: `${appNamed(app).title} GET throughput`,
    data: { values: bySource(records, (r) => ({ layout: layoutOf(r), hardening: hardeningPattern(r.label) })) },
    facet: { column: { field: 'layout', type: 'nominal', sort: layouts, title: 'layout (compartment of each library)', header: { labelFontWeight: 'bold', labelFontSize: 12 } } },
    spacing: 8,
    spec: {
      width: { step: 8 },
      height: 240,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'hardening', type: 'nominal', sort: null, title: 'hardened libraries', axis: { labelAngle: -90, labelFont: 'DejaVu Sans Mono', labelFontSize: 10 } },
        xOffset: { field: 'source', type: 'nominal', sort: SOURCE_SCALE.domain },
        y: { field: 'value', type: 'quantitative', title: 'GET requests/s (log)', scale: { type: 'log' }, stack: null },
        color: { field: 'source', type: 'nominal', title: 'figure', scale: SOURCE_SCALE },
        tooltip: [{ field: 'label', title: 'configuration' }, { field: 'source' }, { field: 'value', format: ',.0f' }],
      },
    },
    resolve: { scale: { x: 'independent' } },
  };
}

/**
 * Fig. 6 as the paper draws it: grouped by layout, the hardening pattern under each pair of bars,
 * measured beside modelled (log scale: the simulator's JavaScript and the modelled cycles differ by
 * orders of magnitude); Redis above Nginx.
 */
export function fig6Spec(byApp: readonly { readonly app: Fig6App; readonly records: readonly PaperRecord[] }[]): TopLevelSpec {
  const panels = byApp.filter((a) => a.records.length > 0).map((a) => fig6Panel(a.app, a.records));
  if (panels.length === 0) throw new RangeError('fig6Spec: no app has a measured configuration');
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Fig. 6: GET throughput per configuration, grouped by layout', subtitle: 'letters: the libraries of the label that are hardened (R1N1HS1L1H: -N-L)' },
    config: FIGURE_CONFIG,
    vconcat: panels,
  } as unknown as TopLevelSpec;
}
