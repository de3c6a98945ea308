import type { Backend, QueuedRecord, RetryAction, SendOutcome } from '../backend.js';
import type { DeadLetter, DeadLetterEntry } from '../dead-letter/dead-letter.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../retry/backoff.js';
import type { ShipperEvents } from './events.js';
import { RecordQueue } from './record-queue.js';
import { sleep } from './sleep.js';
import { StatsCounters, type ShipperStats } from './stats.js';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface BatchProcessorOptions {
  /** Memory bound on queued + in-flight records, in serialized bytes. Default 64 MiB. */
  readonly maxBufferBytes?: number;
  /** Bound on queued records. Default 1,000,000. */
  readonly maxQueueCount?: number;
  /** Which record goes when the bound is hit. Default `drop-oldest` (recent logs matter most). */
  readonly overflow?: OverflowPolicy;
  /** A partial batch is sent once its oldest record has waited this long. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** Lower than the backend's limit if you want smaller requests. */
  readonly maxBatchBytes?: number;
  readonly maxBatchCount?: number;
  /** Requests in flight at once (a batch waiting for its retry holds its slot). Default 2. */
  readonly maxInFlight?: number;
  readonly backoff?: BackoffOptions;
  /** A record still undelivered this long after it was written is dead-lettered. Default 10 min. */
  readonly recordDeadlineMs?: number;
  readonly deadLetter: DeadLetter;
  readonly events: ShipperEvents;
}

export const PIPELINE_DEFAULTS = {
  maxBufferBytes: 64 * 1024 * 1024,
  maxQueueCount: 1_000_000,
  overflow: 'drop-oldest' as OverflowPolicy,
  flushIntervalMs: 1000,
  maxInFlight: 2,
  recordDeadlineMs: 10 * 60 * 1000,
};

interface Batch {
  records: QueuedRecord[];
  /** Later parts of a batch the server asked to split; sent after `records`, in order. */
  pending: QueuedRecord[][];
  attempt: number;
  abandoned: boolean;
}

interface FlushWaiter {
  readonly upToSeq: number;
  readonly resolve: () => void;
}

/**
 * The one batch processor every backend runs behind: a bounded queue, batches cut on count,
 * bytes or age, limited concurrency, classified retries with backoff and a per-record deadline,
 * and a dead letter for what cannot be delivered.
 */
export class BatchProcessor {
  private readonly queue = new RecordQueue();
  private readonly inFlight = new Set<Batch>();
  private readonly counters = new StatsCounters();
  private readonly flushWaiters: FlushWaiter[] = [];
  private readonly abort = new AbortController();
  private readonly maxBufferBytes: number;
  private readonly maxQueueCount: number;
  private readonly overflow: OverflowPolicy;
  private readonly flushIntervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchCount: number;
  private readonly maxInFlight: number;
  private readonly overhead: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly deadlineMs: number;
  private inFlightBytes = 0;
  private intervalTimer: NodeJS.Timeout | undefined;
  private drainScheduled = false;
  private started: Promise<void> | undefined;
  private lastSeq = 0;
  private stopped = false;

  constructor(
    private readonly backend: Backend,
    private readonly options: BatchProcessorOptions,
  ) {
    const limits = backend.limits;
    this.maxBufferBytes = options.maxBufferBytes ?? PIPELINE_DEFAULTS.maxBufferBytes;
    this.maxQueueCount = options.maxQueueCount ?? PIPELINE_DEFAULTS.maxQueueCount;
    this.overflow = options.overflow ?? PIPELINE_DEFAULTS.overflow;
    this.flushIntervalMs = options.flushIntervalMs ?? PIPELINE_DEFAULTS.flushIntervalMs;
    this.maxBatchBytes = Math.min(options.maxBatchBytes ?? Infinity, limits.maxBatchBytes);
    this.maxBatchCount = Math.min(options.maxBatchCount ?? Infinity, limits.maxBatchCount);
    this.maxInFlight = Math.max(
      1,
      Math.min(
        options.maxInFlight ?? PIPELINE_DEFAULTS.maxInFlight,
        backend.maxInFlight ?? Infinity,
      ),
    );
    this.overhead = limits.perRecordOverheadBytes ?? 0;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.deadlineMs = options.recordDeadlineMs ?? PIPELINE_DEFAULTS.recordDeadlineMs;
  }

