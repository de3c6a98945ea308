/**
 * The combined provisioner from the environment: index setup against an in-process
 * Elasticsearch setup server, Kibana against an in-process server speaking Kibana's documented
 * REST API (OpenAPI specs); no Kibana runs here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, type BackendEnvContext } from '@lms-logging/core';
import {
  createProvisionerFromEnv,
  ELK_SETUP_ENV,
  type ElkProvisioner,
} from '../../src/setup/index.js';
import { startEsSetupServer, type EsSetupServer } from '../support/es-setup-server.js';
import { startFakeKibana, type FakeKibana } from '../support/kibana-server.js';

const context: BackendEnvContext = {
  environment: 'production',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: './logs',
  warn: () => {},
};

let es: EsSetupServer | undefined;
let kibana: FakeKibana | undefined;
let provisioner: ElkProvisioner | undefined;

afterEach(async () => {
  await provisioner?.close();
  await kibana?.close();
  await es?.close();
  provisioner = undefined;
  kibana = undefined;
  es = undefined;
});

describe('createProvisionerFromEnv', () => {
  it('without KIBANA_URL sets up the indices only, with tasks', async () => {
    es = await startEsSetupServer();
    provisioner = createProvisionerFromEnv({ ELASTICSEARCH_URL: es.url }, context);
    expect(provisioner.kibana).toBeUndefined();
    expect(Object.keys(provisioner.tasks).sort()).toEqual([
      'disk-check',
      'retention',
      'retention-dry-run',
    ]);
    expect((await provisioner.plan()).map((c) => c.kind)).toEqual(['ilm-policy', 'index-template']);
  });

  it('with KIBANA_URL provisions both; Kibana falls back to the Elasticsearch credentials', async () => {
    es = await startEsSetupServer();
    kibana = await startFakeKibana({ username: 'elastic', password: 'changeme', spaces: ['ops'] });
    provisioner = createProvisionerFromEnv(
      {
        ELASTICSEARCH_URL: es.url,
        ELASTICSEARCH_USERNAME: 'elastic',
        ELASTICSEARCH_PASSWORD: 'changeme',
        KIBANA_URL: kibana.url,
        KIBANA_SPACE: 'ops',
        LMS_LOG_SCHEMA: 'lms',
      },
      { ...context, retentionDays: 7 },
    );
    const plan = await provisioner.plan();
    expect(plan.filter((c) => c.kind === 'rule')).toHaveLength(5);
    expect(plan.filter((c) => c.kind === 'ilm-policy')).toEqual([
      expect.objectContaining({ detail: 'delete 7 days after index creation' }),
    ]);
    await provisioner.apply();
    expect(await provisioner.plan()).toEqual([]);
    expect(await provisioner.apply()).toEqual([]);
    expect(kibana.space('ops').rules.size).toBe(5);
    const dataView = kibana.space('ops').savedObjects.get('index-pattern/ops-lms-logs');
    expect(dataView?.attributes).toMatchObject({
      title: 'lms-logs-*',
      timeFieldName: '@timestamp',
    });
  });

  it('reports every bad variable at once and never echoes secrets', () => {
    let error: unknown;
    try {
      createProvisionerFromEnv(
        {
          ELASTICSEARCH_URL: 'http://127.0.0.1:9',
          KIBANA_URL: 'not a url',
          KIBANA_SPACE: 'Bad Space',
          KIBANA_USERNAME: 'u',
          KIBANA_TLS_INSECURE: 'maybe',
        },
        context,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const variables = (error as ConfigurationError).problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining(['KIBANA_URL', 'KIBANA_SPACE', 'KIBANA_TLS_INSECURE']),
    );

    expect(() =>
      createProvisionerFromEnv(
        {
          ELASTICSEARCH_URL: 'http://127.0.0.1:9',
          KIBANA_URL: 'http://k:5601',
          KIBANA_USERNAME: 'u',
        },
        context,
      ),
    ).toThrow(/KIBANA_PASSWORD: is not set but KIBANA_USERNAME is/);
  });

  it('documents every variable with a description', () => {
    for (const [name, variable] of Object.entries(ELK_SETUP_ENV)) {
      expect(variable.description, name).not.toBe('');
      expect(variable.expected, name).not.toBe('');
    }
    expect(ELK_SETUP_ENV.KIBANA_PASSWORD.secret).toBe(true);
    expect(ELK_SETUP_ENV.KIBANA_API_KEY.secret).toBe(true);
  });
});
