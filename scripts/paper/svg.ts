// Hand-written SVG charts for `node scripts/paper.js --plot`, in the paper's forms: grouped bars
// (Fig. 6, 10, 11: measured and modelled side by side per configuration, optionally on a log scale)
// and lines over a log2 x axis (Fig. 9: one solid measured and one dashed modelled line per preset).

/** Colours that stay distinct for colour-blind readers (Paul Tol's bright scheme). */
const PALETTE = ['#4477aa', '#ee6677', '#228833', '#ccbb44', '#66ccee', '#aa3377', '#bbbbbb'];
const font = (size = 11, extra = ''): string => `font-family="sans-serif" font-size="${size}"${extra ? ' ' + extra : ''}`;
const FONT = font();

export interface Bar {
  readonly label: string;
  /** One value per series, in the chart's series order. */
  readonly values: readonly number[];
}

export interface BarChart {
  readonly title: string;
  readonly yLabel: string;
  /** Names of the bars drawn side by side for each configuration (e.g. measured, modelled). */
  readonly series: readonly string[];
  /** Configurations grouped as the paper groups them (e.g. by layout); a group may be unnamed. */
  readonly groups: readonly { readonly name: string; readonly bars: readonly Bar[] }[];
  readonly log?: boolean;
}

export interface LineSeries {
  readonly name: string;
  /** Series with the same key share a colour (a preset's measured and modelled lines). */
  readonly key: string;
  readonly dashed: boolean;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Tick label for an x value (default: the number). */
  readonly xTick?: (x: number) => string;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const num = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Round tick values covering [0, max]. */
function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(t);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

interface Scale {
  readonly at: (v: number) => number;
  readonly ticks: readonly number[];
}

function yScale(values: readonly number[], log: boolean, top: number, bottom: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v));
  if (log) {
    const positive = finite.filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...positive, 1)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive, 10))));
    const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
    const at = (v: number): number => bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (bottom - top);
    return { at, ticks };
  }
  const ticks = linearTicks(Math.max(0, ...finite));
  const max = ticks[ticks.length - 1]!;
  return { at: (v: number) => bottom - (Math.max(0, v) / max) * (bottom - top), ticks };
}

function yAxis(scale: Scale, left: number, right: number, label: string, top: number, bottom: number): string[] {
  const out = [`<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`, `<line class="axis" x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`];
  for (const t of scale.ticks) {
    const y = num(scale.at(t));
    out.push(`<line x1="${left - 4}" y1="${y}" x2="${right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" ${FONT}>${escapeXml(tickText(t))}</text>`);
  }
  const mid = num((top + bottom) / 2);
  out.push(`<text x="14" y="${mid}" transform="rotate(-90 14 ${mid})" text-anchor="middle" ${FONT}>${escapeXml(label)}</text>`);
  return out;
}

