/**
 * The Logstash shipping backend, for teams that keep Logstash between the app and
 * Elasticsearch. Records are already mapped by core (`@timestamp`, `log_level`, `environment`,
 * ...), so the pipeline's json/date/rename/add_field filters become optional; Logstash's
 * Elasticsearch output then writes them (see examples/elk/logstash/lms.conf).
 *
 * http(s):// → Logstash's `http` input. Batches are POSTed (json-array or ndjson); a 2xx means
 *   the events are in Logstash's queue. At-least-once: a batch is re-sent until acknowledged.
 * tcp:// or tls:// → the `tcp` input with `codec => json_lines`. One connection, one write in
 *   flight (order is kept); a completed write counts as delivered (TCP has no acknowledgement,
 *   see transport.ts for what that means on a reset).
 */
import type { Backend, BackendFromEnv, BackendLimits, SendOutcome } from '@lms-logging/core';
import {
  DEFAULT_LOGSTASH_HTTP_FORMAT,
  DEFAULT_LOGSTASH_HTTP_LIMITS,
  DEFAULT_LOGSTASH_TCP_LIMITS,
  DEFAULT_LOGSTASH_TIMEOUT_MS,
  LOGSTASH_CONTENT_TYPES,
  parseLogstashUrl,
  readLogstashEnv,
  validateLogstashOptions,
  type LogstashBackendOptions,
  type LogstashEndpoint,
  type LogstashProtocol,
} from './config.js';
import { createLogstashEncoder, logstashOverheadBytes, type LogstashPayload } from './encoder.js';
import { classifyHttpOutcome, classifyTcpOutcome, describeLogstashError } from './retry.js';
import {
  createLogstashHttpTransport,
  createLogstashTcpTransport,
  type LogstashHttpResponse,
  type LogstashTcpStats,
} from './transport.js';

/** What a tcp send resolves with: the bytes the socket took. */
export interface LogstashTcpResult {
  readonly bytes: number;
}

export type LogstashResult = LogstashHttpResponse | LogstashTcpResult;

export interface LogstashBackend extends Backend<LogstashPayload, LogstashResult> {
  readonly protocol: LogstashProtocol;
  readonly endpoint: LogstashEndpoint;
  /** tcp only: connections opened so far and bytes written (undefined for http). */
  tcpStats(): LogstashTcpStats | undefined;
}

const insecureWarned = new WeakSet<LogstashBackendOptions>();

function warnerOf(options: LogstashBackendOptions): (line: string) => void {
  return options.warn ?? ((line: string) => process.stderr.write(`[lms-logging] ${line}\n`));
}

function warnings(options: LogstashBackendOptions, endpoint: LogstashEndpoint): void {
  if (insecureWarned.has(options)) return;
  insecureWarned.add(options);
  const warn = warnerOf(options);
  if (options.tls?.insecure) {
    warn(
      'logstash: TLS certificate verification is OFF (LOGSTASH_TLS_INSECURE=true); anyone on the network path can read and change what is sent. Use LOGSTASH_CA_FILE instead.',
    );
  }
  if (options.auth !== undefined && !endpoint.secure) {
    warn(
      'logstash: LOGSTASH_USERNAME / LOGSTASH_PASSWORD go over plain http:// and can be read on the network; enable ssl on the http input and use https://.',
    );
  }
}

function limitsFor(
  defaults: BackendLimits,
  options: LogstashBackendOptions,
  overhead: number,
): BackendLimits {
  const pick = (key: 'maxBatchBytes' | 'maxBatchCount' | 'maxRecordBytes'): number =>
    Math.min(options.limits?.[key] ?? defaults[key], defaults[key]);
  return {
    maxBatchBytes: pick('maxBatchBytes'),
    maxBatchCount: pick('maxBatchCount'),
    maxRecordBytes: pick('maxRecordBytes'),
    perRecordOverheadBytes: overhead,
  };
}

/**
 * Builds the backend. Throws a `ConfigurationError` for unusable options. Nothing connects
 * before the first batch (tcp: `start()` opens the connection, and core retries it while
 * Logstash is unreachable).
 */
export function createLogstashBackend(options: LogstashBackendOptions): LogstashBackend {
  validateLogstashOptions(options);
  const endpoint = parseLogstashUrl(options.url);
  warnings(options, endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGSTASH_TIMEOUT_MS;
  const documentId = options.documentId ?? false;
  const overhead = logstashOverheadBytes(documentId);

  if (endpoint.protocol === 'tcp') {
    const warn = warnerOf(options);
    const tcp = createLogstashTcpTransport({
      endpoint,
      tls: options.tls,
      timeoutMs,
      onConnectionLost: (error) =>
        warn(
          `logstash: the connection to ${endpoint.host}:${endpoint.port} failed (${describeLogstashError(error)}); records written on it just before may not have reached Logstash (the tcp input has no acknowledgement: use the http input for at-least-once delivery). Reconnecting for the next batch.`,
        ),
    });
    return {
      name: 'logstash',
      protocol: 'tcp',
      endpoint,
      limits: limitsFor(DEFAULT_LOGSTASH_TCP_LIMITS, options, overhead),
      // One write at a time keeps the lines in write order on the socket.
      maxInFlight: 1,
      tcpStats: () => tcp.stats(),
      async start() {
        try {
          await tcp.connect();
        } catch (error) {
          throw new Error(describeLogstashError(error));
        }
      },
      encode: createLogstashEncoder('ndjson', documentId),
      async send(payload, context) {
        await tcp.write(payload.body, context.signal);
        return { bytes: Buffer.byteLength(payload.body, 'utf8') };
      },
      classify: (outcome) => classifyTcpOutcome(outcome),
      close: () => tcp.close(),
    };
  }

  const format = options.httpFormat ?? DEFAULT_LOGSTASH_HTTP_FORMAT;
  const maxInFlight = options.maxInFlight;
  const http = createLogstashHttpTransport({
    endpoint,
    tls: options.tls,
    timeoutMs,
    maxSockets: Math.max(maxInFlight ?? 2, 2),
  });
  const headers: Record<string, string> = {
    'user-agent': 'lms-logging',
    ...options.headers,
    'content-type': LOGSTASH_CONTENT_TYPES[format],
  };
  if (options.auth !== undefined) {
    const token = Buffer.from(`${options.auth.username}:${options.auth.password}`, 'utf8');
    headers['authorization'] = `Basic ${token.toString('base64')}`;
  }
  const credentialsSet = options.auth !== undefined;
  return {
    name: 'logstash',
    protocol: 'http',
    endpoint,
    limits: limitsFor(DEFAULT_LOGSTASH_HTTP_LIMITS, options, overhead),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
    tcpStats: () => undefined,
    encode: createLogstashEncoder(format, documentId),
    send: (payload, context) => http.post(payload.body, headers, context.signal),
    classify: (outcome) =>
      classifyHttpOutcome(outcome as SendOutcome<LogstashHttpResponse>, credentialsSet),
    close: () => http.close(),
  };
}

/**
 * The backend from `LOGSTASH_ENV` variables. The elk package's `createBackendFromEnv` calls this
 * when `LOGSTASH_URL` is set (see `logstashConfigured`).
 */
export const logstashBackendFromEnv: BackendFromEnv = (env, context) =>
  createLogstashBackend(readLogstashEnv(env, context));
