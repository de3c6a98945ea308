// `lms-logs setup` for Graylog against an in-process server speaking Graylog's REST API as
// graylog2-server's resources define it (test/support/graylog-api-server.ts: paths, request
// validation, status codes and response shapes; 400 without X-Requested-By, 401 for bad
// credentials). No Graylog server runs on this machine; this is not a stub of our client.
import { Readable } from 'node:stream';
import { ConfigurationError } from '@lms-logging/core';
import { runCli } from '@lms-logging/cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraylogProvisioner, type GraylogProvisionerOptions } from '../../src/index.js';
import { startGraylogApiServer, type GraylogApiServer } from '../support/graylog-api-server.js';

const NOTIFICATION = '5f3d1c2b4a6e8d0f1a2b3c4d';
const TOKEN = 'lms-setup-token';
let server: GraylogApiServer;

beforeEach(async () => {
  server = await startGraylogApiServer({
    tokens: [TOKEN],
    notifications: { [NOTIFICATION]: 'LMS on-call' },
  });
});

afterEach(async () => {
  await server.close();
});

function provisioner(extra: Partial<GraylogProvisionerOptions> = {}) {
  const warnings: string[] = [];
  const p = createGraylogProvisioner({
    api: { url: server.url, token: TOKEN },
    environment: 'staging',
    retentionDays: 30,
    notificationId: NOTIFICATION,
    inputs: [
      { protocol: 'udp', port: 12201 },
      { protocol: 'tcp', port: 12201 },
      { protocol: 'http', port: 12202 },
    ],
    warn: (line) => warnings.push(line),
    ...extra,
  });
  return { p, warnings };
}

const ours = <T extends Record<string, unknown>>(
  map: Map<string, T>,
  key: string,
  value: unknown,
) => [...map.values()].filter((v) => v[key] === value);

describe('Graylog setup', () => {
  it('creates inputs, index set, stream and five event definitions; a second run changes nothing', async () => {
    const { p, warnings } = provisioner();
    const plan = await p.plan();
    expect(plan.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'create gelf-input LMS GELF UDP 12201',
      'create gelf-input LMS GELF TCP 12201',
      'create gelf-input LMS GELF HTTP 12202',
      'create index-set LMS staging',
      'create stream LMS staging',
      'create event-definition LMS staging: High error rate',
      'create event-definition LMS staging: HTTP server errors',
      'create event-definition LMS staging: Repeated authentication failures',
      'create event-definition LMS staging: Slow responses',
      'create event-definition LMS staging: Low disk space on a logging host',
    ]);
    expect(server.writes()).toBe(0);
    expect(await p.apply()).toEqual(plan);
    expect(warnings).toEqual([]);

    const [indexSet] = ours(server.state.indexSets, 'index_prefix', 'lms-staging');
    expect(indexSet).toMatchObject({
      title: 'LMS staging',
      rotation_strategy: { rotation_period: 'P1D' },
      retention_strategy: { max_number_of_indices: 30 },
      writable: true,
    });
    const [stream] = ours(server.state.streams, 'title', 'LMS staging');
    expect(stream).toMatchObject({
      disabled: false,
      index_set_id: indexSet?.['id'],
      remove_matches_from_default_stream: true,
      rules: [{ field: 'environment', type: 1, value: 'staging', inverted: false }],
    });
    const inputs = [...server.state.inputs.values()];
    expect(inputs.map((i) => [i['type'], (i['attributes'] as { port: number }).port])).toEqual([
      ['org.graylog2.inputs.gelf.udp.GELFUDPInput', 12201],
      ['org.graylog2.inputs.gelf.tcp.GELFTCPInput', 12201],
      ['org.graylog2.inputs.gelf.http.GELFHttpInput', 12202],
    ]);
    const definitions = new Map(
      [...server.state.eventDefinitions.values()].map((d) => [d['title'] as string, d]),
    );
    expect(definitions.size).toBe(5);
    expect(definitions.get('LMS staging: High error rate')).toMatchObject({
      priority: 3,
      alert: true,
      state: 'ENABLED',
      config: {
        type: 'aggregation-v1',
        query: 'level:(3 OR 2)',
        streams: [stream?.['id']],
        series: [{ type: 'count' }],
        conditions: { expression: { expr: '>=', right: { expr: 'number', value: 50 } } },
        search_within_ms: 300_000,
        execute_every_ms: 60_000,
      },
      notifications: [{ notification_id: NOTIFICATION }],
    });
    expect(definitions.get('LMS staging: HTTP server errors')).toMatchObject({
      config: { query: 'status_code:>=500' },
    });
    expect(definitions.get('LMS staging: Low disk space on a logging host')).toMatchObject({
      config: {
        query: '_exists_:disk_used_percent',
        group_by: ['source'],
        series: [{ type: 'max', field: 'disk_used_percent' }],
        conditions: { expression: { expr: '>', right: { value: 85 } } },
      },
    });

    // Every write carried X-Requested-By (Graylog answers 400 without it) and the token.
    const writes = server.requests.filter((r) => r.method !== 'GET');
    expect(writes.every((r) => r.status < 300)).toBe(true);

    const before = server.writes();
    const again = provisioner().p;
    expect(await again.plan()).toEqual([]);
    expect(await again.apply()).toEqual([]);
    expect(server.writes()).toBe(before);
  });

  it('plans and applies only what drifted: retention, a paused stream, a changed threshold, a disabled alert', async () => {
    await provisioner().p.apply();
    const [stream] = ours(server.state.streams, 'title', 'LMS staging');
    const pause = await fetch(`${server.url}/streams/${String(stream?.['id'])}/pause`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${TOKEN}:token`).toString('base64')}`,
        'x-requested-by': 'test',
      },
    });
    expect(pause.status).toBe(204);

    const { p } = provisioner({
      retentionDays: 14,
      alerts: { 'http-5xx': { threshold: 5 }, 'slow-responses': { enabled: false } },
    });
    const plan = await p.plan();
    expect(plan.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'update index-set LMS staging',
      'update stream LMS staging',
      'update event-definition LMS staging: HTTP server errors',
      'delete event-definition LMS staging: Slow responses',
    ]);
    expect(plan[0]?.detail).toMatch(/retention_strategy\.max_number_of_indices/);
    expect(plan[1]?.detail).toBe('paused -> resumed');
    await p.apply();
    const [indexSet] = ours(server.state.indexSets, 'index_prefix', 'lms-staging');
    expect(indexSet).toMatchObject({ retention_strategy: { max_number_of_indices: 14 } });
    expect(server.state.streams.get(String(stream?.['id']))).toMatchObject({ disabled: false });
    const titles = [...server.state.eventDefinitions.values()].map((d) => d['title']);
    expect(titles).not.toContain('LMS staging: Slow responses');
    expect(
      ours(server.state.eventDefinitions, 'title', 'LMS staging: HTTP server errors')[0],
    ).toMatchObject({ config: { conditions: { expression: { right: { value: 5 } } } } });
    expect(
      await provisioner({
        retentionDays: 14,
        alerts: { 'http-5xx': { threshold: 5 }, 'slow-responses': { enabled: false } },
      }).p.plan(),
    ).toEqual([]);
  });

  it('adds the environment rule to an existing stream that lost it', async () => {
    await provisioner().p.apply();
    const [stream] = ours(server.state.streams, 'title', 'LMS staging');
    (stream as { rules: unknown[] }).rules = [];
    const plan = await provisioner().p.plan();
    expect(plan).toEqual([
      {
        action: 'create',
        kind: 'stream-rule',
        name: 'LMS staging',
        detail: 'environment = "staging"',
      },
    ]);
    await provisioner().p.apply();
    expect(server.state.streams.get(String(stream?.['id']))).toMatchObject({
      rules: [{ field: 'environment', value: 'staging', type: 1 }],
    });
  });

  it('says which credential is wrong on a 401, and writes nothing', async () => {
    const p = createGraylogProvisioner({
      api: { url: server.url, token: 'wrong-token' },
      environment: 'staging',
    });
    await expect(p.plan()).rejects.toThrow(/401 Unauthorized; check GRAYLOG_API_TOKEN/);
    const basic = createGraylogProvisioner({
      api: { url: server.url, username: 'admin', password: 'nope' },
      environment: 'staging',
    });
    await expect(basic.apply()).rejects.toThrow(/GRAYLOG_API_USERNAME\/GRAYLOG_API_PASSWORD/);
    expect(server.writes()).toBe(0);
  });

  it('accepts a user and password, and refuses an unknown notification id by name', async () => {
    const p = createGraylogProvisioner({
      api: { url: server.url, username: 'admin', password: 'admin-password' },
      environment: 'staging',
      notificationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    });
    const error = await p.plan().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toMatch(/LMS_GRAYLOG_NOTIFICATION_ID: Graylog has no event notification/);
    expect(server.writes()).toBe(0);
  });

  it('reports Graylog\u2019s own validation message when it refuses a body', async () => {
    // An index prefix that clashes with Graylog's default `graylog` set.
    const { p } = provisioner({ indexPrefix: 'graylog-lms' });
    await expect(p.apply()).rejects.toThrow(/400 .*prefix/i);
  });
});

