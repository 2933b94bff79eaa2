// The load generators' latency histogram (on HdrHistogram): percentiles within the stated precision of the exact
// ones, and merging buckets from several threads equals recording every sample in one.

import t from 'tap';
import fc from 'fast-check';
import { decodeHdr, LatencyHistogram } from '../../../workloads/loadgen/histogram.js';

const exact = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

t.test('percentiles are within 1.6% (or 1 µs) of the exact sample percentiles', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 5e7, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0, 1, 50, 90, 99, 100), (samples, p) => {
      const h = new LatencyHistogram();
      for (const s of samples) h.record(s);
      const want = exact([...samples].sort((a, b) => a - b), p);
      return Math.abs(h.percentileUs(p) - want) <= Math.max(1, want / 64);
    }),
  );
  t.end();
});

t.test('merged histograms equal one histogram of all the samples', (t) => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 1e6 }), { maxLength: 50 }), { minLength: 1, maxLength: 4 }), (parts) => {
      const all = new LatencyHistogram();
      const merged = new LatencyHistogram();
      for (const part of parts) {
        const h = new LatencyHistogram();
        for (const s of part) (h.record(s), all.record(s));
        merged.merge(LatencyHistogram.from(h.toData()));
      }
      return merged.count === all.count && [50, 99].every((p) => Object.is(merged.percentileUs(p), all.percentileUs(p))) && Object.is(merged.meanUs, all.meanUs);
    }),
  );
  t.end();
});

t.test('recordMany counts n samples of one latency; an empty histogram has no percentiles', (t) => {
  const h = new LatencyHistogram();
  t.ok(Number.isNaN(h.percentileUs(50)));
  h.recordMany(250, 16);
  h.recordMany(999, 0);
  t.equal(h.count, 16);
  t.equal(h.meanUs, 250);
  t.equal(h.percentileUs(99), 250, 'clamped to the exact min/max');
  t.throws(() => h.percentileUs(101), RangeError);
  t.end();
});

t.test("a thread's data is HdrHistogram's own encoding and survives structured cloning", (t) => {
  const h = new LatencyHistogram();
  for (const us of [90, 110, 5000, 5000, 120_000]) h.record(us);
  const data = structuredClone(h.toData());
  const decoded = decodeHdr(data.encoded);
  t.equal(decoded.totalCount, 5);
  t.ok(Math.abs(decoded.getValueAtPercentile(50) - 5000) <= 5, 'the median bucket holds 5000 µs to 0.1%');
  t.equal(LatencyHistogram.from(data).percentileUs(100), 120_000);
  t.throws(() => h.merge({ ...data, count: 4 }), RangeError, 'a count that disagrees with the buckets is refused');
  t.end();
});
