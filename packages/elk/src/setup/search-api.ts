/**
 * The small request interface the setup code needs from Elasticsearch / OpenSearch. Production
 * code gets it from the shipping transport (same auth, TLS and node failover); tests and tools
 * can build one over plain `fetch`.
 */
import type { ElkTransport, HttpMethod } from '../transport.js';

export type SearchFlavor = 'elasticsearch' | 'opensearch';

export interface SearchApiResponse<T> {
  readonly statusCode: number;
  readonly body: T;
}

export interface SearchApi {
  readonly flavor: SearchFlavor;
  /** `version.number` of `GET /`, e.g. `8.15.0` or `2.19.6` ('' when unknown). */
  readonly version: string;
  /**
   * One request. Non-2xx answers resolve (404 is an answer); only a missing answer (connection
   * refused, timeout, TLS) rejects. `path` starts with `/`; encode its parts yourself.
   */
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    query?: Readonly<Record<string, string>>,
  ): Promise<SearchApiResponse<T>>;
}

/** Adapts the shipping transport (`connectElk` / `elkConnectionFromEnv`) to `SearchApi`. */
export async function searchApiFromTransport(transport: ElkTransport): Promise<SearchApi> {
  let version = transport.server?.version;
  if (version === undefined) {
    // Flavor configured, detection skipped: ask once for the version (best effort).
    const root = await transport.request<{ version?: { number?: unknown } }>({
      method: 'GET',
      path: '/',
    });
    const number = root.body?.version?.number;
    version = typeof number === 'string' ? number : '';
  }
  return {
    flavor: transport.flavor,
    version,
    async request<T>(
      method: HttpMethod,
      path: string,
      body?: unknown,
      query?: Readonly<Record<string, string>>,
    ): Promise<SearchApiResponse<T>> {
      const response = await transport.request<T>({
        method,
        path,
        ...(body !== undefined ? { body } : {}),
        ...(query !== undefined ? { querystring: query } : {}),
      });
      return { statusCode: response.statusCode, body: response.body };
    },
  };
}

export interface FetchSearchApiOptions {
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  readonly url: string;
  /** Extra headers (`authorization`, ...). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Skip `GET /` and use these. */
  readonly flavor?: SearchFlavor;
  readonly version?: string;
}

/**
 * A `SearchApi` over Node's global `fetch` (no TLS options: http, or https trusted by the system
 * store). Detects flavor and version with `GET /` unless both are given.
 */
export async function createFetchSearchApi(options: FetchSearchApiOptions): Promise<SearchApi> {
  const base = options.url.replace(/\/+$/, '');
  const request = async <T>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    query?: Readonly<Record<string, string>>,
  ): Promise<SearchApiResponse<T>> => {
    const search =
      query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}${search}`, {
      method,
      headers,
      ...(body !== undefined
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    const text = method === 'HEAD' ? '' : await response.text();
    return { statusCode: response.status, body: parseBody(text) as T };
  };
  let flavor = options.flavor;
  let version = options.version;
  if (flavor === undefined || version === undefined) {
    const root = await request<{ version?: { number?: unknown; distribution?: unknown } }>(
      'GET',
      '/',
    );
    const info = root.body?.version;
    flavor ??= info?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
    version ??= typeof info?.number === 'string' ? info.number : '';
  }
  return { flavor, version, request };
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `major.minor` of a version string as numbers; `[0, 0]` when unknown. */
export function versionParts(version: string): readonly [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

/** The server's error in one line, for exceptions. */
export function describeSearchError(response: SearchApiResponse<unknown>): string {
  const body = response.body as { error?: unknown } | string | null;
  if (body !== null && typeof body === 'object' && body.error !== undefined) {
    const error = body.error as { type?: unknown; reason?: unknown } | string;
    if (typeof error === 'string') return `${response.statusCode} ${error}`;
    return `${response.statusCode} ${asText(error.type)}: ${asText(error.reason)}`;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `${response.statusCode} ${text.slice(0, 300)}`;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}
