/**
 * The ELK shipping backend: records to `_bulk` `create` actions (id = record id, so re-sends are
 * idempotent) into daily indices or a data stream, on Elasticsearch 8/9 or OpenSearch 1-3.
 * Core owns batching, backoff, deadlines and the dead letter; this file wires the pieces.
 */
import { logstashBackendFromEnv, logstashConfigured } from './logstash/index.js';
import type { Backend, BackendFromEnv, BackendLimits } from '@lms-logging/core';
import {
  DEFAULT_ELK_LIMITS,
  DEFAULT_INDEX,
  dataStreamName,
  readElkEnv,
  validateElkOptions,
  type ElkBackendOptions,
} from './config.js';
import { connectElk, warnIfInsecure } from './detect.js';
import {
  createEncoder,
  dataStreamTarget,
  indexTarget,
  perRecordOverheadBytes,
  type ElkPayload,
  type ElkTarget,
} from './encoder.js';
import { classifyBulkOutcome } from './retry.js';
import type { ElkResponse, ElkTransport } from './transport.js';

export interface ElkBackend extends Backend<ElkPayload, ElkResponse<unknown>> {
  /** Where records go (`nameFor(epochMs)` gives the index of a time). */
  readonly target: ElkTarget;
  /** The connected transport, once `start()` has succeeded. */
  readonly transport: ElkTransport | undefined;
}

/** The target an options object describes (daily indices by default). */
export function elkTarget(options: ElkBackendOptions): ElkTarget {
  return options.dataStream
    ? dataStreamTarget(dataStreamName(options))
    : indexTarget(options.index ?? DEFAULT_INDEX);
}

/**
 * Builds the backend. Throws a `ConfigurationError` for unusable options; connecting (and server
 * detection) happens in `start()`, which core retries while the cluster is unreachable.
 */
export function createElkBackend(options: ElkBackendOptions): ElkBackend {
  validateElkOptions(options);
  warnIfInsecure(options);
  const target = elkTarget(options);
  const encode = createEncoder(target);
  const limits: BackendLimits = {
    maxBatchBytes: options.limits?.maxBatchBytes ?? DEFAULT_ELK_LIMITS.maxBatchBytes,
    maxBatchCount: options.limits?.maxBatchCount ?? DEFAULT_ELK_LIMITS.maxBatchCount,
    maxRecordBytes: options.limits?.maxRecordBytes ?? DEFAULT_ELK_LIMITS.maxRecordBytes,
    perRecordOverheadBytes: perRecordOverheadBytes(target),
  };
  // An injected transport belongs to the caller: it is used, not closed.
  const owned = options.transport === undefined;
  let transport = options.transport;
  let connecting: Promise<ElkTransport> | undefined;
  let closed = false;

  const connected = async (): Promise<ElkTransport> => {
    if (transport) return transport;
    if (closed) throw new Error('the elk backend is closed');
    connecting ??= connectElk(options).then(
      (t) => {
        connecting = undefined;
        if (closed) {
          void t.close();
          throw new Error('the elk backend is closed');
        }
        transport = t;
        return t;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };

  return {
    name: 'elk',
    limits,
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    target,
    get transport() {
      return transport;
    },
    async start() {
      await connected();
    },
    encode,
    async send(payload, context) {
      const t = await connected();
      return t.bulk(payload.body, { signal: context.signal, pipeline: options.pipeline });
    },
    classify: classifyBulkOutcome,
    async close() {
      closed = true;
      const t = transport;
      transport = undefined;
      if (t && owned) await t.close();
    },
  };
}

/** `LMS_LOG_BACKEND=elk`: the backend from `ELK_ENV` variables. */
/**
 * `LMS_LOG_BACKEND=elk`: bulk into Elasticsearch/OpenSearch, or, when `LOGSTASH_URL` is set,
 * into Logstash's http or tcp input (the Elasticsearch variables then only serve `lms-logs setup`).
 */
export const createBackendFromEnv: BackendFromEnv = (env, context) =>
  logstashConfigured(env)
    ? logstashBackendFromEnv(env, context)
    : createElkBackend(readElkEnv(env, context));
