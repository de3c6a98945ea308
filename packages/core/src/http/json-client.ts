/**
 * A small JSON REST client over node:http(s) for the provisioners (Kibana, Graylog, ...): a base
 * URL with its path, fixed headers, extra headers on writes (CSRF guards such as `kbn-xsrf` and
 * `X-Requested-By`), one `Authorization` value, a CA and certificate verification on by default.
 * node:https instead of `fetch` because Node's global fetch takes no per-request CA.
 *
 * Non-2xx answers resolve (callers decide what a 404 means); only a missing answer rejects.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface JsonClientOptions {
  /** Base URL, with a base path if the service has one (`https://host/kibana`). */
  readonly url: string;
  /** Names the service in timeout errors ("Kibana did not answer ..."). */
  readonly service: string;
  readonly authorization?: string;
  /** Sent on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent on every request that is not a GET. */
  readonly writeHeaders?: Readonly<Record<string, string>>;
  readonly tls?: {
    /** PEM text of the CA certificate(s) to trust. */
    readonly ca?: string;
    /** Disable certificate verification (for local tests only). */
    readonly insecure?: boolean;
  };
  /** Per-request timeout. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface JsonResponse<T> {
  readonly statusCode: number;
  /** The parsed JSON body; the raw text when it is not JSON; null when empty. */
  readonly body: T;
  readonly headers: IncomingHttpHeaders;
}

export interface JsonRequestOptions {
  readonly query?: Readonly<Record<string, string>>;
  /** A body that is not JSON (multipart uploads); replaces `body`. */
  readonly payload?: { readonly contentType: string; readonly data: Buffer };
}

export interface JsonClient {
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    options?: JsonRequestOptions,
  ): Promise<JsonResponse<T>>;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const base = new URL(options.url);
  const basePath = base.pathname.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tlsOptions =
    base.protocol === 'https:'
      ? {
          rejectUnauthorized: !(options.tls?.insecure ?? false),
          ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
        }
      : {};

  return {
    request<T>(
      method: HttpMethod,
      path: string,
      body?: unknown,
      requestOptions: JsonRequestOptions = {},
    ): Promise<JsonResponse<T>> {
      const query = requestOptions.query;
      const search =
        query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      if (options.authorization !== undefined) headers['authorization'] = options.authorization;
      if (method !== 'GET') Object.assign(headers, options.writeHeaders);
      let payload: Buffer | undefined;
      if (requestOptions.payload !== undefined) {
        payload = requestOptions.payload.data;
        headers['content-type'] = requestOptions.payload.contentType;
      } else if (body !== undefined) {
        payload = Buffer.from(JSON.stringify(body), 'utf8');
        headers['content-type'] = 'application/json';
      }
      if (payload !== undefined) headers['content-length'] = String(payload.length);
      const url = new URL(`${base.origin}${basePath}${path}${search}`);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const req = send(
          url,
          { method, headers, timeout: timeoutMs, ...tlsOptions },
          (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                statusCode: res.statusCode ?? 0,
                body: parseJson(text) as T,
                headers: res.headers,
              });
            });
          },
        );
        req.on('timeout', () =>
          req.destroy(
            new Error(`${options.service} did not answer ${method} ${path} within ${timeoutMs} ms`),
          ),
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
