export { checkLocalDisk } from './disk.js';
export type { DiskUsage } from './disk.js';
export { describeAlert, describeFilter } from './describe.js';
export {
  DEFAULT_AUTH_FAILURE_EVENT,
  DEFAULT_AUTH_FAILURE_PATTERN,
  DEFAULT_ERROR_LEVELS,
  DEFAULT_LOW_DISK_PERCENT,
  DEFAULT_SLOW_RESPONSE_MS,
  defaultAlertDefinitions,
} from './defaults.js';
export { createAlertEvaluator } from './evaluator.js';
export type {
  AlertEvaluator,
  AlertEvaluatorOptions,
  AlertEvaluatorStats,
  AlertStatus,
} from './evaluator.js';
export { DURATION_UNITS, fieldNamesFor, msToDurationUnit } from './field-names.js';
export type { AlertFieldNames, DurationUnit } from './field-names.js';
export { compileFieldPath, readField } from './field-path.js';
export type { FieldReader } from './field-path.js';
export { compileFilter, matchesFilter } from './filter.js';
export type {
  AllFilter,
  AnyFilter,
  FieldCondition,
  Filter,
  NumericOp,
  RecordPredicate,
  ScalarValue,
} from './filter.js';
export { DEFAULT_ALERT_IDS, DISK_USED_PERCENT } from './model.js';
export type {
  AlertDefinition,
  AlertSeverity,
  Comparator,
  DefaultAlertId,
  LogCountAlert,
  MetricAlert,
} from './model.js';
export { AlertOverridesError, validateAlertOverrides } from './overrides.js';
export type {
  AlertOverrideIssue,
  AlertOverrides,
  AuthFailuresOverride,
  CommonAlertOverride,
  ErrorRateOverride,
  Http5xxOverride,
  LogCountAlertOverride,
  LowDiskOverride,
  SlowResponsesOverride,
  ValidatedAlertOverrides,
} from './overrides.js';
