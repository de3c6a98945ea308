/**
 * An in-process server speaking Kibana's documented REST API (the OpenAPI specs of alerting,
 * connectors, data views and saved objects); no Kibana runs here. It keeps state per space and
 * rejects what Kibana rejects:
 *
 * - a non-GET request without `kbn-xsrf` → 400 "Request must contain a kbn-xsrf header.";
 * - wrong or missing credentials (when configured) → 401;
 * - bodies that do not match the request schemas (kibana-schemas.ts, strict like
 *   @kbn/config-schema) → 400 naming the key; unknown `rule_type_id` / connector type → 400;
 *   `.es-query` params are validated and completed with the rule type's defaults;
 * - caller-chosen ids of rules and connectors that are not UUIDs → 400 (they are encrypted saved
 *   objects); creating an id that exists → 409;
 * - unknown objects → 404 (in `_bulk_get`: an `error` entry per object);
 * - `_import`: multipart `file` ending in `.ndjson`; `overwrite` with `createNewCopies` → 400;
 *   existing objects without `overwrite` → conflict errors; references to objects that do not
 *   exist → missing_references errors;
 * - spaces: `/s/<space>/api/...` (unknown space → 404), objects live in one space.
 *
 * Beyond Kibana, `_import` also checks the saved object shapes this project writes (JSON strings
 * parse, dashboard panels and visualizations resolve their references), reported as
 * `invalid_shape` errors, so a broken dashboard fails here instead of in a browser.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  ACTION_PARAMS,
  configSchemaMessage,
  createConnectorSchema,
  createDataViewSchema,
  createRuleSchema,
  esQueryParamsSchema,
  updateDataViewSchema,
  updateRuleSchema,
} from './kibana-schemas.js';

export interface FakeKibanaOptions {
  /** Version `GET /api/status` reports and whose API shapes are enforced. Default 8.15.0. */
  readonly version?: string;
  /** Accepted `Authorization: ApiKey <this>`. */
  readonly apiKey?: string;
  /** Accepted basic auth user and password. */
  readonly username?: string;
  readonly password?: string;
  /** Spaces that exist besides `default`. */
  readonly spaces?: readonly string[];
}

export interface RecordedKibanaRequest {
  readonly method: string;
  /** Path without the space prefix and query. */
  readonly path: string;
  readonly space: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  readonly status: number;
}

export interface StoredSavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
  updated_at: string;
  version: string;
}

export interface SpaceState {
  readonly savedObjects: Map<string, StoredSavedObject>;
  readonly rules: Map<string, Record<string, unknown>>;
  readonly connectors: Map<string, Record<string, unknown>>;
}

export interface FakeKibana {
  readonly url: string;
  readonly requests: RecordedKibanaRequest[];
  space(id?: string): SpaceState;
  /** Adds a connector as if a user had created it. */
  addConnector(
    space: string,
    connector: {
      id: string;
      name: string;
      connector_type_id: string;
      config?: Record<string, unknown>;
    },
  ): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[14][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const RULE_TYPES: Record<string, { actionGroups: string[] }> = {
  '.es-query': { actionGroups: ['query matched', 'recovered'] },
  '.index-threshold': { actionGroups: ['threshold met', 'recovered'] },
};
const CONNECTOR_TYPES = ['.server-log', '.index', '.email', '.webhook', '.slack', '.pagerduty'];
const IMPORTABLE_TYPES = [
  'index-pattern',
  'search',
  'visualization',
  'dashboard',
  'lens',
  'config',
];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
};

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

export async function startFakeKibana(options: FakeKibanaOptions = {}): Promise<FakeKibana> {
  const version = options.version ?? '8.15.0';
  const spaces = new Map<string, SpaceState>();
  const knownSpaces = new Set(['default', ...(options.spaces ?? [])]);
  const requests: RecordedKibanaRequest[] = [];
  let counter = 0;

  const spaceState = (id = 'default'): SpaceState => {
    let state = spaces.get(id);
    if (state === undefined) {
      state = { savedObjects: new Map(), rules: new Map(), connectors: new Map() };
      spaces.set(id, state);
    }
    return state;
  };

  const now = (): string => new Date().toISOString();
  const soVersion = (): string => Buffer.from(`[${++counter},1]`).toString('base64');

  function checkAuth(req: IncomingMessage): void {
    if (options.apiKey === undefined && options.username === undefined) return;
    const header = req.headers.authorization ?? '';
    if (options.apiKey !== undefined && header === `ApiKey ${options.apiKey}`) return;
    if (options.username !== undefined) {
      const expected = Buffer.from(`${options.username}:${options.password ?? ''}`).toString(
        'base64',
      );
      if (header === `Basic ${expected}`) return;
    }
    throw new HttpError(401, '[security_exception]: unable to authenticate user');
  }

  function parseBody(req: IncomingMessage, raw: Buffer): unknown {
    if (raw.length === 0) return undefined;
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) return raw;
    if (!type.startsWith('application/json')) {
      throw new HttpError(415, `Unsupported Media Type`);
    }
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (error) {
      throw new HttpError(400, `Invalid JSON: ${(error as Error).message}`);
    }
  }

