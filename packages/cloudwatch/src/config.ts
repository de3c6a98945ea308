/**
 * Settings of the CloudWatch backend: the options type for `createCloudWatchBackend`, the
 * environment spec `CLOUDWATCH_ENV` (the package README's table is written from it) and the
 * PutLogEvents limits. Credentials and region come only from the AWS SDK's default chain
 * (`AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, SSO, instance roles, `AWS_REGION`, ...); emulators are
 * reached with the SDK's own `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`.
 */
import { hostname } from 'node:os';
import {
  envSchemas,
  readEnv,
  type BackendEnvContext,
  type BackendLimits,
  type Env,
  type EnvSpec,
} from '@lms-logging/core';
import type {
  CloudWatchLogsClient,
  CloudWatchLogsClientConfig,
} from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';

/** Bytes CloudWatch adds to every event's UTF-8 message when it sizes a PutLogEvents request. */
export const EVENT_OVERHEAD_BYTES = 26;
/** Largest PutLogEvents request: 1 MiB counting messages plus 26 bytes per event. */
export const MAX_BATCH_BYTES = 1_048_576;
/** Most events in one PutLogEvents request. */
export const MAX_BATCH_COUNT = 10_000;
/** Largest event: 256 KiB including the 26 bytes of overhead. */
export const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD_BYTES;
/** One request may not span more than 24 hours of event timestamps. */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/** Events older than this are rejected by PutLogEvents. */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** Events further in the future than this are rejected by PutLogEvents. */
export const MAX_EVENT_FUTURE_MS = 2 * 60 * 60 * 1000;

export const CLOUDWATCH_LIMITS: BackendLimits = {
  maxBatchBytes: MAX_BATCH_BYTES,
  maxBatchCount: MAX_BATCH_COUNT,
  maxRecordBytes: MAX_EVENT_BYTES,
  perRecordOverheadBytes: EVENT_OVERHEAD_BYTES,
};

export interface CloudWatchBackendOptions {
  /** Log group. Default `/lms/<environment>/<service>`. */
  readonly logGroupName?: string;
  /** Log stream. Default `<host>/<pid>/<start time>`. */
  readonly logStreamName?: string;
  /** For the default log group name. Default `production`. */
  readonly environment?: string;
  /** For the default log group name. Default `lms`. */
  readonly service?: string;
  /** Lower the request limits (never above PutLogEvents'). */
  readonly limits?: Partial<Omit<BackendLimits, 'perRecordOverheadBytes'>>;
  /** Most PutLogEvents requests in flight at once. Default 4. */
  readonly maxInFlight?: number;
  /** Extra SDK client settings (an endpoint for tests). `maxAttempts` is always 1. */
  readonly clientConfig?: CloudWatchLogsClientConfig;
  /** An existing client (used, not destroyed on close). Its own retries should be off. */
  readonly client?: CloudWatchLogsClient;
  /** The clock, for tests of the age limits. Default `Date.now`. */
  readonly now?: () => number;
  readonly warn?: (line: string) => void;
}

const LOG_GROUP_NAME = /^[\w\-/.#]{1,512}$/;
const LOG_STREAM_NAME = /^[^:*]{1,512}$/;

export const CLOUDWATCH_ENV = {
  LMS_CLOUDWATCH_LOG_GROUP: {
    schema: z.string().regex(LOG_GROUP_NAME, 'not a log group name'),
    expected: '1-512 characters of a-z A-Z 0-9 _ - / . #',
    description: 'Log group the records go to (created when missing).',
    defaultText: '`/lms/<environment>/<service>`',
  },
  LMS_CLOUDWATCH_LOG_STREAM: {
    schema: z.string().regex(LOG_STREAM_NAME, 'contains : or *'),
    expected: '1-512 characters without : or *',
    description: 'Log stream (created when missing). One stream per process is the default.',
    defaultText: '`<host>/<pid>/<start time>`',
  },
  LMS_CLOUDWATCH_MAX_IN_FLIGHT: {
    schema: envSchemas.positiveInt,
    expected: 'a positive integer',
    description: 'PutLogEvents requests in flight at once.',
    defaultText: '4',
  },
} satisfies EnvSpec;

/** `<environment>`/`<service>` made safe for a log group name. */
export function defaultLogGroupName(environment = 'production', service = 'lms'): string {
  const clean = (s: string): string => s.replace(/[^\w\-.#]/g, '-') || '-';
  return `/lms/${clean(environment)}/${clean(service)}`;
}

/** `<host>/<pid>/<start time>`, without the `:` and `*` that stream names may not contain. */
export function defaultLogStreamName(startedAt = new Date(), host = hostname()): string {
  const time = startedAt.toISOString().replace(/:/g, '-');
  return `${host.replace(/[:*]/g, '-')}/${process.pid}/${time}`;
}

export function readCloudWatchEnv(
  env: Env,
  context?: Partial<BackendEnvContext>,
): CloudWatchBackendOptions {
  const v = readEnv(CLOUDWATCH_ENV, env);
  return {
    logGroupName: v.LMS_CLOUDWATCH_LOG_GROUP,
    logStreamName: v.LMS_CLOUDWATCH_LOG_STREAM,
    maxInFlight: v.LMS_CLOUDWATCH_MAX_IN_FLIGHT,
    environment: context?.environment,
    service: context?.service,
    warn: context?.warn,
  };
}
