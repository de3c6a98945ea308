/**
 * The Graylog objects setup manages, as the request bodies Graylog's REST API takes: the index
 * set (daily rotation, deletion after the retention), the stream routed by `environment`, the
 * GELF inputs and one Filter & Aggregation (`aggregation-v1`) event definition per core alert.
 */
import type { AlertDefinition } from '@lms-logging/core';
import type { GelfInputWish } from './env.js';
import { filterToGraylogQuery, graylogFieldName } from './query.js';

const ROTATION = 'org.graylog2.indexer.rotation.strategies.TimeBasedRotationStrategy';
const RETENTION = 'org.graylog2.indexer.retention.strategies.DeletionRetentionStrategy';
/** Stream rule type 1 (`StreamRuleType.EXACT`). */
export const STREAM_RULE_EXACT = 1;

export type JsonBody = Record<string, unknown>;

export interface IndexSetWish {
  readonly title: string;
  readonly prefix: string;
  readonly retentionDays: number;
  readonly shards: number;
  readonly replicas: number;
}

/**
 * Legacy (time-based) rotation: Graylog 5 knows nothing else, and Graylog 6 keeps it when
 * `use_legacy_rotation` is true. One index a day, so keeping `retentionDays` indices deletes
 * what is older than the retention.
 */
export function indexSetBody(wish: IndexSetWish): JsonBody {
  return {
    title: wish.title,
    description: 'LMS logs (managed by lms-logging)',
    index_prefix: wish.prefix,
    shards: wish.shards,
    replicas: wish.replicas,
    writable: true,
    rotation_strategy_class: ROTATION,
    rotation_strategy: {
      type: `${ROTATION}Config`,
      rotation_period: 'P1D',
      max_rotation_period: null,
      rotate_empty_index_set: false,
    },
    retention_strategy_class: RETENTION,
    retention_strategy: {
      type: `${RETENTION}Config`,
      max_number_of_indices: wish.retentionDays,
    },
    index_analyzer: 'standard',
    index_optimization_max_num_segments: 1,
    index_optimization_disabled: false,
    field_type_refresh_interval: 5000,
    use_legacy_rotation: true,
  };
}

/** The fields an index set update may change (Graylog keeps prefix and analyzer as created). */
export function indexSetUpdateBody(wish: IndexSetWish): JsonBody {
  const { index_prefix: _prefix, index_analyzer: _analyzer, ...rest } = indexSetBody(wish);
  return rest;
}

export interface StreamWish {
  readonly title: string;
  readonly environment: string;
}

export function streamRule(environment: string): JsonBody {
  return {
    field: 'environment',
    type: STREAM_RULE_EXACT,
    value: environment,
    inverted: false,
    description: 'records of this environment (managed by lms-logging)',
  };
}

export function streamBody(wish: StreamWish, indexSetId: string): JsonBody {
  return {
    title: wish.title,
    description: `LMS logs of environment ${wish.environment} (managed by lms-logging)`,
    matching_type: 'AND',
    remove_matches_from_default_stream: true,
    index_set_id: indexSetId,
  };
}

const INPUT_TYPES = {
  udp: { type: 'org.graylog2.inputs.gelf.udp.GELFUDPInput', label: 'UDP' },
  tcp: { type: 'org.graylog2.inputs.gelf.tcp.GELFTCPInput', label: 'TCP' },
  tls: { type: 'org.graylog2.inputs.gelf.tcp.GELFTCPInput', label: 'TLS' },
  http: { type: 'org.graylog2.inputs.gelf.http.GELFHttpInput', label: 'HTTP' },
} as const;

export function inputTitle(wish: GelfInputWish): string {
  return `LMS GELF ${INPUT_TYPES[wish.protocol].label} ${wish.port}`;
}

export function inputBody(
  wish: GelfInputWish,
  tls?: { readonly certFile: string; readonly keyFile: string },
): JsonBody {
  const configuration: JsonBody = { bind_address: '0.0.0.0', port: wish.port };
  if (wish.protocol === 'udp') {
    configuration['recv_buffer_size'] = 262_144;
  } else {
    configuration['recv_buffer_size'] = 1_048_576;
    configuration['tcp_keepalive'] = false;
    configuration['tls_enable'] = wish.protocol === 'tls';
    if (wish.protocol === 'tls' && tls) {
      configuration['tls_cert_file'] = tls.certFile;
      configuration['tls_key_file'] = tls.keyFile;
    }
    // Our TCP/TLS framing is the null byte.
    if (wish.protocol !== 'http') configuration['use_null_delimiter'] = true;
  }
  return {
    title: inputTitle(wish),
    type: INPUT_TYPES[wish.protocol].type,
    global: true,
    configuration,
    node: null,
  };
}

const PRIORITY = { critical: 3, warning: 2 } as const;
const MINUTE_MS = 60_000;
export const COUNT_SERIES_ID = 'lms-count';
export const MAX_SERIES_ID = 'lms-max';

export function eventDefinitionTitle(environment: string, alert: AlertDefinition): string {
  return `LMS ${environment}: ${alert.title}`;
}

export interface EventDefinitionContext {
  readonly environment: string;
  readonly streamId: string;
  readonly notificationId?: string;
}

/** The query and series of an alert; warnings say where Graylog's syntax is narrower. */
export function alertSearch(alert: AlertDefinition): {
  readonly query: string;
  readonly series: JsonBody;
  readonly warnings: readonly string[];
} {
  if (alert.kind === 'log-count') {
    const { query, warnings } = filterToGraylogQuery(alert.filter);
    return { query, series: { id: COUNT_SERIES_ID, type: 'count' }, warnings };
  }
  const field = graylogFieldName(alert.field ?? alert.metric);
  return {
    query: `_exists_:${field}`,
    series: { id: MAX_SERIES_ID, type: 'max', field },
    warnings: [],
  };
}

/**
 * One event definition: searches the stream over the alert's window every minute and fires
 * when the count (or, for low disk, the highest value per `source`) crosses the threshold.
 */
export function eventDefinitionBody(
  alert: AlertDefinition,
  context: EventDefinitionContext,
): JsonBody {
  const { query, series } = alertSearch(alert);
  const groupBy =
    alert.groupBy?.map(graylogFieldName) ?? (alert.kind === 'metric' ? ['source'] : []);
  const windowMs = alert.windowMinutes * MINUTE_MS;
  return {
    title: eventDefinitionTitle(context.environment, alert),
    description: `${alert.description} (managed by lms-logging; alert ${alert.id})`,
    priority: PRIORITY[alert.severity],
    alert: true,
    config: {
      type: 'aggregation-v1',
      query,
      query_parameters: [],
      streams: [context.streamId],
      group_by: groupBy,
      series: [series],
      conditions: {
        expression: {
          expr: alert.comparator,
          left: { expr: 'number-ref', ref: series['id'] },
          right: { expr: 'number', value: alert.threshold },
        },
      },
      search_within_ms: windowMs,
      execute_every_ms: MINUTE_MS,
    },
    field_spec: {},
    key_spec: [],
    notification_settings: { grace_period_ms: windowMs, backlog_size: 5 },
    notifications:
      context.notificationId === undefined
        ? []
        : [{ notification_id: context.notificationId, notification_parameters: null }],
  };
}
