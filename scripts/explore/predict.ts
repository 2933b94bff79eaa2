// A guess at the unmeasured configurations, used only to choose what the budget search measures
// next (never to decide an answer): log-metric = layout term + one term per hardened
// (library, option), fitted by ridge regression, then clipped to what monotonicity allows.

import type { Poset } from './poset.js';

/** Goodness (higher is better, log scale) of every node, from the measured ones (index -> goodness). */
export function predictGoodness(poset: Poset, measured: ReadonlyMap<number, number>): number[] {
  const names = [...new Set(poset.features.flat())].sort();
  const column = new Map(names.map((f, i) => [f, i + 1]));
  const width = names.length + 1; // + intercept
  const row = (i: number): number[] => {
    const x = new Array<number>(width).fill(0);
    x[0] = 1;
    for (const f of poset.features[i]!) x[column.get(f)!] = 1;
    return x;
  };
  // Normal equations with a small ridge: a feature never measured gets (almost) no weight.
  const a = Array.from({ length: width }, () => new Array<number>(width).fill(0));
  const b = new Array<number>(width).fill(0);
  for (const [i, y] of measured) {
    const x = row(i);
    for (let p = 0; p < width; p++) {
      if (x[p] === 0) continue;
      b[p]! += y;
      for (let q = 0; q < width; q++) a[p]![q]! += x[q]!;
    }
  }
  for (let p = 1; p < width; p++) a[p]![p]! += 1e-3;
  a[0]![0]! += 1e-9;
  const w = solve(a, b);
  const guess = poset.labels.map((_, i) => row(i).reduce((s, x, p) => s + x * w[p]!, 0));
  // Monotonicity: no better than anything measured below, no worse than anything measured above.
  return guess.map((g, i) => {
    if (measured.has(i)) return measured.get(i)!;
    let hi = Infinity;
    let lo = -Infinity;
    for (const j of poset.below[i]!) if (measured.has(j)) hi = Math.min(hi, measured.get(j)!);
    for (const j of poset.above[i]!) if (measured.has(j)) lo = Math.max(lo, measured.get(j)!);
    return lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, g));
  });
}

/** Gaussian elimination with partial pivoting; the ridge keeps the system non-singular. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    if (Math.abs(pivot) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((r, i) => (Math.abs(r[i]!) < 1e-12 ? 0 : r[n]! / r[i]!));
}
