// In-process HTTP server speaking Graylog 5.x/6.x REST shapes, so a provisioning client can be
// tested against Graylog's behaviour rather than against a stub of itself. Everything is built in
// memory from this file: nothing is read from outside the repository at test time, and no Graylog
// process or network access is needed.
//
// Paths, request validation, status codes and bodies follow Graylog2/graylog2-server
// (graylog2-server/src/main/java/...):
//   - auth / CSRF / errors: org/graylog2/shared/rest/VerboseCsrfProtectionFilter.java (Jersey
//     CsrfProtectionFilter, header X-Requested-By on POST/PUT/DELETE/PATCH),
//     shared/rest/NotAuthorizedResponseFilter.java (WWW-Authenticate: Basic realm="Graylog Server"),
//     shared/rest/exceptionmappers/{BadRequest,WebApplication}ExceptionMapper.java,
//     org/graylog2/plugin/rest/ApiError.java and ValidationResult.java
//   - index sets: org/graylog2/rest/resources/system/indexer/IndexSetsResource.java,
//     .../indexer/responses/IndexSetSummary.java, .../indexer/requests/IndexSetUpdateRequest.java,
//     org/graylog2/indexer/indexset/IndexSetValidator.java (prefix conflicts, refresh interval)
//   - streams: org/graylog2/rest/resources/streams/StreamResource.java,
//     .../streams/rules/StreamRuleResource.java, .../streams/requests/CreateStreamRequest.java,
//     org/graylog2/rest/models/streams/requests/UpdateStreamRequest.java,
//     .../streams/responses/StreamResponse.java, org/graylog2/plugin/streams/StreamRuleType.java
//   - inputs: org/graylog2/rest/resources/system/inputs/InputsResource.java,
//     org/graylog2/rest/models/system/inputs/{requests/InputCreateRequest,responses/InputSummary}.java
//   - notifications: org/graylog/events/rest/EventNotificationsResource.java,
//     org/graylog2/rest/models/PaginatedResponse.java, org/graylog2/database/PaginatedList.java
//   - event definitions: org/graylog/events/rest/EventDefinitionsResource.java,
//     org/graylog/events/processor/EventDefinitionDto.java (validate()),
//     org/graylog/events/processor/aggregation/AggregationEventProcessorConfig.java (validate()),
//     org/graylog/events/conditions/Expr.java, org/graylog/plugins/views/search/searchtypes/pivot/series
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraylogApiServerOptions {
  /** Accepted credentials: users (Basic user:password) and API tokens (Basic <token>:token). */
  readonly users?: Readonly<Record<string, string>>;
  readonly tokens?: readonly string[];
  /** Notifications that exist up front (id -> title). */
  readonly notifications?: Readonly<Record<string, string>>;
}

export interface GraylogApiRequestLog {
  readonly method: string;
  /** Request path without the query string, including the /api prefix (e.g. /api/streams). */
  readonly path: string;
  /** Raw query string without the leading '?', '' when absent. */
  readonly query: string;
  readonly status: number;
  /** Parsed JSON request body; the raw text when it was not JSON; undefined when empty. */
  readonly body: unknown;
}

export interface GraylogApiServer {
  /** Base URL including /api, e.g. http://127.0.0.1:PORT/api */
  readonly url: string;
  readonly requests: GraylogApiRequestLog[];
  readonly state: {
    indexSets: Map<string, Record<string, unknown>>;
    streams: Map<string, Record<string, unknown>>;
    inputs: Map<string, Record<string, unknown>>;
    eventDefinitions: Map<string, Record<string, unknown>>;
    notifications: Map<string, Record<string, unknown>>;
  };
  /** Writes (non-GET requests that returned 2xx) so far. */
  writes(): number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** Stream.DEFAULT_STREAM_ID, DEFAULT_EVENTS_STREAM_ID, DEFAULT_SYSTEM_EVENTS_STREAM_ID. */
export const DEFAULT_STREAM_ID = '000000000000000000000001';
export const DEFAULT_EVENTS_STREAM_ID = '000000000000000000000002';
export const DEFAULT_SYSTEM_EVENTS_STREAM_ID = '000000000000000000000003';
const NON_EDITABLE_STREAMS = new Set([
  DEFAULT_STREAM_ID,
  DEFAULT_EVENTS_STREAM_ID,
  DEFAULT_SYSTEM_EVENTS_STREAM_ID,
]);

const ROTATION = 'org.graylog2.indexer.rotation.strategies.';
const RETENTION = 'org.graylog2.indexer.retention.strategies.';
const ROTATION_CLASSES = new Set([
  `${ROTATION}TimeBasedRotationStrategy`,
  `${ROTATION}SizeBasedRotationStrategy`,
  `${ROTATION}MessageCountRotationStrategy`,
]);
const RETENTION_CLASSES = new Set([
  `${RETENTION}DeletionRetentionStrategy`,
  `${RETENTION}ClosingRetentionStrategy`,
  `${RETENTION}NoopRetentionStrategy`,
]);
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_+-]*$/;

/** Registered input types (class name -> display name, MessageInput descriptor names). */
const INPUT_TYPES: Readonly<Record<string, { name: string; tcp: boolean }>> = {
  'org.graylog2.inputs.gelf.udp.GELFUDPInput': { name: 'GELF UDP', tcp: false },
  'org.graylog2.inputs.gelf.tcp.GELFTCPInput': { name: 'GELF TCP', tcp: true },
  'org.graylog2.inputs.gelf.http.GELFHttpInput': { name: 'GELF HTTP', tcp: true },
};

/** StreamRuleType codes 1..8; EXACT .. MATCH_INPUT. */
const RULE_ALWAYS_MATCH = 7;
const RULE_MATCH_INPUT = 8;
const RULE_PRESENCE = 5;

