/**
 * The ELK provisioner: index setup (template, mappings, retention) always, Kibana (data view,
 * saved objects, connector, rules) when a Kibana URL is configured. Tasks: `retention` and
 * `retention-dry-run` (name-based deletion of expired daily indices) and `disk-check`.
 */
import {
  ConfigurationError,
  defaultAlertDefinitions,
  envSchemas,
  readAllEnv,
  readEnv,
  readPemFile,
  type AlertOverrides,
  type BackendEnvContext,
  type ConfigurationProblem,
  type Env,
  type EnvSpec,
  type PlannedChange,
  type Provisioner,
  type ProvisionerTask,
  type Schema,
} from '@lms-logging/core';
import { z } from 'zod';
import { readElkEnv } from '../config.js';
import { connectElk } from '../detect.js';
import type { ElkTransport } from '../transport.js';
import { createDiskCheckTask } from './disk-check.js';
import { createIndexSetup, type IndexSetup } from './index-setup.js';
import type { KibanaClient, KibanaConnectionOptions } from './kibana-client.js';
import { createKibanaSetup, type KibanaSetupOptions } from './kibana.js';
import { DEFAULT_DISK_INDICES } from './rules.js';
import { searchApiFromTransport, type SearchApi } from './search-api.js';

export interface ElkProvisionerKibanaOptions extends Pick<
  KibanaSetupOptions,
  'connectorId' | 'emailTo' | 'diskIndices' | 'consumer'
> {
  readonly kibana: KibanaConnectionOptions | KibanaClient;
}

export interface ElkProvisionerOptions {
  /** The cluster, or a function connecting on first use. */
  readonly search: SearchApi | (() => Promise<SearchApi>);
  /** Index setting (`lms-logs-%{+YYYY.MM.dd}`) or data stream name. */
  readonly index?: string;
  readonly dataStream?: boolean;
  readonly environment?: string;
  /** Record schema. Default `lms`. */
  readonly schema?: Schema;
  readonly retentionDays: number;
  /** Index template priority. Default 200. */
  readonly priority?: number;
  /** Adjustments of the default alerts. */
  readonly alerts?: AlertOverrides;
  /** Kibana provisioning; left out: only the indices are set up. */
  readonly kibana?: ElkProvisionerKibanaOptions;
  /** Clock for name-based retention. */
  readonly now?: () => number;
  /** Called by `close()` (e.g. to close the transport a factory opened). */
  readonly onClose?: () => Promise<void>;
}

export interface ElkProvisioner extends Provisioner {
  readonly indexSetup: IndexSetup;
  readonly kibana?: Provisioner;
  readonly tasks: Readonly<Record<string, ProvisionerTask>>;
  /** Releases the cluster connection when the provisioner opened it. */
  close(): Promise<void>;
}

export function createElkProvisioner(options: ElkProvisionerOptions): ElkProvisioner {
  const schema = options.schema ?? options.alerts?.schema ?? 'lms';
  let searchPromise: Promise<SearchApi> | undefined;
  const search = (): Promise<SearchApi> => {
    searchPromise ??=
      typeof options.search === 'function' ? options.search() : Promise.resolve(options.search);
    return searchPromise;
  };
  const indexSetup = createIndexSetup({
    api: search,
    index: options.index,
    dataStream: options.dataStream,
    environment: options.environment,
    schema,
    retentionDays: options.retentionDays,
    priority: options.priority,
    now: options.now,
  });
  const kibana =
    options.kibana === undefined
      ? undefined
      : createKibanaSetup({
          kibana: options.kibana.kibana,
          indexPattern: indexSetup.target.pattern,
          targetName: indexSetup.target.resourceName,
          schema,
          alerts: options.alerts,
          connectorId: options.kibana.connectorId,
          emailTo: options.kibana.emailTo,
          diskIndices: options.kibana.diskIndices,
          consumer: options.kibana.consumer,
        });
  const lowDisk = defaultAlertDefinitions({ schema, ...options.alerts }).find(
    (definition) => definition.id === 'low-disk',
  );
  const parts: Provisioner[] = kibana === undefined ? [indexSetup] : [indexSetup, kibana];
  return {
    name: 'elk',
    indexSetup,
    kibana,
    async plan() {
      const changes: PlannedChange[] = [];
      for (const part of parts) changes.push(...(await part.plan()));
      return changes;
    },
    async apply() {
      const changes: PlannedChange[] = [];
      for (const part of parts) changes.push(...(await part.apply()));
      return changes;
    },
    tasks: {
      ...indexSetup.tasks,
      'disk-check': createDiskCheckTask({ api: search, thresholdPercent: lowDisk?.threshold }),
    },
    async close() {
      await options.onClose?.();
    },
  };
}

// ----------------------------------------------------------------------------- env

const spaceId = z
  .string()
  .regex(/^[a-z0-9_-]+$/, 'not a space id (lowercase letters, digits, _ and -)');

