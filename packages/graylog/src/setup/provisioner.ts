/**
 * `lms-logs setup` for Graylog, through its REST API: plan, then apply, idempotent. It manages
 * the GELF inputs (when asked), an index set with daily rotation and deletion after the
 * retention, the stream "LMS <environment>" (rule `environment` = <environment>, out of the
 * Default Stream, resumed after creation) and one Filter & Aggregation event definition per core
 * alert, with the notification given by id. `plan` reads what exists and lists only what differs;
 * a second `apply` finds nothing to do. Objects are found again by their prefix or title.
 */
import {
  ConfigurationError,
  defaultAlertDefinitions,
  planAndApply,
  subsetDifferences,
  summarize,
  readAllEnv,
  readEnv,
  type AlertDefinition,
  type AlertOverrides,
  type BackendEnvContext,
  type Env,
  type ProvisionStep,
  type Provisioner,
} from '@lms-logging/core';
import { GRAYLOG_ENV } from '../config.js';
import { createGraylogApi, type GraylogApi } from './api.js';
import { createDiskReportTask } from './disk-report.js';
import { readGraylogSetupEnv, type GelfInputWish, type GraylogApiSettings } from './env.js';
import {
  alertSearch,
  eventDefinitionBody,
  eventDefinitionTitle,
  indexSetBody,
  indexSetUpdateBody,
  inputBody,
  inputTitle,
  streamBody,
  streamRule,
  STREAM_RULE_EXACT,
  type JsonBody,
} from './resources.js';

export interface GraylogProvisionerOptions {
  readonly api: GraylogApiSettings;
  readonly environment?: string;
  /** Days of logs kept: one index a day, deleted beyond this many. Default 30. */
  readonly retentionDays?: number;
  /** Index prefix of the index set. Default `lms-<environment>`. */
  readonly indexPrefix?: string;
  readonly shards?: number;
  readonly replicas?: number;
  readonly schema?: 'lms' | 'ecs';
  readonly alerts?: AlertOverrides;
  /** Event notification the event definitions send to (must exist). */
  readonly notificationId?: string;
  /** GELF inputs to create as global inputs. */
  readonly inputs?: readonly GelfInputWish[];
  /** Certificate and key paths on the Graylog server, for a `tls` input. */
  readonly inputTls?: { readonly certFile: string; readonly keyFile: string };
  readonly warn?: (line: string) => void;
}

interface IndexSetSummary extends JsonBody {
  readonly id: string;
  readonly index_prefix: string;
}
interface StreamRuleJson extends JsonBody {
  readonly field: string;
  readonly type: number;
  readonly value: string;
  readonly inverted: boolean;
}
interface StreamJson extends JsonBody {
  readonly id: string;
  readonly title: string;
  readonly disabled: boolean;
  readonly index_set_id: string;
  readonly rules?: readonly StreamRuleJson[];
}
interface InputJson extends JsonBody {
  readonly id: string;
  readonly title: string;
  readonly type: string;
  readonly global: boolean;
  readonly attributes?: JsonBody;
}
interface EventDefinitionJson extends JsonBody {
  readonly id: string;
  readonly title: string;
  readonly state?: string;
}

const PAGE_SIZE = 100;

/** `lms-<environment>`, made a valid Graylog index prefix. */
export function defaultIndexPrefix(environment: string): string {
  const cleaned = environment.toLowerCase().replace(/[^a-z0-9_+-]+/g, '-');
  return `lms-${cleaned}`.replace(/-+$/, '');
}

export function streamTitle(environment: string): string {
  return `LMS ${environment}`;
}

function sameRule(rule: StreamRuleJson, environment: string): boolean {
  return (
    rule.field === 'environment' &&
    Number(rule.type) === STREAM_RULE_EXACT &&
    rule.value === environment &&
    !rule.inverted
  );
}

