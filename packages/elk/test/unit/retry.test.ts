// Bulk answers below copy the shape Elasticsearch documents for `_bulk`:
// {took, errors, items: [{create: {_index, _id, status, error: {type, reason, caused_by}}}]}.
import { errors as esErrors } from '@elastic/elasticsearch';
import { errors as osErrors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import {
  classifyBulkBody,
  classifyBulkError,
  classifyBulkOutcome,
  classifyBulkResponse,
  describeServerError,
} from '../../src/retry.js';
import type { ElkResponse } from '../../src/transport.js';
import { lmsRecord, queued } from '../support/records.js';

const created = (id: string) => ({
  create: {
    _index: 'lms-logs-2025.01.01',
    _id: id,
    _version: 1,
    result: 'created',
    _shards: { total: 2, successful: 1, failed: 0 },
    _seq_no: 0,
    _primary_term: 1,
    status: 201,
  },
});

const failed = (id: string, status: number, error: Record<string, unknown>) => ({
  create: { _index: 'lms-logs-2025.01.01', _id: id, status, error },
});

const conflict = (id: string) =>
  failed(id, 409, {
    type: 'version_conflict_engine_exception',
    reason: `[${id}]: version conflict, document already exists (current version [1])`,
    index_uuid: 'aAsFqTI0Tc2W0LCWgPNrOA',
    shard: '0',
    index: 'lms-logs-2025.01.01',
  });

const rejected = (id: string) =>
  failed(id, 429, {
    type: 'es_rejected_execution_exception',
    reason:
      'rejected execution of org.opensearch.action.support.replication.TransportWriteAction$1 on OpenSearchThreadPoolExecutor[name = node-1/write, queue capacity = 1, active threads = 1]',
  });

const documentParsing = (id: string) =>
  failed(id, 400, {
    type: 'document_parsing_exception',
    reason: `[1:140] failed to parse field [status_code] of type [long] in document with id '${id}'. Preview of field's value: 'not-a-number'`,
    caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "not-a-number"' },
  });

const mapperParsing = (id: string) =>
  failed(id, 400, {
    type: 'mapper_parsing_exception',
    reason:
      "failed to parse field [user_id] of type [keyword] in document with id 'x'. Preview of field's value: '{a=1}'",
    caused_by: {
      type: 'illegal_state_exception',
      reason: "Can't get text on a START_OBJECT at 1:120",
    },
  });

const ok = (body: unknown, headers: Record<string, string> = {}): ElkResponse<unknown> => ({
  statusCode: 200,
  body,
  headers,
});
const status = (code: number, body: unknown = '', headers: Record<string, string> = {}) => ({
  statusCode: code,
  body,
  headers,
});

describe('per-item results', () => {
  it('all created → success', () => {
    expect(
      classifyBulkBody({ took: 3, errors: false, items: [created('a'), created('b')] }, 2),
    ).toEqual({
      kind: 'success',
    });
  });

  it('409 version conflict on create counts as delivered', () => {
    expect(
      classifyBulkBody({ took: 3, errors: true, items: [conflict('a'), created('b')] }, 2),
    ).toEqual({
      kind: 'success',
    });
  });

  it('retries only 429/5xx/auth/missing-index items and drops mapping errors with the reason', () => {
    const body = {
      took: 12,
      errors: true,
      items: [
        created('r0'),
        conflict('r1'),
        rejected('r2'),
        documentParsing('r3'),
        mapperParsing('r4'),
        failed('r5', 503, {
          type: 'unavailable_shards_exception',
          reason: '[lms-logs-2025.01.01][0] primary shard is not active Timeout: [1m]',
        }),
        failed('r6', 404, {
          type: 'index_not_found_exception',
          reason:
            "no such index [lms-logs-2025.01.01] and [action.auto_create_index] ([false]) doesn't match",
          index: 'lms-logs-2025.01.01',
        }),
        failed('r7', 403, {
          type: 'cluster_block_exception',
          reason:
            'index [lms-logs-2025.01.01] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];',
        }),
        failed('r8', 400, {
          type: 'illegal_argument_exception',
          reason: 'mapper [duration_ms] cannot be changed from type [long] to [float]',
        }),
        failed('r9', 400, {
          type: 'strict_dynamic_mapping_exception',
          reason:
            '[1:2] mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed',
        }),
      ],
    };
    const action = classifyBulkBody(body, 10);
    expect(action.kind).toBe('partial');
    if (action.kind !== 'partial') return;
    expect(action.retry).toEqual([2, 5, 6, 7]);
    expect(action.drop.map((d) => d.index)).toEqual([3, 4, 8, 9]);
    expect(action.drop[0].reason).toBe(
      `400 document_parsing_exception: [1:140] failed to parse field [status_code] of type [long] in document with id 'r3'. Preview of field's value: 'not-a-number' (caused by illegal_argument_exception: For input string: "not-a-number")`,
    );
    expect(action.drop[1].reason).toMatch(
      /^400 mapper_parsing_exception: .*caused by illegal_state_exception/,
    );
    expect(action.drop[2].reason).toMatch(/illegal_argument_exception: mapper \[duration_ms\]/);
    expect(action.retryReason).toMatch(
      /^4 of 10 records not indexed: 429 es_rejected_execution_exception/,
    );
    expect(action.retryReason).toMatch(/write queue is full/);
  });

  it('retries a missing ingest pipeline instead of dead-lettering everything', () => {
    const body = {
      took: 1,
      errors: true,
      items: [
        failed('a', 400, {
          type: 'illegal_argument_exception',
          reason: 'pipeline with id [lms-enrich] does not exist',
        }),
      ],
    };
    const action = classifyBulkBody(body, 1);
    expect(action).toMatchObject({ kind: 'partial', retry: [0], drop: [] });
    if (action.kind === 'partial') expect(action.retryReason).toMatch(/ELASTICSEARCH_PIPELINE/);
  });

  it('names the credential variables when items answer 401', () => {
    const body = {
      took: 1,
      errors: true,
      items: [failed('a', 401, { type: 'security_exception', reason: 'unable to authenticate' })],
    };
    const action = classifyBulkBody(body, 1);
    if (action.kind !== 'partial') throw new Error(action.kind);
    expect(action.retryReason).toMatch(/ELASTICSEARCH_API_KEY/);
  });

  it('retries everything when the answer does not match the batch', () => {
    expect(classifyBulkBody({ took: 1, errors: false, items: [created('a')] }, 2)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/1 items for 2 records/),
    });
    expect(classifyBulkBody('<html>proxy</html>', 1)).toMatchObject({ kind: 'retry' });
  });

  it('works with index and other op keys too', () => {
    const body = {
      took: 1,
      errors: true,
      items: [{ index: { _index: 'x', _id: 'a', status: 429 } }],
    };
    expect(classifyBulkBody(body, 1)).toMatchObject({ kind: 'partial', retry: [0] });
  });
});

