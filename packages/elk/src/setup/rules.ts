/**
 * The core alert model as Kibana `.es-query` rules (Stack Management > Rules).
 *
 * Each log-count alert becomes a rule counting the documents its filter matches
 * (filter-to-es-query.ts) in the last `windowMinutes`, checked every minute, firing when the count
 * `>=` the threshold. `size: 0` (only the count matters) and `excludeHitsFromPreviousRun: false`:
 * with the default `true`, documents counted by the previous run would be left out, and a
 * sliding-window count ("50 errors within 5 minutes") would become a count of new documents,
 * which is not what the core evaluator computes.
 *
 * The low-disk metric alert reads filesystem usage documents: Metricbeat / Elastic Agent's
 * `system.filesystem.used.pct` (a 0-1 ratio, hence threshold / 100) in `metrics-*` and
 * `metricbeat-*` by default, or, when the alert names a record `field` holding the percentage,
 * that field in the log indices. It fires when at least one document in the window is over the
 * threshold, per host where Kibana can group (8.10+).
 *
 * Ids are deterministic UUIDs (Kibana requires UUIDs for caller-chosen rule and connector ids),
 * derived from space, target and alert id, so a second apply finds and compares its rules.
 */
import type { AlertDefinition, LogCountAlert, MetricAlert, Schema } from '@lms-logging/core';
import { filterToEsQuery } from './filter-to-es-query.js';
import { deterministicUuid } from './ids.js';
import { exactFieldFor } from './mappings.js';
import { versionParts } from './search-api.js';

export const RULE_TYPE_ID = '.es-query';
export const DEFAULT_CONSUMER = 'alerts';
export const ES_QUERY_ACTION_GROUP = 'query matched';
export const DEFAULT_DISK_INDICES: readonly string[] = ['metrics-*', 'metricbeat-*'];
export const DISK_USED_RATIO_FIELD = 'system.filesystem.used.pct';
export const SUPPORTED_CONNECTOR_TYPES = ['.server-log', '.index', '.email', '.webhook'] as const;

export interface ConnectorRef {
  readonly id: string;
  readonly typeId: string;
}

export interface RuleBuildOptions {
  /** Index pattern the log rules query (`lms-logs-*` or the data stream). */
  readonly indexPattern: string;
  readonly schema: Schema;
  readonly connector: ConnectorRef;
  /** Identifies this setup's rules (space and target): part of every rule id. */
  readonly scope: string;
  /** Index patterns of filesystem usage documents for the low-disk rule. */
  readonly diskIndices?: readonly string[];
  /** Rule consumer. Default `alerts` (Stack Management rules). */
  readonly consumer?: string;
  /** Recipients when the connector is an `.email` connector. */
  readonly emailTo?: readonly string[];
  /** Kibana's version: decides which params and action shapes it accepts ('' = newest). */
  readonly kibanaVersion?: string;
}

export interface RuleSpec {
  /** The alert model's id (`error-rate`, ...). */
  readonly alertId: string;
  readonly ruleId: string;
  readonly enabled: boolean;
  /** Body for `POST /api/alerting/rule/<id>`. */
  readonly create: Record<string, unknown>;
  /** Body for `PUT /api/alerting/rule/<id>` (no rule_type_id, consumer or enabled). */
  readonly update: Record<string, unknown>;
}

export function ruleIdFor(scope: string, alertId: string): string {
  return deterministicUuid(`rule:${scope}:${alertId}`);
}

/** Kibana features by version; unknown versions get the newest shapes. */
function features(version: string | undefined): {
  actionFrequency: boolean;
  grouping: boolean;
  searchType: boolean;
} {
  const [major, minor] = versionParts(version ?? '');
  const atLeast = (m: number, n: number): boolean =>
    major === 0 || major > m || (major === m && minor >= n);
  return {
    // Per-action `frequency` replaced rule-level `notify_when` in 8.6.
    actionFrequency: atLeast(8, 6),
    // `groupBy: top` / `termField` for the ES query rule came with 8.10.
    grouping: atLeast(8, 10),
    // `searchType` and `excludeHitsFromPreviousRun` exist from 8.5 (8.4's rule ignored neither).
    searchType: atLeast(8, 5),
  };
}

export function buildRuleSpecs(
  definitions: readonly AlertDefinition[],
  options: RuleBuildOptions,
): RuleSpec[] {
  return definitions.map((definition) => buildRuleSpec(definition, options));
}

