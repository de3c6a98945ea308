/**
 * The Kibana REST client (core's JSON client): space prefix (`/s/<space>`), `kbn-xsrf` on every
 * non-GET request, API key or basic auth, a CA file and certificate verification on by default.
 */
import { randomBytes } from 'node:crypto';
import { basicAuthorization, createJsonClient } from '@lms-logging/core';

export interface KibanaAuth {
  /** `Authorization: ApiKey <key>`: the base64 `id:key` encoding, or `id:key` (encoded here). */
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface KibanaConnectionOptions {
  /** Kibana's base URL, including a base path if Kibana has one (`https://host/kibana`). */
  readonly url: string;
  /** Space id; unset or `default` for the default space. */
  readonly space?: string;
  readonly auth?: KibanaAuth;
  readonly tls?: {
    /** PEM text of the CA certificate(s) to trust. */
    readonly ca?: string;
    /** Disable certificate verification (for local tests only). */
    readonly insecure?: boolean;
  };
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface KibanaResponse<T> {
  readonly statusCode: number;
  readonly body: T;
}

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: string;
}

export interface KibanaRequestOptions {
  readonly query?: Readonly<Record<string, string>>;
  /** Default true: the request goes to the configured space. */
  readonly inSpace?: boolean;
  /** Sends `multipart/form-data` with this one file instead of a JSON body. */
  readonly file?: MultipartFile;
}

export type KibanaMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface KibanaClient {
  readonly space: string | undefined;
  /** Non-2xx answers resolve; only a missing answer rejects. */
  request<T = unknown>(
    method: KibanaMethod,
    path: string,
    body?: unknown,
    options?: KibanaRequestOptions,
  ): Promise<KibanaResponse<T>>;
  /** Kibana's version from `GET /api/status` (cached; '' when it does not say). */
  version(): Promise<string>;
}

export function encodeKibanaApiKey(apiKey: string): string {
  return apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
}

export function createKibanaClient(options: KibanaConnectionOptions): KibanaClient {
  const space =
    options.space === undefined || options.space === 'default' ? undefined : options.space;
  const auth = options.auth ?? {};
  const authorization =
    auth.apiKey !== undefined
      ? `ApiKey ${encodeKibanaApiKey(auth.apiKey)}`
      : auth.username !== undefined && auth.password !== undefined
        ? basicAuthorization(auth.username, auth.password)
        : undefined;
  const client = createJsonClient({
    url: options.url,
    service: 'Kibana',
    ...(authorization !== undefined ? { authorization } : {}),
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
    // Kibana rejects every non-GET request without it (cross-site request forgery protection).
    writeHeaders: { 'kbn-xsrf': 'true' },
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  let versionPromise: Promise<string> | undefined;

  const request = async <T>(
    method: KibanaMethod,
    path: string,
    body?: unknown,
    requestOptions: KibanaRequestOptions = {},
  ): Promise<KibanaResponse<T>> => {
    const prefix =
      requestOptions.inSpace === false || space === undefined
        ? ''
        : `/s/${encodeURIComponent(space)}`;
    let payload: { contentType: string; data: Buffer } | undefined;
    if (requestOptions.file !== undefined) {
      const boundary = `----lms-logging-${randomBytes(12).toString('hex')}`;
      payload = {
        contentType: `multipart/form-data; boundary=${boundary}`,
        data: multipart(boundary, requestOptions.file),
      };
    }
    const res = await client.request<T>(method, `${prefix}${path}`, body, {
      ...(requestOptions.query !== undefined ? { query: requestOptions.query } : {}),
      ...(payload !== undefined ? { payload } : {}),
    });
    return { statusCode: res.statusCode, body: res.body };
  };

  return {
    space,
    request,
    version() {
      versionPromise ??= request<{ version?: { number?: unknown } }>(
        'GET',
        '/api/status',
        undefined,
        {
          inSpace: false,
        },
      ).then((res) => {
        const number = res.body?.version?.number;
        return typeof number === 'string' ? number : '';
      });
      return versionPromise;
    },
  };
}

function multipart(boundary: string, file: MultipartFile): Buffer {
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(head, 'utf8'),
    Buffer.from(file.content, 'utf8'),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
}

/** Kibana's error answer in one line. */
export function describeKibanaError(response: KibanaResponse<unknown>): string {
  const body = response.body as { message?: unknown; error?: unknown } | string | null;
  if (body !== null && typeof body === 'object') {
    const message = typeof body.message === 'string' ? body.message : JSON.stringify(body);
    return `${response.statusCode} ${typeof body.error === 'string' ? body.error : ''}: ${message}`.replace(
      / : /,
      ': ',
    );
  }
  return `${response.statusCode} ${String(body ?? '').slice(0, 300)}`;
}
