// The picture of an exploration: the safety poset as inline SVG (Hasse levels bottom to top, less
// safe below, a wide level wrapped into rows so labels never overlap), nodes coloured by the metric,
// skipped ones hollow, the chosen ones ringed, the budget in the title, and a table beside it. One
// self-contained HTML file, opened without a server.

import type { Poset } from './poset.js';
import type { SearchResult } from './search.js';

export interface PictureInput {
  readonly title: string;
  readonly metric: string;
  readonly poset: Poset;
  readonly result: SearchResult;
}

const NODE_R = 9;
const FONT_PX = 9;
/** A label's width, generous for capitals and digits in any sans-serif (DejaVu's run about 0.65 em). */
const labelWidth = (label: string): number => label.length * FONT_PX * 0.75;
/** Between two levels: room for the safety order's lines to be told apart. */
const LEVEL_GAP = 56;
/** Between two rows of one wrapped level: a node, its label under it, and a margin. */
const ROW_GAP = 2 * NODE_R + 11 + FONT_PX;
/** The picture's width budget: a wide level wraps into rows rather than run past it. */
const MAX_WIDTH = 1400;
const PAD = 40;
const TITLE_ROOM = 40;

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Node centres by configuration index; each label is drawn centred under its node. */
  readonly pos: ReadonlyMap<number, { readonly x: number; readonly y: number }>;
}

/**
 * A layered layout that fits: Hasse levels bottom to top (less safe below), every column one label
 * wide, a level wider than the picture wrapped into rows (alternate rows shifted by half a column,
 * so lines from below pass between nodes), so no two labels overlap whatever the space.
 */
function layoutPoset(poset: Poset): Layout {
  const byLevel = new Map<number, number[]>();
  poset.levels.forEach((level, i) => byLevel.set(level, [...(byLevel.get(level) ?? []), i]));
  const pitch = Math.max(2 * NODE_R + 8, ...poset.labels.map(labelWidth)) + 10;
  const perRow = Math.max(1, Math.floor((MAX_WIDTH - 2 * PAD - pitch / 2) / pitch));
  const widest = Math.max(1, ...[...byLevel.values()].map((v) => v.length));
  const columns = Math.min(widest, perRow);
  const width = PAD * 2 + columns * pitch + (widest > perRow ? pitch / 2 : 0);
  const levels = [...byLevel.keys()].sort((a, b) => a - b);
  const rowsOf = (level: number): number => Math.ceil(byLevel.get(level)!.length / perRow);
  const height = PAD * 2 + TITLE_ROOM + levels.reduce((h, level) => h + (rowsOf(level) - 1) * ROW_GAP, 0) + Math.max(0, levels.length - 1) * LEVEL_GAP;
  const pos = new Map<number, { x: number; y: number }>();
  let y = height - PAD;
  for (const level of levels) {
    const nodes = byLevel.get(level)!.sort((a, b) => poset.labels[a]!.localeCompare(poset.labels[b]!));
    for (let row = 0; row * perRow < nodes.length; row++) {
      const inRow = nodes.slice(row * perRow, (row + 1) * perRow);
      // A full row starts at the left edge (odd rows half a column in); a short one is centred.
      const offset = inRow.length === perRow ? PAD + pitch / 2 + (row % 2) * (pitch / 2) : (width - inRow.length * pitch) / 2 + pitch / 2;
      inRow.forEach((i, k) => pos.set(i, { x: offset + k * pitch, y }));
      if ((row + 1) * perRow < nodes.length) y -= ROW_GAP;
    }
    y -= LEVEL_GAP;
  }
  return { width, height, pos };
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(4));

/** Red (worst measured) to green (best measured), on the metric's own direction. */
function colour(value: number, lo: number, hi: number, lowerIsBetter: boolean): string {
  let t = hi > lo ? (value - lo) / (hi - lo) : 1;
  if (lowerIsBetter) t = 1 - t;
  return `hsl(${Math.round(120 * t)}, 70%, 45%)`;
}