export function buildRuleSpec(definition: AlertDefinition, options: RuleBuildOptions): RuleSpec {
  const feature = features(options.kibanaVersion);
  const query =
    definition.kind === 'log-count'
      ? logCountQuery(definition, options)
      : diskQuery(definition, options);
  const threshold = definition.kind === 'log-count' ? definition.threshold : 1;
  const comparator = definition.kind === 'log-count' ? definition.comparator : '>=';
  const groupFields = groupFieldsOf(definition, options);
  const params: Record<string, unknown> = {
    ...(feature.searchType ? { searchType: 'esQuery' } : {}),
    esQuery: JSON.stringify({ query: query.query }),
    index: [...query.index],
    timeField: '@timestamp',
    threshold: [threshold],
    thresholdComparator: comparator,
    timeWindowSize: definition.windowMinutes,
    timeWindowUnit: 'm',
    size: 0,
    ...(feature.searchType ? { excludeHitsFromPreviousRun: false } : {}),
    ...(feature.grouping && groupFields.length > 0
      ? {
          aggType: 'count',
          groupBy: 'top',
          termField: groupFields.length === 1 ? groupFields[0] : groupFields,
          termSize: 100,
        }
      : {}),
  };
  const action = {
    id: options.connector.id,
    group: ES_QUERY_ACTION_GROUP,
    params: actionParams(definition, options),
    ...(feature.actionFrequency
      ? { frequency: { summary: false, notify_when: 'onActionGroupChange', throttle: null } }
      : {}),
  };
  const common = {
    name: `LMS: ${definition.title} (${options.indexPattern})`,
    tags: ['lms-logging', `lms-alert:${definition.id}`, `severity:${definition.severity}`],
    schedule: { interval: '1m' },
    params,
    actions: [action],
    ...(feature.actionFrequency ? {} : { notify_when: 'onActionGroupChange', throttle: null }),
  };
  return {
    alertId: definition.id,
    ruleId: ruleIdFor(options.scope, definition.id),
    enabled: definition.enabled,
    create: {
      ...common,
      rule_type_id: RULE_TYPE_ID,
      consumer: options.consumer ?? DEFAULT_CONSUMER,
      enabled: true,
    },
    update: common,
  };
}

function logCountQuery(
  definition: LogCountAlert,
  options: RuleBuildOptions,
): { query: Record<string, unknown>; index: readonly string[] } {
  return {
    query: filterToEsQuery(definition.filter, {
      exactField: (field) => exactFieldFor(options.schema, field),
    }),
    index: [options.indexPattern],
  };
}

function diskQuery(
  definition: MetricAlert,
  options: RuleBuildOptions,
): { query: Record<string, unknown>; index: readonly string[] } {
  const op = definition.comparator === '>=' ? 'gte' : 'gt';
  if (definition.field !== undefined) {
    return {
      query: { range: { [definition.field]: { [op]: definition.threshold } } },
      index: [options.indexPattern],
    };
  }
  return {
    query: { range: { [DISK_USED_RATIO_FIELD]: { [op]: definition.threshold / 100 } } },
    index: options.diskIndices ?? DEFAULT_DISK_INDICES,
  };
}

function groupFieldsOf(definition: AlertDefinition, options: RuleBuildOptions): string[] {
  return (definition.groupBy ?? []).map((field) => exactFieldFor(options.schema, field));
}

function actionParams(
  definition: AlertDefinition,
  options: RuleBuildOptions,
): Record<string, unknown> {
  const summary = `[${definition.severity}] ${definition.title}: ${definition.description}`;
  const message = `${summary}\n{{context.message}}`;
  switch (options.connector.typeId) {
    case '.server-log':
      return { level: definition.severity === 'critical' ? 'error' : 'warn', message };
    case '.index':
      return {
        documents: [
          {
            '@timestamp': '{{context.date}}',
            rule_id: '{{rule.id}}',
            rule_name: '{{rule.name}}',
            alert_id: definition.id,
            severity: definition.severity,
            value: '{{context.value}}',
            message: '{{context.message}}',
          },
        ],
      };
    case '.email':
      return {
        to: [...(options.emailTo ?? [])],
        subject: `[LMS ${definition.severity}] ${definition.title}`,
        message,
      };
    case '.webhook':
      return {
        body: JSON.stringify({
          alert_id: definition.id,
          severity: definition.severity,
          title: definition.title,
          rule: '{{rule.name}}',
          value: '{{context.value}}',
          message: '{{context.message}}',
          date: '{{context.date}}',
        }),
      };
    default:
      throw new Error(
        `connector ${options.connector.id} has type ${options.connector.typeId}; supported: ${SUPPORTED_CONNECTOR_TYPES.join(', ')}`,
      );
  }
}
