// The built-in load generators' latency histogram, an HdrHistogram (hdr-histogram-js) over whole
// microseconds with 3 significant digits (0.1% precision), fixed size whatever the number of
// requests, and mergeable: each client thread sends its histogram encoded, never its samples.

import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

const SIGNIFICANT_DIGITS = 3;
const MAX_US = 2 ** 31 - 1; // values are capped just below 2^31 µs (~36 minutes)

/**
 * What a client thread sends back: plain data that survives structured cloning. `encoded` is
 * HdrHistogram's compressed base64 form (the one its other ports and HistogramLogReader read);
 * the exact sum and extremes travel beside it, because the buckets only know values to 0.1%.
 */
export interface HistogramData {
  readonly encoded: string;
  readonly count: number;
  readonly sumUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

const newHdr = (): Histogram => build({ bitBucketSize: 64, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, autoResize: false });

const toBucketValue = (us: number): number => Math.min(Math.max(0, Math.floor(us)), MAX_US);

/** Decodes what `encode()` wrote (a client thread's histogram, or a run's in a saved report). */
export function decodeHdr(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 64);
}

export class LatencyHistogram {
  #hdr = newHdr();
  #count = 0;
  #sumUs = 0;
  #minUs = Infinity;
  #maxUs = 0;

  static from(data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(data);
    return h;
  }

  record(us: number): void {
    this.recordMany(us, 1);
  }

  /** Records `n` samples of the same latency (a pipelined batch answered in one read). */
  recordMany(us: number, n: number): void {
    if (n <= 0) return;
    this.#hdr.recordValueWithCount(toBucketValue(us), n);
    this.#count += n;
    this.#sumUs += us * n;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  merge(other: HistogramData | LatencyHistogram): void {
    const data = other instanceof LatencyHistogram ? other.toData() : other;
    if (typeof data.encoded !== 'string') throw new TypeError('histogram data must carry an encoded HdrHistogram');
    if (data.count === 0) return;
    const decoded = decodeHdr(data.encoded);
    if (decoded.totalCount !== data.count) throw new RangeError(`histogram holds ${decoded.totalCount} samples, its data says ${data.count}`);
    this.#hdr.add(decoded);
    this.#count += data.count;
    this.#sumUs += data.sumUs;
    this.#minUs = Math.min(this.#minUs, data.minUs);
    this.#maxUs = Math.max(this.#maxUs, data.maxUs);
  }

  get count(): number {
    return this.#count;
  }

  get meanUs(): number {
    return this.#count === 0 ? NaN : this.#sumUs / this.#count;
  }

  /** The latency below which `p` percent of the samples fall (NaN when empty), in µs. */
  percentileUs(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
    if (this.#count === 0) return NaN;
    // The exact extremes are known; a bucket's edge must not report beyond them.
    return Math.min(this.#maxUs, Math.max(this.#minUs, this.#hdr.getValueAtPercentile(p)));
  }

  /** HdrHistogram's compressed base64 form, for a report to keep the whole distribution. */
  encode(): string {
    return encodeIntoCompressedBase64(this.#hdr);
  }

  toData(): HistogramData {
    return { encoded: this.encode(), count: this.#count, sumUs: this.#sumUs, minUs: this.#minUs, maxUs: this.#maxUs };
  }
}
