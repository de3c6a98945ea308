import type { Backend, BackendLimits, QueuedRecord, RetryAction, SendOutcome } from '../backend.js';
import type { LogRecord } from '../record.js';

export interface MemoryBackend extends Backend<readonly QueuedRecord[], void> {
  /** Every delivered record, in arrival order. */
  readonly received: LogRecord[];
  /** Size of every request, in records. */
  readonly requests: number[];
}

export interface MemoryBackendOptions {
  readonly limits?: Partial<BackendLimits>;
  readonly maxInFlight?: number;
  /** Simulated round trip per request. Default 0. */
  readonly latencyMs?: number;
}

const DEFAULT_LIMITS: BackendLimits = {
  maxBatchBytes: 5_000_000,
  maxBatchCount: 1000,
  maxRecordBytes: 1024 * 1024,
};

/** A sink that acknowledges everything: the pipeline's ceiling, and a reference for tests. */
export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  const received: LogRecord[] = [];
  const requests: number[] = [];
  const latency = options.latencyMs ?? 0;
  return {
    name: 'memory',
    received,
    requests,
    maxInFlight: options.maxInFlight,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    encode: (records) => records,
    async send(records) {
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      requests.push(records.length);
      for (const r of records) received.push(r.record);
    },
    classify: (outcome: SendOutcome<void>): RetryAction =>
      outcome.ok ? { kind: 'success' } : { kind: 'retry', reason: String(outcome.error) },
  };
}
