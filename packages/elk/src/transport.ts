/**
 * The one interface through which this package talks to the cluster, with two implementations:
 * `@elastic/elasticsearch` 8.x for Elasticsearch 8/9 and `@opensearch-project/opensearch` for
 * OpenSearch 1-3. Two clients are needed because the Elasticsearch client refuses any server that
 * does not answer with `x-elastic-product: Elasticsearch` (ProductNotSupportedError), and only
 * the OpenSearch client signs requests for Amazon OpenSearch Service (SigV4).
 *
 * ## For the setup code (src/setup) and anything else that needs the cluster
 *
 *   const connection = await elkConnectionFromEnv(process.env, context); // detect.ts
 *   // or: await connectElk(options)  with ElkConnectionOptions
 *   connection.flavor;          // 'elasticsearch' | 'opensearch'
 *   connection.server;          // version, distribution ... from GET / (undefined when the
 *                               // flavor was configured and detection skipped)
 *   const res = await connection.request({ method: 'PUT', path: '/_index_template/lms-logs',
 *                                          body: { ... }, querystring: { ... } });
 *   res.statusCode;             // every HTTP status resolves (404 is an answer, not an error)
 *   res.body;                   // parsed JSON, the text for non-JSON answers, null for HEAD
 *   res.headers;                // lower-case names, values joined with ", "
 *   await connection.close();
 *
 * `request()` rejects only when no HTTP answer arrived (connection refused, timeout, TLS, abort,
 * the Elasticsearch client's product check); the error keeps the client's class name
 * (`ConnectionError`, `TimeoutError`, `NoLivingConnectionsError`, `ProductNotSupportedError`...).
 * Requests go through the same auth, TLS and node failover as the shipping path. `body` objects
 * are sent as JSON; strings are sent as they are with a JSON content type; `ndjson` sends an
 * NDJSON body (`_bulk`, `_msearch`). `maxRetries` defaults to the client's 3 (with failover to
 * the next node on connection errors and 502/503/504); `bulk()` uses 0, so core's backoff and
 * record deadline stay the single retry policy.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type PeerCertificate,
} from 'node:tls';
import {
  Client as EsClient,
  errors as esErrors,
  type ClientOptions as EsClientOptions,
} from '@elastic/elasticsearch';
import {
  Client as OsClient,
  errors as osErrors,
  type ClientOptions as OsClientOptions,
} from '@opensearch-project/opensearch';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  decodeCloudId,
  type AwsCredentialsLike,
  type ElkAwsSigv4Options,
  type ElkConnectionOptions,
  type ElkFlavor,
} from './config.js';
import type { ServerInfo } from './detect.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface ElkRequest {
  readonly method: HttpMethod;
  /** Starts with `/`, e.g. `/_index_template/lms-logs`. Encode path parts yourself. */
  readonly path: string;
  /** An object is sent as JSON; a string is sent as is (with a JSON content type). */
  readonly body?: unknown;
  /** An NDJSON body (ends with a newline); wins over `body`. */
  readonly ndjson?: string;
  readonly querystring?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Default: the client's (3). */
  readonly maxRetries?: number;
  /** Default: the connection's request timeout. */
  readonly timeoutMs?: number;
}

export interface ElkResponse<T = unknown> {
  readonly statusCode: number;
  readonly body: T;
  readonly headers: Readonly<Record<string, string>>;
}

/** One `_bulk` item as Elasticsearch and OpenSearch return it. */
export interface BulkItemError {
  readonly type: string;
  readonly reason?: string | null;
  readonly caused_by?: BulkItemError;
  readonly [key: string]: unknown;
}

export interface BulkItemResult {
  readonly _index?: string;
  readonly _id?: string | null;
  readonly status: number;
  readonly result?: string;
  readonly error?: BulkItemError;
}

/** `{took, errors, items: [{create: {...}}]}` */
export interface BulkResponseBody {
  readonly took?: number;
  readonly errors: boolean;
  readonly items: readonly Readonly<Record<string, BulkItemResult>>[];
}

export interface ElkBulkOptions {
  readonly signal?: AbortSignal;
  /** Ingest pipeline for every document (`?pipeline=`). */
  readonly pipeline?: string;
}

