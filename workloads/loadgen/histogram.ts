// A latency histogram for the built-in load generators: log-linear buckets over microseconds
// (exact below 128 µs, then 64 buckets per power of two, so ~1.6% precision), fixed size whatever
// the number of requests, and mergeable, so client threads send buckets, never samples.

const SUB_BITS = 6; // 64 buckets per octave
const SUB = 1 << SUB_BITS;
const LINEAR = SUB * 2; // values below this get one bucket per microsecond
const MAX_EXPONENT = 31; // values are capped just below 2^31 µs (~36 minutes)
export const BUCKETS = LINEAR + (MAX_EXPONENT - (SUB_BITS + 1)) * SUB;

/** What a client thread sends back: plain data that survives structured cloning. */
export interface HistogramData {
  readonly counts: Float64Array;
  readonly count: number;
  readonly sumUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

function bucketOf(us: number): number {
  const v = Math.min(Math.max(0, Math.floor(us)), 2 ** MAX_EXPONENT - 1);
  if (v < LINEAR) return v;
  const exponent = 31 - Math.clz32(v); // >= SUB_BITS + 1
  const shift = exponent - SUB_BITS;
  return LINEAR + (exponent - SUB_BITS - 1) * SUB + ((v >>> shift) - SUB);
}

/** The middle of a bucket, in µs: what a percentile that falls in it reports. */
function valueOf(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const octave = Math.floor((bucket - LINEAR) / SUB);
  const shift = octave + 1;
  const low = (SUB + ((bucket - LINEAR) % SUB)) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export class LatencyHistogram {
  #counts = new Float64Array(BUCKETS);
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
    this.#counts[bucketOf(us)]! += 1;
    this.#count++;
    this.#sumUs += us;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** Records `n` samples of the same latency (a pipelined batch answered in one read). */
  recordMany(us: number, n: number): void {
    if (n <= 0) return;
    this.#counts[bucketOf(us)]! += n;
    this.#count += n;
    this.#sumUs += us * n;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  merge(other: HistogramData | LatencyHistogram): void {
    const data = other instanceof LatencyHistogram ? other.toData() : other;
    if (data.counts.length !== BUCKETS) throw new RangeError(`histogram has ${data.counts.length} buckets, expected ${BUCKETS}`);
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += data.counts[i]!;
    this.#count += data.count;
    this.#sumUs += data.sumUs;
    if (data.count > 0) {
      this.#minUs = Math.min(this.#minUs, data.minUs);
      this.#maxUs = Math.max(this.#maxUs, data.maxUs);
    }
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
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      // The exact extremes are known; a bucket midpoint must not report beyond them.
      if (seen >= rank) return Math.min(this.#maxUs, Math.max(this.#minUs, valueOf(i)));
    }
    return this.#maxUs;
  }

  toData(): HistogramData {
    return { counts: this.#counts.slice(), count: this.#count, sumUs: this.#sumUs, minUs: this.#minUs, maxUs: this.#maxUs };
  }
}