describe('whole-request answers', () => {
  const esError = (type: string, reason: string, code: number) => ({
    error: { root_cause: [{ type, reason }], type, reason },
    status: code,
  });

  it('413 → split', () => {
    expect(classifyBulkResponse(status(413), 10)).toEqual({
      kind: 'split',
      reason: 'request too large (413)',
    });
  });

  it('429 → retry, honouring Retry-After', () => {
    const body = esError(
      'es_rejected_execution_exception',
      'rejected execution of coordinating operation',
      429,
    );
    expect(classifyBulkResponse(status(429, body, { 'retry-after': '7' }), 10)).toEqual({
      kind: 'retry',
      reason:
        'too many requests (429): es_rejected_execution_exception: rejected execution of coordinating operation',
      afterMs: 7000,
    });
    expect(classifyBulkResponse(status(429, body), 10)).not.toHaveProperty('afterMs');
  });

  it('401/403 → retry with a reason that says what to check', () => {
    const r401 = classifyBulkResponse(
      status(
        401,
        esError('security_exception', 'unable to authenticate with provided credentials', 401),
      ),
      1,
    );
    expect(r401).toMatchObject({ kind: 'retry' });
    if (r401.kind === 'retry') {
      expect(r401.reason).toMatch(
        /^authentication failed \(401\): check ELASTICSEARCH_API_KEY \/ ELASTICSEARCH_USERNAME/,
      );
      expect(r401.reason).toMatch(/unable to authenticate/);
    }
    expect(classifyBulkResponse(status(403, ''), 1)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/not allowed \(403\)/),
    });
  });

  it('5xx and 408 → retry; 404 → retry; other 4xx → drop with the server reason', () => {
    for (const code of [500, 502, 503, 504, 408, 404]) {
      expect(classifyBulkResponse(status(code), 1).kind, String(code)).toBe('retry');
    }
    const drop = classifyBulkResponse(
      status(
        400,
        esError(
          'illegal_argument_exception',
          'The bulk request must be terminated by a newline [\\n]',
          400,
        ),
      ),
      1,
    );
    expect(drop).toEqual({
      kind: 'drop',
      reason:
        'rejected (400): illegal_argument_exception: The bulk request must be terminated by a newline [\\n]',
    });
    expect(
      classifyBulkResponse(
        status(406, { error: 'Content-Type header [text/plain] is not supported', status: 406 }),
        1,
      ),
    ).toEqual({
      kind: 'drop',
      reason: 'rejected (406): Content-Type header [text/plain] is not supported',
    });
  });

  it('2xx goes to the per-item check', () => {
    expect(classifyBulkResponse(ok({ took: 1, errors: false, items: [created('a')] }), 1)).toEqual({
      kind: 'success',
    });
  });
});