  function validate<T>(schema: z.ZodType<T>, body: unknown, prefix = 'request body'): T {
    const result = schema.safeParse(body, { reportInput: true });
    if (!result.success) throw new HttpError(400, configSchemaMessage(result.error, prefix));
    return result.data;
  }

  // ------------------------------------------------------------------------- data views

  const dataViewModern = versionAtLeast(version, 8, 2);
  const dataViewName = versionAtLeast(version, 8, 3);

  function dataViewResponse(object: StoredSavedObject): Record<string, unknown> {
    return { id: object.id, version: object.version, ...object.attributes, fields: {} };
  }

  function createDataView(state: SpaceState, body: unknown, key: 'data_view' | 'index_pattern') {
    const parsed = validate(createDataViewSchema(key, dataViewName), body) as Record<
      string,
      unknown
    >;
    const view = parsed[key] as Record<string, unknown>;
    const id = typeof view.id === 'string' ? view.id : `dv-${++counter}`;
    if (state.savedObjects.has(`index-pattern/${id}`)) {
      throw new HttpError(409, `Saved object [index-pattern/${id}] conflict`);
    }
    const duplicate = [...state.savedObjects.values()].find(
      (o) => o.type === 'index-pattern' && o.attributes.title === view.title,
    );
    if (duplicate !== undefined) {
      if (parsed.override !== true)
        throw new HttpError(400, `Duplicate data view: ${String(view.title)}`);
      state.savedObjects.delete(`index-pattern/${duplicate.id}`);
    }
    const { id: _id, version: _version, namespaces: _namespaces, ...attributes } = view;
    const object: StoredSavedObject = {
      type: 'index-pattern',
      id,
      attributes,
      references: [],
      updated_at: now(),
      version: soVersion(),
    };
    state.savedObjects.set(`index-pattern/${id}`, object);
    return { [key]: dataViewResponse(object) };
  }

  function updateDataView(
    state: SpaceState,
    id: string,
    body: unknown,
    key: 'data_view' | 'index_pattern',
  ) {
    const object = state.savedObjects.get(`index-pattern/${id}`);
    if (object === undefined)
      throw new HttpError(404, `Saved object [index-pattern/${id}] not found`);
    const parsed = validate(updateDataViewSchema(key, dataViewName), body) as Record<
      string,
      unknown
    >;
    Object.assign(object.attributes, parsed[key] as Record<string, unknown>);
    object.updated_at = now();
    object.version = soVersion();
    return { [key]: dataViewResponse(object) };
  }

  // ------------------------------------------------------------------------- saved objects

  function bulkGet(state: SpaceState, body: unknown) {
    const items = validate(
      z.array(
        z.strictObject({
          type: z.string(),
          id: z.string(),
          fields: z.array(z.string()).optional(),
          namespaces: z.array(z.string()).optional(),
        }),
      ),
      body,
    );
    return {
      saved_objects: items.map(({ type, id }) => {
        const object = state.savedObjects.get(`${type}/${id}`);
        if (object === undefined) {
          return {
            id,
            type,
            error: {
              statusCode: 404,
              error: 'Not Found',
              message: `Saved object [${type}/${id}] not found`,
            },
          };
        }
        return { ...structuredClone(object), namespaces: ['default'] };
      }),
    };
  }

