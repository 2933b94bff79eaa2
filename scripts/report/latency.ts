// The latency distribution a run report plots: the headline runs' HdrHistograms added into one and
// read at HdrHistogram's usual percentiles (the nines), or, from a real client that gives only
// percentiles (redis-benchmark, wrk), the p50 and p99 it printed, per run.

import { decodeHdr } from '../../workloads/loadgen/histogram.js';

export interface LatencyPoint {
  readonly percentile: number;
  readonly ms: number;
  /** Which run a client-reported point is from; absent for the merged HdrHistogram. */
  readonly run?: number;
}

export interface LatencyDistribution {
  /** `hdr-histogram`: the built-in generator's whole distribution; `client`: the client's own percentiles. */
  readonly source: 'hdr-histogram' | 'client';
  readonly samples: number;
  readonly points: readonly LatencyPoint[];
}

/** The percentiles a merged histogram is read at: the minimum, the quartiles, 90 and 95, the nines up to 99.999%, and the maximum. */
const PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 100] as const;

interface RunLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly histogram?: string;
}

/** The distribution of the given runs (the headline test's), or null when none reported a latency (iperf). */
export function latencyDistribution(runs: readonly RunLatency[]): LatencyDistribution | null {
  const encoded = runs.map((r) => r.histogram).filter((h): h is string => typeof h === 'string');
  if (encoded.length > 0 && encoded.length === runs.length) {
    const [first, ...rest] = encoded.map((e) => decodeHdr(e));
    for (const h of rest) first!.add(h);
    const total = first!;
    if (total.totalCount > 0) {
      return { source: 'hdr-histogram', samples: total.totalCount, points: PERCENTILES.map((percentile) => ({ percentile, ms: total.getValueAtPercentile(percentile) / 1000 })) };
    }
  }
  const points = runs.flatMap((r, run) => [{ percentile: 50, ms: r.p50Ms, run }, { percentile: 99, ms: r.p99Ms, run }]).filter((p) => Number.isFinite(p.ms));
  return points.length === 0 ? null : { source: 'client', samples: 0, points };
}