  /** Synchronous and allocation-light: the caller's request path ends here. */
  enqueue(record: QueuedRecord): void {
    if (this.stopped) {
      this.counters.drop('closed');
      return;
    }
    this.lastSeq = record.seq;
    if (!this.makeRoom(record.bytes)) {
      this.counters.drop('queue-full');
      this.options.events.emit('drop', { count: 1, reason: 'queue-full' });
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.maxBatchCount || this.queue.bytes >= this.maxBatchBytes) {
      this.scheduleDrain();
    } else if (this.intervalTimer === undefined) {
      this.intervalTimer = setTimeout(() => {
        this.intervalTimer = undefined;
        this.drain(true);
      }, this.flushIntervalMs);
      this.intervalTimer.unref();
    }
  }

  /** Counts a record that never reached the queue (for example one that could not be mapped). */
  countDrop(reason: string, error: string): void {
    this.counters.drop(reason);
    this.counters.error(error);
    this.options.events.emit('drop', { count: 1, reason });
  }

  /** Records neither delivered nor dead-lettered yet. */
  get unsettled(): number {
    let count = this.queue.length;
    for (const batch of this.inFlight) {
      count += batch.records.length;
      for (const part of batch.pending) count += part.length;
    }
    return count;
  }

  /** Resolves when every record enqueued so far is delivered, dead-lettered or dropped. */
  flush(): Promise<void> {
    const upToSeq = this.lastSeq;
    if (this.lowestUnsettledSeq() > upToSeq) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push({ upToSeq, resolve });
      this.drain(true);
    });
  }

  /**
   * Stops accepting records, flushes, and after `timeoutMs` gives up: whatever is still
   * undelivered goes to the dead letter with reason `closed`, so nothing vanishes silently.
   */
  async close(timeoutMs: number): Promise<void> {
    this.stopped = true;
    const flushed = this.flush().then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const inTime = await Promise.race([flushed, timedOut]);
    clearTimeout(timer);
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
    if (!inTime) {
      this.abort.abort();
      await this.abandonAll('closed', 'shipper closed before the backend acknowledged');
    }
  }

  /** Exit-path variant of close's give-up step: no awaiting, the process is about to end. */
  abandonSync(reason: string): void {
    this.stopped = true;
    this.abort.abort();
    const entries = this.takeUnsettled().map((record) => ({
      record,
      reason,
      error: this.counters.lastError?.message ?? 'process exited before delivery',
    }));
    try {
      this.options.deadLetter.writeSync(entries, this.backend.name);
      this.counters.deadLetter(reason, entries.length);
    } catch (error) {
      this.counters.drop('dead-letter-failed', entries.length);
      this.counters.error(`dead letter write failed: ${describeError(error)}`);
    }
    this.settle();
  }

  stats(): ShipperStats {
    let inFlightRecords = 0;
    for (const batch of this.inFlight) inFlightRecords += batch.records.length;
    const c = this.counters;
    return {
      backend: this.backend.name,
      queued: this.queue.length,
      bufferedBytes: this.queue.bytes + this.inFlightBytes,
      inFlight: this.inFlight.size,
      inFlightRecords,
      sent: c.sent,
      sentBytes: c.sentBytes,
      batches: c.batches,
      retried: c.retried,
      dropped: { ...c.dropped },
      deadLettered: { ...c.deadLettered },
      lastError: c.lastError,
    };
  }

  private makeRoom(bytes: number): boolean {
    const fits = (): boolean =>
      this.queue.bytes + this.inFlightBytes + bytes <= this.maxBufferBytes &&
      this.queue.length < this.maxQueueCount;
    if (fits()) return true;
    if (this.overflow === 'drop-newest') return false;
    let dropped = 0;
    while (!fits() && this.queue.length > 0) {
      this.queue.shift();
      dropped++;
    }
    if (dropped > 0) {
      this.counters.drop('queue-full', dropped);
      this.options.events.emit('drop', { count: dropped, reason: 'queue-full' });
    }
    return fits();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain(false);
    });
  }

  /** Starts batches while slots are free; `partial` also sends batches that are not full. */
  private drain(partial: boolean): void {
    const force = partial || this.flushWaiters.length > 0 || this.stopped;
    while (this.inFlight.size < this.maxInFlight && this.queue.length > 0) {
      const full =
        this.queue.length >= this.maxBatchCount || this.queue.bytes >= this.maxBatchBytes;
      if (!full && !force) break;
      const batch: Batch = { records: this.cut(), pending: [], attempt: 0, abandoned: false };
      this.inFlight.add(batch);
      for (const r of batch.records) this.inFlightBytes += r.bytes;
      void this.run(batch);
    }
    if (this.queue.length > 0 && this.intervalTimer === undefined && !force) {
      this.intervalTimer = setTimeout(() => {
        this.intervalTimer = undefined;
        this.drain(true);
      }, this.flushIntervalMs);
      this.intervalTimer.unref();
    }
  }

  private cut(): QueuedRecord[] {
    const records: QueuedRecord[] = [];
    let bytes = 0;
    for (;;) {
      const next = this.queue.peek();
      if (!next || records.length >= this.maxBatchCount) break;
      const size = next.bytes + this.overhead;
      if (records.length > 0 && bytes + size > this.maxBatchBytes) break;
      records.push(next);
      bytes += size;
      this.queue.shift();
    }
    return records;
  }

  private async run(batch: Batch): Promise<void> {
    try {
      await this.deliver(batch);
    } catch (error) {
      // deliver() handles every backend failure; reaching here is a bug in core, so keep the
      // records rather than lose them.
      this.counters.error(`internal: ${describeError(error)}`);
      if (!batch.abandoned) {
        const rest = [...batch.records, ...batch.pending.flat()];
        batch.records = [];
        batch.pending = [];
        await this.deadLetterRecords(rest, 'internal-error', describeError(error));
      }
    } finally {
      this.finish(batch);
    }
  }

  private async deliver(batch: Batch): Promise<void> {
    for (;;) {
      if (batch.abandoned) return;
      if (batch.records.length === 0) {
        const next = batch.pending.shift();
        if (!next) return;
        batch.records = next;
        batch.attempt = 0;
      }
      batch.attempt++;
      const action = await this.attempt(batch);
      if (batch.abandoned) return;
      switch (action.kind) {
        case 'success':
          this.delivered(batch.records);
          this.release(batch.records);
          batch.records = [];
          break;
        case 'drop':
          await this.deadLetterRecords(batch.records, 'rejected', action.reason);
          batch.records = [];
          break;
        case 'split':
          if (batch.records.length === 1) {
            await this.deadLetterRecords(batch.records, 'too-large', action.reason);
            batch.records = [];
          } else {
            // Halve and send the first half now; the second waits its turn in this slot.
            const middle = Math.ceil(batch.records.length / 2);
            batch.pending.unshift(batch.records.slice(middle));
            batch.records = batch.records.slice(0, middle);
            batch.attempt = 0;
          }
          break;
        case 'partial':
          await this.partial(batch, action);
          break;
        case 'retry':
          await this.waitToRetry(batch, action.reason, action.afterMs);
          break;
      }
    }
  }

  private async partial(
    batch: Batch,
    action: Extract<RetryAction, { kind: 'partial' }>,
  ): Promise<void> {
    const retry = new Set(action.retry);
    const dropped = new Map(action.drop.map((d) => [d.index, d.reason]));
    const ok: QueuedRecord[] = [];
    const again: QueuedRecord[] = [];
    const rejected: DeadLetterEntry[] = [];
    batch.records.forEach((record, index) => {
      const reason = dropped.get(index);
      if (reason !== undefined) rejected.push({ record, reason: 'rejected', error: reason });
      else if (retry.has(index)) again.push(record);
      else ok.push(record);
    });
    this.delivered(ok);
    this.release(ok);
    batch.records = again;
    await this.writeDeadLetters(rejected);
    this.release(rejected.map((e) => e.record));
    if (again.length > 0) {
      await this.waitToRetry(batch, action.retryReason ?? 'partial failure', action.afterMs);
    }
  }

  private async attempt(batch: Batch): Promise<RetryAction> {
    try {
      this.started ??= this.backend.start ? this.backend.start() : Promise.resolve();
      await this.started;
    } catch (error) {
      this.started = undefined;
      return { kind: 'retry', reason: `backend start failed: ${describeError(error)}` };
    }
    let outcome: SendOutcome<unknown>;
    try {
      const payload = this.backend.encode(batch.records);
      try {
        const response = await this.backend.send(payload, {
          signal: this.abort.signal,
          attempt: batch.attempt,
        });
        outcome = { ok: true, response };
      } catch (error) {
        outcome = { ok: false, error };
      }
    } catch (error) {
      return { kind: 'drop', reason: `encode failed: ${describeError(error)}` };
    }
    try {
      return this.backend.classify(outcome, batch.records);
    } catch (error) {
      return { kind: 'retry', reason: `classifier failed: ${describeError(error)}` };
    }
  }

  private async waitToRetry(batch: Batch, reason: string, afterMs?: number): Promise<void> {
    this.counters.error(reason);
    const delay = backoffDelay(batch.attempt, this.backoff, afterMs);
    const now = Date.now();
    const expired = batch.records.filter((r) => now + delay - r.writtenAt > this.deadlineMs);
    if (expired.length > 0) {
      await this.deadLetterRecords(expired, 'expired', reason);
      const gone = new Set(expired);
      batch.records = batch.records.filter((r) => !gone.has(r));
      if (batch.records.length === 0) return;
    }
    this.counters.retried += batch.records.length;
    this.options.events.emit('retry', {
      count: batch.records.length,
      reason,
      delayMs: delay,
      attempt: batch.attempt,
    });
    await sleep(delay, this.abort.signal);
  }

  private delivered(records: readonly QueuedRecord[]): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (const r of records) bytes += r.bytes;
    this.counters.sent += records.length;
    this.counters.sentBytes += bytes;
    this.counters.batches++;
    this.options.events.emit('sent', { count: records.length, bytes });
  }

  private async deadLetterRecords(
    records: readonly QueuedRecord[],
    reason: string,
    error: string,
  ): Promise<void> {
    await this.writeDeadLetters(records.map((record) => ({ record, reason, error })));
    this.release(records);
  }

  private async writeDeadLetters(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.options.deadLetter.write(entries, this.backend.name);
      const byReason = new Map<string, number>();
      for (const e of entries) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
      for (const [reason, count] of byReason) {
        this.counters.deadLetter(reason, count);
        this.options.events.emit('dead-letter', {
          count,
          reason,
          error: entries.find((e) => e.reason === reason)?.error ?? '',
        });
      }
    } catch (error) {
      this.counters.drop('dead-letter-failed', entries.length);
      this.counters.error(`dead letter write failed: ${describeError(error)}`);
      this.options.events.emit('drop', { count: entries.length, reason: 'dead-letter-failed' });
    }
  }

  /** Frees the memory-bound share of records that left the batch before it finished. */
  private release(records: readonly QueuedRecord[]): void {
    for (const r of records) this.inFlightBytes -= r.bytes;
  }

  private finish(batch: Batch): void {
    if (!batch.abandoned) {
      this.release(batch.records);
      for (const part of batch.pending) this.release(part);
      this.inFlight.delete(batch);
    }
    this.settle();
    this.drain(false);
  }

  private takeUnsettled(): QueuedRecord[] {
    const records: QueuedRecord[] = [];
    for (const batch of this.inFlight) {
      batch.abandoned = true;
      records.push(...batch.records);
      for (const part of batch.pending) records.push(...part);
    }
    this.inFlight.clear();
    this.inFlightBytes = 0;
    records.push(...this.queue.drain());
    return records;
  }

  private async abandonAll(reason: string, error: string): Promise<void> {
    const records = this.takeUnsettled();
    await this.writeDeadLetters(
      records.map((record) => ({
        record,
        reason,
        error: this.counters.lastError?.message ?? error,
      })),
    );
    this.settle();
  }

  private lowestUnsettledSeq(): number {
    let lowest = this.queue.peek()?.seq ?? Infinity;
    for (const batch of this.inFlight) {
      const first = batch.records[0];
      if (first && first.seq < lowest) lowest = first.seq;
    }
    return lowest;
  }

  private settle(): void {
    if (this.flushWaiters.length === 0) return;
    const lowest = this.lowestUnsettledSeq();
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i];
      if (waiter && waiter.upToSeq < lowest) {
        this.flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}