function legend(entries: readonly { name: string; colour: string; dashed?: boolean; bar?: boolean }[], x: number, y: number): string[] {
  return entries.flatMap((e, i) => {
    const ly = y + i * 16;
    const mark = e.bar
      ? `<rect x="${x}" y="${ly - 5}" width="12" height="10" fill="${e.colour}"/>`
      : `<line x1="${x}" y1="${ly}" x2="${x + 20}" y2="${ly}" stroke="${e.colour}" stroke-width="2"${e.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    return [mark, `<text x="${x + 26}" y="${ly}" dominant-baseline="middle" ${FONT}>${escapeXml(e.name)}</text>`];
  });
}

/** One bar chart panel of the given width; returns its markup and height. */
function barPanel(chart: BarChart, y0: number): { body: string[]; height: number; width: number } {
  const nBars = chart.groups.reduce((n, g) => n + g.bars.length, 0);
  const groupGap = 16;
  // Thin bars for 80 configurations, wide ones for three or four.
  const perBar = Math.max(9, Math.min(36, Math.floor((300 - chart.groups.length * groupGap) / Math.max(1, nBars * (chart.series.length + 1)))));
  const gap = Math.max(3, perBar);
  const left = 70;
  const top = y0 + 30;
  const plotH = 260;
  const bottom = top + plotH;
  const barWidth = chart.series.length * perBar + gap;
  const plotW = Math.max(300, nBars * barWidth + chart.groups.length * groupGap);
  const width = left + plotW + 40 + Math.max(...chart.series.map((n) => n.length)) * 7;
  const scale = yScale(chart.groups.flatMap((g) => g.bars.flatMap((b) => b.values)), chart.log === true, top, bottom);
  const longest = Math.max(0, ...chart.groups.flatMap((g) => g.bars.map((b) => b.label.length)));
  const labelRoom = Math.ceil(longest * 6.2 * 0.8) + 12;
  const body = [`<text x="${left}" y="${y0 + 16}" ${font(13, 'font-weight="bold"')}>${escapeXml(chart.title)}</text>`, ...yAxis(scale, left, left + plotW, chart.yLabel, top, bottom)];
  let x = left + groupGap / 2;
  for (const group of chart.groups) {
    const start = x;
    for (const bar of group.bars) {
      body.push(`<g class="config" data-label="${escapeXml(bar.label)}">`);
      bar.values.forEach((v, i) => {
        const y = Number.isFinite(v) ? scale.at(v) : bottom;
        const title = `${bar.label} ${chart.series[i] ?? ''}: ${Number.isFinite(v) ? +v.toPrecision(4) : 'n/a'}`;
        body.push(`<rect class="bar" x="${num(x + i * perBar)}" y="${num(y)}" width="${perBar - 1}" height="${num(bottom - y)}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(title)}</title></rect>`);
      });
      const lx = num(x + (chart.series.length * perBar) / 2);
      body.push(`<text x="${lx}" y="${bottom + 8}" transform="rotate(-55 ${lx} ${bottom + 8})" text-anchor="end" ${font(9)}>${escapeXml(bar.label)}</text>`, '</g>');
      x += barWidth;
    }
    if (group.name !== '') {
      const gy = bottom + labelRoom + 14;
      body.push(`<line x1="${num(start)}" y1="${gy - 10}" x2="${num(x - gap)}" y2="${gy - 10}" stroke="#999"/>`);
      body.push(`<text class="group" x="${num((start + x - gap) / 2)}" y="${gy + 2}" text-anchor="middle" ${font(11, 'font-weight="bold"')}>${escapeXml(group.name)}</text>`);
    }
    x += groupGap;
  }
  body.push(...legend(chart.series.map((name, i) => ({ name, colour: PALETTE[i % PALETTE.length]!, bar: true })), left + plotW + 16, top + 8));
  const named = chart.groups.some((g) => g.name !== '');
  return { body, height: bottom - y0 + labelRoom + (named ? 30 : 10), width };
}

function document(width: number, height: number, body: readonly string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Bar charts stacked vertically in one SVG document (Fig. 6: Redis above Nginx). */
export function barChartSvg(charts: readonly BarChart[]): string {
  if (charts.length === 0) throw new RangeError('barChartSvg: at least one chart');
  const body: string[] = [];
  let y = 0;
  let width = 0;
  for (const chart of charts) {
    const panel = barPanel(chart, y);
    body.push(...panel.body);
    y += panel.height;
    width = Math.max(width, panel.width);
  }
  return document(width, y, body);
}

/** Lines over a shared x axis (Fig. 9: x = log2 of the buffer size). */
export function lineChartSvg(chart: LineChart): string {
  const left = 70;
  const top = 30;
  const plotW = 560;
  const plotH = 300;
  const bottom = top + plotH;
  const xs = chart.series.flatMap((s) => s.points.map((p) => p.x));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = Math.max(...xs, xMin + 1);
  const xAt = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * plotW;
  const scale = yScale(chart.series.flatMap((s) => s.points.map((p) => p.y)), false, top, bottom);
  const body = [`<text x="${left}" y="16" ${font(13, 'font-weight="bold"')}>${escapeXml(chart.title)}</text>`, ...yAxis(scale, left, left + plotW, chart.yLabel, top, bottom)];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    body.push(`<text x="${num(xAt(x))}" y="${bottom + 14}" text-anchor="middle" ${FONT}>${escapeXml(chart.xTick ? chart.xTick(x) : String(x))}</text>`);
  }
  body.push(`<text x="${left + plotW / 2}" y="${bottom + 34}" text-anchor="middle" ${FONT}>${escapeXml(chart.xLabel)}</text>`);
  const keys = [...new Set(chart.series.map((s) => s.key))];
  const colour = (key: string): string => PALETTE[keys.indexOf(key) % PALETTE.length]!;
  for (const s of chart.series) {
    const points = [...s.points].filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x).map((p) => `${num(xAt(p.x))},${num(scale.at(p.y))}`).join(' ');
    body.push(`<polyline class="line ${s.dashed ? 'dashed' : 'solid'}" data-series="${escapeXml(s.name)}" points="${points}" fill="none" stroke="${colour(s.key)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(s.name)}</title></polyline>`);
  }
  const entries = [...keys.map((k) => ({ name: k, colour: colour(k) })), { name: 'measured', colour: '#333' }, { name: 'modelled', colour: '#333', dashed: true }];
  body.push(...legend(entries, left + plotW + 16, top + 8));
  return document(left + plotW + 50 + Math.max(10, ...keys.map((k) => k.length)) * 7, bottom + 50, body);
}
