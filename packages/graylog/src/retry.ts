/**
 * What core does after a GELF send. Every transport reports how many messages of the batch went
 * out (in order) before it stopped; a network error before anything went out retries the whole
 * batch, a failure part-way retries the rest. HTTP statuses: 2xx delivered, 413 split, 408/429/5xx
 * retry (honouring Retry-After), other 4xx drop.
 */
import {
  describeError,
  parseRetryAfter,
  type RetryAction,
  type SendOutcome,
} from '@lms-logging/core';
import type { QueuedRecord } from '@lms-logging/core';

export interface GraylogResponse {
  /** Messages of the batch delivered (in order, unless `failed` says which were not). */
  readonly delivered: number;
  /** UDP: indexes of the messages whose send failed (the batch is sent all at once). */
  readonly failed?: readonly number[];
  readonly total: number;
  /** Why the send stopped early. */
  readonly error?: unknown;
  /** HTTP: the status of the last request. */
  readonly status?: number;
  readonly body?: string;
  readonly retryAfter?: string;
}

export function classifyHttpStatus(
  status: number,
  body: string,
  count: number,
  retryAfter?: string,
): RetryAction {
  if (status >= 200 && status < 300) return { kind: 'success' };
  const reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 413) return count > 1 ? { kind: 'split', reason } : { kind: 'drop', reason };
  if (status === 408 || status === 429 || status >= 500 || status === 0) {
    const afterMs = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter);
    return { kind: 'retry', reason, ...(afterMs !== undefined ? { afterMs } : {}) };
  }
  return { kind: 'drop', reason };
}

export function classifyGraylogOutcome(
  outcome: SendOutcome<GraylogResponse>,
  records: readonly QueuedRecord[],
): RetryAction {
  if (!outcome.ok) return { kind: 'retry', reason: describeError(outcome.error) };
  const r = outcome.response;
  if (r.delivered >= r.total) return { kind: 'success' };
  let action: RetryAction;
  if (r.status !== undefined) {
    action = classifyHttpStatus(r.status, r.body ?? '', r.total - r.delivered, r.retryAfter);
    if (action.kind === 'success') action = { kind: 'retry', reason: 'incomplete delivery' };
  } else {
    action = { kind: 'retry', reason: r.error === undefined ? 'not sent' : describeError(r.error) };
  }
  if (r.delivered === 0 || records.length <= 1) return action;
  const rest =
    r.failed ?? Array.from({ length: records.length - r.delivered }, (_, i) => i + r.delivered);
  if (action.kind === 'drop') {
    return {
      kind: 'partial',
      retry: [],
      drop: rest.map((index) => ({ index, reason: action.reason })),
    };
  }
  return {
    kind: 'partial',
    retry: rest,
    drop: [],
    retryReason: 'reason' in action ? action.reason : 'incomplete delivery',
    ...(action.kind === 'retry' && action.afterMs !== undefined ? { afterMs: action.afterMs } : {}),
  };
}