  function importObjects(state: SpaceState, req: IncomingMessage, url: URL, raw: unknown) {
    const overwrite = url.searchParams.get('overwrite') === 'true';
    const createNewCopies = url.searchParams.get('createNewCopies') === 'true';
    if (overwrite && createNewCopies) {
      throw new HttpError(400, 'cannot use [overwrite] with [createNewCopies]');
    }
    if (!Buffer.isBuffer(raw)) {
      throw new HttpError(
        400,
        '[request body.file]: expected value of type [Stream] but got [undefined]',
      );
    }
    const file = parseMultipart(req.headers['content-type'] ?? '', raw).find(
      (p) => p.name === 'file',
    );
    if (file === undefined) {
      throw new HttpError(
        400,
        '[request body.file]: expected value of type [Stream] but got [undefined]',
      );
    }
    const extension = /\.[^.]*$/.exec(file.filename ?? '')?.[0] ?? '';
    if (extension !== '.ndjson') throw new HttpError(400, `Invalid file extension ${extension}`);
    const objects: StoredSavedObject[] = [];
    for (const line of file.content.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      if ('exportedCount' in parsed) continue;
      objects.push({
        type: String(parsed.type),
        id: String(parsed.id),
        attributes: (parsed.attributes ?? {}) as Record<string, unknown>,
        references: (parsed.references ?? []) as StoredSavedObject['references'],
        updated_at: now(),
        version: soVersion(),
      });
    }
    const inFile = new Set(objects.map((o) => `${o.type}/${o.id}`));
    const errors: Record<string, unknown>[] = [];
    const successResults: Record<string, unknown>[] = [];
    for (const object of objects) {
      const meta = { title: object.attributes.title, icon: object.type };
      const key = `${object.type}/${object.id}`;
      if (!IMPORTABLE_TYPES.includes(object.type)) {
        errors.push({
          id: object.id,
          type: object.type,
          meta,
          error: { type: 'unsupported_type' },
        });
        continue;
      }
      const missing = object.references.filter(
        (ref) =>
          !inFile.has(`${ref.type}/${ref.id}`) && !state.savedObjects.has(`${ref.type}/${ref.id}`),
      );
      if (missing.length > 0) {
        errors.push({
          id: object.id,
          type: object.type,
          title: object.attributes.title,
          meta,
          error: {
            type: 'missing_references',
            references: missing.map(({ type, id }) => ({ type, id })),
          },
        });
        continue;
      }
      const problem = shapeProblem(object);
      if (problem !== undefined) {
        errors.push({
          id: object.id,
          type: object.type,
          meta,
          error: { type: 'invalid_shape', message: problem },
        });
        continue;
      }
      const exists = state.savedObjects.has(key);
      if (exists && !overwrite && !createNewCopies) {
        errors.push({
          id: object.id,
          type: object.type,
          title: object.attributes.title,
          meta,
          error: { type: 'conflict' },
        });
        continue;
      }
      successResults.push({
        type: object.type,
        id: object.id,
        meta,
        ...(exists ? { overwrite: true } : {}),
      });
    }
    if (errors.length > 0) {
      // Kibana creates nothing until every resolvable error is resolved.
      return { success: false, successCount: 0, errors, warnings: [] };
    }
    for (const object of objects) state.savedObjects.set(`${object.type}/${object.id}`, object);
    return { success: true, successCount: successResults.length, successResults, warnings: [] };
  }

  // ------------------------------------------------------------------------- connectors

