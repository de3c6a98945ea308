/**
 * Kibana as code against an in-process server speaking Kibana's documented REST API (OpenAPI
 * specs); no Kibana runs here. See test/support/kibana-server.ts for what it enforces.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildSavedObjects,
  createKibanaClient,
  createKibanaSetup,
  deterministicUuid,
  ruleIdFor,
  toNdjson,
  type KibanaSetupOptions,
} from '../../src/setup/index.js';
import { defaultAlertDefinitions, fieldNamesFor } from '@lms-logging/core';
import { startFakeKibana, type FakeKibana } from '../support/kibana-server.js';

const API_KEY = Buffer.from('id1:secret1').toString('base64');

let kibana: FakeKibana;

beforeEach(async () => {
  kibana = await startFakeKibana({ apiKey: API_KEY, spaces: ['ops'] });
});
afterEach(async () => {
  await kibana.close();
});

function setup(overrides: Partial<KibanaSetupOptions> = {}, space?: string) {
  return createKibanaSetup({
    kibana: { url: kibana.url, auth: { apiKey: 'id1:secret1' }, ...(space ? { space } : {}) },
    indexPattern: 'lms-logs-*',
    targetName: 'lms-logs',
    ...overrides,
  });
}

const kinds = (changes: readonly { action: string; kind: string }[]) =>
  changes.map((c) => `${c.action} ${c.kind}`);

describe('Kibana setup: plan and apply', () => {
  it('plans every object on an empty Kibana, creates them, and is then idempotent', async () => {
    const provisioner = setup();
    const plan = await provisioner.plan();
    expect(kinds(plan).filter((k) => k === 'create connector')).toHaveLength(1);
    expect(kinds(plan).filter((k) => k === 'create data-view')).toHaveLength(1);
    expect(kinds(plan).filter((k) => k === 'create search')).toHaveLength(5);
    expect(kinds(plan).filter((k) => k === 'create visualization')).toHaveLength(5);
    expect(kinds(plan).filter((k) => k === 'create dashboard')).toHaveLength(1);
    expect(kinds(plan).filter((k) => k === 'create rule')).toHaveLength(5);
    expect(plan.every((c) => c.action === 'create')).toBe(true);
    expect(plan.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'LMS errors',
        'LMS warnings',
        'HTTP 5xx',
        'Authentication failures',
        'Slow requests',
        'LMS system health',
      ]),
    );
    // Plan changed nothing.
    expect(
      kibana.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('_bulk_get')),
    ).toEqual([]);

    const applied = await provisioner.apply();
    expect(applied).toEqual(plan);
    const state = kibana.space('default');
    expect(state.rules.size).toBe(5);
    expect(state.connectors.size).toBe(1);
    expect([...state.savedObjects.values()].map((o) => o.type).sort()).toEqual([
      'dashboard',
      'index-pattern',
      ...Array<string>(5).fill('search'),
      ...Array<string>(5).fill('visualization'),
    ]);
    // Every request that Kibana answered was a success.
    expect(kibana.requests.filter((r) => r.status >= 300 && r.status !== 404)).toEqual([]);

    expect(await provisioner.plan()).toEqual([]);
    expect(await setup().apply()).toEqual([]);
  });

  it('a changed threshold gives exactly one rule update, and apply makes it', async () => {
    await setup().apply();
    const changed = setup({ alerts: { 'error-rate': { threshold: 75 } } });
    const plan = await changed.plan();
    // The saved search "LMS errors" does not depend on the threshold: only the rule changes.
    expect(plan).toHaveLength(1);
    const rule = plan[0];
    expect(rule).toMatchObject({ action: 'update', kind: 'rule' });
    expect(rule?.detail).toContain('params.threshold[0]: 50 → 75');
    const applied = await changed.apply();
    expect(applied).toEqual(plan);
    const stored = kibana.space('default').rules.get(ruleIdFor('default:lms-logs-*', 'error-rate'));
    expect((stored?.params as { threshold: number[] }).threshold).toEqual([75]);
    const put = kibana.requests.filter((r) => r.method === 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0].body).not.toHaveProperty('rule_type_id');
    expect(put[0].body).not.toHaveProperty('consumer');
    expect(await changed.plan()).toEqual([]);
  });

  it('a disabled alert deletes the rule it created earlier', async () => {
    await setup().apply();
    const disabled = setup({ alerts: { 'slow-responses': false } });
    const plan = await disabled.plan();
    expect(plan).toEqual([
      expect.objectContaining({
        action: 'delete',
        kind: 'rule',
        detail: 'alert slow-responses is disabled',
      }),
    ]);
    await disabled.apply();
    expect(kibana.space('default').rules.size).toBe(4);
    expect(await disabled.plan()).toEqual([]);
  });

  it('is space aware: every request goes to /s/ops and objects land in that space only', async () => {
    const provisioner = setup({}, 'ops');
    await provisioner.apply();
    const apiRequests = kibana.requests.filter((r) => r.path !== '/api/status');
    expect(apiRequests.length).toBeGreaterThan(0);
    expect(apiRequests.every((r) => r.url.startsWith('/s/ops/api/'))).toBe(true);
    expect(kibana.space('ops').rules.size).toBe(5);
    expect(kibana.space('default').rules.size).toBe(0);
    // Saved object ids are unique across spaces in 8.x: the space is part of every id.
    expect([...kibana.space('ops').savedObjects.keys()].every((k) => k.includes('/ops-'))).toBe(
      true,
    );
    expect(await provisioner.plan()).toEqual([]);
    // The default space is still empty, so it plans everything.
    expect((await setup().plan()).length).toBeGreaterThan(10);
  });

  it('sends kbn-xsrf on every non-GET request and the API key on every request', async () => {
    await setup().apply();
    const writes = kibana.requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    for (const request of writes) expect(request.headers['kbn-xsrf']).toBe('true');
    for (const request of kibana.requests) {
      expect(request.headers.authorization).toBe(`ApiKey ${API_KEY}`);
    }
  });

  it('the server rejects what Kibana rejects', async () => {
    const client = createKibanaClient({ url: kibana.url, auth: { apiKey: API_KEY } });
    const raw = await fetch(`${kibana.url}/api/alerting/rule/${deterministicUuid('x')}`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Request must contain a kbn-xsrf header.',
    });
    const bad = createKibanaClient({ url: kibana.url, auth: { apiKey: 'nope:nope' } });
    expect((await bad.request('GET', '/api/status')).statusCode).toBe(401);

    const unknownType = await client.request(
      'POST',
      `/api/alerting/rule/${deterministicUuid('y')}`,
      {
        name: 'x',
        rule_type_id: '.no-such-type',
        consumer: 'alerts',
        schedule: { interval: '1m' },
        params: {},
      },
    );
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.body).toMatchObject({
      message: 'Rule type [.no-such-type] is not registered.',
    });

    await setup().apply();
    const id = ruleIdFor('default:lms-logs-*', 'http-5xx');
    const existing = kibana.space('default').rules.get(id)!;
    const again = await client.request('POST', `/api/alerting/rule/${id}`, {
      name: existing.name,
      rule_type_id: '.es-query',
      consumer: 'alerts',
      schedule: { interval: '1m' },
      params: { ...(existing.params as object) },
    });
    expect(again.statusCode).toBe(409);
    const putWithType = await client.request('PUT', `/api/alerting/rule/${id}`, {
      name: 'x',
      rule_type_id: '.es-query',
      schedule: { interval: '1m' },
      params: existing.params,
    });
    expect(putWithType.statusCode).toBe(400);
    expect(putWithType.body).toMatchObject({
      message: '[request body.rule_type_id]: definition for this key is missing',
    });
    const notUuid = await client.request('POST', '/api/alerting/rule/lms-error-rate', {});
    expect(notUuid.statusCode).toBe(400);

    const bulk = await client.request<{ saved_objects: { error?: { statusCode: number } }[] }>(
      'POST',
      '/api/saved_objects/_bulk_get',
      [{ type: 'dashboard', id: 'nope' }],
    );
    expect(bulk.body.saved_objects[0].error?.statusCode).toBe(404);

    const both = await client.request('POST', '/api/saved_objects/_import', undefined, {
      query: { overwrite: 'true', createNewCopies: 'true' },
      file: { field: 'file', filename: 'x.ndjson', contentType: 'application/ndjson', content: '' },
    });
    expect(both.statusCode).toBe(400);
  });
});

describe('connector choice', () => {
  it('creates one .server-log connector with a deterministic UUID by default', async () => {
    await setup().apply();
    await setup().apply();
    const connectors = [...kibana.space('default').connectors.values()];
    expect(connectors).toHaveLength(1);
    expect(connectors[0]).toMatchObject({
      id: deterministicUuid('connector:default:server-log'),
      connector_type_id: '.server-log',
    });
    for (const rule of kibana.space('default').rules.values()) {
      const actions = rule.actions as { id: string; group: string; params: { level: string } }[];
      expect(actions).toEqual([
        expect.objectContaining({ id: connectors[0].id, group: 'query matched' }),
      ]);
    }
  });

  it('uses an existing .index connector from KIBANA_CONNECTOR_ID and creates none', async () => {
    const id = 'c4a8f0d2-3b1e-4f5a-9c7d-0e1f2a3b4c5d';
    kibana.addConnector('default', {
      id,
      name: 'alerts index',
      connector_type_id: '.index',
      config: { index: 'lms-alerts' },
    });
    const plan = await setup({ connectorId: id }).plan();
    expect(plan.some((c) => c.kind === 'connector')).toBe(false);
    await setup({ connectorId: id }).apply();
    expect(kibana.space('default').connectors.size).toBe(1);
    const rule = kibana.space('default').rules.get(ruleIdFor('default:lms-logs-*', 'error-rate'))!;
    const [action] = rule.actions as {
      id: string;
      params: { documents: Record<string, unknown>[] };
    }[];
    expect(action.id).toBe(id);
    expect(action.params.documents[0]).toMatchObject({
      alert_id: 'error-rate',
      severity: 'critical',
    });
  });

  it('an e-mail connector needs recipients; a missing connector is a clear error', async () => {
    const id = 'a4a8f0d2-3b1e-4f5a-9c7d-0e1f2a3b4c5d';
    kibana.addConnector('default', { id, name: 'mail', connector_type_id: '.email' });
    await expect(setup({ connectorId: id }).plan()).rejects.toThrow(/KIBANA_EMAIL_TO/);
    await setup({ connectorId: id, emailTo: ['ops@example.org'] }).apply();
    const rule = kibana.space('default').rules.get(ruleIdFor('default:lms-logs-*', 'http-5xx'))!;
    expect((rule.actions as { params: { to: string[] } }[])[0].params.to).toEqual([
      'ops@example.org',
    ]);
    await expect(setup({ connectorId: deterministicUuid('missing') }).plan()).rejects.toThrow(
      /does not exist in Kibana space "default"/,
    );
  });
});

describe('rules', () => {
  it('are .es-query rules with the documented params, translated from the alert model', async () => {
    await setup().apply();
    const rules = [...kibana.space('default').rules.values()];
    for (const rule of rules) {
      expect(rule).toMatchObject({
        rule_type_id: '.es-query',
        consumer: 'alerts',
        schedule: { interval: '1m' },
        enabled: true,
      });
      expect(rule.params).toMatchObject({
        searchType: 'esQuery',
        timeField: '@timestamp',
        thresholdComparator: '>=',
        timeWindowUnit: 'm',
        size: 0,
        excludeHitsFromPreviousRun: false,
      });
    }
    const byAlert = (id: string) =>
      kibana.space('default').rules.get(ruleIdFor('default:lms-logs-*', id))!.params as Record<
        string,
        unknown
      >;
    expect(JSON.parse(byAlert('http-5xx').esQuery as string)).toEqual({
      query: { range: { status_code: { gte: 500 } } },
    });
    expect(byAlert('error-rate')).toMatchObject({
      index: ['lms-logs-*'],
      threshold: [50],
      timeWindowSize: 5,
    });
    expect(JSON.parse(byAlert('error-rate').esQuery as string)).toEqual({
      query: { terms: { log_level: ['error', 'fatal'] } },
    });
    const disk = byAlert('low-disk');
    expect(disk.index).toEqual(['metrics-*', 'metricbeat-*']);
    expect(JSON.parse(disk.esQuery as string)).toEqual({
      query: { range: { 'system.filesystem.used.pct': { gt: 0.85 } } },
    });
    expect(disk).toMatchObject({ groupBy: 'top', termField: 'host.name', threshold: [1] });
  });

  it('on Kibana 8.4 use rule-level notify_when and the 8.4 params, on 8.1 the index_patterns API', async () => {
    await kibana.close();
    kibana = await startFakeKibana({ apiKey: API_KEY, version: '8.1.3' });
    const provisioner = setup();
    await provisioner.apply();
    expect(kibana.requests.some((r) => r.path === '/api/index_patterns/index_pattern')).toBe(true);
    const rule = kibana.space('default').rules.get(ruleIdFor('default:lms-logs-*', 'error-rate'))!;
    expect(rule.notify_when).toBe('onActionGroupChange');
    expect(rule.params).not.toHaveProperty('searchType');
    expect(await provisioner.plan()).toEqual([]);
  });
});

describe('saved objects ndjson', () => {
  const objects = buildSavedObjects({
    dataViewId: 'lms-logs',
    idPrefix: 'lms-logs-',
    schema: 'lms',
    fields: fieldNamesFor('lms'),
    searches: defaultAlertDefinitions()
      .filter((d) => d.kind === 'log-count')
      .map((d, i) => ({
        key: (['errors', 'http-5xx', 'auth-failures', 'slow-requests'] as const)[i],
        title: d.title,
        description: d.description,
        filter: d.kind === 'log-count' ? d.filter : { op: 'all', of: [] },
      })),
  });
  const ndjson = toNdjson(objects);

  it('every line parses and carries type, id, attributes, references and a migration version', () => {
    const lines = ndjson.trimEnd().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) {
      const object = JSON.parse(line) as Record<string, unknown>;
      expect(object).toMatchObject({
        type: expect.any(String),
        id: expect.any(String),
        attributes: expect.objectContaining({ title: expect.any(String) }),
        references: expect.any(Array),
        coreMigrationVersion: '8.0.0',
      });
      const attributes = object.attributes as Record<string, unknown>;
      for (const key of ['visState', 'panelsJSON', 'optionsJSON', 'uiStateJSON']) {
        if (key in attributes)
          expect(() => JSON.parse(attributes[key] as string) as unknown).not.toThrow();
      }
      const meta = attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
      expect(() => JSON.parse(meta.searchSourceJSON) as unknown).not.toThrow();
    }
  });

  it('the dashboard references exist (panels → visualizations and searches → data view)', () => {
    const known = new Set(objects.map((o) => `${o.type}/${o.id}`));
    known.add('index-pattern/lms-logs');
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as {
      panelIndex: string;
      panelRefName: string;
    }[];
    expect(panels.length).toBeGreaterThanOrEqual(5);
    for (const panel of panels) {
      const reference = dashboard.references.find(
        (r) => r.name === `${panel.panelIndex}:${panel.panelRefName}`,
      );
      expect(reference).toBeDefined();
      expect(known.has(`${reference!.type}/${reference!.id}`)).toBe(true);
    }
    for (const object of objects) {
      for (const reference of object.references) {
        expect(known.has(`${reference.type}/${reference.id}`)).toBe(true);
      }
    }
  });

  it('a saved search filters with the same query its alert rule runs', () => {
    const search = objects.find((o) => o.id === 'lms-logs-search-http-5xx')!;
    const source = JSON.parse(
      (search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
    ) as { filter: { query: unknown }[] };
    expect(source.filter[0].query).toEqual({ range: { status_code: { gte: 500 } } });
  });
});