const SERIES_TYPES = new Set([
  'count',
  'avg',
  'max',
  'min',
  'sum',
  'card',
  'stddev',
  'variance',
  'sumofsquares',
  'latest',
  'percentile',
]);
const EXPR_TYPES = new Set([
  'true',
  '&&',
  '||',
  '!',
  '==',
  '>',
  '>=',
  '<',
  '<=',
  'number',
  'number-ref',
  'group',
]);
/** EventDefinitionConfiguration.getMaxEventLimit() default. */
const MAX_EVENT_LIMIT = 1000;
const PERSIST_TO_STREAMS = 'persist-to-streams-v1';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const apiError = (status: number, message: string): HttpError =>
  new HttpError(status, { type: 'ApiError', message });

/** ValidationResult as serialized by Graylog 5.x/6.x. */
class Validation {
  readonly errors: Record<string, string[]> = {};
  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }
  get failed(): boolean {
    return Object.keys(this.errors).length > 0;
  }
  toError(): HttpError {
    return new HttpError(400, { failed: true, errors: this.errors, error_context: {} });
  }
}

let counter = randomBytes(3).readUIntBE(0, 3);
const machine = randomBytes(5).toString('hex');
/** 24-hex Mongo ObjectId: 4-byte seconds, 5 random bytes, 3-byte counter. */
function objectId(): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `${seconds}${machine}${counter.toString(16).padStart(6, '0')}`;
}

const now = (): string => new Date().toISOString();
const clone = <T>(value: T): T => structuredClone(value);
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isBlank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';
const isInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value);
/** Jackson maps a missing or null primitive int/long to 0. */
const intOr0 = (value: unknown): number => (typeof value === 'number' ? value : 0);
const boolOrFalse = (value: unknown): boolean => value === true;
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** Text of a JSON value for error messages. */
const show = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');

function requireObject(body: unknown): Json {
  if (!isObject(body)) throw apiError(400, 'Request body must be a JSON object.');
  return body;
}

function paginate<T>(
  items: T[],
  query: URLSearchParams,
): { page: number; perPage: number; slice: T[] } {
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const perPage = Math.max(1, Number.parseInt(query.get('per_page') ?? '50', 10) || 50);
  return { page, perPage, slice: items.slice((page - 1) * perPage, page * perPage) };
}

/** Graylog's search query parser searches `title` by default; `title:x` is accepted too. */
function matchesQuery(title: unknown, query: string): boolean {
  const q = query.trim().replace(/^title:/, '');
  if (q === '') return true;
  return typeof title === 'string' && title.toLowerCase().includes(q.toLowerCase());
}

const byTitle = (a: Json, b: Json): number => String(a.title).localeCompare(String(b.title));

