/**
 * Kibana as code, plan then apply: the data view, the saved searches / visualizations /
 * dashboard (kibana-objects.ts), the alert connector and the alert rules (rules.ts), all in one
 * space. Plan reads what exists (GET by deterministic id, `_bulk_get` for saved objects) and lists
 * only differences; apply makes them in dependency order (connector, data view, saved objects,
 * rules) and returns what it did, so a second apply returns nothing.
 */
import {
  planAndApply,
  subsetDifferences,
  summarize,
  defaultAlertDefinitions,
  fieldNamesFor,
  type AlertDefinition,
  type AlertOverrides,
  type PlannedChange,
  type Provisioner,
  type ProvisionStep,
  type Schema,
} from '@lms-logging/core';
import { canonicalJson } from './compare.js';
import { deterministicUuid } from './ids.js';
import {
  createKibanaClient,
  describeKibanaError,
  type KibanaClient,
  type KibanaConnectionOptions,
  type KibanaResponse,
} from './kibana-client.js';
import {
  buildSavedObjects,
  hashOf,
  toNdjson,
  type SavedObject,
  type SavedSearchSpec,
} from './kibana-objects.js';
import {
  buildRuleSpecs,
  SUPPORTED_CONNECTOR_TYPES,
  type ConnectorRef,
  type RuleSpec,
} from './rules.js';
import { versionParts } from './search-api.js';

export interface KibanaSetupOptions {
  /** Where Kibana is, or a ready client. */
  readonly kibana: KibanaConnectionOptions | KibanaClient;
  /** The index pattern of the logs (`lms-logs-*`, or the data stream name). */
  readonly indexPattern: string;
  /** Short name of the target (`lms-logs`): part of every object id. */
  readonly targetName: string;
  /** Record schema. Default `lms`. */
  readonly schema?: Schema;
  /** Adjustments of the default alerts (thresholds, windows, disabled alerts). */
  readonly alerts?: AlertOverrides;
  /** Use this existing connector (`.server-log`, `.index`, `.email`, `.webhook`) for alerts. */
  readonly connectorId?: string;
  /** Recipients for an `.email` connector. */
  readonly emailTo?: readonly string[];
  /** Where filesystem usage documents are, for the low-disk rule. */
  readonly diskIndices?: readonly string[];
  /** Rule consumer. Default `alerts`. */
  readonly consumer?: string;
}

interface Step extends ProvisionStep {
  readonly order: number;
}

interface DataViewApi {
  readonly base: string;
  /** The body key: `data_view` (8.2+) or `index_pattern` (8.0/8.1). */
  readonly key: 'data_view' | 'index_pattern';
  readonly withName: boolean;
}

interface StoredRule {
  id: string;
  name?: string;
  enabled?: boolean;
  rule_type_id?: string;
  tags?: string[];
  schedule?: { interval?: string };
  params?: Record<string, unknown>;
  actions?: {
    id: string;
    group: string;
    params: Record<string, unknown>;
    frequency?: { notify_when?: string; summary?: boolean };
  }[];
}

const ORDER = { connector: 0, dataView: 1, savedObjects: 2, rule: 3 } as const;

export function isKibanaClient(
  value: KibanaConnectionOptions | KibanaClient,
): value is KibanaClient {
  return typeof (value as KibanaClient).request === 'function';
}

