/**
 * A latency histogram with bounded relative error, in nanoseconds.
 *
 * Storing every sample would be exact but costs memory and GC in the very
 * process being measured (a 64-in-flight cell can complete millions of
 * operations). Log-linear buckets, as in HdrHistogram, keep the cost at one
 * array increment per sample and a fixed 13 KiB per histogram: every power of
 * two is split into {@link SUB_BUCKETS} linear buckets, so a percentile is off
 * by less than 1/128 (0.8 %) of its value. Values below 256 ns are exact.
 */

const SUB_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BITS; // 128
/** Values below this are their own bucket. */
const EXACT_LIMIT = SUB_BUCKETS * 2; // 256
/** Samples are clamped to 2^32 - 1 ns (~4.3 s): far beyond any request timeout used here. */
const MAX_VALUE = 0xffffffff;
const BUCKET_COUNT = EXACT_LIMIT + (31 - SUB_BITS) * SUB_BUCKETS;

function bucketOf(value: number): number {
  if (value < EXACT_LIMIT) return value;
  const msb = 31 - Math.clz32(value);
  const shift = msb - SUB_BITS;
  return EXACT_LIMIT + (shift - 1) * SUB_BUCKETS + ((value >>> shift) - SUB_BUCKETS);
}

/** The midpoint of a bucket: the estimate with the smallest worst-case error. */
function valueOf(bucket: number): number {
  if (bucket < EXACT_LIMIT) return bucket;
  const shift = Math.floor((bucket - EXACT_LIMIT) / SUB_BUCKETS) + 1;
  const mantissa = ((bucket - EXACT_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS;
  return mantissa * 2 ** shift + 2 ** (shift - 1);
}

export class Histogram {
  readonly #counts = new Uint32Array(BUCKET_COUNT);
  #count = 0;
  /** Exact sum, so the mean carries no bucketing error. */
  #sum = 0;
  #min = Infinity;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  /** Mean in nanoseconds (exact), NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** Records one sample, in nanoseconds (fractions are truncated, negatives read as 0). */
  record(nanoseconds: number): void {
    const value = Math.min(MAX_VALUE, Math.max(0, Math.trunc(nanoseconds)));
    this.#counts[bucketOf(value)]!++;
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds another histogram's samples to this one (merging rounds of a cell). */
  merge(other: Histogram): void {
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) this.#counts[bucket]! += other.#counts[bucket]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /**
   * The value at or below which `percent` % of the samples lie (nearest rank),
   * in nanoseconds; NaN when empty. p0 and p100 are the exact min and max,
   * and estimates are clamped to them.
   */
  percentile(percent: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.#count));
    if (percent <= 0) return this.#min;
    if (rank >= this.#count) return this.#max;
    let seen = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, valueOf(bucket)));
    }
    return this.#max;
  }
}
