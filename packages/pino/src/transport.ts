import type { Transform } from 'node:stream';
import { workerData } from 'node:worker_threads';
import {
  createShipperFromEnv,
  type ShipperOptions,
  type ShipperOverrides,
} from '@lms-logging/core';
import build from 'pino-abstract-transport';
import { unparsedRecord } from './lines.js';
import { PinoRecordNormaliser, type PinoConfig } from './pino-config.js';

/** Shipper options that survive the trip to the worker thread (plain data only). */
type SerializableShipperKeys =
  | 'schema'
  | 'environment'
  | 'service'
  | 'hostName'
  | 'redaction'
  | 'maxRecordBytes'
  | 'maxDepth'
  | 'maxStringLength'
  | 'maxBufferBytes'
  | 'maxQueueCount'
  | 'overflow'
  | 'flushIntervalMs'
  | 'maxBatchBytes'
  | 'maxBatchCount'
  | 'maxInFlight'
  | 'backoff'
  | 'recordDeadlineMs';

const SERIALIZABLE_KEYS: readonly (SerializableShipperKeys | 'deadLetter' | 'selfLog')[] = [
  'schema',
  'environment',
  'service',
  'hostName',
  'redaction',
  'maxRecordBytes',
  'maxDepth',
  'maxStringLength',
  'maxBufferBytes',
  'maxQueueCount',
  'overflow',
  'flushIntervalMs',
  'maxBatchBytes',
  'maxBatchCount',
  'maxInFlight',
  'backoff',
  'recordDeadlineMs',
  'deadLetter',
  'selfLog',
];

/**
 * `options` of `pino.transport({ target: '@lms-logging/pino', options })`. The shipper is built
 * from the `LMS_*` variables (worker threads see the process's environment); `env` adds or
 * replaces variables, and the other fields win over what the variables say.
 */
export interface LmsPinoTransportOptions extends Partial<
  Pick<ShipperOptions, SerializableShipperKeys>
> {
  /** Variables merged over `process.env` before the shipper is configured. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Dead-letter NDJSON file path. Default `$LMS_LOG_DIR/dead-letter.ndjson`. */
  readonly deadLetter?: string;
  /** `false` silences shipping-problem lines on stderr. */
  readonly selfLog?: boolean;
  /**
   * How long closing waits for the backend before the rest is dead-lettered. Default 7 s:
   * pino's main thread waits at most 10 s for the worker when the process exits.
   */
  readonly closeTimeoutMs?: number;
}

export const DEFAULT_WORKER_CLOSE_TIMEOUT_MS = 7000;

/** True when this runs in pino's worker and pino will post its configuration (pino >= 9.1). */
function pinoWillSendConfig(): boolean {
  const data = workerData as { workerData?: { pinoWillSendConfig?: unknown } } | null | undefined;
  return data?.workerData?.pinoWillSendConfig === true;
}

/**
 * The pino transport: `pino.transport({ target: '@lms-logging/pino' })`. Runs in pino's worker
 * thread; every line pino writes is parsed and handed to the shipper. When pino ends the
 * transport (`transport.end()`, or the main thread exiting), the shipper is closed: what the
 * backend does not acknowledge within `closeTimeoutMs` goes to the dead letter.
 */
export default async function lmsTransport(
  options: LmsPinoTransportOptions = {},
): Promise<Transform> {
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_WORKER_CLOSE_TIMEOUT_MS;
  const overrides: Record<string, unknown> = {};
  for (const key of SERIALIZABLE_KEYS) {
    if (options[key] !== undefined) overrides[key] = options[key];
  }
  const shipper = createShipperFromEnv(
    { ...process.env, ...options.env },
    {
      ...(overrides as ShipperOverrides),
      // Signals never reach a worker thread; pino's main thread ends the worker on exit.
      exit: { beforeExit: true, signals: false, timeoutMs: closeTimeoutMs },
    },
  );
  const normaliser = new PinoRecordNormaliser();

  // With expectPinoConfig, build() returns a promise of the stream (its typings say otherwise).
  const built = build(
    async (source) => {
      const announced = source as unknown as PinoConfig;
      normaliser.apply({ levels: announced.levels, messageKey: announced.messageKey });
      source.on('unknown', (line: string) => shipper.write(unparsedRecord(line)));
      for await (const record of source as AsyncIterable<object>) {
        shipper.write(normaliser.normalise(record));
      }
    },
    {
      expectPinoConfig: pinoWillSendConfig(),
      close: async () => {
        await shipper.close({ timeoutMs: closeTimeoutMs });
      },
    },
  ) as Transform | Promise<Transform>;
  return await built;
}