/** Variables of the setup part (besides `ELK_ENV`, whose connection settings it shares). */
export const ELK_SETUP_ENV = {
  KIBANA_URL: {
    schema: envSchemas.url,
    expected: 'an http(s) URL such as https://kibana:5601',
    description:
      'Kibana to provision (data view, saved searches, dashboard, alert rules); unset: only index setup runs.',
  },
  KIBANA_SPACE: {
    schema: spaceId,
    expected: 'a Kibana space id',
    description: 'Space the Kibana objects go to (`/s/<space>/api/...`).',
    defaultText: 'the default space',
  },
  KIBANA_API_KEY: {
    schema: envSchemas.text,
    expected: 'an API key (base64 of id:key, or id:key)',
    secret: true,
    description: 'Kibana auth (`Authorization: ApiKey ...`).',
    defaultText: '`ELASTICSEARCH_API_KEY` unless a Kibana user is set',
  },
  KIBANA_USERNAME: {
    schema: envSchemas.text,
    expected: 'a user name',
    description: 'Kibana basic auth user (with `KIBANA_PASSWORD`).',
    defaultText: '`ELASTICSEARCH_USERNAME`',
  },
  KIBANA_PASSWORD: {
    schema: envSchemas.text,
    expected: 'a password',
    secret: true,
    description: 'Kibana basic auth password.',
    defaultText: '`ELASTICSEARCH_PASSWORD`',
  },
  KIBANA_CA_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM file',
    description: 'CA certificate(s) to trust for Kibana over https.',
    defaultText: 'the system CAs',
  },
  KIBANA_TLS_INSECURE: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description:
      'Disable certificate verification for Kibana (prints a warning). Local tests only.',
    defaultText: '`false`',
  },
  KIBANA_CONNECTOR_ID: {
    schema: envSchemas.text,
    expected: 'the id of an existing .index, .email, .webhook or .server-log connector',
    description: 'Connector the alert rules notify.',
    defaultText: 'a `.server-log` connector created by setup',
  },
  KIBANA_EMAIL_TO: {
    schema: envSchemas.list,
    expected: 'comma-separated e-mail addresses',
    description: 'Recipients when `KIBANA_CONNECTOR_ID` is an e-mail connector.',
  },
  KIBANA_DISK_INDEX: {
    schema: envSchemas.list,
    expected: 'comma-separated index patterns',
    description:
      'Where filesystem usage documents (`system.filesystem.used.pct`) are, for the low-disk rule.',
    defaultText: `\`${DEFAULT_DISK_INDICES.join(',')}\``,
  },
  KIBANA_RULE_CONSUMER: {
    schema: envSchemas.text,
    expected: 'a Kibana rule consumer such as alerts or stackAlerts',
    description: 'Consumer (owning app) of the alert rules.',
    defaultText: '`alerts`',
  },
  LMS_LOG_SCHEMA: {
    schema: z.enum(['lms', 'ecs']),
    expected: '`lms` or `ecs`',
    description: 'Field names of the mappings, searches and rules (read from the core variable).',
    defaultText: '`lms`',
  },
} satisfies EnvSpec;

/**
 * `createProvisionerFromEnv` of the elk package: `ELK_ENV` for the cluster and the target,
 * `ELK_SETUP_ENV` for Kibana. Throws one `ConfigurationError` naming every bad variable.
 */
export function createProvisionerFromEnv(env: Env, context: BackendEnvContext): ElkProvisioner {
  const [elk, setup] = readAllEnv(
    () => readElkEnv(env, context),
    () => readEnv(ELK_SETUP_ENV, env),
  );
  const problems: ConfigurationProblem[] = [];

  let kibana: ElkProvisionerKibanaOptions | undefined;
  if (setup.KIBANA_URL !== undefined) {
    const apiKey = setup.KIBANA_API_KEY;
    const username = setup.KIBANA_USERNAME;
    const password = setup.KIBANA_PASSWORD;
    if ((username === undefined) !== (password === undefined)) {
      problems.push({
        variable: username === undefined ? 'KIBANA_USERNAME' : 'KIBANA_PASSWORD',
        problem: `is not set but ${username === undefined ? 'KIBANA_PASSWORD' : 'KIBANA_USERNAME'} is`,
        expected: 'both or neither',
      });
    }
    const ca = readPemFile(problems, 'KIBANA_CA_FILE', setup.KIBANA_CA_FILE);
    if (setup.KIBANA_TLS_INSECURE) {
      context.warn(
        'elk: Kibana TLS certificate verification is OFF (KIBANA_TLS_INSECURE=true); use KIBANA_CA_FILE instead.',
      );
    }
    const esAuth = elk.auth ?? {};
    const auth =
      apiKey !== undefined
        ? { apiKey }
        : username !== undefined && password !== undefined
          ? { username, password }
          : esAuth.apiKey !== undefined
            ? { apiKey: esAuth.apiKey }
            : esAuth.username !== undefined && esAuth.password !== undefined
              ? { username: esAuth.username, password: esAuth.password }
              : undefined;
    kibana = {
      kibana: {
        url: setup.KIBANA_URL,
        space: setup.KIBANA_SPACE,
        ...(auth !== undefined ? { auth } : {}),
        tls: { ca, insecure: setup.KIBANA_TLS_INSECURE ?? false },
      },
      connectorId: setup.KIBANA_CONNECTOR_ID,
      emailTo: setup.KIBANA_EMAIL_TO,
      diskIndices: setup.KIBANA_DISK_INDEX,
      consumer: setup.KIBANA_RULE_CONSUMER,
    };
  }
  if (problems.length > 0) throw new ConfigurationError(problems);

  let transport: Promise<ElkTransport> | undefined;
  return createElkProvisioner({
    search: async () => {
      transport ??= connectElk(elk);
      return searchApiFromTransport(await transport);
    },
    index: elk.index,
    dataStream: elk.dataStream,
    environment: context.environment,
    schema: setup.LMS_LOG_SCHEMA ?? 'lms',
    retentionDays: context.retentionDays,
    kibana,
    onClose: async () => {
      if (transport !== undefined) await (await transport).close();
    },
  });
}