export function createKibanaSetup(options: KibanaSetupOptions): Provisioner {
  const client = isKibanaClient(options.kibana)
    ? options.kibana
    : createKibanaClient(options.kibana);
  const schema = options.schema ?? 'lms';
  const space = client.space ?? 'default';
  const idPrefix = `${client.space === undefined ? '' : `${client.space}-`}${options.targetName}-`;
  const dataViewId = `${client.space === undefined ? '' : `${client.space}-`}${options.targetName}`;
  const scope = `${space}:${options.indexPattern}`;
  const connectorIdDefault = deterministicUuid(`connector:${space}:server-log`);
  const definitions: AlertDefinition[] = defaultAlertDefinitions({ schema, ...options.alerts });
  const fields = { ...fieldNamesFor(schema), ...options.alerts?.fields };

  async function dataViewApi(): Promise<DataViewApi> {
    const [major, minor] = versionParts(await client.version());
    const legacy = major === 8 && minor < 2;
    return legacy
      ? { base: '/api/index_patterns/index_pattern', key: 'index_pattern', withName: false }
      : {
          base: '/api/data_views/data_view',
          key: 'data_view',
          withName: major === 0 || major > 8 || minor >= 3,
        };
  }

  // ------------------------------------------------------------------------- connector

  async function connector(): Promise<{ ref: ConnectorRef; steps: Step[] }> {
    if (options.connectorId !== undefined) {
      const path = `/api/actions/connector/${encodeURIComponent(options.connectorId)}`;
      const res = await client.request<{ connector_type_id?: string }>('GET', path);
      if (res.statusCode === 404) {
        throw new Error(
          `KIBANA_CONNECTOR_ID ${options.connectorId} does not exist in Kibana space "${space}"`,
        );
      }
      expectOk(res, `GET ${path}`);
      const typeId = res.body.connector_type_id ?? '';
      if (!(SUPPORTED_CONNECTOR_TYPES as readonly string[]).includes(typeId)) {
        throw new Error(
          `connector ${options.connectorId} has type ${typeId}; supported: ${SUPPORTED_CONNECTOR_TYPES.join(', ')}`,
        );
      }
      if (typeId === '.email' && (options.emailTo ?? []).length === 0) {
        throw new Error(
          `connector ${options.connectorId} is an email connector: set KIBANA_EMAIL_TO to the recipients`,
        );
      }
      return { ref: { id: options.connectorId, typeId }, steps: [] };
    }
    const id = connectorIdDefault;
    const path = `/api/actions/connector/${id}`;
    const ref = { id, typeId: '.server-log' };
    const res = await client.request('GET', path);
    if (res.statusCode !== 404) {
      expectOk(res, `GET ${path}`);
      return { ref, steps: [] };
    }
    return {
      ref,
      steps: [
        {
          order: ORDER.connector,
          change: {
            action: 'create',
            kind: 'connector',
            name: 'LMS alerts (server log)',
            detail: `.server-log connector ${id}`,
          },
          apply: async () => {
            const out = await client.request('POST', path, {
              name: 'LMS alerts (server log)',
              connector_type_id: '.server-log',
            });
            expectOk(out, `POST ${path}`);
          },
        },
      ],
    };
  }

  // ------------------------------------------------------------------------- data view

  async function dataView(): Promise<Step[]> {
    let api = await dataViewApi();
    let path = `${api.base}/${encodeURIComponent(dataViewId)}`;
    let res = await client.request<Record<string, Record<string, unknown> | undefined>>(
      'GET',
      path,
    );
    if (res.statusCode === 404 && isMissingRoute(res) && api.key === 'data_view') {
      // A Kibana that did not say its version and has no data views API yet (8.0/8.1).
      api = { base: '/api/index_patterns/index_pattern', key: 'index_pattern', withName: false };
      path = `${api.base}/${encodeURIComponent(dataViewId)}`;
      res = await client.request('GET', path);
    }
    const desired: Record<string, unknown> = {
      title: options.indexPattern,
      timeFieldName: '@timestamp',
      ...(api.withName ? { name: `LMS logs (${options.indexPattern})` } : {}),
    };
    if (res.statusCode === 404) {
      return [
        {
          order: ORDER.dataView,
          change: {
            action: 'create',
            kind: 'data-view',
            name: options.indexPattern,
            detail: `id ${dataViewId}, time field @timestamp`,
          },
          apply: async () => {
            const out = await client.request('POST', api.base, {
              [api.key]: { id: dataViewId, ...desired },
              override: false,
            });
            expectOk(out, `POST ${api.base}`);
          },
        },
      ];
    }
    expectOk(res, `GET ${path}`);
    const actual = res.body[api.key] ?? {};
    const differences = subsetDifferences(desired, actual);
    if (differences.length === 0) return [];
    return [
      {
        order: ORDER.dataView,
        change: {
          action: 'update',
          kind: 'data-view',
          name: options.indexPattern,
          detail: summarize(differences),
        },
        apply: async () => {
          const out = await client.request('POST', path, { [api.key]: desired });
          expectOk(out, `POST ${path}`);
        },
      },
    ];
  }

  // ------------------------------------------------------------------------- saved objects

  function savedSearchSpecs(): SavedSearchSpec[] {
    const byId = new Map(definitions.map((d) => [d.id, d]));
    const filterOf = (id: string): SavedSearchSpec['filter'] | undefined => {
      const definition = byId.get(id);
      return definition?.kind === 'log-count' ? definition.filter : undefined;
    };
    const specs: (SavedSearchSpec | undefined)[] = [
      spec('errors', 'LMS errors', 'Records at error or fatal level.', filterOf('error-rate')),
      spec('warnings', 'LMS warnings', 'Records at warn level.', {
        field: fields.levelField,
        op: 'eq',
        value: 'warn',
      }),
      spec('http-5xx', 'HTTP 5xx', 'Responses with a server error status.', filterOf('http-5xx')),
      spec(
        'auth-failures',
        'Authentication failures',
        'Failed logins (event or message pattern).',
        filterOf('auth-failures'),
      ),
      spec(
        'slow-requests',
        'Slow requests',
        'Responses slower than the slow-response limit.',
        filterOf('slow-responses'),
      ),
    ];
    return specs.filter((s): s is SavedSearchSpec => s !== undefined);
  }

  function desiredObjects(): SavedObject[] {
    return buildSavedObjects({
      dataViewId,
      idPrefix,
      schema,
      fields,
      searches: savedSearchSpecs(),
    });
  }

  async function savedObjects(): Promise<Step[]> {
    const objects = desiredObjects();
    const res = await client.request<{
      saved_objects?: {
        id: string;
        type: string;
        attributes?: Record<string, unknown>;
        error?: { statusCode?: number };
      }[];
    }>(
      'POST',
      '/api/saved_objects/_bulk_get',
      objects.map((object) => ({ type: object.type, id: object.id })),
    );
    expectOk(res, 'POST /api/saved_objects/_bulk_get');
    const stored = new Map(
      (res.body.saved_objects ?? []).map((object) => [`${object.type}/${object.id}`, object]),
    );
    const changed: { object: SavedObject; change: PlannedChange }[] = [];
    for (const object of objects) {
      const existing = stored.get(`${object.type}/${object.id}`);
      const title = String(object.attributes.title);
      if (existing === undefined || existing.error !== undefined) {
        if (existing?.error !== undefined && existing.error.statusCode !== 404) {
          throw new Error(`reading ${object.type} ${object.id}: ${JSON.stringify(existing.error)}`);
        }
        changed.push({
          object,
          change: { action: 'create', kind: object.type, name: title, detail: `id ${object.id}` },
        });
        continue;
      }
      const desiredHash = hashOf(object.attributes);
      const storedHash = hashOf(existing.attributes);
      if (desiredHash !== storedHash) {
        changed.push({
          object,
          change: {
            action: 'update',
            kind: object.type,
            name: title,
            detail: `content ${storedHash ?? '(not managed by lms-logging)'} → ${desiredHash ?? ''}`,
          },
        });
      }
    }
    if (changed.length === 0) return [];
    let imported: Promise<void> | undefined;
    // One import for every changed object; each step waits for it.
    const importAll = (): Promise<void> => {
      imported ??= importObjects(changed.map((c) => c.object));
      return imported;
    };
    return changed.map(({ change }) => ({ order: ORDER.savedObjects, change, apply: importAll }));
  }

  async function importObjects(objects: readonly SavedObject[]): Promise<void> {
    const res = await client.request<{
      success?: boolean;
      successCount?: number;
      errors?: { id: string; type: string; error?: unknown }[];
    }>('POST', '/api/saved_objects/_import', undefined, {
      query: { overwrite: 'true' },
      file: {
        field: 'file',
        filename: 'lms-logging.ndjson',
        contentType: 'application/ndjson',
        content: toNdjson(objects),
      },
    });
    expectOk(res, 'POST /api/saved_objects/_import');
    if (res.body.success !== true) {
      const errors = (res.body.errors ?? [])
        .map((e) => `${e.type}/${e.id}: ${JSON.stringify(e.error)}`)
        .join('; ');
      throw new Error(`saved object import failed: ${errors}`);
    }
  }

  // ------------------------------------------------------------------------- rules

  async function rules(connectorRef: ConnectorRef): Promise<Step[]> {
    const specs = buildRuleSpecs(definitions, {
      indexPattern: options.indexPattern,
      schema,
      connector: connectorRef,
      scope,
      diskIndices: options.diskIndices,
      consumer: options.consumer,
      emailTo: options.emailTo,
      kibanaVersion: await client.version(),
    });
    const steps: Step[] = [];
    for (const spec of specs) {
      const path = `/api/alerting/rule/${spec.ruleId}`;
      const res = await client.request<StoredRule>('GET', path);
      const name = String(spec.create.name);
      if (res.statusCode === 404) {
        if (!spec.enabled) continue;
        steps.push({
          order: ORDER.rule,
          change: { action: 'create', kind: 'rule', name, detail: ruleDetail(spec) },
          apply: async () => {
            const out = await client.request('POST', path, spec.create);
            expectOk(out, `POST ${path}`);
          },
        });
        continue;
      }
      expectOk(res, `GET ${path}`);
      if (!spec.enabled) {
        steps.push({
          order: ORDER.rule,
          change: {
            action: 'delete',
            kind: 'rule',
            name,
            detail: `alert ${spec.alertId} is disabled`,
          },
          apply: async () => {
            const out = await client.request('DELETE', path);
            if (out.statusCode !== 404) expectOk(out, `DELETE ${path}`);
          },
        });
        continue;
      }
      const stored = res.body;
      if (stored.rule_type_id !== undefined && stored.rule_type_id !== spec.create.rule_type_id) {
        // The rule type cannot be changed by an update: replace the rule.
        steps.push({
          order: ORDER.rule,
          change: {
            action: 'update',
            kind: 'rule',
            name,
            detail: `rule type ${stored.rule_type_id} → ${String(spec.create.rule_type_id)} (replaced)`,
          },
          apply: async () => {
            expectOk(await client.request('DELETE', path), `DELETE ${path}`);
            expectOk(await client.request('POST', path, spec.create), `POST ${path}`);
          },
        });
        continue;
      }
      const differences = ruleDifferences(spec, stored);
      if (differences.length === 0) continue;
      steps.push({
        order: ORDER.rule,
        change: { action: 'update', kind: 'rule', name, detail: summarize(differences) },
        apply: async () => {
          const out = await client.request('PUT', path, spec.update);
          expectOk(out, `PUT ${path}`);
          if (stored.enabled === false) {
            const enabled = await client.request('POST', `${path}/_enable`);
            expectOk(enabled, `POST ${path}/_enable`);
          }
        },
      });
    }
    return steps;
  }

  async function steps(): Promise<Step[]> {
    const { ref, steps: connectorSteps } = await connector();
    const all = [
      ...connectorSteps,
      ...(await dataView()),
      ...(await savedObjects()),
      ...(await rules(ref)),
    ];
    return all.sort((a, b) => a.order - b.order);
  }

  return {
    name: 'kibana',
    ...planAndApply(steps),
  };
}