describe('lms-logs setup with LMS_LOG_BACKEND=graylog', () => {
  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {
      env: {
        LMS_LOG_BACKEND: 'graylog',
        GRAYLOG_URL: 'udp://127.0.0.1:12201',
        GRAYLOG_API_URL: server.url.replace(/\/api$/, ''),
        GRAYLOG_API_TOKEN: TOKEN,
        ENVIRONMENT: 'production',
        LMS_LOG_RETENTION_DAYS: '60',
        LMS_GRAYLOG_NOTIFICATION_ID: NOTIFICATION,
        LMS_GRAYLOG_INPUTS: 'udp:12201,tls:12203',
        LMS_GRAYLOG_INPUT_TLS_CERT_FILE: '/usr/share/graylog/certs/server.crt',
        LMS_GRAYLOG_INPUT_TLS_KEY_FILE: '/usr/share/graylog/certs/server.key',
      },
      stdin: Readable.from(['']),
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('plans, applies, and on the second setup reports no change', async () => {
    const plan = await cli(['plan']);
    expect(plan).toMatchObject({ code: 0 });
    expect(plan.out).toMatch(/\+ index-set LMS production/);
    expect(plan.out).toMatch(/\+ gelf-input LMS GELF TLS 12203/);
    const first = await cli(['setup']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/9 changes applied/);
    const [indexSet] = ours(server.state.indexSets, 'index_prefix', 'lms-production');
    expect(indexSet).toMatchObject({ retention_strategy: { max_number_of_indices: 60 } });
    const [tls] = ours(server.state.inputs, 'title', 'LMS GELF TLS 12203');
    expect(tls).toMatchObject({
      attributes: { tls_enable: true, tls_key_file: '/usr/share/graylog/certs/server.key' },
    });
    const second = await cli(['setup']);
    expect(second).toMatchObject({
      code: 0,
      out: 'no changes: the backend already matches the configuration',
    });
  });

  it('names the missing credential variable before calling Graylog', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['plan'], {
      env: { LMS_LOG_BACKEND: 'graylog', GRAYLOG_API_URL: server.url },
      stdin: Readable.from(['']),
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/GRAYLOG_API_TOKEN: is not set/);
    expect(server.requests).toHaveLength(0);
  });
});