export function createGraylogProvisioner(options: GraylogProvisionerOptions): Provisioner {
  const environment = options.environment ?? 'production';
  const retentionDays = options.retentionDays ?? 30;
  const prefix = options.indexPrefix ?? defaultIndexPrefix(environment);
  const title = streamTitle(environment);
  const api: GraylogApi = createGraylogApi(options.api);
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const definitions: AlertDefinition[] = defaultAlertDefinitions({
    ...(options.schema ? { schema: options.schema } : {}),
    ...options.alerts,
  });
  const indexSetWish = {
    title,
    prefix,
    retentionDays,
    shards: options.shards ?? 1,
    replicas: options.replicas ?? 0,
  };
  const warned = new Set<string>();
  for (const alert of definitions) {
    for (const w of alertSearch(alert).warnings) {
      const line = `graylog setup: alert ${alert.id}: ${w}`;
      if (!warned.has(line)) warn(line);
      warned.add(line);
    }
  }
  /** Ids learned while planning or created while applying; later steps read them at run time. */
  const ids: { indexSet?: string; stream?: string } = {};

  async function checkNotification(): Promise<void> {
    if (options.notificationId === undefined) return;
    const res = await api.call(
      'GET',
      `/events/notifications/${options.notificationId}`,
      undefined,
      {
        allow: [404],
      },
    );
    if (res.statusCode === 404) {
      throw new ConfigurationError([
        {
          variable: 'LMS_GRAYLOG_NOTIFICATION_ID',
          problem: `Graylog has no event notification ${options.notificationId}`,
          expected: 'the id of an existing notification (Alerts > Notifications)',
        },
      ]);
    }
  }

  async function inputSteps(): Promise<ProvisionStep[]> {
    const wishes = options.inputs ?? [];
    if (wishes.length === 0) return [];
    const { body } = await api.call<{ inputs?: InputJson[] }>('GET', '/system/inputs');
    const existing = new Map((body?.inputs ?? []).map((i) => [i.title, i]));
    const steps: ProvisionStep[] = [];
    for (const wish of wishes) {
      const want = inputBody(wish, options.inputTls);
      const name = inputTitle(wish);
      const have = existing.get(name);
      if (!have) {
        steps.push({
          change: {
            action: 'create',
            kind: 'gelf-input',
            name,
            detail: `global, port ${wish.port}`,
          },
          apply: () => api.call('POST', '/system/inputs', want),
        });
        continue;
      }
      const diff = [
        ...subsetDifferences(want['type'], have.type, 'type'),
        ...subsetDifferences(want['global'], have.global, 'global'),
        ...subsetDifferences(want['configuration'], have.attributes ?? {}, 'configuration'),
      ];
      if (diff.length === 0) continue;
      steps.push({
        change: { action: 'update', kind: 'gelf-input', name, detail: summarize(diff) },
        apply: () => api.call('PUT', `/system/inputs/${have.id}`, want),
      });
    }
    return steps;
  }

  async function indexSetSteps(): Promise<ProvisionStep[]> {
    const { body } = await api.call<{ index_sets?: IndexSetSummary[] }>(
      'GET',
      '/system/indices/index_sets',
    );
    const have = (body?.index_sets ?? []).find((s) => s.index_prefix === prefix);
    const detail = `daily indices ${prefix}_N, deleted after ${retentionDays} (LMS_LOG_RETENTION_DAYS)`;
    if (!have) {
      delete ids.indexSet;
      return [
        {
          change: { action: 'create', kind: 'index-set', name: title, detail },
          apply: async () => {
            const created = await api.call<IndexSetSummary>('POST', '/system/indices/index_sets', {
              ...indexSetBody(indexSetWish),
              creation_date: new Date().toISOString(),
            });
            ids.indexSet = created.body.id;
          },
        },
      ];
    }
    ids.indexSet = have.id;
    const want = indexSetUpdateBody(indexSetWish);
    const diff = subsetDifferences(want, have);
    if (diff.length === 0) return [];
    return [
      {
        change: {
          action: 'update',
          kind: 'index-set',
          name: title,
          detail: `${summarize(diff)}; ${detail}`,
        },
        apply: () => api.call('PUT', `/system/indices/index_sets/${have.id}`, want),
      },
    ];
  }

  function indexSetId(): string {
    if (ids.indexSet === undefined) throw new Error('graylog setup: the index set id is unknown');
    return ids.indexSet;
  }

  function streamId(): string {
    if (ids.stream === undefined) throw new Error('graylog setup: the stream id is unknown');
    return ids.stream;
  }

  async function streamSteps(): Promise<ProvisionStep[]> {
    const { body } = await api.call<{ streams?: StreamJson[] }>('GET', '/streams');
    const have = (body?.streams ?? []).find((s) => s.title === title);
    const rule = `environment = ${JSON.stringify(environment)}`;
    if (!have) {
      delete ids.stream;
      return [
        {
          change: {
            action: 'create',
            kind: 'stream',
            name: title,
            detail: `rule ${rule}, removed from the Default Stream, then resumed`,
          },
          apply: async () => {
            const created = await api.call<{ stream_id: string }>('POST', '/streams', {
              ...streamBody({ title, environment }, indexSetId()),
              rules: [streamRule(environment)],
            });
            ids.stream = created.body.stream_id;
            // Graylog creates streams paused.
            await api.call('POST', `/streams/${ids.stream}/resume`);
          },
        },
      ];
    }
    ids.stream = have.id;
    const steps: ProvisionStep[] = [];
    const wantId = ids.indexSet ?? '(the new index set)';
    const diff = subsetDifferences(streamBody({ title, environment }, wantId), have);
    if (diff.length > 0) {
      steps.push({
        change: { action: 'update', kind: 'stream', name: title, detail: summarize(diff) },
        apply: () =>
          api.call('PUT', `/streams/${have.id}`, streamBody({ title, environment }, indexSetId())),
      });
    }
    if (!(have.rules ?? []).some((r) => sameRule(r, environment))) {
      steps.push({
        change: { action: 'create', kind: 'stream-rule', name: title, detail: rule },
        apply: () => api.call('POST', `/streams/${have.id}/rules`, streamRule(environment)),
      });
    }
    if (have.disabled) {
      steps.push({
        change: { action: 'update', kind: 'stream', name: title, detail: 'paused -> resumed' },
        apply: () => api.call('POST', `/streams/${have.id}/resume`),
      });
    }
    return steps;
  }

  async function existingDefinitions(): Promise<Map<string, EventDefinitionJson>> {
    const found = new Map<string, EventDefinitionJson>();
    for (let page = 1; ; page++) {
      const { body } = await api.call<{
        event_definitions?: EventDefinitionJson[];
        total?: number;
      }>('GET', '/events/definitions', undefined, {
        query: { page: String(page), per_page: String(PAGE_SIZE), query: '' },
      });
      const list = body?.event_definitions ?? [];
      for (const d of list) found.set(d.title, d);
      if (list.length < PAGE_SIZE || found.size >= (body?.total ?? 0)) break;
    }
    return found;
  }

  async function eventDefinitionSteps(): Promise<ProvisionStep[]> {
    const existing = await existingDefinitions();
    const steps: ProvisionStep[] = [];
    const context = (stream: string): Parameters<typeof eventDefinitionBody>[1] => ({
      environment,
      streamId: stream,
      ...(options.notificationId !== undefined ? { notificationId: options.notificationId } : {}),
    });
    for (const alert of definitions) {
      const name = eventDefinitionTitle(environment, alert);
      const have = existing.get(name);
      if (!alert.enabled) {
        if (have) {
          steps.push({
            change: { action: 'delete', kind: 'event-definition', name },
            apply: () => api.call('DELETE', `/events/definitions/${have.id}`),
          });
        }
        continue;
      }
      const build = (): JsonBody => eventDefinitionBody(alert, context(streamId()));
      if (!have) {
        steps.push({
          change: {
            action: 'create',
            kind: 'event-definition',
            name,
            detail: String(alertSearch(alert).query),
          },
          apply: () =>
            api.call('POST', '/events/definitions', build(), { query: { schedule: 'true' } }),
        });
        continue;
      }
      const planned = eventDefinitionBody(alert, context(ids.stream ?? '(the new stream)'));
      const diff = subsetDifferences(planned, have);
      if (have.state !== undefined && have.state !== 'ENABLED') {
        diff.push(`state: ${have.state} → ENABLED`);
      }
      if (diff.length === 0) continue;
      steps.push({
        change: { action: 'update', kind: 'event-definition', name, detail: summarize(diff) },
        apply: () =>
          api.call(
            'PUT',
            `/events/definitions/${have.id}`,
            { ...build(), id: have.id },
            { query: { schedule: 'true' } },
          ),
      });
    }
    return steps;
  }

  async function steps(): Promise<ProvisionStep[]> {
    await checkNotification();
    return [
      ...(await inputSteps()),
      ...(await indexSetSteps()),
      ...(await streamSteps()),
      ...(await eventDefinitionSteps()),
    ];
  }

  return {
    name: 'graylog',
    ...planAndApply(steps),
  };
}

