// The run report's charts as Vega-Lite specifications, compiled by `vega-lite` and rendered to SVG by
// `vega`'s headless view in Node, so the page needs no script to show them. Each spec is built from
// the run's JSON (scripts/report.ts), never from a second computation of the figures.

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LatencyDistribution } from './latency.js';
import { perUnit, type RunReportJson } from './run-json.js';

/** The Vega-Lite schema every spec names (the page's charts and paper.js's figures). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The colours of measured and modelled figures, the same in every chart of the page and in paper.js's figures. */
export const SOURCE_SCALE = { domain: ['measured', 'modelled'], range: ['#4c78a8', '#f58518'] };
const FONT = { font: 'sans-serif', labelFont: 'sans-serif', titleFont: 'sans-serif' };

/** Renders a Vega-Lite spec to a standalone SVG document (a file of its own, or resvg's input). */
export async function renderSvgDocument(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a Vega-Lite spec to an SVG element string, without the XML namespaces an inline SVG does not need. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderSvgDocument(spec)).replace(/ xmlns(:xlink)?="[^"]*"/g, '');
}

const base = (title: string): Pick<TopLevelSpec, 'title' | 'config'> => ({
  title: { text: title, anchor: 'start', ...FONT },
  config: { axis: { labelFont: FONT.font, titleFont: FONT.font }, legend: { labelFont: FONT.font, titleFont: FONT.font, orient: 'bottom', labelLimit: 400 }, view: { stroke: null } },
});

/** Throughput per test, measured and modelled side by side (each on its own scale: they differ by orders), min..max as a rule. */
export function throughputSpec(report: RunReportJson): TopLevelSpec {
  const unit = report.throughput_gbps ? 'bytes/s' : 'requests/s';
  const values = Object.entries(report.throughput_rps_by_test).flatMap(([test, t]) =>
    (['measured', 'modelled'] as const).map((source) => ({
      test: test.toUpperCase(),
      source,
      mean: t[source],
      min: report.throughput_spread_by_test[test]?.[source].min ?? t[source],
      max: report.throughput_spread_by_test[test]?.[source].max ?? t[source],
    })),
  );
  const panel = (source: 'measured' | 'modelled', title: string): Record<string, unknown> => ({
    title: { text: title, fontSize: 11, ...FONT },
    transform: [{ filter: { field: 'source', equal: source } }],
    width: 160,
    height: 180,
    layer: [
      { mark: 'bar', encoding: { x: { field: 'test', type: 'nominal', title: 'test', axis: { labelAngle: 0 } }, y: { field: 'mean', type: 'quantitative', title: `${unit} (mean of runs)` }, color: { field: 'source', type: 'nominal', title: 'figure', scale: SOURCE_SCALE } } },
      { mark: { type: 'rule', strokeWidth: 2, color: '#333' }, encoding: { x: { field: 'test', type: 'nominal' }, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
    ],
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...base('Throughput (bars: mean of runs; rules: min to max)'),
    data: { values },
    hconcat: [panel('measured', 'measured in the simulator'), panel('modelled', `modelled: ${report.model.cpu} @ ${report.model.clock_ghz} GHz`)],
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** HdrHistogram's percentile plot: latency against 1/(1-p) on a log axis, so the tail gets the room. */
export function latencySpec(distribution: LatencyDistribution): TopLevelSpec {
  const capped = (p: number): number => Math.min(p, 99.999);
  const values = distribution.points.map((p) => ({
    ...p,
    nines: 1 / (1 - capped(p.percentile) / 100),
    series: p.run === undefined ? 'built-in client (HdrHistogram)' : `run ${p.run + 1} (client's percentiles)`,
  }));
  const ticks = [1, 2, 10, 100, 1000, 10000, 100000];
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...base(distribution.source === 'hdr-histogram' ? `Latency by percentile (${distribution.samples.toLocaleString('en-US')} requests)` : 'Latency by percentile (the client printed p50 and p99 only)'),
    data: { values },
    width: 420,
    height: 220,
    mark: { type: 'line', point: true, interpolate: 'step-before' },
    encoding: {
      x: {
        field: 'nines', type: 'quantitative', title: 'percentile',
        scale: { type: 'log', domain: [1, 100000] },
        axis: { values: ticks, labelExpr: "datum.value == 1 ? '0%' : datum.value == 2 ? '50%' : format(100 - 100 / datum.value, '.3~f') + '%'" },
      },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
      color: { field: 'series', type: 'nominal', title: 'series' },
      tooltip: [{ field: 'percentile' }, { field: 'ms' }],
    },
  } as TopLevelSpec;
}

/** Each compartment's time per request: measured busy time in the simulator beside the modelled compute of its libraries. */
export function compartmentTimeSpec(report: RunReportJson): TopLevelSpec {
  const per = perUnit(report);
  const values = report.time_by_compartment.flatMap((c) => [
    { compartment: c.compartment, source: 'measured', ns: c.measured_busy_ns_per_request * per.scale },
    { compartment: c.compartment, source: 'modelled', ns: c.modelled_ns_per_request * per.scale },
  ]);
  const panel = (source: 'measured' | 'modelled', title: string): Record<string, unknown> => ({
    title: { text: title, fontSize: 11, ...FONT },
    transform: [{ filter: { field: 'source', equal: source } }],
    width: 220,
    height: { step: 22 },
    mark: 'bar',
    encoding: { y: { field: 'compartment', type: 'nominal', title: 'compartment' }, x: { field: 'ns', type: 'quantitative', title: `ns per ${per.long}` }, color: { field: 'source', type: 'nominal', title: 'figure', scale: SOURCE_SCALE } },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...base('Time per compartment'),
    data: { values },
    hconcat: [panel('measured', 'measured: busy (not waiting on a gate, not idle)'), panel('modelled', "modelled: its libraries' compute")],
    resolve: { scale: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The modelled time per request by library (split by work kind) and by gate edge (split by mechanism). */
export function modelSpec(report: RunReportJson): TopLevelSpec {
  const per = perUnit(report);
  const values = [
    ...report.model.by_library.flatMap((l) => Object.entries(l.ns_per_request_by_kind).map(([kind, ns]) => ({ row: l.library + (l.hardening_factor === 1 ? '' : ` (hardening ×${l.hardening_factor.toFixed(2)})`), part: `work: ${kind}`, ns: ns * per.scale }))),
    ...report.model.by_edge.map((e) => ({ row: `gate ${e.edge}`, part: `gate: ${e.kind}`, ns: e.ns_per_request * per.scale })),
  ].filter((v) => v.ns > 0);
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...base(`Modelled time per ${per.long}: ${(report.model.ns_per_request * per.scale).toFixed(1)} ns (libraries, gates, host TCP/IP)`),
    data: { values },
    width: 420,
    height: { step: 18 },
    mark: 'bar',
    encoding: {
      y: { field: 'row', type: 'nominal', title: null, sort: '-x' },
      x: { aggregate: 'sum', field: 'ns', type: 'quantitative', title: `ns per ${per.long} (modelled)` },
      color: { field: 'part', type: 'nominal', title: 'what the time is', scale: { scheme: 'tableau20' } },
      order: { field: 'part' },
    },
  } as TopLevelSpec;
}
