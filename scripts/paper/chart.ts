// What `paper.js --plot` shares across figures: a figure is a Vega-Lite spec, written beside the results
// as <figure>.vl.json so a user can restyle it, rendered to <figure>.svg by vega (scripts/report/charts.ts)
// and to <figure>.png by resvg; and the grouped bars of measured beside modelled that Fig. 10, Fig. 11
// and the baselines draw (Fig. 6 and Fig. 9 build their own specs from bySource's rows).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvgDocument, SOURCE_SCALE, VEGA_LITE_SCHEMA } from '../report/charts.js';
import type { PaperRecord } from './store.js';

// Measured and modelled in the colours of the run report, so the two read the same everywhere.
export { SOURCE_SCALE, VEGA_LITE_SCHEMA };
/** Text in a family every renderer here has (resvg reads the system's fonts; DejaVu is Debian's default). */
export const FIGURE_CONFIG = {
  font: 'DejaVu Sans',
  background: 'white',
  view: { stroke: null },
  legend: { orient: 'top', labelLimit: 400 },
  axis: { labelLimit: 300 },
};

export type Source = 'measured' | 'modelled';
/** One bar's datum: a configuration's figure from one source. */
export interface SourceValue {
  readonly label: string;
  readonly source: Source;
  readonly value: number;
}

/** Each record as two data rows, measured and modelled (a figure that failed to measure drops out). */
export function bySource<T extends object>(records: readonly PaperRecord[], extra: (r: PaperRecord) => T): (SourceValue & T)[] {
  return records.flatMap((r) => (['measured', 'modelled'] as const).filter((source) => Number.isFinite(r[source])).map((source) => ({ label: r.label, source, value: r[source], ...extra(r) })));
}

export interface BarsOptions {
  readonly title: string;
  readonly yTitle: string;
  /** Measured and modelled differ by orders of magnitude (a JavaScript thread against cycles on the reference CPU). */
  readonly log?: boolean;
  /** Each bar pair's x: the configuration, or a field the data carries. */
  readonly xTitle: string;
}

/** Measured beside modelled per configuration, in data order, one colour per source with a legend. */
export function sourceBars(values: readonly object[], options: BarsOptions): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: FIGURE_CONFIG,
    data: { values: [...values] },
    width: { step: 22 },
    height: 260,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: options.xTitle, axis: { labelAngle: -40 } },
      xOffset: { field: 'source', type: 'nominal', sort: SOURCE_SCALE.domain },
      y: { field: 'value', type: 'quantitative', title: options.yTitle, stack: null, ...(options.log ? { scale: { type: 'log' } } : {}) },
      color: { field: 'source', type: 'nominal', title: 'figure', scale: SOURCE_SCALE },
    },
  } as TopLevelSpec;
}

export interface WrittenFigure {
  readonly spec: string;
  readonly svg: string;
  readonly png: string;
}

/** Writes <dir>/<name>.vl.json, .svg and .png; the PNG at twice the SVG's size, for slides and papers. */
export async function writeFigure(dir: string, name: string, spec: TopLevelSpec): Promise<WrittenFigure> {
  const paths = { spec: join(dir, `${name}.vl.json`), svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  const svg = await renderSvgDocument(spec);
  writeFileSync(paths.spec, JSON.stringify(spec, null, 2) + '\n');
  writeFileSync(paths.svg, svg);
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: FIGURE_CONFIG.font } }).render().asPng();
  writeFileSync(paths.png, png);
  return paths;
}
