// The safety partial order of an exploration space, built from the configurations themselves (where
// each library lives, what each library is hardened with), not from a hand-written edge list; its
// Hasse diagram (transitive reduction) and levels are what the search walks and the picture draws.
//
// The rule. B is at least as safe as A (A <= B) when
//   (1) B's compartmentalisation refines A's: every pair of libraries separated in A is separated in B;
//   (2) B hardens a superset of A's (library, option) pairs; and
//   (3) ('paper' mode, the default) A and B have the same compartmentalisation, or A hardens nothing.
// (3) is FLEXOS.md's "hardened configurations of different layouts are incomparable": a finer layout
// is safer than a coarser one only from an unhardened configuration. It is what the paper's numbers
// imply: for the Redis space the Hasse diagram then has 5 x 32 within-layout edges (a 4-cube each)
// plus the 6 layout edges between unhardened configurations = 166 edges, one root. Without (3)
// ('product' mode) every hardening level would repeat the 6 layout edges: 160 + 16 x 6 = 256.
// The mechanism is not compared: points equal under (1)-(2) but distinct are left incomparable.

import type { Configuration } from '../../kernel/abi/schema.js';

export type CrossLayoutRule = 'paper' | 'product';

export interface PosetPoint {
  readonly label: string;
  readonly configuration: Configuration;
}

export interface Poset {
  readonly labels: readonly string[];
  readonly size: number;
  /** Transitive reduction: [less safe, safer] index pairs. */
  readonly edges: readonly (readonly [number, number])[];
  /** Longest path from a root, along Hasse edges. */
  readonly levels: readonly number[];
  /** Indices with nothing less safe / nothing safer. */
  readonly roots: readonly number[];
  readonly tops: readonly number[];
  /** Strictly safer / strictly less safe than each index (transitively). */
  readonly above: readonly ReadonlySet<number>[];
  readonly below: readonly ReadonlySet<number>[];
  /** Per node: its layout (partition) and hardened (library:option) pairs; the search's predictor reads them. */
  readonly features: readonly (readonly string[])[];
  indexOf(label: string): number;
  /** b is strictly safer than a. */
  safer(a: number, b: number): boolean;
}

interface Shape {
  /** library -> block id (its compartment). */
  readonly block: ReadonlyMap<string, string>;
  readonly hardening: ReadonlySet<string>;
  readonly partitionKey: string;
}

function shapeOf(config: Configuration): Shape {
  const block = new Map(config.libraries.map((l) => [l.name, l.compartment]));
  const hardening = new Set(config.libraries.flatMap((l) => l.hardening.map((h) => `${l.name}:${h}`)));
  const groups = new Map<string, string[]>();
  for (const l of config.libraries) groups.set(l.compartment, [...(groups.get(l.compartment) ?? []), l.name]);
  const partitionKey = [...groups.values()].map((g) => g.sort().join(',')).sort().join('|');
  return { block, hardening, partitionKey };
}

/** `fine` refines `coarse`: libraries together in `fine` are together in `coarse` (over the libraries both hold). */
function refines(fine: Shape, coarse: Shape): boolean {
  const libs = [...fine.block.keys()].filter((l) => coarse.block.has(l));
  for (let i = 0; i < libs.length; i++) {
    for (let j = i + 1; j < libs.length; j++) {
      const a = libs[i]!;
      const b = libs[j]!;
      if (fine.block.get(a) === fine.block.get(b) && coarse.block.get(a) !== coarse.block.get(b)) return false;
    }
  }
  return true;
}

function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** a <= b under the rule (not necessarily strict). */
function atLeastAsSafe(a: Shape, b: Shape, rule: CrossLayoutRule): boolean {
  if (!subset(a.hardening, b.hardening) || !refines(b, a)) return false;
  return rule === 'product' || a.partitionKey === b.partitionKey || a.hardening.size === 0;
}

export function buildPoset(points: readonly PosetPoint[], options: { readonly crossLayout?: CrossLayoutRule } = {}): Poset {
  const rule = options.crossLayout ?? 'paper';
  const labels = points.map((p) => p.label);
  const index = new Map(labels.map((l, i) => [l, i]));
  if (index.size !== labels.length) throw new TypeError('buildPoset: duplicate labels');
  const shapes = points.map((p) => shapeOf(p.configuration));
  const n = points.length;
  const lt: boolean[][] = shapes.map((a, i) =>
    shapes.map((b, j) => i !== j && atLeastAsSafe(a, b, rule) && !atLeastAsSafe(b, a, rule)),
  );
  const above = lt.map((row) => new Set(row.flatMap((x, j) => (x ? [j] : []))));
  const below = lt.map((_, i) => new Set(lt.flatMap((row, j) => (row[i] ? [j] : []))));
  const edges: [number, number][] = [];
  for (let a = 0; a < n; a++) {
    for (const b of above[a]!) {
      let covered = true;
      for (const c of above[a]!) {
        if (lt[c]![b]) {
          covered = false;
          break;
        }
      }
      if (covered) edges.push([a, b]);
    }
  }
  // Levels: visit in order of how many are below (a linear extension), longest path from a root.
  const order = [...labels.keys()].sort((a, b) => below[a]!.size - below[b]!.size || a - b);
  const levels = new Array<number>(n).fill(0);
  const preds = labels.map(() => [] as number[]);
  for (const [a, b] of edges) preds[b]!.push(a);
  for (const i of order) levels[i] = Math.max(0, ...preds[i]!.map((p) => levels[p]! + 1));
  return {
    labels,
    size: n,
    edges,
    levels,
    roots: order.filter((i) => below[i]!.size === 0),
    tops: order.filter((i) => above[i]!.size === 0),
    above,
    below,
    indexOf(label) {
      const i = index.get(label);
      if (i === undefined) throw new TypeError(`unknown configuration ${JSON.stringify(label)}`);
      return i;
    },
    safer: (a, b) => lt[a]![b]!,
    features: shapes.map((s) => [`layout=${s.partitionKey}`, ...[...s.hardening].sort()]),
  };
}