describe('errors without an answer', () => {
  it('retries connection failures of both clients', () => {
    const errs: unknown[] = [
      new esErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9299'),
      new esErrors.TimeoutError('Request timed out'),
      new esErrors.NoLivingConnectionsError('There are no living connections', {} as never),
      new osErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9299', {} as never),
      new osErrors.TimeoutError('Request timed out', {} as never),
      new osErrors.NoLivingConnectionsError('There are no living connections', {} as never),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'weird',
    ];
    for (const error of errs) {
      expect(classifyBulkError(error).kind).toBe('retry');
    }
    expect(classifyBulkError(errs[0])).toEqual({
      kind: 'retry',
      reason: 'ConnectionError: connect ECONNREFUSED 127.0.0.1:9299',
    });
    expect(classifyBulkError(errs[6])).toEqual({
      kind: 'retry',
      reason: 'Error: socket hang up (ECONNRESET)',
    });
  });

  it('explains a failed product check', () => {
    const error = new esErrors.ProductNotSupportedError('Elasticsearch', {} as never);
    expect(classifyBulkError(error)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/ELASTICSEARCH_FLAVOR=opensearch/),
    });
  });

  it('classifyBulkOutcome dispatches on ok', () => {
    const records = [queued(lmsRecord())];
    expect(classifyBulkOutcome({ ok: false, error: new Error('x') }, records).kind).toBe('retry');
    expect(
      classifyBulkOutcome(
        { ok: true, response: ok({ errors: false, items: [created('a')] }) },
        records,
      ),
    ).toEqual({ kind: 'success' });
  });
});

describe('describeServerError', () => {
  it('formats nested causes and plain strings', () => {
    expect(
      describeServerError({
        type: 'a',
        reason: 'ra',
        caused_by: { type: 'b', reason: 'rb', caused_by: { type: 'c' } },
      }),
    ).toBe('a: ra (caused by b: rb < c)');
    expect(describeServerError('Unauthorized')).toBe('Unauthorized');
    expect(describeServerError(null)).toBe('');
    expect(describeServerError('x'.repeat(5000)).length).toBeLessThan(1100);
  });
});
