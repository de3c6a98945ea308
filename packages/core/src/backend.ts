import type { LogRecord } from './record.js';

/** A record as it travels through the pipeline: serialized once, sized on the serialized form. */
export interface QueuedRecord {
  /** Unique per record, assigned on write; backends use it for idempotent delivery. */
  readonly id: string;
  /** Monotonic write order inside one shipper. */
  readonly seq: number;
  /**
   * The record as an object. Queued records keep only their JSON (memory is bounded on bytes, and
   * a second object graph per record would double the heap and the GC work), so this parses
   * `json` on each access: read it once per encode, or use `timestamp` when that is all you need.
   */
  readonly record: LogRecord;
  /** The record's `@timestamp` (ISO 8601 UTC), kept apart because most encoders route on it. */
  readonly timestamp: string;
  /** `JSON.stringify(record)`, computed once on write. */
  readonly json: string;
  /** UTF-8 byte length of `json`. */
  readonly bytes: number;
  /** `Date.now()` when written; the retry deadline counts from here. */
  readonly writtenAt: number;
}

/** Hard limits of a backend's write API; core cuts batches so that none is exceeded. */
export interface BackendLimits {
  /** Largest encoded request body, in bytes. */
  readonly maxBatchBytes: number;
  /** Most records in one request. */
  readonly maxBatchCount: number;
  /** Largest single record (serialized JSON bytes); larger records are shrunk on write. */
  readonly maxRecordBytes: number;
  /** Bytes the encoder adds per record beyond its JSON (action lines, framing, per-event overhead). */
  readonly perRecordOverheadBytes?: number;
}

/**
 * What a backend's retry classifier answers for one send attempt.
 * - success: every record of the batch is delivered.
 * - retry: nothing (or nothing known) was delivered; send the whole batch again later.
 * - partial: some records are delivered; `retry` lists batch indexes to send again, `drop` lists
 *   indexes rejected for good (they go to the dead letter with the reason).
 * - split: the request was too large for the server (HTTP 413); core halves the batch and retries.
 * - drop: the whole batch is rejected for good.
 */
export type RetryAction =
  | { readonly kind: 'success' }
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs?: number }
  | {
      readonly kind: 'partial';
      readonly retry: readonly number[];
      readonly drop: readonly { readonly index: number; readonly reason: string }[];
      readonly retryReason?: string;
      readonly afterMs?: number;
    }
  | { readonly kind: 'split'; readonly reason: string }
  | { readonly kind: 'drop'; readonly reason: string };

/** The outcome of one `send`: either the backend's response or the error it threw. */
export type SendOutcome<R> =
  { readonly ok: true; readonly response: R } | { readonly ok: false; readonly error: unknown };

export interface SendContext {
  /** Aborted when the shipper is closed with a timeout that has run out. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt of this batch. */
  readonly attempt: number;
}

/**
 * The one contract every backend implements. Core owns the queue, batching, concurrency,
 * backoff, deadlines, dead letter and stats; a backend only knows its wire format and its API.
 */
export interface Backend<P = unknown, R = unknown> {
  /** Short name used in stats, dead-letter entries and messages (`elk`, `file`, ...). */
  readonly name: string;
  readonly limits: BackendLimits;
  /** Most requests in flight at once; core's option can lower it. Default: core's default (2). */
  readonly maxInFlight?: number;
  /** Optional one-time preparation (create a stream, detect the server). Failures are retried. */
  start?(): Promise<void>;
  /** Encodes records (in write order) into one request payload. Must not throw for valid records. */
  encode(records: readonly QueuedRecord[]): P;
  /** Sends one payload. May throw; the classifier sees the error. */
  send(payload: P, context: SendContext): Promise<R>;
  /** Maps the outcome of a send to what core should do with the batch. */
  classify(outcome: SendOutcome<R>, records: readonly QueuedRecord[]): RetryAction;
  /** Releases sockets, file handles and SDK clients. */
  close?(): Promise<void>;
}

/** What core resolved from the environment that a backend may also need. */
export interface BackendEnvContext {
  readonly environment: string;
  readonly service: string;
  readonly retentionDays: number;
  readonly logDir: string;
  /** Where a backend reports warnings (insecure TLS, snapped retention) without using the app's logger. */
  readonly warn: (line: string) => void;
}

/** Every backend package exports this under the name `createBackendFromEnv`. */
export type BackendFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
  context: BackendEnvContext,
) => Backend;

/** One difference between what a backend has and what the settings ask for. */
export interface PlannedChange {
  readonly action: 'create' | 'update' | 'delete';
  /** `index-template`, `ilm-policy`, `data-view`, `rule`, `log-group`, ... */
  readonly kind: string;
  readonly name: string;
  /** One human-readable line: what differs. */
  readonly detail?: string;
}

/**
 * Provisioning is plan, then apply: `plan` reads what exists and lists only what differs;
 * `apply` makes those changes and returns what it did. A second apply returns nothing.
 */
export interface Provisioner {
  readonly name: string;
  plan(): Promise<readonly PlannedChange[]>;
  apply(): Promise<readonly PlannedChange[]>;
  /** Operational tasks the CLI can run by name (`retention`, `disk-check`, ...). */
  readonly tasks?: Readonly<Record<string, ProvisionerTask>>;
  /** Releases the connections the provisioner opened. */
  close?(): Promise<void>;
}

export interface ProvisionerTask {
  readonly description: string;
  /** Returns lines to print; a task reporting a problem sets `ok: false`. */
  run(): Promise<{ readonly ok: boolean; readonly lines: readonly string[] }>;
}

/** Backend packages that provision export this under the name `createProvisionerFromEnv`. */
export type ProvisionerFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
  context: BackendEnvContext,
) => Provisioner;