export interface ElkTransport {
  readonly flavor: ElkFlavor;
  /** What `GET /` said, when the server was detected. */
  readonly server?: ServerInfo;
  request<T = unknown>(request: ElkRequest): Promise<ElkResponse<T>>;
  /**
   * `POST /_bulk` with a pre-serialized NDJSON body, sent as is, without client retries. The body
   * of a 2xx answer is a `BulkResponseBody`; other statuses resolve too (`body` is then the
   * server's error object or text).
   */
  bulk(ndjson: string, options?: ElkBulkOptions): Promise<ElkResponse<unknown>>;
  close(): Promise<void>;
}

/** TLS settings after the CA file was read and a pinned CA fetched. */
export interface ResolvedTls {
  readonly ca?: readonly string[];
  readonly rejectUnauthorized: boolean;
  readonly caFingerprint?: string;
}

const ES_JSON = 'application/vnd.elasticsearch+json; compatible-with=8';

/**
 * What both clients' `transport.request(params, options)` take from an `ElkRequest`: `body`
 * objects as JSON, strings as they are with `jsonContentType` (unless the request sets a
 * content type), `ndjson` as the bulk body; only the options the request sets.
 */
function clientRequest(req: ElkRequest, jsonContentType: string) {
  const headers: Record<string, string> = { ...req.headers };
  let body: string | Record<string, unknown> | undefined;
  if (req.ndjson === undefined && req.body !== undefined) {
    if (typeof req.body === 'string') {
      body = req.body;
      headers['content-type'] ??= jsonContentType;
    } else {
      body = req.body as Record<string, unknown>;
    }
  }
  return {
    params: {
      method: req.method,
      path: req.path,
      querystring: definedEntries(req.querystring),
      ...(req.ndjson !== undefined ? { bulkBody: req.ndjson } : {}),
      ...(body !== undefined ? { body } : {}),
    },
    options: {
      headers,
      ...(req.maxRetries !== undefined ? { maxRetries: req.maxRetries } : {}),
      ...(req.timeoutMs !== undefined ? { requestTimeout: req.timeoutMs } : {}),
    },
  };
}

/** The transport around one client's `request`: `bulk()` is `POST /_bulk` without retries. */
function elkTransport<C extends { close(): Promise<void> }>(
  flavor: ElkFlavor,
  server: ServerInfo | undefined,
  client: C,
  request: ElkTransport['request'],
): ElkTransport & { readonly client: C } {
  return {
    flavor,
    server,
    client,
    request,
    bulk: (ndjson, bulkOptions) =>
      request({
        method: 'POST',
        path: '/_bulk',
        ndjson,
        querystring: { pipeline: bulkOptions?.pipeline },
        signal: bulkOptions?.signal,
        maxRetries: 0,
      }),
    close: () => client.close(),
  };
}

// ----------------------------------------------------------------------------- Elasticsearch

/** The `@elastic/elasticsearch` client's options for these settings (exported for tests). */
export function elasticsearchClientOptions(
  options: ElkConnectionOptions,
  tls: ResolvedTls,
): EsClientOptions {
  const auth = options.auth ?? {};
  const clientOptions: EsClientOptions = {
    name: 'lms-logging',
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxRetries: 3,
    headers: { ...options.headers },
    tls: {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca ? { ca: [...tls.ca] } : {}),
    },
  };
  if (options.cloudId !== undefined) clientOptions.cloud = { id: options.cloudId };
  else clientOptions.nodes = [...(options.nodes ?? [])];
  if (tls.caFingerprint !== undefined) clientOptions.caFingerprint = tls.caFingerprint;
  if (auth.apiKey !== undefined) clientOptions.auth = { apiKey: encodeApiKey(auth.apiKey) };
  else if (auth.bearerToken !== undefined) clientOptions.auth = { bearer: auth.bearerToken };
  else if (auth.username !== undefined && auth.password !== undefined) {
    clientOptions.auth = { username: auth.username, password: auth.password };
  }
  return clientOptions;
}

export function createElasticsearchTransport(
  options: ElkConnectionOptions,
  tls: ResolvedTls,
  server?: ServerInfo,
): ElkTransport & { readonly client: EsClient } {
  const client = new EsClient(elasticsearchClientOptions(options, tls));
  const request = async <T>(req: ElkRequest): Promise<ElkResponse<T>> => {
    const { params, options: requestOptions } = clientRequest(req, ES_JSON);
    try {
      const result = await client.transport.request<unknown>(params, {
        meta: true,
        signal: req.signal,
        ...requestOptions,
      });
      return normalize<T>(result.statusCode, result.body, result.headers, req.method);
    } catch (error) {
      if (error instanceof esErrors.ResponseError) {
        const meta = error.meta;
        return normalize<T>(meta.statusCode ?? 0, meta.body, meta.headers ?? {}, req.method);
      }
      throw error;
    }
  };
  return elkTransport('elasticsearch', server, client, request);
}