  function connectorResponse(c: Record<string, unknown>): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      connector_type_id: c.connector_type_id,
      config: c.config ?? {},
      is_preconfigured: false,
      is_deprecated: false,
      is_missing_secrets: false,
    };
  }

  function createConnector(state: SpaceState, id: string, body: unknown) {
    if (!UUID.test(id)) {
      throw new HttpError(
        400,
        'Predefined IDs are not allowed for saved objects with encrypted attributes unless the ID is a UUID.',
      );
    }
    const parsed = validate(createConnectorSchema, body);
    if (!CONNECTOR_TYPES.includes(parsed.connector_type_id)) {
      throw new HttpError(400, `Action type "${parsed.connector_type_id}" is not registered.`);
    }
    if (state.connectors.has(id)) throw new HttpError(409, `Saved object [action/${id}] conflict`);
    const connector = { id, ...parsed };
    state.connectors.set(id, connector);
    return connectorResponse(connector);
  }

  // ------------------------------------------------------------------------- rules

  const withFrequency = versionAtLeast(version, 8, 6);
  const paramsSchema = esQueryParamsSchema({
    modern: versionAtLeast(version, 8, 5),
    grouping: versionAtLeast(version, 8, 10),
  });

  function checkRule(
    state: SpaceState,
    ruleTypeId: string,
    body: {
      params: Record<string, unknown>;
      actions?: {
        id: string;
        group: string;
        params: Record<string, unknown>;
        frequency?: unknown;
      }[];
      notify_when?: unknown;
      throttle?: unknown;
    },
  ): { params: Record<string, unknown>; actions: Record<string, unknown>[] } {
    const type = RULE_TYPES[ruleTypeId];
    if (type === undefined)
      throw new HttpError(400, `Rule type [${ruleTypeId}] is not registered.`);
    let params = body.params;
    if (ruleTypeId === '.es-query') {
      const result = paramsSchema.safeParse(body.params, { reportInput: true });
      if (!result.success) {
        throw new HttpError(
          400,
          `params invalid: ${configSchemaMessage(result.error, 'params').replace(/^\[params\./, '[')}`,
        );
      }
      params = result.data;
    }
    const actions = body.actions ?? [];
    const ruleLevel = body.notify_when != null || body.throttle != null;
    if (ruleLevel && actions.some((a) => a.frequency !== undefined)) {
      throw new HttpError(
        400,
        'Cannot specify per-action frequency params when notify_when or throttle are defined at the rule level',
      );
    }
    const badGroups = actions
      .filter((a) => !type.actionGroups.includes(a.group))
      .map((a) => a.group);
    if (badGroups.length > 0)
      throw new HttpError(400, `Invalid action groups: ${badGroups.join(', ')}`);
    return {
      params,
      actions: actions.map((a) => {
        const connector = state.connectors.get(a.id);
        if (connector === undefined)
          throw new HttpError(404, `Saved object [action/${a.id}] not found`);
        const typeId = String(connector.connector_type_id);
        const schema = ACTION_PARAMS[typeId];
        if (schema !== undefined) {
          const result = schema.safeParse(a.params, { reportInput: true });
          if (!result.success) {
            throw new HttpError(
              400,
              `error validating action params: ${configSchemaMessage(result.error, 'params').replace(/^\[params\./, '[')}`,
            );
          }
        }
        return {
          ...a,
          uuid: `action-${++counter}`,
          connector_type_id: typeId,
          ...(a.frequency !== undefined
            ? { frequency: { throttle: null, ...(a.frequency as object) } }
            : {}),
        };
      }),
    };
  }

  function createRule(state: SpaceState, id: string, body: unknown) {
    if (!UUID.test(id)) {
      throw new HttpError(
        400,
        'Predefined IDs are not allowed for saved objects with encrypted attributes unless the ID is a UUID.',
      );
    }
    const parsed = validate(createRuleSchema(withFrequency), body);
    const checked = checkRule(state, parsed.rule_type_id, parsed);
    if (state.rules.has(id)) throw new HttpError(409, `Saved object [alert/${id}] conflict`);
    const time = now();
    const rule: Record<string, unknown> = {
      id,
      name: parsed.name,
      consumer: parsed.consumer,
      rule_type_id: parsed.rule_type_id,
      tags: parsed.tags ?? [],
      enabled: parsed.enabled ?? true,
      schedule: parsed.schedule,
      params: checked.params,
      actions: checked.actions,
      throttle: parsed.throttle ?? null,
      notify_when: parsed.notify_when ?? null,
      mute_all: false,
      muted_alert_ids: [],
      api_key_owner: 'elastic',
      api_key_created_by_user: false,
      created_by: 'elastic',
      updated_by: 'elastic',
      created_at: time,
      updated_at: time,
      scheduled_task_id: id,
      execution_status: { status: 'pending', last_execution_date: time },
      revision: 0,
      running: false,
    };
    state.rules.set(id, rule);
    return rule;
  }

  function updateRule(state: SpaceState, id: string, body: unknown) {
    const rule = state.rules.get(id);
    if (rule === undefined) throw new HttpError(404, `Saved object [alert/${id}] not found`);
    const parsed = validate(updateRuleSchema(withFrequency), body);
    const checked = checkRule(state, String(rule.rule_type_id), parsed);
    Object.assign(rule, {
      name: parsed.name,
      tags: parsed.tags ?? [],
      schedule: parsed.schedule,
      params: checked.params,
      actions: checked.actions,
      throttle: parsed.throttle ?? null,
      notify_when: parsed.notify_when ?? null,
      updated_at: now(),
      revision: Number(rule.revision) + 1,
    });
    return rule;
  }

  // ------------------------------------------------------------------------- routing

  function route(
    req: IncomingMessage,
    url: URL,
    raw: Buffer,
  ): { status: number; body: unknown; space: string; path: string; parsed: unknown } {
    const method = req.method ?? 'GET';
    let path = url.pathname;
    let space = 'default';
    const spaceMatch = /^\/s\/([^/]+)(\/.*)$/.exec(path);
    if (spaceMatch) {
      space = decodeURIComponent(spaceMatch[1]);
      path = spaceMatch[2]!;
    }
    let parsed: unknown;
    const reply = (status: number, body: unknown) => ({ status, body, space, path, parsed });
    try {
      checkAuth(req);
      if (method !== 'GET' && method !== 'HEAD' && req.headers['kbn-xsrf'] === undefined) {
        throw new HttpError(400, 'Request must contain a kbn-xsrf header.');
      }
      if (!knownSpaces.has(space)) throw new HttpError(404, 'Not Found');
      parsed = parseBody(req, raw);
      const state = spaceState(space);
      let m: RegExpExecArray | null;

      if (method === 'GET' && path === '/api/status') {
        return reply(200, {
          name: 'kibana',
          uuid: '5b2de169-2785-441b-ae8c-186a1936b17d',
          version: { number: version, build_hash: 'fake', build_number: 1, build_snapshot: false },
          status: { overall: { level: 'available', summary: 'All services are available' } },
        });
      }

      for (const [base, key, enabled] of [
        ['/api/data_views/data_view', 'data_view', dataViewModern],
        ['/api/index_patterns/index_pattern', 'index_pattern', true],
      ] as const) {
        if (!enabled) continue;
        if (path === base && method === 'POST')
          return reply(200, createDataView(state, parsed, key));
        m = new RegExp(`^${base}/([^/]+)$`).exec(path);
        if (m) {
          const id = decodeURIComponent(m[1]);
          if (method === 'GET') {
            const object = state.savedObjects.get(`index-pattern/${id}`);
            if (object === undefined)
              throw new HttpError(404, `Saved object [index-pattern/${id}] not found`);
            return reply(200, { [key]: dataViewResponse(object) });
          }
          if (method === 'POST') return reply(200, updateDataView(state, id, parsed, key));
          if (method === 'DELETE') {
            if (!state.savedObjects.delete(`index-pattern/${id}`)) {
              throw new HttpError(404, `Saved object [index-pattern/${id}] not found`);
            }
            return reply(200, {});
          }
        }
      }

      if (method === 'POST' && path === '/api/saved_objects/_bulk_get')
        return reply(200, bulkGet(state, parsed));
      if (method === 'POST' && path === '/api/saved_objects/_import') {
        return reply(200, importObjects(state, req, url, parsed));
      }

      m = /^\/api\/actions\/connector\/([^/]+)$/.exec(path);
      if (m) {
        const id = decodeURIComponent(m[1]);
        if (method === 'GET') {
          const connector = state.connectors.get(id);
          if (connector === undefined)
            throw new HttpError(404, `Saved object [action/${id}] not found`);
          return reply(200, connectorResponse(connector));
        }
        if (method === 'POST') return reply(200, createConnector(state, id, parsed));
      }

      m = /^\/api\/alerting\/rule\/([^/]+)(\/_enable|\/_disable)?$/.exec(path);
      if (m) {
        const id = decodeURIComponent(m[1]);
        if (m[2] !== undefined && method === 'POST') {
          const rule = state.rules.get(id);
          if (rule === undefined) throw new HttpError(404, `Saved object [alert/${id}] not found`);
          rule.enabled = m[2] === '/_enable';
          return reply(204, null);
        }
        if (m[2] === undefined) {
          if (method === 'GET') {
            const rule = state.rules.get(id);
            if (rule === undefined)
              throw new HttpError(404, `Saved object [alert/${id}] not found`);
            return reply(200, rule);
          }
          if (method === 'POST') return reply(200, createRule(state, id, parsed));
          if (method === 'PUT') return reply(200, updateRule(state, id, parsed));
          if (method === 'DELETE') {
            if (!state.rules.delete(id))
              throw new HttpError(404, `Saved object [alert/${id}] not found`);
            return reply(204, null);
          }
        }
      }
      throw new HttpError(404, 'Not Found');
    } catch (error) {
      if (error instanceof HttpError) {
        return reply(error.status, {
          statusCode: error.status,
          error: ERROR_NAMES[error.status] ?? 'Error',
          message: error.message,
          ...error.extra,
        });
      }
      return reply(500, {
        statusCode: 500,
        error: 'Internal Server Error',
        message: String(error),
      });
    }
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://kibana');
      {
        const { status, body, space, path, parsed } = route(req, url, raw);
        requests.push({
          method: req.method ?? 'GET',
          path,
          space,
          url: req.url ?? '/',
          headers: { ...req.headers },
          body: Buffer.isBuffer(parsed) ? parsed.toString('utf8') : parsed,
          status,
        });
        if (status === 204 || body === null) {
          res.writeHead(status).end();
          return;
        }
        const text = JSON.stringify(body);
        res
          .writeHead(status, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(text),
          })
          .end(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    space: spaceState,
    addConnector(space, connector) {
      knownSpaces.add(space);
      spaceState(space).connectors.set(connector.id, { ...connector });
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

// ----------------------------------------------------------------------------- multipart

interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly content: string;
}

/** Minimal multipart/form-data parser (what Kibana's hapi route does before `_import`). */
export function parseMultipart(contentType: string, raw: Buffer): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new HttpError(400, 'Invalid multipart payload format');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const text = raw.toString('utf8');
  if (!text.includes(`${delimiter}--`))
    throw new HttpError(400, 'Invalid multipart payload format');
  const parts: Part[] = [];
  for (const chunk of text.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break;
    const body = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const split = body.indexOf('\r\n\r\n');
    if (split < 0) throw new HttpError(400, 'Invalid multipart payload format');
    const head = body.slice(0, split);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) throw new HttpError(400, 'Invalid multipart payload format');
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      content: body.slice(split + 4),
    });
  }
  return parts;
}

