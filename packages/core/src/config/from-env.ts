import { join } from 'node:path';
import type { Backend, BackendEnvContext } from '../backend.js';
import { createConsoleBackend } from '../backends/console-backend.js';
import { createFileBackend } from '../backends/file-backend.js';
import { stderrSink } from '../batch/self-log.js';
import { createShipper, type Shipper, type ShipperOptions } from '../shipper.js';
import { CORE_ENV } from './core-env.js';
import { readEnv, type Env } from './env-spec.js';
import { loadBackendPackage } from './load-backend.js';

export type ShipperOverrides = Partial<ShipperOptions>;

export const DEFAULT_RETENTION_DAYS = 30;

/** Core's variables resolved to shipper options (everything except the backend). */
export function shipperOptionsFromEnv(env: Env): {
  options: Omit<ShipperOptions, 'backend'>;
  backendName: string;
  context: BackendEnvContext;
} {
  const v = readEnv(CORE_ENV, env);
  const logDir = v.LMS_LOG_DIR ?? 'logs';
  const selfLogOn = v.LMS_LOG_SELF_LOG ?? true;
  const context: BackendEnvContext = {
    environment: v.ENVIRONMENT ?? 'production',
    service: v.LMS_SERVICE_NAME ?? 'lms-backend',
    retentionDays: v.LMS_LOG_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS,
    logDir,
    warn: selfLogOn ? (line) => stderrSink(`[lms-logging] ${line}`) : () => undefined,
  };
  const options: Omit<ShipperOptions, 'backend'> = {
    schema: v.LMS_LOG_SCHEMA ?? 'lms',
    environment: context.environment,
    service: context.service,
    redaction:
      v.LMS_LOG_REDACT === false
        ? false
        : { keys: v.LMS_LOG_REDACT_KEYS ?? [], allowKeys: v.LMS_LOG_REDACT_ALLOW ?? [] },
    maxBufferBytes: v.LMS_LOG_BUFFER_BYTES,
    maxQueueCount: v.LMS_LOG_QUEUE_MAX_RECORDS,
    overflow: v.LMS_LOG_OVERFLOW,
    flushIntervalMs: v.LMS_LOG_FLUSH_INTERVAL_MS,
    maxBatchCount: v.LMS_LOG_BATCH_MAX_RECORDS,
    maxBatchBytes: v.LMS_LOG_BATCH_MAX_BYTES,
    maxInFlight: v.LMS_LOG_MAX_IN_FLIGHT,
    recordDeadlineMs: v.LMS_LOG_RECORD_DEADLINE_MS,
    maxRecordBytes: v.LMS_LOG_MAX_RECORD_BYTES,
    deadLetter: v.LMS_LOG_DEAD_LETTER ?? join(logDir, 'dead-letter.ndjson'),
    selfLog: selfLogOn,
    exit: { signals: v.LMS_LOG_HANDLE_SIGNALS ?? false },
  };
  return { options, backendName: v.LMS_LOG_BACKEND ?? 'file', context };
}

/** The backend `LMS_LOG_BACKEND` names, configured from its own variables. */
export function backendFromEnv(env: Env, name: string, context: BackendEnvContext): Backend {
  const v = readEnv(CORE_ENV, env);
  switch (name) {
    case 'file':
      return createFileBackend({
        dir: context.logDir,
        retentionDays: context.retentionDays,
        maxFileBytes: v.LMS_LOG_FILE_MAX_BYTES,
      });
    case 'console':
      return createConsoleBackend();
    default:
      return loadBackendPackage(name)(env, context);
  }
}

/**
 * Builds a shipper from `LMS_*` variables and the chosen backend's own variables. Throws a
 * `ConfigurationError` naming every bad or missing variable; secrets are never echoed.
 */
export function createShipperFromEnv(
  env: Env = process.env,
  overrides: ShipperOverrides = {},
): Shipper {
  const { options, backendName, context } = shipperOptionsFromEnv(env);
  const backend = overrides.backend ?? backendFromEnv(env, backendName, context);
  return createShipper({ ...options, ...overrides, backend });
}