// ----------------------------------------------------------------------------- OpenSearch

/** The `@opensearch-project/opensearch` client's options, without SigV4 (exported for tests). */
export function openSearchClientOptions(
  options: ElkConnectionOptions,
  tls: ResolvedTls,
): OsClientOptions {
  const auth = options.auth ?? {};
  const headers: Record<string, string> = { ...options.headers };
  if (auth.apiKey !== undefined) headers['authorization'] = `ApiKey ${encodeApiKey(auth.apiKey)}`;
  else if (auth.bearerToken !== undefined) headers['authorization'] = `Bearer ${auth.bearerToken}`;
  const clientOptions: OsClientOptions = {
    name: 'lms-logging',
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxRetries: 3,
    headers,
    ssl: {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca ? { ca: [...tls.ca] } : {}),
      ...(tls.caFingerprint !== undefined
        ? { checkServerIdentity: fingerprintCheck(tls.caFingerprint) }
        : {}),
    },
  };
  if (options.cloudId !== undefined) clientOptions.cloud = { id: options.cloudId };
  else clientOptions.nodes = [...(options.nodes ?? [])];
  if (auth.username !== undefined && auth.password !== undefined) {
    clientOptions.auth = { username: auth.username, password: auth.password };
  }
  return clientOptions;
}

export async function createOpenSearchTransport(
  options: ElkConnectionOptions,
  tls: ResolvedTls,
  server?: ServerInfo,
): Promise<ElkTransport & { readonly client: OsClient }> {
  const clientOptions = openSearchClientOptions(options, tls);
  const client = new OsClient(
    options.awsSigv4
      ? { ...clientOptions, ...(await sigv4ClientParts(options.awsSigv4)) }
      : clientOptions,
  );
  const request = async <T>(req: ElkRequest): Promise<ElkResponse<T>> => {
    if (req.signal?.aborted) throw new osErrors.RequestAbortedError('Request aborted', undefined);
    const { params, options: requestOptions } = clientRequest(req, 'application/json');
    const pending = client.transport.request(params, requestOptions);
    // This client takes no AbortSignal; its promise has abort(). The listener must not return
    // that (thenable) promise: Node's EventTarget rethrows a returned promise's rejection as an
    // uncaught exception.
    const onAbort = (): void => {
      pending.abort();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await pending;
      return normalize<T>(result.statusCode ?? 0, result.body, result.headers ?? {}, req.method);
    } catch (error) {
      if (error instanceof osErrors.ResponseError) {
        const meta = error.meta;
        return normalize<T>(meta.statusCode ?? 0, meta.body, meta.headers ?? {}, req.method);
      }
      throw error;
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
  };
  return elkTransport('opensearch', server, client, request);
}

interface SigV4Parts {
  readonly Connection: NonNullable<OsClientOptions['Connection']>;
  readonly Transport: NonNullable<OsClientOptions['Transport']>;
}

/** The OpenSearch client's SigV4 `Connection`/`Transport` pair. */
async function sigv4ClientParts(sigv4: ElkAwsSigv4Options): Promise<SigV4Parts> {
  const { AwsSigv4Signer } = await import('@opensearch-project/opensearch/aws');
  const getCredentials = sigv4.getCredentials ?? (await awsDefaultCredentialChain());
  const signer = AwsSigv4Signer({
    region: sigv4.region,
    service: sigv4.service ?? 'es',
    getCredentials,
  });
  return { Connection: signer.Connection, Transport: signer.Transport };
}

/** The AWS SDK's default chain (env, SSO, ini files, web identity, ECS, EC2 metadata). */
async function awsDefaultCredentialChain(): Promise<() => Promise<AwsCredentialsLike>> {
  let module: { defaultProvider: () => () => Promise<AwsCredentialsLike> };
  try {
    module = await import('@aws-sdk/credential-provider-node');
  } catch {
    throw new Error(
      'ELASTICSEARCH_AWS_SIGV4=true needs the package @aws-sdk/credential-provider-node: add it with `npm install @aws-sdk/credential-provider-node`',
    );
  }
  const provider = module.defaultProvider();
  return () => provider();
}

// ----------------------------------------------------------------------------- TLS

/**
 * Settles TLS before any client exists: `insecure` turns verification off (the caller warns);
 * a CA fingerprint is turned into a trusted CA by fetching the server's chain once and keeping
 * the certificate with that SHA-256 fingerprint. Verification of the chain and the host name then
 * runs as usual against that CA, so a man in the middle cannot pass by presenting the (public) CA
 * certificate beside a forged leaf.
 */
export async function resolveTls(options: ElkConnectionOptions): Promise<ResolvedTls> {
  const tls = options.tls ?? {};
  const ca = tls.ca === undefined ? [] : typeof tls.ca === 'string' ? [tls.ca] : [...tls.ca];
  if (tls.insecure) return { rejectUnauthorized: false, ...(ca.length ? { ca } : {}) };
  if (tls.caFingerprint !== undefined) {
    const fingerprint = normalizeFingerprint(tls.caFingerprint);
    const urls =
      options.cloudId !== undefined
        ? [decodeCloudId(options.cloudId).elasticsearchUrl]
        : (options.nodes ?? []);
    const pinned = await fetchPinnedCertificate(
      urls.filter((u) => u.startsWith('https:')),
      fingerprint,
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    return { rejectUnauthorized: true, ca: [...ca, pinned], caFingerprint: fingerprint };
  }
  return { rejectUnauthorized: true, ...(ca.length ? { ca } : {}) };
}

export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

/** Colon-separated upper-case hex, as Node and Elasticsearch print fingerprints. */
export function formatFingerprint(hex: string): string {
  return (normalizeFingerprint(hex).match(/../g) ?? []).join(':').toUpperCase();
}

/** The PEM of the certificate in some node's chain whose SHA-256 matches `fingerprint`. */
export async function fetchPinnedCertificate(
  urls: readonly string[],
  fingerprint: string,
  timeoutMs: number,
): Promise<string> {
  if (urls.length === 0) throw new Error('a CA fingerprint needs https node URLs');
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const chain = await peerChain(new URL(url), timeoutMs);
      const match = chain.find(
        (raw) => createHash('sha256').update(raw).digest('hex') === fingerprint,
      );
      if (match) return new X509Certificate(match).toString();
      failures.push(
        `${new URL(url).host}: no certificate in its chain has the SHA-256 fingerprint ${formatFingerprint(fingerprint)} (it sent ${chain
          .map((raw) => formatFingerprint(createHash('sha256').update(raw).digest('hex')))
          .join(', ')})`,
      );
      // A chain without the CA is an answer: the other nodes share the CA.
      break;
    } catch (error) {
      failures.push(`${new URL(url).host}: ${(error as Error).message}`);
    }
  }
  throw new Error(`cannot pin the CA fingerprint: ${failures.join('; ')}`);
}

