// Budget search over the safety poset: the safest configurations that meet a performance budget
// (the maximal nodes of the feasible set), measuring as few as possible. It assumes monotonicity
// (a safer configuration is probably no faster): a failure implies failure of everything safer, a
// success implies success of everything less safe. Measurements near the budget are repeated.

import type { Poset } from './poset.js';
import { predictGoodness } from './predict.js';

export interface Measurement {
  readonly value: number;
  /** Absolute noise of this measurement (e.g. a standard deviation), if the oracle knows it. */
  readonly noise?: number;
  /** Where it was measured, when not here (a queue worker: host and process). */
  readonly machine?: string;
}

export type Oracle = (label: string) => Promise<Measurement>;

export interface SearchOptions {
  readonly budget: number;
  /** Time-like metrics: a configuration meets the budget when value <= budget. Default: value >= budget. */
  readonly lowerIsBetter?: boolean;
  /** Relative noise of one measurement: a mean of n samples within margin/sqrt(n) of the budget is ambiguous. Default 0.05. */
  readonly margin?: number;
  /** Extra samples of an ambiguous configuration before calling it uncertain. Default 3. */
  readonly repeats?: number;
  /**
   * Measurements in flight at once (several machines). Parallel picks are pairwise incomparable, so
   * no probe's outcome could settle another's. Default 1: one at a time, in the sequential order.
   */
  readonly concurrency?: number;
  /** Called after every sample (results files, progress). */
  readonly onSample?: (label: string, sample: Measurement, attempt: number) => void;
}

export type Verdict = 'feasible' | 'infeasible' | 'uncertain';

export interface Outcome {
  readonly label: string;
  readonly verdict: Verdict;
  readonly measured: boolean;
  /** Mean of the samples, when measured. */
  readonly value?: number;
  readonly samples: readonly number[];
  /** Why it has this verdict (for skipped ones: the measured configuration that implies it). */
  readonly reason: string;
}

export interface SearchResult {
  readonly budget: number;
  readonly lowerIsBetter: boolean;
  readonly total: number;
  /** Configurations measured (each possibly several samples). */
  readonly measuredCount: number;
  readonly samples: number;
  /** Maximal feasible configurations, every one of them measured. */
  readonly safest: readonly string[];
  /** Measured, still ambiguous, and not settled by a measured neighbour. */
  readonly uncertain: readonly string[];
  readonly outcomes: readonly Outcome[];
  /** Measured pairs contradicting monotonicity: `safer` met the budget, `lessSafe` did not. */
  readonly violations: readonly { readonly safer: string; readonly lessSafe: string }[];
  readonly assumption: string;
  /** What holds whatever the metric does, and what rests on the assumption. */
  readonly guarantees: readonly string[];
}

export const MONOTONICITY =
  'assumed monotonic: a safer configuration is probably no faster, so a configuration safer than one that missed the budget is skipped as missing it, and one less safe than one that met it is skipped as meeting it';

interface Sampled {
  readonly verdict: Verdict;
  readonly samples: number[];
  readonly mean: number;
}

