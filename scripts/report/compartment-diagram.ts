// The configuration as a picture: one box per compartment (coloured by its isolation mechanism)
// holding its libraries (hardened ones marked with their options), and one arrow per gate edge
// between libraries, as thick as the crossings per request it carries. Laid out here as plain SVG.

import type { RunReportJson } from './run-json.js';

const BOX_WIDTH = 200;
const COLUMN_GAP = 150; // room between two compartments for the arrows and their labels
const MARGIN = 20;
const HEADER = 48;
const ROW = 34; // one library: a 26-pixel box and the gap below it
const LIB_INSET = 18;

/** Fill and stroke of a compartment box per mechanism (FlexOS's backends). */
const MECHANISM_COLOURS: Readonly<Record<string, { fill: string; stroke: string; label: string }>> = {
  fcalls: { fill: '#eeeeee', stroke: '#777777', label: 'fcalls (function calls, no isolation)' },
  'intel-pku': { fill: '#dbe9f6', stroke: '#4c78a8', label: 'intel-pku (MPK protection keys)' },
  vmept: { fill: '#fde5cc', stroke: '#e07b00', label: 'vmept (one VM per compartment, EPT)' },
};

/** Arrow colour per gate kind. */
const GATE_COLOURS: Readonly<Record<string, string>> = { function: '#777777', 'mpk-light': '#2a9d8f', 'mpk-dss': '#264653', ept: '#b5179e' };

const HARDENING_ABBREVIATIONS: Readonly<Record<string, string>> = { kasan: 'K', ubsan: 'U', stackprotector: 'SP', cfi: 'CFI', safestack: 'SS' };

export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Placed {
  readonly x: number;
  readonly y: number;
  readonly column: number;
}

/** What an edge's label counts crossings per: a request (scale 1) or a MiB received (iPerf). */
export interface PerUnit {
  readonly scale: number;
  readonly name: string;
}

const LANE = 14; // between two arrows routed below the boxes

