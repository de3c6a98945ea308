/**
 * `_bulk` answers and errors to what core should do with the batch.
 *
 * Whole request (no per-item answer):
 *   thrown error (ConnectionError, TimeoutError, NoLivingConnectionsError, ECONNREFUSED...) → retry
 *     (the node is marked dead by the client's pool, so the next attempt goes to a living one;
 *     `create` + the record id makes a re-send of a batch that did land harmless)
 *   413 → split; 429 → retry after `Retry-After`; 408 and 5xx → retry
 *   401/403 → retry with a reason naming the credential variables (core keeps the records
 *     until their deadline, so fixing the key in time loses nothing)
 *   404 → retry (a proxy path or a missing index with auto-create off: a setup problem)
 *   other 4xx → drop with the server's reason
 * Per item (2xx answer with `errors: true`):
 *   2xx, and 409 version_conflict_engine_exception (already indexed by an earlier attempt) →
 *     delivered
 *   429 es_rejected_execution_exception, 408, 5xx → retry those items
 *   401/403 (privileges, cluster blocks such as the flood-stage read-only block), 404
 *     index_not_found (auto-create off, no template yet), a missing ingest pipeline → retry:
 *     operator-fixable, and dead-lettered at the record deadline if never fixed
 *   other 4xx (mapper_parsing_exception, document_parsing_exception, illegal_argument_exception,
 *     strict_dynamic_mapping_exception...) → drop with `status type: reason (caused by ...)`
 */
import {
  parseRetryAfter,
  type QueuedRecord,
  type RetryAction,
  type SendOutcome,
} from '@lms-logging/core';
import type { BulkItemError, BulkItemResult, ElkResponse } from './transport.js';

const MAX_REASON_CHARS = 1000;

export const AUTH_VARIABLES =
  'ELASTICSEARCH_API_KEY / ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD / ELASTICSEARCH_BEARER_TOKEN';

type ItemVerdict = 'delivered' | 'retry' | 'drop';

/** What to do with one bulk item, from its status and error. */
export function itemVerdict(item: BulkItemResult): ItemVerdict {
  const status = item.status;
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 409) return 'delivered';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  if (status === 401 || status === 403 || status === 404) return 'retry';
  if (isMissingPipeline(item.error)) return 'retry';
  return 'drop';
}

function isMissingPipeline(error: BulkItemError | undefined): boolean {
  return /pipeline with id \[.*\] does not exist/.test(error?.reason ?? '');
}

/** `type: reason (caused by type: reason)`, the way Elasticsearch logs it. */
export function describeServerError(error: unknown): string {
  if (typeof error === 'string') return clip(error);
  if (typeof error !== 'object' || error === null) return '';
  const e = error as Partial<BulkItemError> & { error?: unknown };
  // A whole-request error body: {"error": {...} | "text", "status": 400}
  if (e.type === undefined && e.error !== undefined) return describeServerError(e.error);
  let text = e.type ?? 'error';
  if (typeof e.reason === 'string' && e.reason !== '') text += `: ${e.reason}`;
  const causes: string[] = [];
  let cause = e.caused_by;
  while (cause && causes.length < 3) {
    causes.push(cause.reason ? `${cause.type}: ${cause.reason}` : cause.type);
    cause = cause.caused_by;
  }
  if (causes.length > 0) text += ` (caused by ${causes.join(' < ')})`;
  return clip(text);
}

function describeItem(item: BulkItemResult): string {
  return `${item.status} ${describeServerError(item.error) || 'error'}`;
}

