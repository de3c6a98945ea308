/**
 * Logstash answers and errors to what core should do with the batch.
 *
 * http input (it answers for the whole request; there is no per-event result):
 *   2xx → success (the events are in Logstash's queue; `response_code` may be 200-204)
 *   429 → retry, after `Retry-After` when present: the input answers 429 (empty body) when its
 *         `max_pending_requests` are taken, i.e. the pipeline is backed up; Logstash itself sends
 *         no Retry-After, a proxy in front may
 *   413 → split: the body is over the input's `max_content_length`
 *   401/403 → retry with a reason naming LOGSTASH_USERNAME / LOGSTASH_PASSWORD (core keeps the
 *         records until their deadline, so fixing the credentials in time loses nothing)
 *   408, 5xx → retry (500 is also what the input answers when its codec or queue failed)
 *   other 4xx → drop with the response text (dead letter)
 *   1xx/3xx → retry with the status (a redirect is a wrong LOGSTASH_URL, fixable in time)
 * No answer (refused, reset, timeout, TLS failure) → retry, with a hint for the usual causes.
 *
 * tcp input: a completed write is a success; a failed connect or write is a retry of the batch.
 */
import { parseRetryAfter, type RetryAction, type SendOutcome } from '@lms-logging/core';
import type { LogstashHttpResponse } from './transport.js';

const MAX_REASON_CHARS = 1000;

export const LOGSTASH_AUTH_VARIABLES = 'LOGSTASH_USERNAME / LOGSTASH_PASSWORD';

/** Certificate verification failures, by the code Node's TLS reports. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS)}...` : flat;
}

/** Why a send threw, with what to do about the usual causes. */
export function describeLogstashError(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const withCode = code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
  let hint = '';
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    hint =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? ": Logstash's certificate does not name the host of LOGSTASH_URL"
        : ": TLS certificate verification failed; set LOGSTASH_CA_FILE to the CA that signed Logstash's certificate";
  } else if (code === 'ECONNREFUSED') {
    hint = ': nothing listens there; is the Logstash input (and its port) in the pipeline?';
  } else if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(message)) {
    hint =
      ': TLS and plain text mixed up; check https:// vs http:// (or tls:// vs tcp://) in LOGSTASH_URL and ssl_enabled on the input';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint = ': the host of LOGSTASH_URL does not resolve';
  } else if (
    /certificate required|alert number 116|alert bad certificate|alert unknown ca/i.test(message)
  ) {
    hint =
      ': Logstash refused the client certificate; set LOGSTASH_CLIENT_CERT_FILE and LOGSTASH_CLIENT_KEY_FILE (signed by a CA in its ssl_certificate_authorities)';
  }
  return clip(`${withCode}${hint}`);
}

/** Classifies an http input answer. */
export function classifyHttpResponse(
  response: LogstashHttpResponse,
  credentialsSet: boolean,
): RetryAction {
  const status = response.statusCode;
  if (status >= 200 && status < 300) return { kind: 'success' };
  const text = clip(response.body);
  const suffix = text !== '' ? `: ${text}` : '';
  const afterMs = parseRetryAfter(response.headers['retry-after']);
  const after = afterMs !== undefined ? { afterMs } : {};
  if (status === 429) {
    return {
      kind: 'retry',
      reason: `Logstash is busy (429): the http input's pending requests are full, its pipeline is backed up${suffix}`,
      ...after,
    };
  }
  if (status === 413) {
    return {
      kind: 'split',
      reason: `request larger than the http input's max_content_length (413)${suffix}`,
    };
  }
  if (status === 401 || status === 403) {
    const what = status === 401 ? 'authentication failed (401)' : 'not allowed (403)';
    const advice = credentialsSet
      ? `check ${LOGSTASH_AUTH_VARIABLES} against the http input's user/password`
      : `the http input wants basic auth: set ${LOGSTASH_AUTH_VARIABLES} to its user/password`;
    return { kind: 'retry', reason: `${what}: ${advice}${suffix}` };
  }
  if (status === 408 || status >= 500) {
    return { kind: 'retry', reason: `Logstash answered ${status}${suffix}`, ...after };
  }
  if (status >= 400) {
    return { kind: 'drop', reason: `Logstash rejected the request (${status})${suffix}` };
  }
  const location = response.headers['location'];
  return {
    kind: 'retry',
    reason: `unexpected answer ${status} from Logstash${location ? ` (redirect to ${location}: point LOGSTASH_URL there)` : ''}${suffix}`,
  };
}

export function classifyHttpOutcome(
  outcome: SendOutcome<LogstashHttpResponse>,
  credentialsSet: boolean,
): RetryAction {
  if (!outcome.ok) return { kind: 'retry', reason: describeLogstashError(outcome.error) };
  return classifyHttpResponse(outcome.response, credentialsSet);
}

export function classifyTcpOutcome(outcome: SendOutcome<unknown>): RetryAction {
  if (outcome.ok) return { kind: 'success' };
  return { kind: 'retry', reason: describeLogstashError(outcome.error) };
}
