import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Backend, QueuedRecord } from './backend.js';
import {
  BatchProcessor,
  describeError,
  type BatchProcessorOptions,
} from './batch/batch-processor.js';
import { ShipperEvents, type ShipperEventName, type ShipperListener } from './batch/events.js';
import { attachSelfLog, stderrSink, type SelfLogSink } from './batch/self-log.js';
import type { ShipperStats } from './batch/stats.js';
import { createFileDeadLetter, type DeadLetter } from './dead-letter/dead-letter.js';
import { installExitHooks, type ExitHookOptions } from './exit-hooks.js';
import { createRecordMapper, PROTECTED_KEYS } from './mapping/index.js';
import { createRedactor, type RedactionOptions } from './redact/index.js';
import type { LogRecord, Schema } from './record.js';
import { fitRecord } from './serialize/index.js';

export interface ShipperOptions extends Omit<BatchProcessorOptions, 'deadLetter' | 'events'> {
  readonly backend: Backend;
  /** Field names of the shared record. Default `lms` (the seed mapping). */
  readonly schema?: Schema;
  /** For records without their own `environment`. Default `production`. */
  readonly environment?: string;
  /** Default `lms-backend`. */
  readonly service?: string;
  /** Default: the OS host name. */
  readonly hostName?: string;
  /** Redaction is on unless this is `false` or `{ enabled: false }`. */
  readonly redaction?: RedactionOptions | false;
  /** Records larger than this are shrunk and marked `truncated`. Default 256 KiB. */
  readonly maxRecordBytes?: number;
  readonly maxDepth?: number;
  readonly maxStringLength?: number;
  /** Default: an NDJSON file at `./logs/dead-letter.ndjson`. */
  readonly deadLetter?: DeadLetter | string;
  /** Where shipping problems are reported. Default stderr; `false` silences it. */
  readonly selfLog?: SelfLogSink | boolean;
  /** Flush on `beforeExit` (default on) and on SIGTERM/SIGINT (default off). */
  readonly exit?: ExitHookOptions | false;
}

export interface CloseOptions {
  /** After this, undelivered records go to the dead letter with reason `closed`. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The one object an adapter talks to. `write` never throws and never waits. */
export interface Shipper {
  readonly backendName: string;
  write(input: unknown): void;
  flush(): Promise<void>;
  close(options?: CloseOptions): Promise<void>;
  stats(): ShipperStats;
  on<E extends ShipperEventName>(event: E, listener: ShipperListener<E>): () => void;
}

/** A queued record that holds only its serialized form; see `QueuedRecord.record`. */
class SerializedRecord implements QueuedRecord {
  readonly writtenAt = Date.now();

  constructor(
    readonly id: string,
    readonly seq: number,
    readonly json: string,
    readonly bytes: number,
    readonly timestamp: string,
  ) {}

  get record(): LogRecord {
    return JSON.parse(this.json) as LogRecord;
  }
}

export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export function createShipper(options: ShipperOptions): Shipper {
  const backend = options.backend;
  const schema = options.schema ?? 'lms';
  const events = new ShipperEvents();
  const deadLetter =
    typeof options.deadLetter === 'object'
      ? options.deadLetter
      : createFileDeadLetter(options.deadLetter ?? join('logs', 'dead-letter.ndjson'));
  const processor = new BatchProcessor(backend, { ...options, deadLetter, events });
  const mapRecord = createRecordMapper({
    schema,
    environment: options.environment ?? 'production',
    service: options.service ?? 'lms-backend',
    hostName: options.hostName ?? hostname(),
    redactor: options.redaction === false ? undefined : createRedactor(options.redaction),
    maxDepth: options.maxDepth,
    maxStringLength: options.maxStringLength,
  });
  const maxRecordBytes = Math.min(
    options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    backend.limits.maxRecordBytes,
  );
  const protectedKeys = PROTECTED_KEYS[schema];
  // Ids are a per-process random prefix plus a counter: unique without a syscall per record.
  const idPrefix = randomBytes(9).toString('base64url');
  let seq = 0;
  let invalid = 0;

  const selfLog =
    options.selfLog === false
      ? undefined
      : options.selfLog === true || options.selfLog === undefined
        ? stderrSink
        : options.selfLog;
  const detachSelfLog = selfLog ? attachSelfLog(events, backend.name, selfLog) : undefined;

  let closing: Promise<void> | undefined;
  const shipper: Shipper = {
    backendName: backend.name,
    write(input) {
      try {
        const { record } = mapRecord(input);
        const fitted = fitRecord(record, maxRecordBytes, protectedKeys);
        seq++;
        const timestamp = fitted.record['@timestamp'];
        processor.enqueue(
          new SerializedRecord(
            idPrefix + seq.toString(36),
            seq,
            fitted.json,
            fitted.bytes,
            typeof timestamp === 'string' ? timestamp : new Date().toISOString(),
          ),
        );
      } catch (error) {
        // Mapping is built never to throw; if it still does, count it instead of crashing the app.
        invalid++;
        processor.countDrop('invalid', describeError(error));
        if (invalid === 1)
          selfLog?.(`[lms-logging] ${backend.name}: unloggable record: ${describeError(error)}`);
      }
    },
    flush: () => processor.flush(),
    close(closeOptions) {
      closing ??= (async () => {
        removeExitHooks?.();
        await processor.close(closeOptions?.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
        try {
          await backend.close?.();
        } catch (error) {
          selfLog?.(`[lms-logging] ${backend.name}: close failed: ${describeError(error)}`);
        }
        detachSelfLog?.();
      })();
      return closing;
    },
    stats: () => processor.stats(),
    on: (event, listener) => events.on(event, listener),
  };
  const removeExitHooks =
    options.exit === false ? undefined : installExitHooks(shipper, processor, options.exit ?? {});
  return shipper;
}