// ----------------------------------------------------------------------------- shapes

function parseJsonAttribute(object: StoredSavedObject, path: string[]): unknown {
  let value: unknown = object.attributes;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== 'string') throw new Error(`${path.join('.')} is not a JSON string`);
  return JSON.parse(value) as unknown;
}

/** What would make Kibana fail to render the object, or undefined. */
export function shapeProblem(object: StoredSavedObject): string | undefined {
  try {
    const refNames = new Set(object.references.map((r) => r.name));
    if (typeof object.attributes.title !== 'string' || object.attributes.title === '') {
      return 'attributes.title is missing';
    }
    if (['search', 'visualization', 'dashboard'].includes(object.type)) {
      const source = parseJsonAttribute(object, ['kibanaSavedObjectMeta', 'searchSourceJSON']) as {
        indexRefName?: string;
        filter?: { meta?: { indexRefName?: string } }[];
      };
      if (source.indexRefName !== undefined && !refNames.has(source.indexRefName)) {
        return `searchSourceJSON.indexRefName ${source.indexRefName} has no reference`;
      }
      for (const filter of source.filter ?? []) {
        const name = filter.meta?.indexRefName;
        if (name !== undefined && !refNames.has(name))
          return `filter indexRefName ${name} has no reference`;
      }
    }
    if (object.type === 'search') {
      if (!Array.isArray(object.attributes.columns)) return 'search.columns is not a list';
      if (!Array.isArray(object.attributes.sort)) return 'search.sort is not a list';
    }
    if (object.type === 'visualization') {
      const vis = parseJsonAttribute(object, ['visState']) as {
        type?: unknown;
        aggs?: unknown;
        params?: unknown;
      };
      if (typeof vis.type !== 'string' || !Array.isArray(vis.aggs))
        return 'visState needs type and aggs';
      const ref = object.attributes.savedSearchRefName;
      if (ref !== undefined && (typeof ref !== 'string' || !refNames.has(ref)))
        return `savedSearchRefName ${JSON.stringify(ref)} has no reference`;
    }
    if (object.type === 'dashboard') {
      const panels = parseJsonAttribute(object, ['panelsJSON']) as {
        panelIndex?: string;
        panelRefName?: string;
        gridData?: { x?: number; y?: number; w?: number; h?: number; i?: string };
      }[];
      parseJsonAttribute(object, ['optionsJSON']);
      for (const panel of panels) {
        const g = panel.gridData;
        if (
          g === undefined ||
          [g.x, g.y, g.w, g.h].some((n) => typeof n !== 'number') ||
          g.i !== panel.panelIndex
        ) {
          return `panel ${String(panel.panelIndex)} has bad gridData`;
        }
        const name = `${String(panel.panelIndex)}:${String(panel.panelRefName)}`;
        if (!refNames.has(name))
          return `panel ${String(panel.panelIndex)} has no reference ${name}`;
      }
    }
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
