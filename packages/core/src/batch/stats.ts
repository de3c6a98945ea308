/** A live snapshot of one shipper; every outcome of every record is counted somewhere here. */
export interface ShipperStats {
  readonly backend: string;
  /** Records waiting to be cut into a batch. */
  readonly queued: number;
  /** Bytes held by queued and in-flight records (what the memory bound applies to). */
  readonly bufferedBytes: number;
  /** Batches being sent or waiting to be retried. */
  readonly inFlight: number;
  readonly inFlightRecords: number;
  /** Records the backend acknowledged. */
  readonly sent: number;
  readonly sentBytes: number;
  /** Requests that succeeded (fully or partly). */
  readonly batches: number;
  /** Record re-sends (one record retried three times counts three). */
  readonly retried: number;
  /** Records never delivered nor dead-lettered, by reason (`queue-full`, `closed`, `invalid`). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Records written to the dead letter, by reason (`rejected`, `expired`, `closed`, ...). */
  readonly deadLettered: Readonly<Record<string, number>>;
  readonly lastError: { readonly message: string; readonly at: string } | null;
}

/** Mutable counters behind `ShipperStats`; only the pipeline writes them. */
export class StatsCounters {
  sent = 0;
  sentBytes = 0;
  batches = 0;
  retried = 0;
  readonly dropped: Record<string, number> = {};
  readonly deadLettered: Record<string, number> = {};
  lastError: { message: string; at: string } | null = null;

  drop(reason: string, count = 1): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  deadLetter(reason: string, count = 1): void {
    this.deadLettered[reason] = (this.deadLettered[reason] ?? 0) + count;
  }

  error(message: string): void {
    this.lastError = { message, at: new Date().toISOString() };
  }
}

export function sumCounts(counts: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const key in counts) total += counts[key] ?? 0;
  return total;
}
