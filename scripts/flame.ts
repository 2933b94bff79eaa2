// Flame graphs from `node --cpu-prof` profiles, with no dependency: a .cpuprofile becomes folded
// stacks ("a;b;c 12"), folded stacks become an SVG flame graph whose frames carry hover titles.
// Gate frames are relabelled with their target, so the time spent crossing compartments shows.

/** The parts of V8's .cpuprofile format this file reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
    readonly children?: readonly number[];
  }[];
  readonly samples?: readonly number[];
}

/** Folded stacks: root-first frame labels joined by ';' → samples. */
export type Folded = Map<string, number>;

/** Frames named by compartments/runtime/profile-names.ts: `gate:lwip.recv`, `call:newlib.memcpy`. */
const NAMED_CROSSING = /^(gate|call):(\S+)$/;

function frameLabel(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.slice(frame.url.lastIndexOf('/') + 1);
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

/** GatePort.call, the caller side of every gate (compartments/gates/caller.ts). */
function isGatePortCall(frame: CpuProfile['nodes'][number]['callFrame']): boolean {
  return frame.functionName === 'call' && frame.url.endsWith('/compartments/gates/caller.js');
}

/**
 * Folds a profile: one stack per sample, root first, `(root)` dropped. A `GatePort.call` frame
 * under a `gate:<lib>.<fn>` frame becomes `gate -> <lib>.<fn>`.
 */
export function foldProfile(profile: CpuProfile): Folded {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, string>();
  const stackOf = (id: number): string => {
    const cached = stacks.get(id);
    if (cached !== undefined) return cached;
    const labels: string[] = [];
    let gateTarget: string | undefined;
    const path: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) path.push(at);
    for (const nodeId of path.reverse()) {
      const node = byId.get(nodeId)!;
      if (node.callFrame.functionName === '(root)') continue;
      let label = frameLabel(node.callFrame);
      const named = NAMED_CROSSING.exec(label);
      if (named) gateTarget = named[1] === 'gate' ? named[2] : undefined;
      else if (gateTarget !== undefined && isGatePortCall(node.callFrame)) {
        label = `gate -> ${gateTarget}`;
        gateTarget = undefined;
      }
      labels.push(label.replaceAll(';', ','));
    }
    const stack = labels.join(';');
    stacks.set(id, stack);
    return stack;
  };
  const folded: Folded = new Map();
  const add = (id: number, n: number): void => {
    const stack = stackOf(id);
    if (stack !== '' && n > 0) folded.set(stack, (folded.get(stack) ?? 0) + n);
  };
  if (profile.samples && profile.samples.length > 0) for (const id of profile.samples) add(id, 1);
  else for (const n of profile.nodes) add(n.id, n.hitCount ?? 0);
  return folded;
}

/** The folded-stacks text format (Brendan Gregg's flamegraph.pl input), one stack a line. */
export function foldedText(folded: Folded): string {
  return [...folded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([s, n]) => `${s} ${n}`).join('\n') + '\n';
}

interface FlameNode {
  readonly label: string;
  samples: number;
  readonly children: Map<string, FlameNode>;
}

function flameTree(folded: Folded): FlameNode {
  const root: FlameNode = { label: 'all', samples: 0, children: new Map() };
  for (const [stack, n] of folded) {
    root.samples += n;
    let at = root;
    for (const label of stack.split(';')) {
      let child = at.children.get(label);
      if (!child) at.children.set(label, (child = { label, samples: 0, children: new Map() }));
      child.samples += n;
      at = child;
    }
  }
  return root;
}

/** Samples whose stack holds a gate frame (`gate:` or `gate -> `). */
export function gateSamples(folded: Folded): number {
  let n = 0;
  for (const [stack, count] of folded) if (/(^|;)gate( -> |:)/.test(stack)) n += count;
  return n;
}

export interface FlameOptions {
  readonly title: string;
  /** Pixels; frames get widths proportional to their samples. */
  readonly width?: number;
  /** Frames narrower than this many pixels are left out (their time stays in the parent). */
  readonly minWidth?: number;
}

const FRAME_HEIGHT = 17;
const PAD_TOP = 40;
const PAD_SIDE = 10;
const CHAR_WIDTH = 6.6;

/** An SVG flame graph, root at the bottom, each frame with a `<title>` naming it and its share. */
export function flameSvg(folded: Folded, options: FlameOptions): string {
  const width = options.width ?? 1200;
  const minWidth = options.minWidth ?? 0.1;
  const root = flameTree(folded);
  const total = Math.max(root.samples, 1);
  const scale = (width - 2 * PAD_SIDE) / total;
  let depth = 0;
  const measure = (node: FlameNode, d: number): void => {
    depth = Math.max(depth, d);
    for (const c of node.children.values()) if (c.samples * scale >= minWidth) measure(c, d + 1);
  };
  measure(root, 0);
  const height = PAD_TOP + (depth + 1) * FRAME_HEIGHT + 10;
  const frames: string[] = [];
  const draw = (node: FlameNode, x: number, d: number): void => {
    const w = node.samples * scale;
    const y = height - 10 - (d + 1) * FRAME_HEIGHT;
    const share = ((100 * node.samples) / total).toFixed(2);
    const fits = Math.floor((w - 6) / CHAR_WIDTH);
    const text = fits < 3 ? '' : node.label.length <= fits ? node.label : node.label.slice(0, fits - 2) + '..';
    frames.push(
      `<g><title>${xml(node.label)} (${node.samples} sample${node.samples === 1 ? '' : 's'}, ${share}%)</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_HEIGHT - 1}" fill="${colour(node.label)}" rx="2"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 12}">${xml(text)}</text>` : '') +
        '</g>',
    );
    let cx = x;
    for (const c of [...node.children.values()].sort((a, b) => (a.label < b.label ? -1 : 1))) {
      if (c.samples * scale >= minWidth) draw(c, cx, d + 1);
      cx += c.samples * scale;
    }
  };
  draw(root, PAD_SIDE, 0);
  return [
    `<?xml version="1.0" standalone="no"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>text{font:11px monospace;fill:#000;pointer-events:none}g:hover rect{stroke:#000;stroke-width:0.6}</style>`,
    `<rect width="100%" height="100%" fill="#f8f8f4"/>`,
    `<text x="${width / 2}" y="20" style="font-size:15px;text-anchor:middle">${xml(options.title)}</text>`,
    `<text x="${PAD_SIDE}" y="34">${root.samples} samples; blue: gate crossings, green: direct calls between libraries; hover a frame for its share</text>`,
    ...frames,
    `</svg>`,
    '',
  ].join('\n');
}

/** Gates blue, direct cross-library calls green, idle and GC grey, the rest warm (stable per name). */
function colour(label: string): string {
  if (/^gate( -> |:)/.test(label)) return '#6fa8dc';
  if (label.startsWith('call:')) return '#93c47d';
  if (/^\([a-z ]+\)$/.test(label)) return '#cccccc'; // (program), (idle), (garbage collector)
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return `rgb(${205 + (h % 50)},${80 + ((h >> 8) % 130)},${40 + ((h >> 16) % 50)})`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export { xml as escapeXml };