/** The diagram as an inline `<svg>` element (no XML namespace: it lives in an HTML page). */
export function compartmentDiagram(report: Pick<RunReportJson, 'compartments' | 'crossings_by_edge'>, per: PerUnit = { scale: 1, name: 'req' }): string {
  const compartments = report.compartments;
  const places = new Map<string, Placed>();
  const rows = Math.max(1, ...compartments.map((c) => c.libraries.length));
  const boxHeight = HEADER + rows * ROW + 10;
  const width = MARGIN * 2 + compartments.length * BOX_WIDTH + Math.max(0, compartments.length - 1) * COLUMN_GAP + 70;
  const columnOf = new Map(compartments.flatMap((c, column) => c.libraries.map((l) => [l.name, column] as const)));
  // An arrow between compartments that are not neighbours runs in a lane below the boxes, not across the one between.
  const longEdges = report.crossings_by_edge.filter((e) => {
    const [caller, callee] = e.edge.split(' -> ');
    return Math.abs((columnOf.get(caller!) ?? 0) - (columnOf.get(callee!) ?? 0)) > 1;
  });
  const legendTop = MARGIN + boxHeight + 24 + longEdges.length * LANE;
  const height = legendTop + 74;
  const parts: string[] = [];

  compartments.forEach((c, column) => {
    const x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP);
    const colours = MECHANISM_COLOURS[c.mechanism] ?? MECHANISM_COLOURS['fcalls']!;
    const libraries = c.libraries.map((lib, i) => {
      const ly = MARGIN + HEADER + i * ROW;
      places.set(lib.name, { x: x + LIB_INSET, y: ly, column });
      const hardened = lib.hardening.length > 0;
      const badge = lib.hardening.map((h) => HARDENING_ABBREVIATIONS[h] ?? h).join(' ');
      return (
        `<g class="library${hardened ? ' hardened' : ''}" data-library="${escapeXml(lib.name)}">` +
        `<title>${escapeXml(lib.name)}${hardened ? ` hardened: ${escapeXml(lib.hardening.join(', '))}` : ''}</title>` +
        `<rect x="${x + LIB_INSET}" y="${ly}" width="${BOX_WIDTH - 2 * LIB_INSET}" height="26" rx="4" fill="#ffffff" stroke="${hardened ? '#c0392b' : '#999999'}" stroke-width="${hardened ? 2.5 : 1}"/>` +
        `<text x="${x + LIB_INSET + 8}" y="${ly + 17}" font-size="13">${escapeXml(lib.name)}</text>` +
        (hardened
          ? `<rect x="${x + BOX_WIDTH - LIB_INSET - 8 - badge.length * 7 - 6}" y="${ly + 5}" width="${badge.length * 7 + 6}" height="16" rx="3" fill="#c0392b"/>` +
            `<text class="hardening-badge" x="${x + BOX_WIDTH - LIB_INSET - 11}" y="${ly + 17}" font-size="11" fill="#ffffff" text-anchor="end">${escapeXml(badge)}</text>`
          : '') +
        '</g>'
      );
    });
    parts.push(
      `<g class="compartment" data-compartment="${escapeXml(c.name)}" data-mechanism="${escapeXml(c.mechanism)}">` +
        `<title>${escapeXml(c.name)}: ${escapeXml(c.mechanism)}, ${c.libraries.length} librar${c.libraries.length === 1 ? 'y' : 'ies'}</title>` +
        `<rect x="${x}" y="${MARGIN}" width="${BOX_WIDTH}" height="${boxHeight}" rx="8" fill="${colours.fill}" stroke="${colours.stroke}" stroke-width="2"/>` +
        `<text x="${x + 12}" y="${MARGIN + 20}" font-size="15" font-weight="bold">${escapeXml(c.name)}${c.default ? ' (default)' : ''}</text>` +
        `<text x="${x + 12}" y="${MARGIN + 37}" font-size="11" fill="#444444">${escapeXml(c.mechanism)}, key/VM ${c.index}</text>` +
        libraries.join('') +
        '</g>',
    );
  });

  const busiest = Math.max(1e-9, ...report.crossings_by_edge.map((e) => e.per_request));
  const ends = report.crossings_by_edge.map((e) => e.edge.split(' -> ') as [string, string]);
  // Each library spreads the arrows that touch it over its box's height, so they do not meet in one point.
  const ports = new Map<string, string[]>();
  ends.forEach(([caller, callee], i) => {
    for (const lib of [caller, callee]) ports.set(lib, [...(ports.get(lib) ?? []), `${i}`]);
  });
  const portY = (lib: string, i: number): number => {
    const list = ports.get(lib) ?? [];
    return places.get(lib)!.y + 4 + ((list.indexOf(`${i}`) + 1) * 18) / (list.length + 1);
  };
  const edges = report.crossings_by_edge.map((e, i) => {
    const [caller, callee] = ends[i]!;
    const from = places.get(caller);
    const to = places.get(callee);
    if (!from || !to) return `<g class="gate-edge unplaced" data-edge="${escapeXml(e.edge)}"><title>${escapeXml(e.edge)}: a library outside the drawn compartments</title></g>`;
    const libWidth = BOX_WIDTH - 2 * LIB_INSET;
    const y1 = portY(caller, i);
    const y2 = portY(callee, i);
    let curve: [number, number][];
    let d: string | undefined;
    const lane = longEdges.indexOf(e);
    if (lane >= 0) {
      const rightward = from.column < to.column;
      const columnX = (column: number): number => MARGIN + column * (BOX_WIDTH + COLUMN_GAP);
      const x1 = rightward ? from.x + libWidth : from.x;
      const x2 = rightward ? to.x : to.x + libWidth;
      const gx1 = (rightward ? columnX(from.column) + BOX_WIDTH + COLUMN_GAP / 2 : columnX(from.column) - COLUMN_GAP / 2) + lane * LANE;
      const gx2 = (rightward ? columnX(to.column) - COLUMN_GAP / 2 : columnX(to.column) + BOX_WIDTH + COLUMN_GAP / 2) - lane * LANE;
      const laneY = MARGIN + boxHeight + 14 + lane * LANE;
      d = `M${x1},${y1.toFixed(1)} H${gx1} V${laneY} H${gx2} V${y2.toFixed(1)} H${x2}`;
      curve = [[gx1, laneY], [gx1, laneY], [gx2, laneY], [gx2, laneY]];
    } else if (from.column === to.column) {
      // Within one compartment (fcalls gates): an arc outside its right edge.
      const bulge = from.x + libWidth + LIB_INSET + 40 + (i % 3) * 12;
      curve = [[from.x + libWidth, y1], [bulge, y1], [bulge, y2], [to.x + libWidth, y2]];
    } else {
      const rightward = from.column < to.column;
      const x1 = rightward ? from.x + libWidth : from.x;
      const x2 = rightward ? to.x : to.x + libWidth;
      const bend = (x2 - x1) / 2;
      curve = [[x1, y1], [x1 + bend, y1], [x2 - bend, y2], [x2, y2]];
    }
    // The label sits toward the end with fewer arrows, where the arrows have fanned out.
    const fanIn = (ports.get(callee)?.length ?? 0) - (ports.get(caller)?.length ?? 0);
    const label = bezierPoint(curve, lane >= 0 ? 0.25 + (0.5 * (lane + 1)) / (longEdges.length + 1) : fanIn > 0 ? 0.22 : fanIn < 0 ? 0.78 : 0.5);
    const [p0, c1, c2, p3] = curve.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`);
    d ??= `M${p0} C${c1} ${c2} ${p3}`;
    const colour = GATE_COLOURS[e.kind] ?? '#777777';
    const strokeWidth = (1.5 + 7 * Math.sqrt(e.per_request / busiest)).toFixed(2);
    return (
      `<g class="gate-edge" data-edge="${escapeXml(e.edge)}" data-kind="${escapeXml(e.kind)}" data-per-request="${e.per_request}">` +
      `<title>${escapeXml(e.edge)} (${escapeXml(e.kind)}): ${(e.per_request * per.scale).toFixed(3)} crossings per ${per.name === 'req' ? 'request' : per.name}, ${(e.mean_ns / 1000).toFixed(1)} µs measured per crossing</title>` +
      `<path d="${d}" fill="none" stroke-linejoin="round" stroke="${colour}" stroke-opacity="0.75" stroke-width="${strokeWidth}" marker-end="url(#gate-arrow-${escapeXml(e.kind)})"/>` +
      `<text x="${label[0].toFixed(1)}" y="${(label[1] - 3).toFixed(1)}" font-size="11" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3">${(e.per_request * per.scale).toFixed(2)}/${escapeXml(per.name)}</text>` +
      '</g>'
    );
  });

  const markers = Object.entries(GATE_COLOURS)
    .map(([kind, colour]) => `<marker id="gate-arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`)
    .join('');
  return (
    `<svg class="compartment-diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img" aria-label="compartments, their libraries and the gates between them">` +
    `<defs>${markers}</defs>` +
    parts.join('') +
    `<g class="gate-edges">${edges.join('')}</g>` +
    legend(legendTop, compartments.map((c) => c.mechanism), report.crossings_by_edge.map((e) => e.kind), per) +
    '</svg>'
  );
}

