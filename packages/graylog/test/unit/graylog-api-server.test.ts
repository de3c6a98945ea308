// Self-test of the in-process server speaking Graylog's documented REST shapes
// (test/support/graylog-api-server.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraylogApiServer, type GraylogApiServer } from '../support/graylog-api-server.js';

const NOTIFICATION = '65f000000000000000000abc';
let server: GraylogApiServer;
/** Whatever JSON.parse returns: the tests read Graylog's response shapes freely. */
type JsonBody = ReturnType<typeof JSON.parse>;

beforeEach(async () => {
  server = await startGraylogApiServer({
    tokens: ['tok123'],
    notifications: { [NOTIFICATION]: 'Ops webhook' },
  });
});
afterEach(async () => {
  await server.close();
});

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: JsonBody; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: basic('admin', 'admin-password'),
      'X-Requested-By': 'test',
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : JSON.parse(text),
    headers: res.headers,
  };
}

const indexSet = (prefix: string): Record<string, unknown> => ({
  title: `Set ${prefix}`,
  description: 'x',
  index_prefix: prefix,
  shards: 1,
  replicas: 0,
  writable: true,
  rotation_strategy_class: 'org.graylog2.indexer.rotation.strategies.TimeBasedRotationStrategy',
  rotation_strategy: {
    type: 'org.graylog2.indexer.rotation.strategies.TimeBasedRotationStrategyConfig',
    rotation_period: 'P1D',
  },
  retention_strategy_class: 'org.graylog2.indexer.retention.strategies.DeletionRetentionStrategy',
  retention_strategy: {
    type: 'org.graylog2.indexer.retention.strategies.DeletionRetentionStrategyConfig',
    max_number_of_indices: 20,
  },
  creation_date: null,
  index_analyzer: 'standard',
  index_optimization_max_num_segments: 1,
  index_optimization_disabled: false,
  field_type_refresh_interval: 5000,
});

const definition = (title: string): Record<string, unknown> => ({
  title,
  description: '',
  priority: 2,
  alert: true,
  config: {
    type: 'aggregation-v1',
    query: 'level:3',
    streams: [],
    search_within_ms: 60_000,
    execute_every_ms: 60_000,
    group_by: [],
    series: [{ id: 'count-', type: 'count' }],
    conditions: {
      expression: {
        expr: '>',
        left: { expr: 'number-ref', ref: 'count-' },
        right: { expr: 'number', value: 5 },
      },
    },
  },
  field_spec: {},
  key_spec: [],
  notification_settings: { grace_period_ms: 300_000, backlog_size: null },
  notifications: [{ notification_id: NOTIFICATION }],
});

