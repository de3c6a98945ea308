/**
 * What core does after a PutLogEvents attempt. Throttling, unavailability, 5xx, network errors,
 * a missing group/stream (already recreated by `send`) and the obsolete
 * InvalidSequenceTokenException are retried; DataAlreadyAcceptedException counts as delivered;
 * request-level validation errors drop the batch; the events CloudWatch rejected
 * (`rejectedLogEventsInfo`) and those the encoder kept out (too old / too new) go to the dead
 * letter with the reason, and events outside the request's 24 h window are sent again.
 */
import type { QueuedRecord, RetryAction, SendOutcome } from '@lms-logging/core';
import type { CloudWatchPayload } from './encoder.js';
import { awsErrorName } from './transport.js';
import type { PutResult } from './transport.js';

export interface CloudWatchResponse extends PutResult {
  readonly payload: CloudWatchPayload;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'LimitExceededException',
  'OperationAbortedException',
  'ResourceNotFoundException',
  'InvalidSequenceTokenException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'AccessDeniedException',
]);

const DROP = new Set([
  'InvalidParameterException',
  'SerializationException',
  'ValidationException',
]);

export function describeAwsError(error: unknown): string {
  const name = awsErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  return name ? `${name}${status ? ` (HTTP ${status})` : ''}: ${message}` : message;
}

export function classifyPutError(error: unknown): RetryAction {
  const name = awsErrorName(error);
  const reason = describeAwsError(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  if (name === undefined) return { kind: 'retry', reason }; // network, abort, timeout
  if (RETRYABLE.has(name)) return { kind: 'retry', reason };
  if (status === 413) return { kind: 'split', reason };
  if (status !== undefined && status >= 500) return { kind: 'retry', reason };
  if (DROP.has(name)) return { kind: 'drop', reason };
  // Unknown 4xx: retry; core's deadline bounds it and the reason shows in the stats.
  return { kind: 'retry', reason };
}

/** Maps `rejectedLogEventsInfo` (indexes into the sorted request) back to batch indexes. */
export function rejectedIndexes(
  response: CloudWatchResponse,
): { readonly index: number; readonly reason: string }[] {
  const info = response.rejected;
  const sent = response.payload.sent;
  if (!info) return [];
  const out = new Map<number, string>();
  // tooNewLogEventStartIndex is inclusive; the two end indexes are exclusive.
  if (info.tooNewLogEventStartIndex !== undefined) {
    for (let i = info.tooNewLogEventStartIndex; i < sent.length; i++) {
      out.set(sent[i], 'CloudWatch rejected the event: timestamp too far in the future');
    }
  }
  if (info.tooOldLogEventEndIndex !== undefined) {
    for (let i = 0; i < Math.min(info.tooOldLogEventEndIndex, sent.length); i++) {
      out.set(sent[i], 'CloudWatch rejected the event: timestamp more than 14 days old');
    }
  }
  if (info.expiredLogEventEndIndex !== undefined) {
    for (let i = 0; i < Math.min(info.expiredLogEventEndIndex, sent.length); i++) {
      out.set(sent[i], "CloudWatch rejected the event: older than the log group's retention");
    }
  }
  return [...out].map(([index, reason]) => ({ index, reason }));
}

export function classifyPutOutcome(
  outcome: SendOutcome<CloudWatchResponse>,
  _records: readonly QueuedRecord[],
): RetryAction {
  if (!outcome.ok) return classifyPutError(outcome.error);
  const response = outcome.response;
  const { deferred, dropped } = response.payload;
  const drop = [...dropped, ...rejectedIndexes(response)];
  if (deferred.length === 0 && drop.length === 0) return { kind: 'success' };
  return {
    kind: 'partial',
    retry: deferred,
    drop,
    retryReason: 'events outside the 24 h span or the size limits of one PutLogEvents request',
    // The deferred events are ready now; they only had to go in a request of their own.
    afterMs: 0,
  };
}
