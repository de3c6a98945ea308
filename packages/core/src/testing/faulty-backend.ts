import type { Backend, BackendLimits, QueuedRecord, RetryAction, SendOutcome } from '../backend.js';
import type { LogRecord } from '../record.js';

/** What one request of the faulty sink answered, shaped like an HTTP bulk API. */
export interface FaultyResponse {
  readonly status: number;
  readonly retryAfterMs?: number;
  /** Per item: 'ok', 'retry' (429-like) or a rejection reason. */
  readonly items: readonly ('ok' | 'retry' | { readonly rejected: string })[];
}

export interface FaultyBackendOptions {
  readonly limits?: Partial<BackendLimits>;
  readonly maxInFlight?: number;
  /** The first N requests fail as a whole with `failStatus`. */
  readonly failTimes?: number;
  /** 503 (default) or 429. */
  readonly failStatus?: number;
  /** Sent with whole-request failures, as a `Retry-After` would be. */
  readonly retryAfterMs?: number;
  /** A reason when the sink rejects this record for good (like a mapping error). */
  readonly reject?: (record: LogRecord) => string | undefined;
  /** True when the sink answers "retry" for this record the first time it sees it. */
  readonly retryOnce?: (record: LogRecord) => boolean;
  /** Requests whose body holds more records than this fail with 413. */
  readonly max413Records?: number;
}

export interface FaultyBackend extends Backend<readonly QueuedRecord[], FaultyResponse> {
  readonly received: LogRecord[];
  /** Every request, with its size and what it answered. */
  readonly log: { readonly records: number; readonly status: number | 'down' }[];
  /** While down, every request fails as a refused connection. */
  setDown(down: boolean): void;
}

/**
 * An in-process sink that fails on purpose, with the shapes real bulk APIs use: whole-request
 * 5xx/429 with a retry delay, per-item transient and permanent failures, 413, connection refused.
 */
export function createFaultyBackend(options: FaultyBackendOptions = {}): FaultyBackend {
  const received: LogRecord[] = [];
  const log: { records: number; status: number | 'down' }[] = [];
  const seenOnce = new Set<string>();
  let failuresLeft = options.failTimes ?? 0;
  let down = false;
  return {
    name: 'faulty',
    received,
    log,
    maxInFlight: options.maxInFlight,
    limits: {
      maxBatchBytes: 5_000_000,
      maxBatchCount: 500,
      maxRecordBytes: 1024 * 1024,
      ...options.limits,
    },
    setDown(value) {
      down = value;
    },
    encode: (records) => records,
    send(records) {
      if (down) {
        log.push({ records: records.length, status: 'down' });
        return Promise.reject(
          Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        );
      }
      if (options.max413Records !== undefined && records.length > options.max413Records) {
        log.push({ records: records.length, status: 413 });
        return Promise.resolve({ status: 413, items: [] });
      }
      if (failuresLeft > 0) {
        failuresLeft--;
        const status = options.failStatus ?? 503;
        log.push({ records: records.length, status });
        return Promise.resolve({ status, retryAfterMs: options.retryAfterMs, items: [] });
      }
      const items = records.map((r): FaultyResponse['items'][number] => {
        const record = r.record;
        const reason = options.reject?.(record);
        if (reason !== undefined) return { rejected: reason };
        if (options.retryOnce?.(record) && !seenOnce.has(r.id)) {
          seenOnce.add(r.id);
          return 'retry';
        }
        received.push(record);
        return 'ok';
      });
      log.push({ records: records.length, status: 200 });
      return Promise.resolve({ status: 200, items });
    },
    classify(outcome: SendOutcome<FaultyResponse>): RetryAction {
      if (!outcome.ok) return { kind: 'retry', reason: String((outcome.error as Error).message) };
      const { status, items, retryAfterMs } = outcome.response;
      if (status === 413) return { kind: 'split', reason: '413 Request Entity Too Large' };
      if (status >= 500 || status === 429) {
        return { kind: 'retry', reason: `HTTP ${status}`, afterMs: retryAfterMs };
      }
      const retry: number[] = [];
      const drop: { index: number; reason: string }[] = [];
      items.forEach((item, index) => {
        if (item === 'retry') retry.push(index);
        else if (item !== 'ok') drop.push({ index, reason: item.rejected });
      });
      if (retry.length === 0 && drop.length === 0) return { kind: 'success' };
      return { kind: 'partial', retry, drop, retryReason: 'item 429' };
    },
  };
}