function peerChain(url: URL, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      // SNI only for names, never for IP addresses.
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      // Only to read the chain; nothing is sent over this socket.
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no TLS answer in ${timeoutMs} ms`)),
    );
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const chain: Buffer[] = [];
      const seen = new Set<string>();
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(cert.raw);
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
  });
}

/**
 * For the OpenSearch client: after normal verification, the verified chain must contain the
 * pinned certificate (the Elasticsearch client does the same with its `caFingerprint`).
 */
function fingerprintCheck(
  fingerprint: string,
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const hostError = checkServerIdentity(host, cert);
    if (hostError) return hostError;
    const seen = new Set<string>();
    let current: DetailedPeerCertificate | undefined = cert as DetailedPeerCertificate;
    while (current && current.raw && !seen.has(current.fingerprint256)) {
      if (normalizeFingerprint(current.fingerprint256) === fingerprint) return undefined;
      seen.add(current.fingerprint256);
      current = current.issuerCertificate;
    }
    return new Error(
      `no certificate in the server's chain matches the CA fingerprint ${formatFingerprint(fingerprint)}`,
    );
  };
}

// ----------------------------------------------------------------------------- helpers

/** `id:key` is base64-encoded; an already encoded key is kept. */
export function encodeApiKey(apiKey: string): string {
  return apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
}

function definedEntries(
  query: ElkRequest['querystring'],
): Record<string, string | number | boolean> | undefined {
  if (query === undefined) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value;
  return out;
}

function normalize<T>(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string | string[] | number | undefined>>,
  method: HttpMethod,
): ElkResponse<T> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return {
    statusCode,
    body: (method === 'HEAD' ? null : (body ?? null)) as T,
    headers: flat,
  };
}