function bezierPoint(curve: readonly [number, number][], t: number): [number, number] {
  const [a, b, c, d] = curve as [[number, number], [number, number], [number, number], [number, number]];
  const u = 1 - t;
  const at = (k: 0 | 1): number => u ** 3 * a[k] + 3 * u * u * t * b[k] + 3 * u * t * t * c[k] + t ** 3 * d[k];
  return [at(0), at(1)];
}

/** What the colours, arrows and badges mean: only the mechanisms and gate kinds this picture uses. */
function legend(top: number, mechanisms: readonly string[], kinds: readonly string[], per: PerUnit): string {
  const items: string[] = [];
  let x = MARGIN;
  for (const m of new Set(mechanisms)) {
    const c = MECHANISM_COLOURS[m] ?? MECHANISM_COLOURS['fcalls']!;
    items.push(`<rect x="${x}" y="${top}" width="16" height="12" fill="${c.fill}" stroke="${c.stroke}" stroke-width="2"/><text x="${x + 22}" y="${top + 11}" font-size="12">${escapeXml(c.label)}</text>`);
    x += 34 + c.label.length * 6.5;
  }
  x = MARGIN;
  for (const k of new Set(kinds)) {
    items.push(`<line x1="${x}" y1="${top + 30}" x2="${x + 24}" y2="${top + 30}" stroke="${GATE_COLOURS[k] ?? '#777777'}" stroke-width="4"/><text x="${x + 30}" y="${top + 34}" font-size="12">gate: ${escapeXml(k)}</text>`);
    x += 120;
  }
  items.push(`<text x="${x}" y="${top + 34}" font-size="12" fill="#444444">arrow width: crossings per ${per.name === 'req' ? 'request' : escapeXml(per.name)}</text>`);
  const abbreviations = Object.entries(HARDENING_ABBREVIATIONS).map(([name, a]) => `${a} ${name}`).join(', ');
  items.push(`<rect x="${MARGIN}" y="${top + 46}" width="16" height="12" fill="#ffffff" stroke="#c0392b" stroke-width="2.5"/><text x="${MARGIN + 22}" y="${top + 57}" font-size="12">hardened library; badge: ${escapeXml(abbreviations)}</text>`);
  return `<g class="legend diagram-legend">${items.join('')}</g>`;
}