function ruleDetail(spec: RuleSpec): string {
  const params = spec.create.params as Record<string, unknown>;
  const threshold = (params.threshold as number[])[0];
  return `.es-query on ${(params.index as string[]).join(',')}: count ${String(params.thresholdComparator)} ${threshold} in ${String(params.timeWindowSize)} m`;
}

/** What differs between a stored rule and the desired one (only what setup controls). */
export function ruleDifferences(spec: RuleSpec, stored: StoredRule): string[] {
  const desired = spec.update as {
    name: string;
    tags: string[];
    schedule: { interval: string };
    params: Record<string, unknown>;
    actions: { id: string; group: string; params: Record<string, unknown>; frequency?: unknown }[];
  };
  const differences: string[] = [];
  if (stored.name !== desired.name)
    differences.push(`name: ${stored.name ?? ''} → ${desired.name}`);
  if (canonicalJson([...(stored.tags ?? [])].sort()) !== canonicalJson([...desired.tags].sort())) {
    differences.push(`tags: ${(stored.tags ?? []).join(',')} → ${desired.tags.join(',')}`);
  }
  if (stored.schedule?.interval !== desired.schedule.interval) {
    differences.push(`schedule: ${stored.schedule?.interval ?? ''} → ${desired.schedule.interval}`);
  }
  const { esQuery, ...otherParams } = desired.params;
  const storedParams = stored.params ?? {};
  differences.push(...subsetDifferences(otherParams, storedParams, 'params'));
  if (canonicalJson(parseJson(storedParams.esQuery)) !== canonicalJson(parseJson(esQuery))) {
    differences.push('params.esQuery: query changed');
  }
  const normalizeActions = (
    actions: readonly { id: string; group: string; params: Record<string, unknown> }[],
  ): string => canonicalJson(actions.map((a) => ({ id: a.id, group: a.group, params: a.params })));
  if (normalizeActions(stored.actions ?? []) !== normalizeActions(desired.actions)) {
    differences.push('actions: connector or message changed');
  }
  if (stored.enabled === false) differences.push('enabled: false → true');
  return differences;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function expectOk(res: KibanaResponse<unknown>, what: string): void {
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`Kibana ${what}: ${describeKibanaError(res)}`);
  }
}

/** Kibana's 404 for an unknown route says just "Not Found"; a missing object names it. */
function isMissingRoute(res: KibanaResponse<unknown>): boolean {
  const body = res.body as { message?: unknown } | null;
  return body === null || typeof body !== 'object' || body.message === 'Not Found';
}

function spec(
  key: SavedSearchSpec['key'],
  title: string,
  description: string,
  filter: SavedSearchSpec['filter'] | undefined,
): SavedSearchSpec | undefined {
  return filter === undefined ? undefined : { key, title, description, filter };
}
