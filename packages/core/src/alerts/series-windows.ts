import { WindowBuckets } from './window-buckets.js';
import type { WindowAggregate } from './window-buckets.js';

/** Key of the series that absorbs new series once the limit is reached. */
export const OVERFLOW_SERIES = '(other)';

export interface SeriesReading {
  readonly series: string;
  readonly value: number;
}

/**
 * One sliding window per series (a group-by combination or a host), with a cap on the number
 * of series so that a high-cardinality group-by cannot grow memory without bound. When the cap
 * is hit, series with nothing left in their window are dropped first; if all are live, new
 * series share one overflow series. Merging can only over-count, which for alerting is the
 * safer error than staying silent.
 */
export class SeriesWindows {
  private readonly series = new Map<string, WindowBuckets>();
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly aggregate: WindowAggregate,
    private readonly maxSeries: number,
  ) {}

  add(key: string, at: number, value: number, now: number): boolean {
    return this.windowFor(key, now).add(at, value, now);
  }

  /** The series with the highest aggregate in the window ending at `at`, if any has data. */
  highest(at: number): SeriesReading | undefined {
    let best: SeriesReading | undefined;
    for (const [series, window] of this.series) {
      const value = window.read(at);
      if (value !== undefined && (best === undefined || value > best.value)) {
        best = { series, value };
      }
    }
    return best;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  get bucketCount(): number {
    let total = 0;
    for (const window of this.series.values()) total += window.bucketCount;
    return total;
  }

  private windowFor(key: string, now: number): WindowBuckets {
    const existing = this.series.get(key);
    if (existing !== undefined) return existing;
    if (this.series.size >= this.maxSeries) this.dropIdle(now);
    const target = this.series.size >= this.maxSeries ? OVERFLOW_SERIES : key;
    let window = this.series.get(target);
    if (window === undefined) {
      window = new WindowBuckets(this.windowMs, this.aggregate);
      this.series.set(target, window);
    }
    return window;
  }

  private dropIdle(now: number): void {
    // A sweep reads every bucket of every series; with many distinct keys arriving at the cap,
    // sweeping per record would be quadratic, and once a second is enough to free idle series.
    if (now - this.lastSweepAt < 1000) return;
    this.lastSweepAt = now;
    for (const [key, window] of this.series) {
      if (!window.hasData(now)) this.series.delete(key);
    }
  }
}