export async function startGraylogApiServer(
  options: GraylogApiServerOptions = {},
): Promise<GraylogApiServer> {
  const users = options.users ?? { admin: 'admin-password' };
  const tokens = new Set(options.tokens ?? []);
  const tokenOwner = Object.keys(users)[0] ?? 'admin';
  const requests: GraylogApiRequestLog[] = [];
  const state: GraylogApiServer['state'] = {
    indexSets: new Map(),
    streams: new Map(),
    inputs: new Map(),
    eventDefinitions: new Map(),
    notifications: new Map(),
  };
  let base = '';

  // ---- initial state -------------------------------------------------------------------------
  const started = now();
  const defaultIndexSetId = objectId();
  const legacyIndexSet = (
    id: string,
    title: string,
    description: string,
    prefix: string,
    templateType: string,
    isDefault: boolean,
  ): Json => ({
    id,
    title,
    description,
    default: isDefault,
    can_be_default: templateType === 'messages',
    writable: true,
    index_prefix: prefix,
    shards: 1,
    replicas: 0,
    rotation_strategy_class: `${ROTATION}TimeBasedRotationStrategy`,
    rotation_strategy: {
      type: `${ROTATION}TimeBasedRotationStrategyConfig`,
      rotation_period: 'P1D',
      max_rotation_period: null,
      rotate_empty_index_set: false,
    },
    retention_strategy_class: `${RETENTION}DeletionRetentionStrategy`,
    retention_strategy: {
      type: `${RETENTION}DeletionRetentionStrategyConfig`,
      max_number_of_indices: 20,
    },
    creation_date: started,
    index_analyzer: 'standard',
    index_optimization_max_num_segments: 1,
    index_optimization_disabled: false,
    field_type_refresh_interval: 5000,
    index_template_type: templateType,
    field_type_profile: null,
    data_tiering: null,
    use_legacy_rotation: true,
  });
  state.indexSets.set(
    defaultIndexSetId,
    legacyIndexSet(
      defaultIndexSetId,
      'Default index set',
      'The Graylog default index set',
      'graylog',
      'messages',
      true,
    ),
  );
  const eventsIndexSetId = objectId();
  state.indexSets.set(
    eventsIndexSetId,
    legacyIndexSet(
      eventsIndexSetId,
      'Graylog Events',
      'Stores Graylog events.',
      'gl-events',
      'events',
      false,
    ),
  );
  const systemEventsIndexSetId = objectId();
  state.indexSets.set(
    systemEventsIndexSetId,
    legacyIndexSet(
      systemEventsIndexSetId,
      'Graylog System Events',
      'Stores Graylog system events.',
      'gl-system-events',
      'events',
      false,
    ),
  );
  const builtinStream = (
    id: string,
    title: string,
    description: string,
    indexSetId: string,
  ): Json => ({
    id,
    creator_user_id: 'admin',
    outputs: [],
    matching_type: 'AND',
    description,
    created_at: started,
    disabled: false,
    rules: [],
    title,
    content_pack: null,
    is_default: id === DEFAULT_STREAM_ID,
    remove_matches_from_default_stream: id !== DEFAULT_STREAM_ID,
    index_set_id: indexSetId,
  });
  state.streams.set(
    DEFAULT_STREAM_ID,
    builtinStream(
      DEFAULT_STREAM_ID,
      'Default Stream',
      'Contains messages that are not explicitly routed to other streams',
      defaultIndexSetId,
    ),
  );
  state.streams.set(
    DEFAULT_EVENTS_STREAM_ID,
    builtinStream(
      DEFAULT_EVENTS_STREAM_ID,
      'All events',
      'Stream containing all events created by Graylog',
      eventsIndexSetId,
    ),
  );
  state.streams.set(
    DEFAULT_SYSTEM_EVENTS_STREAM_ID,
    builtinStream(
      DEFAULT_SYSTEM_EVENTS_STREAM_ID,
      'All system events',
      'Stream containing all system events created by Graylog',
      systemEventsIndexSetId,
    ),
  );
  for (const [id, title] of Object.entries(options.notifications ?? {})) {
    state.notifications.set(id, {
      id,
      title,
      description: '',
      config: { type: 'http-notification-v1', url: 'http://127.0.0.1/notify' },
    });
  }

  // ---- index sets ----------------------------------------------------------------------------
  const loadIndexSet = (id: string): Json => {
    const found = state.indexSets.get(id);
    if (!found) throw apiError(404, `Couldn't load index set with ID <${id}>`);
    return found;
  };

  /** Bean-validation constraints shared by IndexSetSummary and IndexSetUpdateRequest. */
  function validateIndexSetFields(s: Json): void {
    if (isBlank(s.title)) throw apiError(400, 'title must not be blank');
    if (intOr0(s.shards) < 1) throw apiError(400, 'shards must be greater than or equal to 1');
    if (intOr0(s.replicas) < 0) throw apiError(400, 'replicas must be greater than or equal to 0');
    if (intOr0(s.index_optimization_max_num_segments) < 1) {
      throw apiError(400, 'index_optimization_max_num_segments must be greater than or equal to 1');
    }
    const refresh = s.field_type_refresh_interval;
    if (typeof refresh === 'number' && refresh < 1000) {
      throw apiError(
        400,
        `Index field_type_refresh_interval "PT${refresh / 1000}S" is too short. It must be 1 second or longer.`,
      );
    }
    if (s.use_legacy_rotation === false) {
      if (!isObject(s.data_tiering)) {
        throw apiError(400, 'data_tiering is required when use_legacy_rotation is false');
      }
      return;
    }
    validateStrategy('rotation', s.rotation_strategy_class, s.rotation_strategy, ROTATION_CLASSES);
    validateStrategy(
      'retention',
      s.retention_strategy_class,
      s.retention_strategy,
      RETENTION_CLASSES,
    );
    const rotation = s.rotation_strategy as Json;
    const rotationClass = String(s.rotation_strategy_class);
    if (
      rotationClass.endsWith('TimeBasedRotationStrategy') &&
      !/^P/.test(String(rotation.rotation_period))
    ) {
      throw apiError(400, 'rotation_strategy.rotation_period must be an ISO-8601 period');
    }
    if (rotationClass.endsWith('SizeBasedRotationStrategy') && intOr0(rotation.max_size) < 1) {
      throw apiError(400, 'rotation_strategy.max_size must be greater than or equal to 1');
    }
    if (
      rotationClass.endsWith('MessageCountRotationStrategy') &&
      intOr0(rotation.max_docs_per_index) < 1
    ) {
      throw apiError(
        400,
        'rotation_strategy.max_docs_per_index must be greater than or equal to 1',
      );
    }
    if (intOr0((s.retention_strategy as Json).max_number_of_indices) < 1) {
      throw apiError(
        400,
        'retention_strategy.max_number_of_indices must be greater than or equal to 1',
      );
    }
  }

  function validateStrategy(
    kind: string,
    cls: unknown,
    config: unknown,
    allowed: Set<string>,
  ): void {
    if (typeof cls !== 'string' || !allowed.has(cls)) {
      throw apiError(400, `Unknown ${kind} strategy class <${show(cls)}>`);
    }
    if (!isObject(config) || typeof config.type !== 'string') {
      throw apiError(400, `${kind}_strategy with a "type" is required`);
    }
    if (config.type !== `${cls}Config`) {
      throw apiError(
        400,
        `Could not resolve type id '${config.type}' as a subtype of ${kind} strategy config`,
      );
    }
  }

  function createIndexSet(body: unknown): Json {
    const b = requireObject(body);
    const summary: Json = {
      id: null,
      title: b.title ?? null,
      description: strOrNull(b.description),
      default: false,
      can_be_default: true,
      writable: boolOrFalse(b.writable),
      index_prefix: b.index_prefix ?? null,
      shards: intOr0(b.shards),
      replicas: intOr0(b.replicas),
      rotation_strategy_class: b.rotation_strategy_class ?? null,
      rotation_strategy: b.rotation_strategy ?? null,
      retention_strategy_class: b.retention_strategy_class ?? null,
      retention_strategy: b.retention_strategy ?? null,
      creation_date: typeof b.creation_date === 'string' ? b.creation_date : now(),
      index_analyzer: b.index_analyzer ?? null,
      index_optimization_max_num_segments: intOr0(b.index_optimization_max_num_segments),
      index_optimization_disabled: boolOrFalse(b.index_optimization_disabled),
      field_type_refresh_interval:
        typeof b.field_type_refresh_interval === 'number' ? b.field_type_refresh_interval : 5000,
      index_template_type: strOrNull(b.index_template_type),
      field_type_profile: strOrNull(b.field_type_profile),
      data_tiering: b.use_legacy_rotation === false ? (b.data_tiering ?? null) : null,
      use_legacy_rotation: b.use_legacy_rotation !== false,
    };
    const prefix = summary.index_prefix;
    if (
      typeof prefix !== 'string' ||
      !INDEX_PREFIX.test(prefix) ||
      Buffer.byteLength(prefix) > 250
    ) {
      throw apiError(400, `index_prefix must match "${INDEX_PREFIX.source}"`);
    }
    if (isBlank(summary.index_analyzer)) throw apiError(400, 'index_analyzer must not be blank');
    validateIndexSetFields({ ...summary, data_tiering: b.data_tiering });
    for (const other of state.indexSets.values()) {
      const existing = String(other.index_prefix);
      if (prefix.startsWith(existing) || existing.startsWith(prefix)) {
        throw apiError(
          400,
          `Index prefix "${prefix}" would conflict with existing index set prefix "${existing}"`,
        );
      }
    }
    summary.id = objectId();
    summary.can_be_default =
      summary.index_template_type === null || summary.index_template_type === 'messages';
    state.indexSets.set(summary.id as string, summary);
    return summary;
  }

  function updateIndexSet(id: string, body: unknown): Json {
    const b = requireObject(body);
    const old = state.indexSets.get(id);
    if (!old) throw apiError(404, `Index set <${id}> not found`);
    const legacy = b.use_legacy_rotation !== false;
    const next: Json = {
      ...old,
      title: b.title ?? null,
      description: strOrNull(b.description),
      writable: boolOrFalse(b.writable),
      shards: intOr0(b.shards),
      replicas: intOr0(b.replicas),
      rotation_strategy_class: b.rotation_strategy_class ?? null,
      rotation_strategy: b.rotation_strategy ?? null,
      retention_strategy_class: b.retention_strategy_class ?? null,
      retention_strategy: b.retention_strategy ?? null,
      index_optimization_max_num_segments: intOr0(b.index_optimization_max_num_segments),
      index_optimization_disabled: boolOrFalse(b.index_optimization_disabled),
      field_type_refresh_interval:
        typeof b.field_type_refresh_interval === 'number'
          ? b.field_type_refresh_interval
          : old.field_type_refresh_interval,
      field_type_profile: strOrNull(b.field_type_profile),
      data_tiering: legacy ? null : (b.data_tiering ?? null),
      use_legacy_rotation: legacy,
    };
    if (old.default === true && next.writable !== true) {
      throw apiError(409, 'Default index set must be writable.');
    }
    validateIndexSetFields({ ...next, data_tiering: b.data_tiering });
    state.indexSets.set(id, next);
    return next;
  }

  // ---- streams -------------------------------------------------------------------------------
  const loadStream = (id: string): Json => {
    const found = state.streams.get(id);
    if (!found) throw apiError(404, `Stream <${id}> not found!`);
    return found;
  };
  const checkNotEditableStream = (id: string, message: string): void => {
    if (NON_EDITABLE_STREAMS.has(id)) throw apiError(400, message);
  };
  const checkIndexSetUsable = (indexSetId: unknown): void => {
    const indexSet = typeof indexSetId === 'string' ? state.indexSets.get(indexSetId) : undefined;
    if (!indexSet) throw apiError(400, 'Assigned index set is not usable');
    if (indexSet.writable !== true) throw apiError(400, 'Assigned index set must be writable!');
    if (indexSet.can_be_default !== true) throw apiError(400, 'Assigned index set is not usable');
  };

  /** CreateStreamRuleRequest -> StreamRule as stored and returned. */
  function buildRule(streamId: string, raw: unknown, id: string): Json {
    const r = requireObject(raw);
    const type = r.type;
    if (!isInt(type) || type < 1 || type > 8) {
      throw apiError(400, `Unknown stream rule type ${show(type)}`);
    }
    if (type !== RULE_ALWAYS_MATCH && type !== RULE_MATCH_INPUT && isBlank(r.field)) {
      throw apiError(400, 'Invalid stream rule: field must not be empty');
    }
    if (type !== RULE_ALWAYS_MATCH && type !== RULE_PRESENCE && isBlank(r.value)) {
      throw apiError(400, 'Invalid stream rule: value must not be empty');
    }
    return {
      field: typeof r.field === 'string' ? r.field : '',
      stream_id: streamId,
      description: strOrNull(r.description),
      id,
      type,
      inverted: boolOrFalse(r.inverted),
      value: typeof r.value === 'string' ? r.value : '',
    };
  }

  function createStream(body: unknown, user: string): { id: string } {
    const b = requireObject(body);
    if (typeof b.title !== 'string' || b.title.trim() === '') {
      throw apiError(400, 'title must not be empty');
    }
    checkIndexSetUsable(b.index_set_id);
    const id = objectId();
    const rawRules = b.rules ?? [];
    if (!Array.isArray(rawRules)) throw apiError(400, 'rules must be an array');
    const rules = rawRules.map((rule) => buildRule(id, rule, objectId()));
    state.streams.set(id, {
      id,
      creator_user_id: user,
      outputs: [],
      matching_type: b.matching_type === 'OR' ? 'OR' : 'AND',
      description: strOrNull(b.description),
      created_at: now(),
      disabled: true,
      rules,
      title: b.title.trim(),
      content_pack: strOrNull(b.content_pack),
      is_default: false,
      remove_matches_from_default_stream: boolOrFalse(b.remove_matches_from_default_stream),
      index_set_id: b.index_set_id,
    });
    return { id };
  }

  function updateStream(id: string, body: unknown): Json {
    const b = requireObject(body);
    checkNotEditableStream(id, 'The stream cannot be edited.');
    const next = { ...loadStream(id) };
    if (typeof b.title === 'string' && b.title !== '') next.title = b.title.trim();
    if (typeof b.description === 'string' && b.description !== '') next.description = b.description;
    if (b.matching_type !== undefined && b.matching_type !== null) {
      if (b.matching_type !== 'AND' && b.matching_type !== 'OR') {
        throw apiError(
          400,
          `Invalid matching type '${show(b.matching_type)}' specified. Should be one of: [AND, OR]`,
        );
      }
      next.matching_type = b.matching_type;
    }
    if (typeof b.remove_matches_from_default_stream === 'boolean') {
      next.remove_matches_from_default_stream = b.remove_matches_from_default_stream;
    }
    if (typeof b.index_set_id === 'string' && b.index_set_id !== '')
      next.index_set_id = b.index_set_id;
    const indexSet = state.indexSets.get(String(next.index_set_id));
    if (!indexSet) {
      throw apiError(400, `Index set with ID <${String(next.index_set_id)}> does not exist!`);
    }
    checkIndexSetUsable(next.index_set_id);
    state.streams.set(id, next);
    return next;
  }

  // ---- inputs --------------------------------------------------------------------------------
  function buildInput(body: unknown, user: string, existing?: Json): Json {
    const b = requireObject(body);
    const type = b.type;
    const descriptor = typeof type === 'string' ? INPUT_TYPES[type] : undefined;
    if (!descriptor) throw apiError(404, 'There is no such input type registered.');
    const config = b.configuration;
    const invalid = (): HttpError => apiError(400, 'Missing or invalid input configuration.');
    if (!isObject(config)) throw invalid();
    if (isBlank(config.bind_address)) throw invalid();
    if (!isInt(config.port) || config.port < 1 || config.port > 65535) throw invalid();
    // With tls_enable and no cert/key files Graylog generates a self-signed certificate, so
    // empty paths are not an error.
    if (isBlank(b.title)) throw apiError(400, 'title must not be blank');
    const global = boolOrFalse(b.global);
    return {
      title: b.title,
      global,
      name: descriptor.name,
      content_pack: existing?.content_pack ?? null,
      id: existing?.id ?? objectId(),
      created_at: existing?.created_at ?? now(),
      type,
      creator_user_id: existing?.creator_user_id ?? user,
      attributes: clone(config),
      static_fields: existing?.static_fields ?? {},
      node: global ? null : strOrNull(b.node),
    };
  }

  // ---- event definitions ---------------------------------------------------------------------
  function checkExpression(expr: unknown, seriesIds: Set<string>, v: Validation): void {
    if (expr === null || expr === undefined) return;
    if (!isObject(expr) || typeof expr.expr !== 'string' || !EXPR_TYPES.has(expr.expr)) {
      throw apiError(
        400,
        `Could not resolve type id '${show(isObject(expr) ? expr.expr : expr)}' as a subtype of Expression`,
      );
    }
    switch (expr.expr) {
      case 'number-ref':
        if (typeof expr.ref !== 'string' || !seriesIds.has(expr.ref)) {
          v.add('conditions', `Condition refers to unknown series <${show(expr.ref)}>`);
        }
        return;
      case 'number':
        if (typeof expr.value !== 'number') v.add('conditions', 'Number expression needs a value');
        return;
      case 'true':
        return;
      case '!':
        checkExpression(expr.left, seriesIds, v);
        return;
      case 'group':
        checkExpression(expr.child, seriesIds, v);
        return;
      default:
        checkExpression(expr.left, seriesIds, v);
        checkExpression(expr.right, seriesIds, v);
    }
  }

  /** Deserializes and validates an EventDefinitionDto the way the resource does. */
  function buildEventDefinition(body: unknown, old: Json | undefined, pathId?: string): Json {
    const b = requireObject(body);
    // AutoValue builders reject missing required properties while Jackson deserializes: 400 ApiError.
    const missing = [
      ['title', b.title],
      ['description', b.description],
      ['config', b.config],
      ['keySpec', b.key_spec],
      ['notificationSettings', b.notification_settings],
    ]
      .filter(([, value]) => value === undefined || value === null)
      .map(([name]) => name as string);
    if (missing.length > 0)
      throw apiError(400, `Missing required properties: ${missing.join(' ')}`);
    if (typeof b.title !== 'string' || typeof b.description !== 'string') {
      throw apiError(400, 'title and description must be strings');
    }
    if (!isObject(b.config)) throw apiError(400, 'config must be an object');
    if (!Array.isArray(b.key_spec)) throw apiError(400, 'key_spec must be an array');
    if (!isObject(b.notification_settings))
      throw apiError(400, 'notification_settings must be an object');
    const fieldSpec = b.field_spec ?? {};
    if (!isObject(fieldSpec)) throw apiError(400, 'field_spec must be an object');
    const notifications = b.notifications ?? [];
    if (!Array.isArray(notifications) || !notifications.every(isObject)) {
      throw apiError(400, 'notifications must be an array of objects');
    }
    const storage = b.storage ?? [];
    if (!Array.isArray(storage) || !storage.every(isObject)) {
      throw apiError(400, 'storage must be an array of objects');
    }

    const v = new Validation();
    // EventDefinitionDto.validate()
    if (b.title === '') v.add('title', 'Event Definition title cannot be empty.');
    const c = b.config;
    let config: Json = clone(c);
    if (c.type !== 'aggregation-v1') {
      v.add('config', 'Event Definition config type cannot be empty.');
    } else {
      const series = c.series ?? [];
      if (!Array.isArray(series)) throw apiError(400, 'config.series must be an array');
      const normalizedSeries = series.map((raw: unknown) => {
        if (!isObject(raw) || typeof raw.type !== 'string' || !SERIES_TYPES.has(raw.type)) {
          throw apiError(
            400,
            `Could not resolve type id '${show(isObject(raw) ? raw.type : raw)}' as a subtype of SeriesSpec`,
          );
        }
        if (raw.type !== 'count' && isBlank(raw.field)) {
          throw apiError(400, `Missing required properties: field (series type ${raw.type})`);
        }
        const field = typeof raw.field === 'string' ? raw.field : null;
        return {
          ...raw,
          type: raw.type,
          id: typeof raw.id === 'string' ? raw.id : `${raw.type}(${field ?? ''})`,
          field,
        };
      });
      const groupBy = c.group_by ?? [];
      if (!Array.isArray(groupBy)) throw apiError(400, 'config.group_by must be an array');
      const conditions = c.conditions ?? null;
      if (conditions !== null && !isObject(conditions)) {
        throw apiError(400, 'config.conditions must be an object');
      }
      const expression = conditions?.expression ?? null;
      const conditionsEmpty = expression === null;
      // AggregationEventProcessorConfig.validate()
      if (intOr0(c.search_within_ms) <= 0) {
        v.add('search_within_ms', 'Filter & Aggregation search_within_ms must be greater than 0.');
      }
      if (intOr0(c.execute_every_ms) <= 0) {
        v.add('execute_every_ms', 'Filter & Aggregation execute_every_ms must be greater than 0.');
      }
      if (groupBy.length > 0 && (normalizedSeries.length === 0 || conditionsEmpty)) {
        v.add('series', 'Aggregation with group_by must also contain series');
        v.add('conditions', 'Aggregation with group_by must also contain conditions');
      }
      if (normalizedSeries.length === 0 && !conditionsEmpty) {
        v.add('series', 'Aggregation with conditions must also contain series');
      }
      if (normalizedSeries.length > 0 && conditionsEmpty) {
        v.add('conditions', 'Aggregation with series must also contain conditions');
      }
      checkExpression(expression, new Set(normalizedSeries.map((s) => String(s.id))), v);
      // AggregationEventProcessorConfig.validate(oldConfig, eventDefinitionConfiguration)
      const eventLimit = intOr0(c.event_limit);
      if (normalizedSeries.length === 0) {
        const oldConfig = old?.config as Json | undefined;
        const oldSeries = Array.isArray(oldConfig?.series) ? oldConfig.series : [];
        const enforce =
          oldConfig === undefined ||
          oldConfig.type !== 'aggregation-v1' ||
          oldSeries.length > 0 ||
          intOr0(oldConfig.event_limit) !== 0;
        if (enforce && eventLimit <= 0) v.add('event_limit', 'Event limit must be greater than 0.');
      }
      if (eventLimit > MAX_EVENT_LIMIT) {
        v.add('event_limit', `Event limit must be less than ${MAX_EVENT_LIMIT}.`);
      }
      const streams = c.streams ?? [];
      if (!Array.isArray(streams)) throw apiError(400, 'config.streams must be an array');
      for (const stream of streams) {
        if (typeof stream !== 'string' || !state.streams.has(stream)) {
          v.add('streams', `Stream <${show(stream)}> doesn't exist`);
        }
      }
      config = {
        type: 'aggregation-v1',
        query: typeof c.query === 'string' ? c.query : '',
        query_parameters: Array.isArray(c.query_parameters) ? clone(c.query_parameters) : [],
        filters: Array.isArray(c.filters) ? clone(c.filters) : [],
        streams: [...(streams as string[])],
        group_by: clone(groupBy),
        series: clone(normalizedSeries),
        conditions: clone(conditions),
        search_within_ms: intOr0(c.search_within_ms),
        execute_every_ms: intOr0(c.execute_every_ms),
        use_cron_scheduling: boolOrFalse(c.use_cron_scheduling),
        cron_expression: strOrNull(c.cron_expression),
        cron_timezone: strOrNull(c.cron_timezone),
        event_limit: eventLimit,
      };
    }
    for (const name of Object.keys(fieldSpec)) {
      if (!/^[\w.\-@]+$/.test(name)) {
        v.add('field_spec', `Event Definition field_spec contains invalid message field "${name}"`);
      }
    }
    if (b.key_spec.some((key: unknown) => typeof key !== 'string' || !(key in fieldSpec))) {
      v.add('key_spec', 'Event Definition key_spec can only contain fields defined in field_spec.');
    }
    const priority = intOr0(b.priority);
    if (priority < 1 || priority > 4) v.add('priority', 'Priority must be between 1 and 4.');
    for (const n of notifications) {
      const nid = n.notification_id;
      if (typeof nid !== 'string' || !state.notifications.has(nid)) {
        v.add('notifications', `Notification <${show(nid)}> doesn't exist`);
      }
    }
    if (pathId !== undefined && b.id !== pathId) v.add('id', "Event definition IDs don't match");
    if (v.failed) throw v.toError();

    const ns = b.notification_settings;
    const dto: Json = {
      id: null,
      _scope: 'DEFAULT',
      title: b.title,
      description: b.description,
      ...(typeof b.remediation_steps === 'string'
        ? { remediation_steps: b.remediation_steps }
        : {}),
      updated_at: now(),
      matched_at: old?.matched_at ?? null,
      priority,
      alert: boolOrFalse(b.alert),
      config,
      field_spec: clone(fieldSpec),
      key_spec: [...(b.key_spec as string[])],
      notification_settings: {
        grace_period_ms: intOr0(ns.grace_period_ms),
        backlog_size: intOr0(ns.backlog_size),
      },
      notifications: notifications.map((n) => ({
        notification_id: n.notification_id,
        notification_parameters: n.notification_parameters ?? null,
      })),
      storage: [
        ...storage.filter((s) => s.type !== PERSIST_TO_STREAMS).map((s) => clone(s)),
        { type: PERSIST_TO_STREAMS, streams: [DEFAULT_EVENTS_STREAM_ID] },
      ],
      state: 'DISABLED',
      ...(isObject(b.event_procedure) || typeof b.event_procedure === 'string'
        ? { event_procedure: clone(b.event_procedure) }
        : {}),
      ...(typeof b.event_summary_template === 'string' && b.event_summary_template !== ''
        ? { event_summary_template: b.event_summary_template }
        : {}),
    };
    return dto;
  }

  const loadEventDefinition = (id: string): Json => {
    const found = state.eventDefinitions.get(id);
    if (!found) throw apiError(404, `Event definition <${id}> doesn't exist`);
    return found;
  };
  const scheduleParam = (query: URLSearchParams): boolean =>
    (query.get('schedule') ?? 'true').toLowerCase() !== 'false';

  // ---- routing -------------------------------------------------------------------------------
  interface Ctx {
    readonly method: string;
    readonly segments: string[];
    readonly query: URLSearchParams;
    readonly body: unknown;
    readonly user: string;
  }
  interface Result {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
  }
  const ok = (body: unknown, status = 200): Result => ({ status, body: clone(body) });
  const noContent: Result = { status: 204 };
  const created = (location: string, body: unknown): Result => ({
    status: 201,
    body,
    headers: { Location: `${base}${location}` },
  });

  /** Returns a handler per method for a path, or undefined when no resource matches the path. */
  function route(segs: string[]): Partial<Record<string, (ctx: Ctx) => Result>> | undefined {
    const [a, b, c, d] = segs;
    const n = segs.length;
    // /system/indices/index_sets
    if (a === 'system' && b === 'indices' && c === 'index_sets') {
      if (n === 3) {
        return {
          GET: ({ query }) => {
            const all = [...state.indexSets.values()];
            const skip = Number.parseInt(query.get('skip') ?? '0', 10) || 0;
            const limit = Number.parseInt(query.get('limit') ?? '0', 10) || 0;
            const page = limit > 0 ? all.slice(skip, skip + limit) : all.slice(skip);
            return ok({ total: all.length, index_sets: page, stats: {} });
          },
          POST: ({ body }) => ok(createIndexSet(body)),
        };
      }
      if (n === 4 && d !== undefined) {
        return {
          GET: () => ok(loadIndexSet(d)),
          PUT: ({ body }) => ok(updateIndexSet(d, body)),
          DELETE: () => {
            const set = state.indexSets.get(d);
            if (!set) throw apiError(404, `Index set <${d}> not found`);
            if (set.default === true)
              throw apiError(400, `Default index set <${d}> cannot be deleted!`);
            state.indexSets.delete(d);
            return noContent;
          },
        };
      }
      return undefined;
    }
    // /streams
    if (a === 'streams') {
      if (n === 1) {
        return {
          GET: () => {
            const streams = [...state.streams.values()];
            return ok({ total: streams.length, streams });
          },
          POST: ({ body, user }) => {
            const { id } = createStream(body, user);
            return created(`/streams/${id}`, { stream_id: id });
          },
        };
      }
      const sid = b;
      if (n === 2) {
        return {
          GET: () => ok(loadStream(sid)),
          PUT: ({ body }) => ok(updateStream(sid, body)),
          DELETE: () => {
            checkNotEditableStream(sid, 'The stream cannot be deleted.');
            loadStream(sid);
            state.streams.delete(sid);
            return noContent;
          },
        };
      }
      if (n === 3 && (c === 'pause' || c === 'resume')) {
        return {
          POST: () => {
            checkNotEditableStream(
              sid,
              `The stream cannot be ${c === 'pause' ? 'paused' : 'resumed'}.`,
            );
            const stream = loadStream(sid);
            state.streams.set(sid, { ...stream, disabled: c === 'pause' });
            return noContent;
          },
        };
      }
      if (c === 'rules' && n === 3) {
        return {
          GET: () => {
            const rules = loadStream(sid).rules as Json[];
            return ok({ total: rules.length, stream_rules: rules });
          },
          POST: ({ body }) => {
            checkNotEditableStream(sid, 'The stream cannot be edited.');
            const stream = loadStream(sid);
            const rule = buildRule(sid, body, objectId());
            state.streams.set(sid, { ...stream, rules: [...(stream.rules as Json[]), rule] });
            return created(`/streams/${sid}/rules/${String(rule.id)}`, { streamrule_id: rule.id });
          },
        };
      }
      if (c === 'rules' && n === 4) {
        const rid = d;
        const findRule = (): { stream: Json; rules: Json[]; index: number } => {
          const stream = loadStream(sid);
          const rules = stream.rules as Json[];
          const index = rules.findIndex((r) => r.id === rid);
          if (index < 0) throw apiError(404, `Stream rule <${rid}> not found!`);
          return { stream, rules, index };
        };
        return {
          GET: () => {
            const { rules, index } = findRule();
            return ok(rules[index]);
          },
          PUT: ({ body }) => {
            checkNotEditableStream(sid, 'The stream cannot be edited.');
            const { stream, rules, index } = findRule();
            const next = [...rules];
            next[index] = buildRule(sid, body, rid);
            state.streams.set(sid, { ...stream, rules: next });
            return ok({ streamrule_id: rid });
          },
          DELETE: () => {
            checkNotEditableStream(sid, 'The stream cannot be edited.');
            const { stream, rules, index } = findRule();
            state.streams.set(sid, { ...stream, rules: rules.filter((_, i) => i !== index) });
            return noContent;
          },
        };
      }
      return undefined;
    }
    // /system/inputs
    if (a === 'system' && b === 'inputs') {
      if (n === 2) {
        return {
          GET: () => {
            const inputs = [...state.inputs.values()];
            return ok({ inputs, total: inputs.length });
          },
          POST: ({ body, user }) => {
            const input = buildInput(body, user);
            state.inputs.set(String(input.id), input);
            return created(`/system/inputs/${String(input.id)}`, { id: input.id });
          },
        };
      }
      if (n === 3) {
        const iid = c;
        const load = (): Json => {
          const found = state.inputs.get(iid);
          if (!found) throw apiError(404, `Couldn't find input ${iid}`);
          return found;
        };
        return {
          GET: () => ok(load()),
          PUT: ({ body, user }) => {
            const input = buildInput(body, user, load());
            state.inputs.set(iid, input);
            return created(`/system/inputs/${iid}`, { id: iid });
          },
          DELETE: () => {
            load();
            state.inputs.delete(iid);
            return noContent;
          },
        };
      }
      return undefined;
    }
    // /events/notifications, /events/definitions
    if (a === 'events' && b === 'notifications') {
      if (n === 2) {
        return {
          GET: ({ query }) => {
            const q = query.get('query') ?? '';
            const all = [...state.notifications.values()].sort(byTitle);
            const matching = all.filter((x) => matchesQuery(x.title, q));
            const { page, perPage, slice } = paginate(matching, query);
            return ok({
              total: matching.length,
              page,
              per_page: perPage,
              count: slice.length,
              notifications: slice,
              query: q,
              grand_total: all.length,
            });
          },
        };
      }
      if (n === 3) {
        return {
          GET: () => {
            const found = state.notifications.get(c);
            if (!found) throw apiError(404, `Notification ${c} doesn't exist`);
            return ok(found);
          },
        };
      }
      return undefined;
    }
    if (a === 'events' && b === 'definitions') {
      if (n === 2) {
        return {
          GET: ({ query }) => {
            const q = query.get('query') ?? '';
            const all = [...state.eventDefinitions.values()].sort(byTitle);
            const matching = all.filter((x) => matchesQuery(x.title, q));
            const { page, perPage, slice } = paginate(matching, query);
            const scheduler: Json = {};
            const notifications: Json = {};
            for (const def of slice) {
              scheduler[String(def.id)] = { is_scheduled: def.state === 'ENABLED' };
              for (const ref of def.notifications as Json[]) {
                const notification = state.notifications.get(String(ref.notification_id));
                if (notification) {
                  notifications[String(notification.id)] = {
                    id: notification.id,
                    title: notification.title,
                  };
                }
              }
            }
            return ok({
              total: matching.length,
              page,
              per_page: perPage,
              count: slice.length,
              event_definitions: slice,
              query: q,
              grand_total: all.length,
              context: { scheduler, notifications },
            });
          },
          POST: ({ body, query }) => {
            const dto = buildEventDefinition(body, undefined);
            dto.id = objectId();
            dto.state = scheduleParam(query) ? 'ENABLED' : 'DISABLED';
            state.eventDefinitions.set(String(dto.id), dto);
            return ok(dto);
          },
        };
      }
      if (n === 3) {
        const did = c;
        return {
          GET: () => ok(loadEventDefinition(did)),
          PUT: ({ body, query }) => {
            const old = loadEventDefinition(did);
            const dto = buildEventDefinition(body, old, did);
            dto.id = did;
            dto.state = scheduleParam(query) ? 'ENABLED' : 'DISABLED';
            state.eventDefinitions.set(did, dto);
            return ok(dto);
          },
          DELETE: () => {
            const found = state.eventDefinitions.get(did);
            state.eventDefinitions.delete(did);
            return found ? ok(found) : noContent;
          },
        };
      }
      if (n === 4 && (d === 'schedule' || d === 'unschedule')) {
        return {
          PUT: () => {
            const found = state.eventDefinitions.get(c);
            if (!found) {
              throw apiError(
                400,
                `Unable to find event definition '${c}' to ${d === 'schedule' ? 'enable' : 'disable'}`,
              );
            }
            const next = { ...found, state: d === 'schedule' ? 'ENABLED' : 'DISABLED' };
            state.eventDefinitions.set(c, next);
            return ok(next);
          },
        };
      }
      return undefined;
    }
    return undefined;
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------
  function authenticate(header: string | undefined): string | undefined {
    const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const name = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (secret === 'token' && tokens.has(name)) return tokenOwner;
    return Object.hasOwn(users, name) && users[name] === secret ? name : undefined;
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', 'http://localhost');
    const text = await readBody(req);
    let body: unknown = undefined;
    let badJson: string | undefined;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch (error) {
        body = text;
        badJson = (error as Error).message;
      }
    }

    let result: Result;
    try {
      result = dispatch(method, parsed, req, body, badJson);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      result = { status: error.status, body: error.body };
    }
    requests.push({
      method,
      path: parsed.pathname,
      query: parsed.search.replace(/^\?/, ''),
      status: result.status,
      body,
    });
    const headers: Record<string, string> = { ...result.headers };
    if (result.status === 401) headers['WWW-Authenticate'] = 'Basic realm="Graylog Server"';
    if (result.body === undefined) {
      res.writeHead(result.status, headers).end();
      return;
    }
    const payload = JSON.stringify(result.body);
    res
      .writeHead(result.status, {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(payload)),
      })
      .end(payload);
  }

  function dispatch(
    method: string,
    url: URL,
    req: IncomingMessage,
    body: unknown,
    badJson: string | undefined,
  ): Result {
    const user = authenticate(req.headers.authorization);
    if (user === undefined) return { status: 401 };
    const mutating =
      method === 'POST' || method === 'PUT' || method === 'DELETE' || method === 'PATCH';
    if (
      mutating &&
      req.headers['x-requested-by'] === undefined &&
      req.headers['x-graylog-collector-version'] === undefined
    ) {
      throw apiError(
        400,
        'CSRF protection header is missing. Please add a "X-Requested-By" header to your request.',
      );
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/api/')) throw apiError(404, 'HTTP 404 Not Found');
    const segments = path
      .slice('/api/'.length)
      .split('/')
      .map((s) => decodeURIComponent(s));
    const handlers = route(segments);
    if (!handlers) throw apiError(404, 'HTTP 404 Not Found');
    const handler = handlers[method];
    if (!handler) throw apiError(405, 'HTTP 405 Method Not Allowed');
    if (body !== undefined) {
      const type = req.headers['content-type'];
      if (type !== undefined && !/^application\/json\b/i.test(type)) {
        throw apiError(415, 'HTTP 415 Unsupported Media Type');
      }
      if (badJson !== undefined) throw apiError(400, `Unable to parse JSON: ${badJson}`);
    }
    return handler({ method, segments, query: url.searchParams, body, user });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
      }
      res.end(JSON.stringify({ type: 'ApiError', message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/api`;

  return {
    url: base,
    requests,
    state,
    writes: () =>
      requests.filter((r) => r.method !== 'GET' && r.status >= 200 && r.status < 300).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
