export {
  createCloudWatchBackend,
  createBackendFromEnv,
  DEFAULT_MAX_IN_FLIGHT,
  type CloudWatchBackend,
} from './backend.js';
export {
  CLOUDWATCH_ENV,
  CLOUDWATCH_LIMITS,
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_COUNT,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_BYTES,
  MAX_EVENT_FUTURE_MS,
  defaultLogGroupName,
  defaultLogStreamName,
  readCloudWatchEnv,
  type CloudWatchBackendOptions,
} from './config.js';
export {
  createEncoder,
  eventTime,
  type CloudWatchPayload,
  type EncoderOptions,
} from './encoder.js';
export {
  classifyPutError,
  classifyPutOutcome,
  describeAwsError,
  rejectedIndexes,
  type CloudWatchResponse,
} from './retry.js';
export {
  createLogsClient,
  ensureLogStream,
  putLogEvents,
  awsErrorName,
  type CloudWatchLogsTarget,
  type PutResult,
} from './transport.js';
export {
  createCloudWatchProvisioner,
  createProvisionerFromEnv,
  CLOUDWATCH_SETUP_ENV,
  DEFAULT_DASHBOARD_NAME,
  DEFAULT_METRIC_NAMESPACE,
  FILTER_PREFIX,
  RETENTION_DAYS,
  snapRetentionDays,
  filterToPattern,
  filterToInsights,
  dashboardBody,
  type CloudWatchProvisionerOptions,
  type PatternResult,
  type DashboardAlert,
  type DashboardOptions,
} from './setup/index.js';
