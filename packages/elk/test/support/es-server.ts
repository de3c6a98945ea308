/**
 * An in-process server speaking the documented Elasticsearch REST shapes; no Elasticsearch runs
 * here. It exists to test the `@elastic/elasticsearch` client path, which a real OpenSearch server
 * cannot exercise (that client refuses servers without `x-elastic-product: Elasticsearch`).
 *
 * What it does like Elasticsearch 8.x/9.x:
 * - every response carries `x-elastic-product: Elasticsearch` (switchable off);
 * - REST API compatibility headers: `compatible-with=N` on Accept / Content-Type must name the
 *   server's major or the one before, and both headers must agree, else 400
 *   media_type_header_exception (caused by status_exception) with Elasticsearch's wording;
 *   a body with an unsupported Content-Type is 406;
 * - `GET /` returns the root info document; `POST /_bulk` parses NDJSON (create and index
 *   actions) and answers per item: 201 created, 409 version_conflict_engine_exception for a
 *   duplicate `_id` in the same index, 400 document_parsing_exception when a value conflicts
 *   with the dynamic mapping an earlier document created, 400 invalid_index_name_exception,
 *   data streams for `logs-*-*` names (create only, `@timestamp` required);
 * - `GET|POST /{index}/_count` and `/_search` (match_all, `size`), `PUT /_ingest/pipeline/{id}`;
 * - API key / basic auth with 401 security_exception;
 * - http.max_content_length → 413 with an empty body (as Netty answers);
 * - injectable failures: whole-request status (429, 401, 503, ...), per-item 429
 *   es_rejected_execution_exception.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type FieldType = 'long' | 'float' | 'boolean' | 'text' | 'date' | 'object';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface FakeElasticsearchOptions {
  /** `version.number`; its major decides the accepted compatible-with versions. Default 8.19.2. */
  readonly version?: string;
  /** Send `x-elastic-product: Elasticsearch`. Default true. */
  readonly productHeader?: boolean;
  /** Require `Authorization: ApiKey <this>` (the base64 form). */
  readonly apiKey?: string;
  /** Require basic auth. */
  readonly basic?: { readonly username: string; readonly password: string };
  /** Bytes; larger bodies get 413. Default 100 MB (http.max_content_length). */
  readonly maxContentLength?: number;
  /** Serve https with this key and certificate chain (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly port?: number;
}

export interface InjectedFailure {
  readonly status: number;
  /** `''` (the default for 413) sends no body. */
  readonly body?: Json;
  readonly headers?: Record<string, string>;
}

interface IndexState {
  readonly name: string;
  readonly uuid: string;
  readonly docs: Map<string, { source: Record<string, Json>; version: number }>;
  readonly mapping: Map<string, FieldType>;
  readonly dataStream?: string;
  seqNo: number;
}

export interface FakeElasticsearch {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Documents of an index, data stream or pattern (`lms-logs-*`). */
  docs(target: string): Record<string, Json>[];
  count(target: string): number;
  indices(): string[];
  /** The next `times` requests (any endpoint but `GET /`) answer with this failure. */
  failNext(times: number, failure: InjectedFailure): void;
  /** The next `times` bulk requests reject every `every`-th item (1 = all) with 429. */
  rejectItems(times: number, every?: number): void;
  setProductHeader(on: boolean): void;
  close(): Promise<void>;
}

const VENDOR_TYPES = /^application\/vnd\.elasticsearch\+(json|x-ndjson|yaml|smile|cbor)$/;
const PLAIN_TYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/yaml',
  'application/smile',
  'application/cbor',
]);

interface MediaType {
  readonly type: string;
  readonly compatibleWith?: number;
  readonly raw: string;
}

function parseMediaType(raw: string): MediaType | undefined {
  const [type = '', ...params] = raw.split(';').map((s) => s.trim());
  let compatibleWith: number | undefined;
  for (const param of params) {
    const [key, value] = param.split('=').map((s) => s.trim());
    if (key?.toLowerCase() === 'compatible-with') compatibleWith = Number(value);
  }
  const lower = type.toLowerCase();
  if (
    !VENDOR_TYPES.test(lower) &&
    !PLAIN_TYPES.has(lower) &&
    lower !== '*/*' &&
    !lower.startsWith('text/')
  ) {
    return { type: lower, raw };
  }
  return { type: lower, compatibleWith, raw };
}

