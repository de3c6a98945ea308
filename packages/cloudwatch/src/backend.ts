/**
 * The CloudWatch Logs shipping backend: records to PutLogEvents into one log group and stream,
 * both created in `start()`. When the group or stream disappears later (deleted by hand, by a
 * teardown), `send` recreates them and sends the request again once. Core owns batching,
 * backoff, deadlines and the dead letter; this file wires the pieces.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Backend, BackendFromEnv, BackendLimits } from '@lms-logging/core';
import {
  CLOUDWATCH_LIMITS,
  defaultLogGroupName,
  defaultLogStreamName,
  readCloudWatchEnv,
  type CloudWatchBackendOptions,
} from './config.js';
import { createEncoder, type CloudWatchPayload } from './encoder.js';
import { classifyPutOutcome, type CloudWatchResponse } from './retry.js';
import {
  createLogsClient,
  ensureLogStream,
  isAwsError,
  putLogEvents,
  type CloudWatchLogsTarget,
} from './transport.js';

export interface CloudWatchBackend extends Backend<CloudWatchPayload, CloudWatchResponse> {
  readonly target: CloudWatchLogsTarget;
  readonly client: CloudWatchLogsClient;
}

export const DEFAULT_MAX_IN_FLIGHT = 4;

export function createCloudWatchBackend(options: CloudWatchBackendOptions = {}): CloudWatchBackend {
  const target: CloudWatchLogsTarget = {
    logGroupName: options.logGroupName ?? defaultLogGroupName(options.environment, options.service),
    logStreamName: options.logStreamName ?? defaultLogStreamName(),
  };
  const limits: BackendLimits = {
    maxBatchBytes: Math.min(
      options.limits?.maxBatchBytes ?? CLOUDWATCH_LIMITS.maxBatchBytes,
      CLOUDWATCH_LIMITS.maxBatchBytes,
    ),
    maxBatchCount: Math.min(
      options.limits?.maxBatchCount ?? CLOUDWATCH_LIMITS.maxBatchCount,
      CLOUDWATCH_LIMITS.maxBatchCount,
    ),
    maxRecordBytes: Math.min(
      options.limits?.maxRecordBytes ?? CLOUDWATCH_LIMITS.maxRecordBytes,
      CLOUDWATCH_LIMITS.maxRecordBytes,
    ),
    perRecordOverheadBytes: CLOUDWATCH_LIMITS.perRecordOverheadBytes,
  };
  const encode = createEncoder({
    maxBatchBytes: limits.maxBatchBytes,
    maxBatchCount: limits.maxBatchCount,
    ...(options.now ? { now: options.now } : {}),
  });
  const owned = options.client === undefined;
  const client = options.client ?? createLogsClient(options.clientConfig);
  // Concurrent sends that all find the stream missing share one re-creation.
  let creating: Promise<void> | undefined;
  const recreate = (signal?: AbortSignal): Promise<void> => {
    creating ??= ensureLogStream(client, target, signal).finally(() => {
      creating = undefined;
    });
    return creating;
  };

  return {
    name: 'cloudwatch',
    limits,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    target,
    client,
    async start() {
      await ensureLogStream(client, target);
    },
    encode,
    async send(payload, context) {
      if (payload.events.length === 0) return { payload };
      try {
        return { payload, ...(await putLogEvents(client, target, payload.events, context.signal)) };
      } catch (error) {
        if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
        await recreate(context.signal);
        return { payload, ...(await putLogEvents(client, target, payload.events, context.signal)) };
      }
    },
    classify: classifyPutOutcome,
    close() {
      if (owned) client.destroy();
      return Promise.resolve();
    },
  };
}

/** `LMS_LOG_BACKEND=cloudwatch`: PutLogEvents into `LMS_CLOUDWATCH_LOG_GROUP`. */
export const createBackendFromEnv: BackendFromEnv = (env, context) =>
  createCloudWatchBackend(readCloudWatchEnv(env, context));
