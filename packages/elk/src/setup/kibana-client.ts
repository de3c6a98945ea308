/**
 * A small Kibana REST client over node:http(s): space prefix (`/s/<space>`), `kbn-xsrf` on every
 * non-GET request, API key or basic auth, a CA file and certificate verification on by default.
 * node:https instead of `fetch` because Node's global fetch takes no per-request CA.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

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
  const base = new URL(options.url);
  const basePath = base.pathname.replace(/\/+$/, '');
  const space =
    options.space === undefined || options.space === 'default' ? undefined : options.space;
  const auth = options.auth ?? {};
  const authorization =
    auth.apiKey !== undefined
      ? `ApiKey ${encodeKibanaApiKey(auth.apiKey)}`
      : auth.username !== undefined && auth.password !== undefined
        ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
        : undefined;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let versionPromise: Promise<string> | undefined;

  const request = <T>(
    method: KibanaMethod,
    path: string,
    body?: unknown,
    requestOptions: KibanaRequestOptions = {},
  ): Promise<KibanaResponse<T>> => {
    const prefix =
      requestOptions.inSpace === false || space === undefined
        ? ''
        : `/s/${encodeURIComponent(space)}`;
    const query = requestOptions.query;
    const search =
      query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
    };
    if (authorization !== undefined) headers['authorization'] = authorization;
    // Kibana rejects every non-GET request without it (cross-site request forgery protection).
    if (method !== 'GET') headers['kbn-xsrf'] = 'true';
    let payload: Buffer | undefined;
    if (requestOptions.file !== undefined) {
      const boundary = `----lms-logging-${randomBytes(12).toString('hex')}`;
      payload = multipart(boundary, requestOptions.file);
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body), 'utf8');
      headers['content-type'] = 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    const url = new URL(`${base.origin}${basePath}${prefix}${path}${search}`);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers,
          timeout: timeoutMs,
          ...(url.protocol === 'https:'
            ? {
                rejectUnauthorized: !(options.tls?.insecure ?? false),
                ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
              }
            : {}),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ statusCode: res.statusCode ?? 0, body: parseJson(text) as T });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`Kibana did not answer ${method} ${path} within ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
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

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
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