/** `Accept` may list several types; Elasticsearch reads the first one it knows. */
function acceptMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined || header === '') return undefined;
  for (const part of header.split(',')) {
    const parsed = parseMediaType(part);
    if (parsed && (VENDOR_TYPES.test(parsed.type) || PLAIN_TYPES.has(parsed.type))) return parsed;
  }
  return parseMediaType(header.split(',')[0] ?? '');
}

function errorBody(
  type: string,
  reason: string,
  status: number,
  extra: Record<string, Json> = {},
  causedBy?: { type: string; reason: string },
): Json {
  const root = { type, reason, ...extra };
  return {
    error: {
      root_cause: [root],
      ...root,
      ...(causedBy ? { caused_by: causedBy } : {}),
    },
    status,
  };
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A value as Jackson previews it in parse errors: `{a=1}` for objects. */
function preview(value: Json): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${text(v)}`)
      .join(', ')}}`;
  }
  return text(value);
}

function text(value: Json): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function indexNameError(name: string): string | undefined {
  if (name !== name.toLowerCase()) return 'must be lowercase';
  if (/[\\/*?"<>| ,#:]/.test(name)) {
    return "must not contain the following characters ['\\\\', '/', '*', '?', '\"', '<', '>', '|', ' ', ',', '#', ':']";
  }
  if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (name === '.' || name === '..') return "must not be '.' or '..'";
  if (Buffer.byteLength(name) > 255) return 'index name is too long';
  return undefined;
}

function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

export async function startFakeElasticsearch(
  options: FakeElasticsearchOptions = {},
): Promise<FakeElasticsearch> {
  const version = options.version ?? '8.19.2';
  const major = Number.parseInt(version, 10);
  const maxContentLength = options.maxContentLength ?? 100 * 1024 * 1024;
  // Elasticsearch renamed mapper_parsing_exception to document_parsing_exception in 8.8.
  const [, minor = 0] = version.split('.').map(Number);
  const parsingType =
    major > 8 || (major === 8 && minor >= 8)
      ? 'document_parsing_exception'
      : 'mapper_parsing_exception';
  let productHeader = options.productHeader ?? true;
  const requests: RecordedRequest[] = [];
  const indices = new Map<string, IndexState>();
  const dataStreams = new Map<string, string>(); // name -> backing index
  const pipelines = new Set<string>();
  const failures: InjectedFailure[] = [];
  const itemRejections: number[] = [];
  const clusterUuid = randomBytes(16).toString('base64url').slice(0, 22);

  const send = (
    res: ServerResponse,
    status: number,
    body: Json,
    accept: MediaType | undefined,
    headers: Record<string, string> = {},
  ): void => {
    const out: Record<string, string> = { ...headers };
    if (productHeader) out['x-elastic-product'] = 'Elasticsearch';
    let text = '';
    if (body !== '') {
      text = JSON.stringify(body);
      out['content-type'] =
        accept?.compatibleWith !== undefined
          ? `application/vnd.elasticsearch+json;compatible-with=${accept.compatibleWith}`
          : 'application/json';
    }
    out['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(status, out);
    res.end(text);
  };

  const rootInfo = (): Json => ({
    name: 'fake-node-1',
    cluster_name: 'fake-cluster',
    cluster_uuid: clusterUuid,
    version: {
      number: version,
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: 'fake',
      build_date: '2025-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: major >= 9 ? '10.1.0' : '9.12.0',
      minimum_wire_compatibility_version: major >= 9 ? '8.18.0' : '7.17.0',
      minimum_index_compatibility_version: major >= 9 ? '8.0.0' : '7.0.0',
    },
    tagline: 'You Know, for Search',
  });

  /** REST API compatibility check, as RestCompatibleVersionHelper does it. */
  const mediaTypeError = (req: IncomingMessage, hasBody: boolean): Json | undefined => {
    const acceptHeader = req.headers['accept'];
    const contentHeader = req.headers['content-type'];
    const accept = acceptMediaType(acceptHeader);
    const content = hasBody && contentHeader ? parseMediaType(contentHeader) : undefined;
    const allowed = [major, major - 1];
    const invalid = (reason: string): Json =>
      errorBody(
        'media_type_header_exception',
        'Invalid media-type value on headers [Accept, Content-Type]',
        400,
        {},
        { type: 'status_exception', reason },
      );
    const acceptVersion = accept?.compatibleWith;
    const contentVersion = content?.compatibleWith;
    if (acceptVersion !== undefined && !allowed.includes(acceptVersion)) {
      return invalid(
        `Accept version must be either version ${major} or ${major - 1}, but found ${acceptVersion}. Accept=${acceptHeader}`,
      );
    }
    if (contentVersion !== undefined && !allowed.includes(contentVersion)) {
      return invalid(
        `Content-Type version must be either version ${major} or ${major - 1}, but found ${contentVersion}. Content-Type=${contentHeader}`,
      );
    }
    if (
      hasBody &&
      (acceptVersion !== undefined || contentVersion !== undefined) &&
      acceptVersion !== contentVersion
    ) {
      return invalid(
        `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${acceptHeader}, Content-Type=${contentHeader}`,
      );
    }
    return undefined;
  };

  const authError = (req: IncomingMessage): Json | undefined => {
    const header = req.headers['authorization'];
    if (options.apiKey !== undefined) {
      if (header === `ApiKey ${options.apiKey}`) return undefined;
    } else if (options.basic !== undefined) {
      const expected = Buffer.from(`${options.basic.username}:${options.basic.password}`).toString(
        'base64',
      );
      if (header === `Basic ${expected}`) return undefined;
    } else {
      return undefined;
    }
    return errorBody(
      'security_exception',
      header === undefined
        ? `missing authentication credentials for REST request [${req.url ?? '/'}]`
        : 'unable to authenticate with provided credentials',
      401,
      { header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] } },
    );
  };

  const resolveTarget = (name: string): IndexState[] => {
    if (name.includes('*') || name.includes(',')) {
      const patterns = name.split(',');
      const out: IndexState[] = [];
      for (const index of indices.values()) {
        const visible = index.dataStream ?? index.name;
        if (patterns.some((p) => matches(p, visible) || matches(p, index.name))) out.push(index);
      }
      return out;
    }
    const backing = dataStreams.get(name);
    const index = indices.get(backing ?? name);
    return index ? [index] : [];
  };

  const createIndex = (name: string, dataStream?: string): IndexState => {
    const state: IndexState = {
      name,
      uuid: randomBytes(16).toString('base64url').slice(0, 22),
      docs: new Map(),
      mapping: new Map(),
      ...(dataStream !== undefined ? { dataStream } : {}),
      seqNo: 0,
    };
    indices.set(name, state);
    return state;
  };

  /** Checks `doc` against the index mapping; returns the new fields or an item error. */
  const mapDocument = (
    index: IndexState,
    id: string,
    json: string,
    doc: Record<string, Json>,
  ): { fields: Map<string, FieldType> } | { error: Json } => {
    const fields = new Map<string, FieldType>();
    const location = (key: string): string => {
      const at = json.indexOf(`"${key}"`);
      return `[1:${at < 0 ? 1 : at + key.length + 3}]`;
    };
    const parseError = (
      path: string,
      key: string,
      type: FieldType,
      value: Json,
      cause: { type: string; reason: string },
    ): Json => ({
      type: parsingType,
      reason: `${location(key)} failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview(value)}'`,
      caused_by: cause,
    });
    const walk = (obj: Record<string, Json>, prefix: string): Json | undefined => {
      for (const [key, raw] of Object.entries(obj)) {
        const path = prefix + key;
        const values = Array.isArray(raw) ? raw : [raw];
        for (const value of values) {
          if (value === null) continue;
          const existing = index.mapping.get(path) ?? fields.get(path);
          const isObject = typeof value === 'object' && !Array.isArray(value);
          if (existing === 'object') {
            if (!isObject) {
              return {
                type: parsingType,
                reason: `${location(key)} object mapping for [${path}] tried to parse field [${key}] as object, but found a concrete value`,
              };
            }
          } else if (existing !== undefined) {
            if (isObject) {
              return parseError(path, key, existing, value, {
                type: 'illegal_state_exception',
                reason: `Can't get text on a START_OBJECT at ${location(key).slice(1, -1)}`,
              });
            }
            if (existing === 'long' || existing === 'float') {
              const n =
                typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
              if (typeof value === 'boolean') {
                return parseError(path, key, existing, value, {
                  type: 'illegal_argument_exception',
                  reason: `Current token (VALUE_${text(value).toUpperCase()}) not numeric, can not use numeric value accessors`,
                });
              }
              if (!Number.isFinite(n) || (typeof value === 'string' && value.trim() === '')) {
                return parseError(path, key, existing, value, {
                  type:
                    existing === 'long' ? 'illegal_argument_exception' : 'number_format_exception',
                  reason: `For input string: "${text(value)}"`,
                });
              }
            } else if (existing === 'boolean') {
              if (
                value !== true &&
                value !== false &&
                value !== 'true' &&
                value !== 'false' &&
                value !== ''
              ) {
                return parseError(path, key, existing, value, {
                  type: 'illegal_argument_exception',
                  reason: `Failed to parse value [${text(value)}] as only [true] or [false] are allowed.`,
                });
              }
            } else if (existing === 'date') {
              const ok =
                typeof value === 'number' ||
                (typeof value === 'string' &&
                  (/^\d+$/.test(value) ||
                    (DATE_LIKE.test(value) && !Number.isNaN(Date.parse(value)))));
              if (!ok) {
                return parseError(path, key, existing, value, {
                  type: 'illegal_argument_exception',
                  reason: `failed to parse date field [${text(value)}] with format [strict_date_optional_time||epoch_millis]`,
                });
              }
            }
          } else {
            fields.set(
              path,
              isObject
                ? 'object'
                : typeof value === 'number'
                  ? Number.isInteger(value)
                    ? 'long'
                    : 'float'
                  : typeof value === 'boolean'
                    ? 'boolean'
                    : typeof value === 'string' &&
                        DATE_LIKE.test(value) &&
                        !Number.isNaN(Date.parse(value))
                      ? 'date'
                      : 'text',
            );
          }
          if (isObject) {
            const nested = walk(value, `${path}.`);
            if (nested) return nested;
          }
        }
      }
      return undefined;
    };
    const error = walk(doc, '');
    return error ? { error } : { fields };
  };

  const bulk = (
    body: string,
    pathIndex: string | undefined,
    query: URLSearchParams,
  ): { status: number; body: Json } => {
    if (body.length > 0 && !body.endsWith('\n')) {
      return {
        status: 400,
        body: errorBody(
          'illegal_argument_exception',
          'The bulk request must be terminated by a newline [\\n]',
          400,
        ),
      };
    }
    const started = Date.now();
    const lines = body.split('\n');
    lines.pop();
    const items: Json[] = [];
    const rejectEvery = itemRejections.length > 0 ? itemRejections.shift()! : 0;
    const pipeline = query.get('pipeline') ?? undefined;
    let line = 0;
    let item = 0;
    while (line < lines.length) {
      let action: Record<string, Record<string, Json>>;
      try {
        action = JSON.parse(lines[line]) as Record<string, Record<string, Json>>;
      } catch {
        return {
          status: 400,
          body: errorBody(
            'x_content_parse_exception',
            `[1:1] Unexpected character in action line [${line + 1}]`,
            400,
          ),
        };
      }
      const op = Object.keys(action)[0] ?? '';
      if (!['create', 'index'].includes(op)) {
        return {
          status: 400,
          body: errorBody(
            'illegal_argument_exception',
            `Malformed action/metadata line [${line + 1}], expected one of [create, delete, index, update] but found [${op}]`,
            400,
          ),
        };
      }
      const meta = action[op] ?? {};
      const source = lines[line + 1];
      line += 2;
      if (source === undefined) {
        return {
          status: 400,
          body: errorBody(
            'action_request_validation_exception',
            'Validation Failed: 1: no requests added;',
            400,
          ),
        };
      }
      const target = typeof meta['_index'] === 'string' ? meta['_index'] : pathIndex;
      if (target === undefined) {
        return {
          status: 400,
          body: errorBody(
            'action_request_validation_exception',
            'Validation Failed: 1: index is missing;',
            400,
          ),
        };
      }
      const id =
        typeof meta['_id'] === 'string' ? meta['_id'] : randomUUID().replace(/-/g, '').slice(0, 20);
      item++;
      const fail = (status: number, error: Json, index = target): void => {
        items.push({ [op]: { _index: index, _id: id, status, error } });
      };
      if (rejectEvery > 0 && item % rejectEvery === 0) {
        fail(429, {
          type: 'es_rejected_execution_exception',
          reason: `rejected execution of primary operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, primary_operation_bytes=${Buffer.byteLength(source)}, max_coordinating_and_primary_bytes=0] on EsThreadPoolExecutor[name = fake-node-1/write, queue capacity = 10000]`,
        });
        continue;
      }
      const nameError = indexNameError(target);
      if (nameError) {
        fail(400, {
          type: 'invalid_index_name_exception',
          reason: `Invalid index name [${target}], ${nameError}`,
          index_uuid: '_na_',
          index: target,
        });
        continue;
      }
      if (pipeline !== undefined && !pipelines.has(pipeline)) {
        fail(400, {
          type: 'illegal_argument_exception',
          reason: `pipeline with id [${pipeline}] does not exist`,
        });
        continue;
      }
      let doc: Record<string, Json>;
      try {
        doc = JSON.parse(source) as Record<string, Json>;
      } catch {
        fail(400, {
          type: parsingType,
          reason: `[1:2] failed to parse: Unexpected character`,
        });
        continue;
      }
      const isDataStream = matches('logs-*-*', target) || dataStreams.has(target);
      let index: IndexState;
      if (isDataStream) {
        if (op !== 'create') {
          fail(400, {
            type: 'illegal_argument_exception',
            reason: 'only write ops with an op_type of create are allowed in data streams',
          });
          continue;
        }
        if (typeof doc['@timestamp'] !== 'string' && typeof doc['@timestamp'] !== 'number') {
          fail(400, {
            type: parsingType,
            reason: 'data stream timestamp field [@timestamp] is missing',
          });
          continue;
        }
        let backing = dataStreams.get(target);
        if (backing === undefined) {
          const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
          backing = `.ds-${target}-${day}-000001`;
          dataStreams.set(target, backing);
          createIndex(backing, target);
        }
        index = indices.get(backing)!;
      } else {
        index = indices.get(target) ?? createIndex(target);
      }
      const existing = index.docs.get(id);
      if (existing && op === 'create') {
        fail(
          409,
          {
            type: 'version_conflict_engine_exception',
            reason: `[${id}]: version conflict, document already exists (current version [${existing.version}])`,
            index_uuid: index.uuid,
            shard: '0',
            index: index.name,
          },
          index.name,
        );
        continue;
      }
      const mapped = mapDocument(index, id, source, doc);
      if ('error' in mapped) {
        fail(400, mapped.error, index.name);
        continue;
      }
      for (const [path, type] of mapped.fields) index.mapping.set(path, type);
      const version = (existing?.version ?? 0) + 1;
      index.docs.set(id, { source: doc, version });
      items.push({
        [op]: {
          _index: index.name,
          _id: id,
          _version: version,
          result: existing ? 'updated' : 'created',
          _shards: { total: 2, successful: 1, failed: 0 },
          _seq_no: index.seqNo++,
          _primary_term: 1,
          status: existing ? 200 : 201,
        },
      });
    }
    const errors = items.some((i) => {
      const value = Object.values(i as Record<string, Json>)[0] as Record<string, Json>;
      return value['error'] !== undefined;
    });
    return { status: 200, body: { errors, took: Date.now() - started, items } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const accept = acceptMediaType(req.headers['accept']);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const body = raw.toString('utf8');
    requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (raw.length > maxContentLength) {
      // Netty's HttpObjectAggregator: 413 without a body.
      send(res, 413, '', undefined);
      return;
    }

    const unauthenticated = authError(req);
    if (unauthenticated) {
      send(res, 401, unauthenticated, accept, {
        'www-authenticate': 'Basic realm="security" charset="UTF-8", ApiKey',
      });
      return;
    }
    const hasBody = raw.length > 0;
    const mediaError = mediaTypeError(req, hasBody);
    if (mediaError) {
      send(res, 400, mediaError, undefined);
      return;
    }
    if (hasBody) {
      const content = parseMediaType(req.headers['content-type'] ?? '');
      if (!content || (!VENDOR_TYPES.test(content.type) && !PLAIN_TYPES.has(content.type))) {
        send(
          res,
          406,
          {
            error: `Content-Type header [${req.headers['content-type'] ?? ''}] is not supported`,
            status: 406,
          },
          undefined,
        );
        return;
      }
    }
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    if (parts.length === 0 && (method === 'GET' || method === 'HEAD')) {
      send(res, 200, method === 'HEAD' ? '' : rootInfo(), accept);
      return;
    }
    const failure = failures.shift();
    if (failure) {
      const defaults: Record<number, Json> = {
        429: errorBody(
          'es_rejected_execution_exception',
          'rejected execution of coordinating operation [coordinating_and_primary_bytes=104857600, replica_bytes=0, all_bytes=104857600, coordinating_operation_bytes=5000000, max_coordinating_and_primary_bytes=107374182]',
          429,
        ),
        401: errorBody(
          'security_exception',
          'unable to authenticate with provided credentials',
          401,
        ),
        403: errorBody(
          'security_exception',
          'action [indices:data/write/bulk[s]] is unauthorized for API key id [fake] of user [fake]',
          403,
        ),
        503: errorBody(
          'cluster_block_exception',
          'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
          503,
        ),
      };
      send(
        res,
        failure.status,
        failure.body ??
          defaults[failure.status] ??
          errorBody('exception', 'injected', failure.status),
        accept,
        failure.headers,
      );
      return;
    }
    const last = parts[parts.length - 1];
    if (last === '_bulk' && (method === 'POST' || method === 'PUT') && parts.length <= 2) {
      const result = bulk(body, parts.length === 2 ? parts[0] : undefined, url.searchParams);
      send(res, result.status, result.body, accept);
      return;
    }
    if (
      (last === '_count' || last === '_search') &&
      parts.length === 2 &&
      (method === 'GET' || method === 'POST')
    ) {
      const targets = resolveTarget(parts[0]);
      if (targets.length === 0 && !parts[0].includes('*')) {
        send(
          res,
          404,
          errorBody('index_not_found_exception', `no such index [${parts[0]}]`, 404, {
            'resource.type': 'index_or_alias',
            'resource.id': parts[0],
            index_uuid: '_na_',
            index: parts[0],
          }),
          accept,
        );
        return;
      }
      const all = targets.flatMap((t) =>
        [...t.docs.entries()].map(([id, d]) => ({ index: t.name, id, source: d.source })),
      );
      if (last === '_count') {
        send(
          res,
          200,
          {
            count: all.length,
            _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
          },
          accept,
        );
      } else {
        const size = Number(url.searchParams.get('size') ?? '10');
        send(
          res,
          200,
          {
            took: 1,
            timed_out: false,
            _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
            hits: {
              total: { value: all.length, relation: 'eq' },
              max_score: 1,
              hits: all
                .slice(0, size)
                .map((h) => ({ _index: h.index, _id: h.id, _score: 1, _source: h.source })),
            },
          },
          accept,
        );
      }
      return;
    }
    if (
      parts[0] === '_ingest' &&
      parts[1] === 'pipeline' &&
      parts.length === 3 &&
      method === 'PUT'
    ) {
      pipelines.add(parts[2]);
      send(res, 200, { acknowledged: true }, accept);
      return;
    }
    send(
      res,
      400,
      { error: `no handler found for uri [${url.pathname}] and method [${method}]` },
      accept,
    );
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error), status: 500 }));
      }
    });
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    docs(target) {
      return resolveTarget(target).flatMap((t) => [...t.docs.values()].map((d) => d.source));
    },
    count(target) {
      return resolveTarget(target).reduce((n, t) => n + t.docs.size, 0);
    },
    indices: () => [...indices.keys()].sort(),
    failNext(times, failure) {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    rejectItems(times, every = 1) {
      for (let i = 0; i < times; i++) itemRejections.push(every);
    },
    setProductHeader(on) {
      productHeader = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
