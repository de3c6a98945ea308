// What core does with each answer of Logstash's http input and each transport error.
import { describe, expect, it } from 'vitest';
import {
  classifyHttpOutcome,
  classifyHttpResponse,
  classifyTcpOutcome,
  describeLogstashError,
  type LogstashHttpResponse,
} from '../../src/logstash/index.js';

const answer = (
  statusCode: number,
  body = '',
  headers: Record<string, string> = {},
): LogstashHttpResponse => ({ statusCode, body, headers });

const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('http input answers', () => {
  it('2xx is success (response_code may be 200-204)', () => {
    for (const status of [200, 201, 202, 204]) {
      expect(classifyHttpResponse(answer(status, 'ok'), false)).toEqual({ kind: 'success' });
    }
  });

  it('429 retries, after Retry-After when present', () => {
    expect(classifyHttpResponse(answer(429), false)).toEqual({
      kind: 'retry',
      reason: expect.stringMatching(/busy \(429\)/),
    });
    expect(classifyHttpResponse(answer(429, '', { 'retry-after': '3' }), false)).toMatchObject({
      kind: 'retry',
      afterMs: 3000,
    });
  });

  it('413 splits the batch', () => {
    expect(classifyHttpResponse(answer(413), false)).toMatchObject({
      kind: 'split',
      reason: expect.stringMatching(/max_content_length/),
    });
  });

  it('401/403 retry and name the credential variables', () => {
    const without = classifyHttpResponse(answer(401), false);
    expect(without).toMatchObject({ kind: 'retry' });
    expect(without.kind === 'retry' && without.reason).toMatch(/set LOGSTASH_USERNAME/);
    const wrong = classifyHttpResponse(answer(403, 'denied'), true);
    expect(wrong.kind === 'retry' && wrong.reason).toMatch(
      /not allowed \(403\): check LOGSTASH_USERNAME \/ LOGSTASH_PASSWORD.*: denied/,
    );
  });

  it('5xx and 408 retry; 503 honours Retry-After', () => {
    expect(classifyHttpResponse(answer(500), false)).toMatchObject({ kind: 'retry' });
    expect(classifyHttpResponse(answer(408), false)).toMatchObject({ kind: 'retry' });
    expect(classifyHttpResponse(answer(503, 'down', { 'retry-after': '2' }), false)).toMatchObject({
      kind: 'retry',
      afterMs: 2000,
      reason: expect.stringMatching(/503: down/),
    });
  });

  it('other 4xx drop the batch with the response text', () => {
    expect(classifyHttpResponse(answer(400, 'bad\n request'), false)).toEqual({
      kind: 'drop',
      reason: 'Logstash rejected the request (400): bad request',
    });
    expect(classifyHttpResponse(answer(404), false)).toMatchObject({ kind: 'drop' });
  });

  it('a redirect retries and says where to point LOGSTASH_URL', () => {
    const action = classifyHttpResponse(answer(301, '', { location: 'https://l:8443/' }), false);
    expect(action.kind === 'retry' && action.reason).toMatch(/point LOGSTASH_URL there/);
  });
});

describe('errors', () => {
  it('every thrown error retries, with a hint for the usual causes', () => {
    const refused = classifyHttpOutcome(
      { ok: false, error: coded('connect ECONNREFUSED 127.0.0.1:8080', 'ECONNREFUSED') },
      false,
    );
    expect(refused).toEqual({
      kind: 'retry',
      reason: expect.stringMatching(/ECONNREFUSED.*nothing listens there/),
    });
    expect(
      describeLogstashError(
        coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      ),
    ).toMatch(/\(SELF_SIGNED_CERT_IN_CHAIN\).*LOGSTASH_CA_FILE/);
    expect(
      describeLogstashError(coded('Hostname/IP does not match', 'ERR_TLS_CERT_ALTNAME_INVALID')),
    ).toMatch(/does not name the host/);
    expect(describeLogstashError(coded('ssl3_get_record:wrong version number', 'EPROTO'))).toMatch(
      /https:\/\/ vs http:\/\//,
    );
    expect(describeLogstashError(new Error('tlsv13 alert certificate required'))).toMatch(
      /LOGSTASH_CLIENT_CERT_FILE/,
    );
  });

  it('tcp: a completed write is success, a failed one a retry', () => {
    expect(classifyTcpOutcome({ ok: true, response: { bytes: 10 } })).toEqual({ kind: 'success' });
    expect(classifyTcpOutcome({ ok: false, error: coded('write EPIPE', 'EPIPE') })).toEqual({
      kind: 'retry',
      reason: 'write EPIPE',
    });
  });
});