function clip(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}...` : text;
}

/** Why an item's retry is likely needed, with what to do about it. */
function retryHint(item: BulkItemResult): string {
  const status = item.status;
  if (status === 429) return ' (the write queue is full; backing off)';
  if (status === 401) return ` (authentication failed: check ${AUTH_VARIABLES})`;
  if (status === 403) {
    return ' (not allowed: the credentials need the create_doc privilege on the target, or a cluster block is set)';
  }
  if (status === 404) {
    return ' (the target does not exist and cannot be created: enable action.auto_create_index or run the setup)';
  }
  if (isMissingPipeline(item.error))
    return ' (create the pipeline or unset ELASTICSEARCH_PIPELINE)';
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The single op result of an item (`{"create": {...}}`). */
function itemResult(item: unknown): BulkItemResult | undefined {
  if (!isRecord(item)) return undefined;
  for (const value of Object.values(item)) {
    if (isRecord(value) && typeof value['status'] === 'number')
      return value as unknown as BulkItemResult;
  }
  return undefined;
}

/** Classifies a 2xx `_bulk` body for a batch of `count` records. */
export function classifyBulkBody(body: unknown, count: number): RetryAction {
  if (!isRecord(body) || !Array.isArray(body['items'])) {
    return {
      kind: 'retry',
      reason: `unexpected _bulk answer (no items): ${clip(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''))}`,
    };
  }
  const items = body['items'] as unknown[];
  if (items.length !== count) {
    return {
      kind: 'retry',
      reason: `unexpected _bulk answer: ${items.length} items for ${count} records`,
    };
  }
  if (body['errors'] === false) return { kind: 'success' };
  const retry: number[] = [];
  const drop: { index: number; reason: string }[] = [];
  let firstRetry: BulkItemResult | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = itemResult(items[i]);
    if (!item) {
      retry.push(i);
      continue;
    }
    const verdict = itemVerdict(item);
    if (verdict === 'retry') {
      retry.push(i);
      firstRetry ??= item;
    } else if (verdict === 'drop') {
      drop.push({ index: i, reason: describeItem(item) });
    }
  }
  if (retry.length === 0 && drop.length === 0) return { kind: 'success' };
  return {
    kind: 'partial',
    retry,
    drop,
    ...(retry.length > 0
      ? {
          retryReason: `${retry.length} of ${count} records not indexed: ${
            firstRetry ? `${describeItem(firstRetry)}${retryHint(firstRetry)}` : 'malformed item'
          }`,
        }
      : {}),
  };
}

/** Classifies a whole `_bulk` answer (any status). */
export function classifyBulkResponse(response: ElkResponse<unknown>, count: number): RetryAction {
  const status = response.statusCode;
  if (status >= 200 && status < 300) return classifyBulkBody(response.body, count);
  const detail = describeServerError(response.body);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 413) {
    return { kind: 'split', reason: `request too large (413)${suffix}` };
  }
  if (status === 429) {
    const afterMs = parseRetryAfter(response.headers['retry-after']);
    return {
      kind: 'retry',
      reason: `too many requests (429)${suffix}`,
      ...(afterMs !== undefined ? { afterMs } : {}),
    };
  }
  if (status === 401) {
    return {
      kind: 'retry',
      reason: `authentication failed (401): check ${AUTH_VARIABLES}${suffix}`,
    };
  }
  if (status === 403) {
    return {
      kind: 'retry',
      reason: `not allowed (403): the credentials need the create_doc privilege on the target indices${suffix}`,
    };
  }
  if (status === 404) {
    return {
      kind: 'retry',
      reason: `_bulk answered 404 (check ELASTICSEARCH_URL, e.g. a proxy path)${suffix}`,
    };
  }
  if (status === 408 || status >= 500 || status < 200) {
    const afterMs = parseRetryAfter(response.headers['retry-after']);
    return {
      kind: 'retry',
      reason: `server error (${status})${suffix}`,
      ...(afterMs !== undefined ? { afterMs } : {}),
    };
  }
  return { kind: 'drop', reason: `rejected (${status})${suffix}` };
}

/** A send that threw: no HTTP answer. Always worth another attempt. */
export function classifyBulkError(error: unknown): RetryAction {
  const e = (isRecord(error) ? error : {}) as { name?: unknown; message?: unknown; code?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (name === 'ProductNotSupportedError') {
    return {
      kind: 'retry',
      reason:
        'the server did not answer as Elasticsearch (no x-elastic-product header): if it is OpenSearch set ELASTICSEARCH_FLAVOR=opensearch, or check a proxy that drops headers',
    };
  }
  const code = typeof e.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return { kind: 'retry', reason: clip(`${name}: ${message}${code}`) };
}

export function classifyBulkOutcome(
  outcome: SendOutcome<ElkResponse<unknown>>,
  records: readonly QueuedRecord[],
): RetryAction {
  if (!outcome.ok) return classifyBulkError(outcome.error);
  return classifyBulkResponse(outcome.response, records.length);
}