export function renderSvg(input: PictureInput): string {
  const { poset, result } = input;
  const { width, height, pos } = layoutPoset(poset);
  const values = result.outcomes.flatMap((o) => (o.value === undefined ? [] : [o.value]));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const chosen = new Set(result.safest);
  const dir = result.lowerIsBetter ? '<=' : '>=';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_PX}">`,
    `<text x="${PAD}" y="24" font-size="14">${escape(input.title)}: budget ${escape(input.metric)} ${escape(dir)} ${escape(fmt(result.budget))}; measured ${result.measuredCount} of ${result.total}; safest: ${escape(result.safest.join(', ') || 'none')}</text>`,
  ];
  for (const [a, b] of poset.edges) {
    const p = pos.get(a)!;
    const q = pos.get(b)!;
    parts.push(`<line class="edge" x1="${p.x.toFixed(1)}" y1="${p.y.toFixed(1)}" x2="${q.x.toFixed(1)}" y2="${q.y.toFixed(1)}" stroke="#bbb" stroke-width="0.8"/>`);
  }
  result.outcomes.forEach((o, i) => {
    const p = pos.get(i)!;
    const fill = o.measured && o.value !== undefined ? colour(o.value, lo, hi, result.lowerIsBetter) : 'none';
    const stroke = o.verdict === 'feasible' ? '#2a7' : o.verdict === 'infeasible' ? '#c33' : '#888';
    const state = chosen.has(o.label) ? 'chosen' : o.measured ? 'measured' : 'skipped';
    const tip = `${o.label}: ${o.verdict}${o.value === undefined ? '' : `, ${fmt(o.value)}`} (${o.reason})`;
    parts.push(
      `<g class="node ${state}" data-label="${escape(o.label)}" data-verdict="${o.verdict}" data-state="${state}"><title>${escape(tip)}</title>` +
        (state === 'chosen' ? `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${NODE_R + 5}" fill="none" stroke="#000" stroke-width="2.5"/>` : '') +
        `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${NODE_R}" fill="${fill}" stroke="${stroke}" stroke-width="2"${o.verdict === 'uncertain' ? ' stroke-dasharray="3 2"' : ''}/>` +
        `<text x="${p.x.toFixed(1)}" y="${(p.y + NODE_R + 11).toFixed(1)}" text-anchor="middle">${escape(o.label)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderHtml(input: PictureInput): string {
  const { result } = input;
  const chosen = new Set(result.safest);
  const rows = result.outcomes
    .map((o) => {
      const state = chosen.has(o.label) ? 'chosen' : o.measured ? 'measured' : 'skipped';
      return `<tr class="${state}"><td>${escape(o.label)}${chosen.has(o.label) ? ' ★' : ''}</td><td>${o.verdict}</td><td>${state}</td><td class="n">${o.value === undefined ? '' : escape(fmt(o.value))}</td><td>${escape(o.reason)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>
body { font-family: sans-serif; margin: 1em; display: flex; gap: 2em; align-items: flex-start; }
table { border-collapse: collapse; font-size: 12px; } td, th { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; } tr.chosen { font-weight: bold; background: #efe; } tr.skipped { color: #777; }
.legend { font-size: 12px; color: #444; max-width: 60em; }
</style></head>
<body>
<div>
${renderSvg(input)}
<p class="legend">Filled: measured (red = worst, green = best ${escape(input.metric)}). Hollow: skipped, verdict implied (green ring: meets, red ring: misses). Dashed: uncertain. Black ring: the safest configurations meeting the budget. Lines: the safety order, safer above.</p>
<p class="legend">${escape(result.assumption)}.</p>
<ul class="legend">${result.guarantees.map((g) => `<li>${escape(g)}</li>`).join('')}</ul>
</div>
<table><thead><tr><th>configuration</th><th>verdict</th><th>state</th><th>${escape(input.metric)}</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