describe('Graylog API server', () => {
  it('checks Basic auth, API tokens and the CSRF header', async () => {
    const denied = await call('GET', '/streams', undefined, { Authorization: basic('admin', 'x') });
    expect(denied.status).toBe(401);
    expect(denied.body).toBeUndefined();
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="Graylog Server"');
    const token = await call('GET', '/streams', undefined, {
      Authorization: basic('tok123', 'token'),
    });
    expect(token.status).toBe(200);
    const csrf = await fetch(`${server.url}/streams/${'0'.repeat(24)}/pause`, {
      method: 'POST',
      headers: { Authorization: basic('admin', 'admin-password') },
    });
    expect(csrf.status).toBe(400);
    expect(await csrf.json()).toEqual({
      type: 'ApiError',
      message:
        'CSRF protection header is missing. Please add a "X-Requested-By" header to your request.',
    });
    expect((await call('GET', '/nope')).status).toBe(404);
    expect(server.writes()).toBe(0);
  });

  it('creates index sets, streams, rules and inputs with Graylog status codes', async () => {
    const list = await call('GET', '/system/indices/index_sets');
    const defaultSet = list.body.index_sets.find((s: { default?: boolean }) => s.default === true);
    expect(defaultSet).toMatchObject({ title: 'Default index set', index_prefix: 'graylog' });
    expect(list.body.stats).toEqual({});

    const created = await call('POST', '/system/indices/index_sets', indexSet('lms-logs'));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ default: false, can_be_default: true });
    expect(created.body.id).toMatch(/^[0-9a-f]{24}$/);
    expect(typeof created.body.creation_date).toBe('string');
    expect((await call('POST', '/system/indices/index_sets', indexSet('lms'))).status).toBe(400);
    expect((await call('POST', '/system/indices/index_sets', indexSet('Bad'))).status).toBe(400);
    const updated = await call('PUT', `/system/indices/index_sets/${created.body.id}`, {
      ...indexSet('ignored'),
      shards: 2,
    });
    expect(updated.body).toMatchObject({ shards: 2, index_prefix: 'lms-logs' });

    const stream = await call('POST', '/streams', {
      title: 'LMS',
      index_set_id: created.body.id,
      rules: [{ type: 1, field: 'service', value: 'lms', inverted: false }],
    });
    expect(stream.status).toBe(201);
    expect(stream.headers.get('location')).toBe(`${server.url}/streams/${stream.body.stream_id}`);
    const sid = stream.body.stream_id as string;
    expect((await call('GET', `/streams/${sid}`)).body).toMatchObject({ disabled: true });
    expect((await call('POST', `/streams/${sid}/resume`)).status).toBe(204);
    expect(server.state.streams.get(sid)!.disabled).toBe(false);
    const rules = await call('GET', `/streams/${sid}/rules`);
    expect(rules.body.total).toBe(1);
    expect(rules.body.stream_rules[0]).toMatchObject({ stream_id: sid, type: 1 });
    expect((await call('POST', `/streams/${sid}/rules`, { type: 9, field: 'x' })).status).toBe(400);
    expect((await call('PUT', '/streams/000000000000000000000001', { title: 'x' })).status).toBe(
      400,
    );

    const input = await call('POST', '/system/inputs', {
      title: 'GELF UDP',
      type: 'org.graylog2.inputs.gelf.udp.GELFUDPInput',
      global: true,
      configuration: { bind_address: '0.0.0.0', port: 12201 },
      node: null,
    });
    expect(input.status).toBe(201);
    expect(server.state.inputs.get(input.body.id)).toMatchObject({
      name: 'GELF UDP',
      attributes: { port: 12201 },
    });
    const unknown = await call('POST', '/system/inputs', {
      title: 'x',
      type: 'org.graylog2.inputs.syslog.udp.SyslogUDPInput',
      global: true,
      configuration: { bind_address: '0.0.0.0', port: 514 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('There is no such input type registered.');
  });

  it('validates, pages and updates event definitions', async () => {
    const created = await call('POST', '/events/definitions?schedule=true', definition('B'));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      _scope: 'DEFAULT',
      state: 'ENABLED',
      matched_at: null,
      storage: [{ type: 'persist-to-streams-v1', streams: ['000000000000000000000002'] }],
    });
    await call('POST', '/events/definitions?schedule=false', definition('A'));
    const page = await call('GET', '/events/definitions?page=1&per_page=1');
    expect(page.body).toMatchObject({ total: 2, page: 1, per_page: 1, count: 1 });
    expect(page.body.event_definitions[0].title).toBe('A');

    const bad = await call('POST', '/events/definitions', {
      ...definition(''),
      notifications: [{ notification_id: 'missing' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.failed).toBe(true);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['notifications', 'title']);

    const id = created.body.id as string;
    const mismatch = await call('PUT', `/events/definitions/${id}`, definition('B'));
    expect(mismatch.body.errors.id).toEqual(["Event definition IDs don't match"]);
    const put = await call('PUT', `/events/definitions/${id}?schedule=false`, {
      ...definition('B2'),
      id,
    });
    expect(put.body).toMatchObject({ id, title: 'B2', state: 'DISABLED' });
    const deleted = await call('DELETE', `/events/definitions/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);

    const notifications = await call('GET', '/events/notifications');
    expect(notifications.body).toMatchObject({ total: 1, count: 1, page: 1, per_page: 50 });
    const missing = await call('GET', '/events/notifications/nope');
    expect(missing.body).toEqual({ type: 'ApiError', message: "Notification nope doesn't exist" });
  });
});