export async function searchBudget(poset: Poset, measure: Oracle, options: SearchOptions): Promise<SearchResult> {
  const { budget, lowerIsBetter = false, margin = 0.05, repeats = 3, concurrency = 1 } = options;
  if (!Number.isFinite(budget)) throw new TypeError(`searchBudget: budget must be a finite number, got ${budget}`);
  if (!(margin >= 0)) throw new RangeError(`searchBudget: margin must be >= 0, got ${margin}`);
  if (!Number.isInteger(repeats) || repeats < 0) throw new RangeError(`searchBudget: repeats must be a non-negative integer, got ${repeats}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`searchBudget: concurrency must be a positive integer, got ${concurrency}`);
  const meets = (v: number): boolean => (lowerIsBetter ? v <= budget : v >= budget);
  const n = poset.size;
  const sampled = new Map<number, Sampled>();
  let sampleCount = 0;

  const sample = async (i: number): Promise<Sampled> => {
    const label = poset.labels[i]!;
    const values: number[] = [];
    let noise = 0;
    for (let attempt = 1; attempt <= repeats + 1; attempt++) {
      const m = await measure(label);
      if (!Number.isFinite(m.value)) throw new TypeError(`measurement of ${label} is not a finite number: ${m.value}`);
      sampleCount++;
      options.onSample?.(label, m, attempt);
      values.push(m.value);
      noise = Math.max(noise, m.noise ?? 0);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      // The mean of k samples is trusted to (margin or stated noise) / sqrt(k).
      const band = Math.max(margin * Math.abs(budget), noise) / Math.sqrt(values.length);
      if (Math.abs(mean - budget) > band) return { verdict: meets(mean) ? 'feasible' : 'infeasible', samples: values, mean };
      if (attempt === repeats + 1) return { verdict: 'uncertain', samples: values, mean };
    }
    throw new Error('unreachable'); // the last attempt always returns: only here for the compiler
  };

  // What the decided measurements imply for everything else; conflicts (only under violations) stay open.
  const derive = (): { status: (Verdict | 'open')[]; witness: (number | undefined)[] } => {
    const status: (Verdict | 'open')[] = new Array(n).fill('open');
    const witness: (number | undefined)[] = new Array(n).fill(undefined);
    for (let i = 0; i < n; i++) {
      const own = sampled.get(i);
      if (own && own.verdict !== 'uncertain') {
        status[i] = own.verdict;
        continue;
      }
      const byFeasible = nearest(poset, [...poset.above[i]!].filter((j) => sampled.get(j)?.verdict === 'feasible'));
      const byInfeasible = nearest(poset, [...poset.below[i]!].filter((j) => sampled.get(j)?.verdict === 'infeasible'), true);
      if (byFeasible !== undefined && byInfeasible === undefined) [status[i], witness[i]] = ['feasible', byFeasible];
      else if (byInfeasible !== undefined && byFeasible === undefined) [status[i], witness[i]] = ['infeasible', byInfeasible];
      else if (own) status[i] = 'uncertain';
    }
    return { status, witness };
  };

  // Once a few configurations are measured, a fitted guess steers the search to the predicted
  // boundary of the feasible set (the configurations any certificate must measure).
  const goodness = (v: number): number => {
    const g = v > 0 && budget > 0 ? Math.log(v) : v;
    return lowerIsBetter ? -g : g;
  };
  const guide = (): { predictedFeasible: boolean[] } | undefined => {
    const known = new Map<number, number>();
    for (const [i, s] of sampled) known.set(i, goodness(s.mean));
    if (known.size < 3) return undefined;
    const target = goodness(budget);
    return { predictedFeasible: predictGoodness(poset, known).map((g) => g >= target) };
  };

  // Fill up to `concurrency` slots, then wait for the first to finish and re-derive. With one slot
  // this is the sequential search: derive, pick, measure. A pick beside others in flight leaves out
  // what is comparable to them (their outcomes may settle it) and, once there is a fitted guess,
  // takes only a configuration on the predicted boundary (one a certificate likely needs) or waits:
  // a speculative split point is mostly wasted once the pending outcomes arrive.
  const inFlight = new Map<number, Promise<readonly [number, Sampled]>>();
  for (;;) {
    const { status } = derive();
    const open = new Set(status.flatMap((s, i) => (s === 'open' && !inFlight.has(i) ? [i] : [])));
    const eligible = new Set(open);
    for (const i of inFlight.keys()) for (const j of [...poset.above[i]!, ...poset.below[i]!]) eligible.delete(j);
    const hint = eligible.size > 0 && inFlight.size < concurrency ? guide() : undefined;
    while (eligible.size > 0 && inFlight.size < concurrency) {
      const next = inFlight.size > 0 && hint ? predictedBoundary(poset, open, hint.predictedFeasible, eligible) : pickNext(poset, open, hint, eligible);
      if (next === undefined) break;
      const pending = sample(next).then((s) => [next, s] as const);
      pending.catch(() => undefined); // the race below reports the first failure; later ones are not unhandled
      inFlight.set(next, pending);
      for (const j of [next, ...poset.above[next]!, ...poset.below[next]!]) eligible.delete(j);
    }
    if (inFlight.size === 0) break;
    const [done, s] = await Promise.race(inFlight.values());
    inFlight.delete(done);
    sampled.set(done, s);
  }

  const { status, witness } = derive();
  const fmt = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(4));
  const cmp = lowerIsBetter ? ['<=', '>'] : ['>=', '<'];
  const outcomes: Outcome[] = poset.labels.map((label, i) => {
    const own = sampled.get(i);
    const verdict = status[i] as Verdict;
    const w = witness[i];
    if (own && own.verdict === verdict) {
      const why = verdict === 'uncertain' ? `within the noise margin of the budget after ${own.samples.length} samples` : `measured ${fmt(own.mean)} ${verdict === 'feasible' ? cmp[0] : cmp[1]} ${fmt(budget)}`;
      return { label, verdict, measured: true, value: own.mean, samples: own.samples, reason: why };
    }
    const wLabel = w === undefined ? '?' : poset.labels[w]!;
    const wValue = w === undefined ? NaN : sampled.get(w)!.mean;
    const reason =
      verdict === 'feasible'
        ? `implied feasible: less safe than ${wLabel}, which met the budget (measured ${fmt(wValue)})`
        : `implied infeasible: safer than ${wLabel}, which missed the budget (measured ${fmt(wValue)})`;
    return { label, verdict, measured: own !== undefined, ...(own ? { value: own.mean } : {}), samples: own?.samples ?? [], reason: own ? `${reason}; its own samples were ambiguous` : reason };
  });

  const feasible = outcomes.flatMap((o, i) => (o.verdict === 'feasible' ? [i] : []));
  const feasibleSet = new Set(feasible);
  const safest = feasible.filter((i) => ![...poset.above[i]!].some((j) => feasibleSet.has(j)));
  const violations: { safer: string; lessSafe: string }[] = [];
  for (const [i, s] of sampled) {
    if (s.verdict !== 'feasible') continue;
    for (const j of poset.below[i]!) if (sampled.get(j)?.verdict === 'infeasible') violations.push({ safer: poset.labels[i]!, lessSafe: poset.labels[j]! });
  }
  const skippedInfeasible = outcomes.filter((o) => !o.measured && o.verdict === 'infeasible').length;
  const guarantees = [
    `every configuration in the answer was measured and met the budget (${safest.length})`,
    `maximality rests on the assumption: ${skippedInfeasible} safer configuration(s) were skipped as implied infeasible`,
    violations.length === 0
      ? 'no measured pair contradicted the assumption'
      : `${violations.length} measured pair(s) contradict the assumption (a safer configuration met the budget where a less safe one did not): the answer may miss safe configurations`,
  ];
  return {
    budget,
    lowerIsBetter,
    total: n,
    measuredCount: sampled.size,
    samples: sampleCount,
    safest: safest.map((i) => poset.labels[i]!),
    uncertain: outcomes.filter((o) => o.verdict === 'uncertain').map((o) => o.label),
    outcomes,
    violations,
    assumption: MONOTONICITY,
    guarantees,
  };
}

/** The witness closest in level (the most specific explanation), ties by index. */
function nearest(poset: Poset, candidates: number[], highest = false): number | undefined {
  let best: number | undefined;
  for (const c of candidates) {
    if (best === undefined) best = c;
    else {
      const d = poset.levels[c]! - poset.levels[best]!;
      if (highest ? d > 0 : d < 0) best = c;
    }
  }
  return best;
}

/**
 * The open configuration that best splits the open set: a success settles everything open below it
 * and a failure everything open above it, so take the one whose worse case settles the most
 * (a binary search generalised to a poset). Ties: the larger total, then the lower level, then index.
 * Only `eligible` ones are picked (parallel probes leave out what is comparable to those in flight).
 */
function pickNext(poset: Poset, open: ReadonlySet<number>, guide: { predictedFeasible: boolean[] } | undefined, eligible: ReadonlySet<number> = open): number {
  if (guide) {
    const boundary = predictedBoundary(poset, open, guide.predictedFeasible, eligible);
    if (boundary !== undefined) return boundary;
  }
  let best = -1;
  let bestKey: [number, number, number] = [-1, -1, 0];
  for (const i of eligible) {
    let down = 1;
    let up = 1;
    for (const j of poset.below[i]!) if (open.has(j)) down++;
    for (const j of poset.above[i]!) if (open.has(j)) up++;
    const key: [number, number, number] = [Math.min(down, up), down + up, -poset.levels[i]!];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && (key[1] > bestKey[1] || (key[1] === bestKey[1] && key[2] > bestKey[2])))) {
      best = i;
      bestKey = key;
    }
  }
  return best;
}

/**
 * Among open configurations on the predicted boundary (predicted to meet the budget with nothing
 * safer predicted to, or predicted to miss it with everything less safe predicted to meet it), the
 * one whose predicted outcome settles the most open configurations.
 */
function predictedBoundary(poset: Poset, open: ReadonlySet<number>, feasible: readonly boolean[], eligible: ReadonlySet<number>): number | undefined {
  let best: number | undefined;
  let bestSettles = -1;
  for (const i of eligible) {
    const f = feasible[i]!;
    const onBoundary = f ? [...poset.above[i]!].every((j) => !feasible[j]) : [...poset.below[i]!].every((j) => feasible[j]);
    if (!onBoundary) continue;
    let settles = 1;
    for (const j of f ? poset.below[i]! : poset.above[i]!) if (open.has(j)) settles++;
    if (settles > bestSettles) {
      best = i;
      bestSettles = settles;
    }
  }
  return best;
}