/** `lms-logs setup` with `LMS_LOG_BACKEND=graylog`. */
export function createProvisionerFromEnv(env: Env, context: BackendEnvContext): Provisioner {
  const tlsSpec = { GRAYLOG_TLS_INSECURE: GRAYLOG_ENV.GRAYLOG_TLS_INSECURE };
  const [tls, settings] = readAllEnv(
    () => readEnv(tlsSpec, env),
    () => readGraylogSetupEnv(env),
  );
  const insecure = tls.GRAYLOG_TLS_INSECURE ?? false;
  if (insecure && settings.api.url.startsWith('https:')) {
    context.warn(
      'graylog: REST API TLS certificate verification is OFF (GRAYLOG_TLS_INSECURE=true); use GRAYLOG_API_CA_FILE instead.',
    );
  }
  const schema = env['LMS_LOG_SCHEMA'] === 'ecs' ? 'ecs' : 'lms';
  const provisioner = createGraylogProvisioner({
    api: { ...settings.api, insecure },
    environment: context.environment,
    retentionDays: context.retentionDays,
    schema,
    inputs: settings.inputs,
    warn: context.warn,
    ...(settings.indexPrefix !== undefined ? { indexPrefix: settings.indexPrefix } : {}),
    ...(settings.shards !== undefined ? { shards: settings.shards } : {}),
    ...(settings.replicas !== undefined ? { replicas: settings.replicas } : {}),
    ...(settings.notificationId !== undefined ? { notificationId: settings.notificationId } : {}),
    ...(settings.inputTls !== undefined ? { inputTls: settings.inputTls } : {}),
  });
  const lowDisk = defaultAlertDefinitions({ schema }).find((d) => d.id === 'low-disk');
  return {
    ...provisioner,
    tasks: {
      'disk-report': createDiskReportTask({
        env,
        context,
        paths: settings.diskPaths,
        threshold: lowDisk?.threshold ?? 85,
      }),
    },
  };
}
