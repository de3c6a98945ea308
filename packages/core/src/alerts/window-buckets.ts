/** How the values that land in one window are combined. */
export type WindowAggregate = 'sum' | 'max';

/** Most buckets one window uses; longer windows get wider buckets instead of more of them. */
export const MAX_BUCKETS_PER_WINDOW = 300;

/**
 * A sliding time window over a fixed-size circular array of buckets, so memory stays constant
 * whatever the record rate. A 5-minute window uses 300 one-second buckets; longer windows widen
 * the buckets (60 min → 12 s) so the count never exceeds {@link MAX_BUCKETS_PER_WINDOW}. The window
 * edge is therefore bucket-granular: at time `t` the window holds the bucket containing `t` and
 * the `bucketCount - 1` before it.
 *
 * Each slot remembers which bucket (absolute index `floor(ms / bucketMs)`) it currently holds,
 * so values arriving out of order land in the right bucket and stale slots are recognised
 * without a sweep.
 */
export class WindowBuckets {
  readonly bucketMs: number;
  readonly bucketCount: number;
  private readonly aggregate: WindowAggregate;
  private readonly slotBucket: Float64Array;
  private readonly slotValue: Float64Array;

  constructor(windowMs: number, aggregate: WindowAggregate) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError(`window must be a positive number of ms, got ${windowMs}`);
    }
    const seconds = Math.ceil(windowMs / 1000);
    this.bucketMs = Math.ceil(seconds / MAX_BUCKETS_PER_WINDOW) * 1000;
    this.bucketCount = Math.ceil(windowMs / this.bucketMs);
    this.aggregate = aggregate;
    // -1 marks a slot that never held a bucket; real bucket indexes are ≥ 0 for dates after 1970.
    this.slotBucket = new Float64Array(this.bucketCount).fill(-1);
    this.slotValue = new Float64Array(this.bucketCount);
  }

  /**
   * Adds a value at time `at`, as seen at time `now`. Values already outside the window at
   * `now` are dropped, and returns whether the value was kept. Callers clamp `at` to `now`.
   */
  add(at: number, value: number, now: number): boolean {
    const bucket = Math.floor(at / this.bucketMs);
    if (bucket <= Math.floor(now / this.bucketMs) - this.bucketCount) return false;
    const slot = bucket % this.bucketCount;
    const held = this.slotBucket[slot];
    // The slot holds a newer bucket: this value is a full window older than data already seen.
    if (held > bucket) return false;
    if (held < bucket) {
      this.slotBucket[slot] = bucket;
      this.slotValue[slot] = value;
    } else {
      this.slotValue[slot] = this.combine(this.slotValue[slot], value);
    }
    return true;
  }

  /** The aggregate of the window ending at `at`, or `undefined` when it holds no data. */
  read(at: number): number | undefined {
    const newest = Math.floor(at / this.bucketMs);
    const oldest = newest - this.bucketCount + 1;
    let result: number | undefined;
    for (let slot = 0; slot < this.bucketCount; slot += 1) {
      const bucket = this.slotBucket[slot];
      if (bucket < oldest || bucket > newest) continue;
      const value = this.slotValue[slot];
      result = result === undefined ? value : this.combine(result, value);
    }
    return result;
  }

  /** Whether any data falls inside the window ending at `at`. */
  hasData(at: number): boolean {
    return this.read(at) !== undefined;
  }

  private combine(a: number, b: number): number {
    return this.aggregate === 'sum' ? a + b : Math.max(a, b);
  }
}
