export {
  SEVERITIES,
  type Severity,
  type JsonPrimitive,
  type JsonValue,
  type JsonObject,
  type LmsRecord,
  type LogRecord,
  type Schema,
} from './record.js';
export type {
  Backend,
  BackendLimits,
  BackendEnvContext,
  BackendFromEnv,
  QueuedRecord,
  RetryAction,
  SendContext,
  SendOutcome,
  PlannedChange,
  Provisioner,
  ProvisionerFromEnv,
  ProvisionerTask,
} from './backend.js';
export {
  createShipper,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type Shipper,
  type ShipperOptions,
  type CloseOptions,
} from './shipper.js';
export {
  BatchProcessor,
  PIPELINE_DEFAULTS,
  describeError,
  type BatchProcessorOptions,
  type OverflowPolicy,
} from './batch/batch-processor.js';
export type { ShipperStats } from './batch/stats.js';
export type { ShipperEventMap, ShipperEventName, ShipperListener } from './batch/events.js';
export type { SelfLogSink } from './batch/self-log.js';
export type { ExitHookOptions } from './exit-hooks.js';
export {
  backoffDelay,
  parseRetryAfter,
  DEFAULT_BACKOFF,
  type BackoffOptions,
} from './retry/backoff.js';
export {
  createFileDeadLetter,
  createMemoryDeadLetter,
  type DeadLetter,
  type DeadLetterEntry,
} from './dead-letter/dead-letter.js';
export { ConfigurationError, type ConfigurationProblem } from './config/configuration-error.js';
export {
  readEnv,
  readAllEnv,
  envSchemas,
  describeEnv,
  type Env,
  type EnvVar,
  type EnvSpec,
  type EnvValues,
} from './config/env-spec.js';
export { CORE_ENV, BACKEND_NAMES, type BackendName } from './config/core-env.js';
export {
  createShipperFromEnv,
  shipperOptionsFromEnv,
  backendFromEnv,
  DEFAULT_RETENTION_DAYS,
  type ShipperOverrides,
} from './config/from-env.js';
export { loadBackendPackage, loadBackendExport } from './config/load-backend.js';
export {
  resolveShipper,
  type ShipperSource,
  type EnvShipperSource,
  type ShipperSourceOptions,
  type ResolvedShipper,
} from './config/resolve-shipper.js';
export { createFileBackend, type FileBackendOptions } from './backends/file-backend.js';
export { createConsoleBackend } from './backends/console-backend.js';
export {
  checkLocalDisk,
  describeAlert,
  describeFilter,
  DEFAULT_AUTH_FAILURE_EVENT,
  DEFAULT_AUTH_FAILURE_PATTERN,
  DEFAULT_ERROR_LEVELS,
  DEFAULT_LOW_DISK_PERCENT,
  DEFAULT_SLOW_RESPONSE_MS,
  defaultAlertDefinitions,
  createAlertEvaluator,
  DURATION_UNITS,
  fieldNamesFor,
  msToDurationUnit,
  compileFieldPath,
  readField,
  compileFilter,
  matchesFilter,
  DEFAULT_ALERT_IDS,
  DISK_USED_PERCENT,
  AlertOverridesError,
  validateAlertOverrides,
  type DiskUsage,
  type AlertEvaluator,
  type AlertEvaluatorOptions,
  type AlertEvaluatorStats,
  type AlertStatus,
  type AlertFieldNames,
  type DurationUnit,
  type FieldReader,
  type AllFilter,
  type AnyFilter,
  type FieldCondition,
  type Filter,
  type NumericOp,
  type RecordPredicate,
  type ScalarValue,
  type AlertDefinition,
  type AlertSeverity,
  type Comparator,
  type DefaultAlertId,
  type LogCountAlert,
  type MetricAlert,
  type AlertOverrideIssue,
  type AlertOverrides,
  type AuthFailuresOverride,
  type CommonAlertOverride,
  type ErrorRateOverride,
  type Http5xxOverride,
  type LogCountAlertOverride,
  type LowDiskOverride,
  type SlowResponsesOverride,
  type ValidatedAlertOverrides,
} from './alerts/index.js';
export {
  createRecordMapper,
  toIsoTimestamp,
  normalizeLevel,
  severityNumber,
  isSeverity,
  PROTECTED_KEYS,
  ECS_VERSION,
  type MappingOptions,
  type MappedRecord,
  type RecordMapper,
} from './mapping/index.js';
export {
  sanitize,
  fitRecord,
  utf8ByteLength,
  type SanitizeOptions,
  type SanitizeResult,
  type FittedRecord,
} from './serialize/index.js';
export {
  createRedactor,
  DEFAULT_SENSITIVE_KEYS,
  passesLuhn,
  REDACTED,
  type Redactor,
  type RedactionOptions,
  type RedactionPattern,
} from './redact/index.js';
export {
  createJsonClient,
  basicAuthorization,
  type HttpMethod,
  type JsonClient,
  type JsonClientOptions,
  type JsonRequestOptions,
  type JsonResponse,
} from './http/json-client.js';
export {
  readPemFile,
  PEM_CERTIFICATE,
  PEM_PRIVATE_KEY,
  type PemContent,
} from './config/pem-file.js';
export { planAndApply, type ProvisionStep } from './provision/steps.js';
export { subsetDifferences, summarize } from './provision/compare.js';
