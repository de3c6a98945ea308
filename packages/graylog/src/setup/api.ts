/**
 * The Graylog REST client (core's JSON client): Basic auth with a user's password or an access
 * token (`<token>:token`), `X-Requested-By` on every write (Graylog's CSRF filter answers 400
 * without it), and answers turned into errors that say what to fix.
 */
import { basicAuthorization, createJsonClient, type HttpMethod } from '@lms-logging/core';
import type { GraylogApiSettings } from './env.js';

export const REQUESTED_BY = 'lms-logging';

export class GraylogApiError extends Error {
  override readonly name = 'GraylogApiError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

export interface GraylogApi {
  /** 2xx answers resolve with the body; `allow` lists other statuses that resolve (404). */
  call<T>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    options?: { readonly query?: Record<string, string>; readonly allow?: readonly number[] },
  ): Promise<{ readonly statusCode: number; readonly body: T }>;
}

/** Graylog's error bodies: ApiError `{message}` or a ValidationResult `{errors: {field: [..]}}`. */
export function describeGraylogError(body: unknown): string {
  if (body === null || body === undefined || body === '') return '(no body)';
  if (typeof body === 'string') return body.slice(0, 300);
  if (typeof body === 'object') {
    const record = body as { message?: unknown; errors?: unknown };
    if (typeof record.message === 'string') return record.message;
    if (record.errors && typeof record.errors === 'object') {
      return Object.entries(record.errors as Record<string, unknown>)
        .map(
          ([field, messages]) =>
            `${field}: ${Array.isArray(messages) ? messages.join(', ') : String(messages)}`,
        )
        .join('; ');
    }
  }
  return JSON.stringify(body).slice(0, 300);
}

export function createGraylogApi(settings: GraylogApiSettings): GraylogApi {
  const authorization =
    settings.token !== undefined
      ? basicAuthorization(settings.token, 'token')
      : settings.username !== undefined && settings.password !== undefined
        ? basicAuthorization(settings.username, settings.password)
        : undefined;
  const client = createJsonClient({
    url: settings.url,
    service: 'Graylog',
    ...(authorization !== undefined ? { authorization } : {}),
    writeHeaders: { 'x-requested-by': REQUESTED_BY },
    tls: {
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      insecure: settings.insecure ?? false,
    },
  });
  const credentials =
    settings.token !== undefined
      ? 'GRAYLOG_API_TOKEN'
      : 'GRAYLOG_API_USERNAME/GRAYLOG_API_PASSWORD';

  return {
    async call<T>(
      method: HttpMethod,
      path: string,
      body?: unknown,
      options: { readonly query?: Record<string, string>; readonly allow?: readonly number[] } = {},
    ) {
      const res = await client.request<T>(
        method,
        path,
        body,
        options.query ? { query: options.query } : {},
      );
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (ok || options.allow?.includes(res.statusCode)) {
        return { statusCode: res.statusCode, body: res.body };
      }
      const what = `Graylog API ${method} ${settings.url}${path}`;
      if (res.statusCode === 401) {
        throw new GraylogApiError(
          `${what}: 401 Unauthorized; check ${credentials} (a token is sent as <token>:token)`,
          401,
        );
      }
      if (res.statusCode === 403) {
        throw new GraylogApiError(
          `${what}: 403 Forbidden (${describeGraylogError(res.body)}); the user behind ${credentials} lacks a permission setup needs`,
          403,
        );
      }
      throw new GraylogApiError(
        `${what}: ${res.statusCode} ${describeGraylogError(res.body)}`,
        res.statusCode,
      );
    },
  };
}
