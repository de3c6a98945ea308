/**
 * The Elasticsearch-only parts of index setup (ILM, data streams) and the ISM path, against an
 * in-process server speaking those documented endpoints (test/support/es-setup-server.ts); the
 * real OpenSearch of the integration suite has neither ILM nor the ISM plugin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectElk } from '../../src/detect.js';
import type { ElkTransport } from '../../src/transport.js';
import {
  createDiskCheckTask,
  createFetchSearchApi,
  createIndexSetup,
  parseWatermark,
  searchApiFromTransport,
} from '../../src/setup/index.js';
import { startEsSetupServer, type EsSetupServer } from '../support/es-setup-server.js';

const GB = 2 ** 30;
let server: EsSetupServer | undefined;
let transport: ElkTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

async function elasticsearch(options: Parameters<typeof startEsSetupServer>[0] = {}) {
  server = await startEsSetupServer(options);
  // Through the shipping transport (the Elasticsearch client, product check included).
  transport = await connectElk({ nodes: [server.url] });
  return searchApiFromTransport(transport);
}

describe('Elasticsearch: ILM and templates', () => {
  it('daily indices: ILM delete phase + template, then idempotent', async () => {
    const api = await elasticsearch();
    expect(api.flavor).toBe('elasticsearch');
    expect(api.version).toBe('8.15.0');
    const setup = createIndexSetup({ api, retentionDays: 30 });
    expect(await setup.retentionMode()).toBe('ilm');
    const plan = await setup.plan();
    expect(plan).toEqual([
      {
        action: 'create',
        kind: 'ilm-policy',
        name: 'lms-logs',
        detail: 'delete 30 days after index creation',
      },
      expect.objectContaining({ action: 'create', kind: 'index-template', name: 'lms-logs' }),
    ]);
    expect(await setup.apply()).toEqual(plan);
    expect(await setup.plan()).toEqual([]);
    expect(await setup.apply()).toEqual([]);

    const policy = server!.ilmPolicies.get('lms-logs')!.policy as {
      phases: Record<string, unknown>;
    };
    expect(Object.keys(policy.phases)).toEqual(['delete']);
    expect(policy.phases.delete).toMatchObject({ min_age: '30d', actions: { delete: {} } });
    const template = server!.templates.get('lms-logs')!;
    expect(template).toMatchObject({
      index_patterns: ['lms-logs-*'],
      priority: 200,
      template: { settings: { index: { lifecycle: { name: 'lms-logs' } } } },
    });
    expect(template.data_stream).toBeUndefined();
  });

  it('a changed retention is one ILM update', async () => {
    const api = await elasticsearch();
    await createIndexSetup({ api, retentionDays: 30 }).apply();
    const longer = createIndexSetup({ api, retentionDays: 45 });
    const plan = await longer.plan();
    expect(plan).toEqual([
      expect.objectContaining({
        action: 'update',
        kind: 'ilm-policy',
        detail: 'phases.delete.min_age: "30d" → "45d"',
      }),
    ]);
    await longer.apply();
    expect(await longer.plan()).toEqual([]);
  });

  it('a template edited by hand is planned back', async () => {
    const api = await elasticsearch();
    const setup = createIndexSetup({ api, retentionDays: 30 });
    await setup.apply();
    const stored = server!.templates.get('lms-logs')!;
    stored.priority = 10;
    (
      stored.template as { mappings: { properties: Record<string, unknown> } }
    ).mappings.properties.status_code = { type: 'keyword' };
    const plan = await setup.plan();
    expect(plan).toHaveLength(1);
    expect(plan[0].detail).toContain('priority: 10 → 200');
    expect(plan[0].detail).toContain('mappings.properties.status_code.type: "keyword" → "integer"');
  });

  it('data stream: hot rollover + delete, template with data_stream, the stream itself', async () => {
    const api = await elasticsearch();
    const setup = createIndexSetup({
      api,
      dataStream: true,
      environment: 'staging',
      retentionDays: 14,
    });
    const plan = await setup.plan();
    expect(plan.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'create ilm-policy logs-lms-staging',
      'create index-template logs-lms-staging',
      'create data-stream logs-lms-staging',
    ]);
    await setup.apply();
    expect(await setup.plan()).toEqual([]);
    const policy = server!.ilmPolicies.get('logs-lms-staging')!.policy as {
      phases: Record<string, unknown>;
    };
    expect(policy.phases).toMatchObject({
      hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
      delete: { min_age: '14d', actions: { delete: {} } },
    });
    expect(server!.templates.get('logs-lms-staging')).toMatchObject({
      index_patterns: ['logs-lms-staging'],
      data_stream: {},
    });
    expect(server!.dataStreams.has('logs-lms-staging')).toBe(true);
  });

  it('ECS schema gets ECS mappings', async () => {
    const api = await elasticsearch();
    await createIndexSetup({ api, schema: 'ecs', retentionDays: 30 }).apply();
    const mappings = (
      server!.templates.get('lms-logs')!.template as {
        mappings: { properties: Record<string, unknown> };
      }
    ).mappings;
    expect(mappings.properties).toMatchObject({
      log: { properties: { level: { type: 'keyword' } } },
      http: { properties: { response: { properties: { status_code: { type: 'long' } } } } },
      event: { properties: { duration: { type: 'long' } } },
      service: { properties: { name: { type: 'keyword' } } },
    });
  });
});

describe('OpenSearch with the ISM plugin', () => {
  it('creates the ISM policy, updates it with the sequence number, then nothing', async () => {
    server = await startEsSetupServer({ flavor: 'opensearch-ism' });
    const api = await createFetchSearchApi({ url: server.url });
    const setup = createIndexSetup({ api, retentionDays: 30 });
    expect(await setup.retentionMode()).toBe('ism');
    expect((await setup.plan()).map((c) => `${c.action} ${c.kind}`)).toEqual([
      'create ism-policy',
      'create index-template',
    ]);
    await setup.apply();
    expect(await setup.plan()).toEqual([]);
    const stored = server.ismPolicies.get('lms-logs')!.policy;
    expect(stored.ism_template).toEqual([
      expect.objectContaining({ index_patterns: ['lms-logs-*'], priority: 100 }),
    ]);
    // ISM, not ILM: no lifecycle setting in the template.
    expect(server.templates.get('lms-logs')!.template).not.toHaveProperty(
      'settings.index.lifecycle',
    );

    const shorter = createIndexSetup({ api, retentionDays: 7 });
    expect(await shorter.plan()).toEqual([
      expect.objectContaining({ action: 'update', kind: 'ism-policy' }),
    ]);
    await shorter.apply();
    expect(await shorter.plan()).toEqual([]);
  });
});

describe('disk-check', () => {
  it('parses percentages, ratios and absolute watermarks', () => {
    expect(parseWatermark('85%')).toEqual({ kind: 'percent', percent: 85 });
    expect(parseWatermark('0.9')).toEqual({ kind: 'percent', percent: 90 });
    expect(parseWatermark('500mb')).toEqual({ kind: 'bytes', freeBytes: 500 * 2 ** 20 });
    expect(parseWatermark('1.5gb')).toEqual({ kind: 'bytes', freeBytes: 1.5 * GB });
    expect(parseWatermark('90%', '150gb')).toEqual({
      kind: 'percent',
      percent: 90,
      maxHeadroomBytes: 150 * GB,
    });
    expect(parseWatermark('whatever')).toBeUndefined();
  });

  it('reports each node against the watermarks (with max headroom) and the alert threshold', async () => {
    const api = await elasticsearch({
      nodes: {
        'es-a': { total: 1000 * GB, available: 100 * GB },
        'es-b': { total: 10_000 * GB, available: 1500 * GB },
        'es-c': { total: 100 * GB, available: 0.5 * GB },
      },
      persistentSettings: { 'cluster.routing.allocation.disk.watermark.flood_stage': '1gb' },
    });
    const result = await createDiskCheckTask({ api, thresholdPercent: 85 }).run();
    expect(result.ok).toBe(false);
    expect(result.lines[0]).toBe(
      'watermarks: low 85% (max headroom 200.0 GiB), high 90% (max headroom 150.0 GiB), flood_stage 1.0 GiB free; alert threshold 85 %',
    );
    // 90 % used: past the low watermark (150 GiB free needed), not the high one (100 GiB).
    expect(result.lines[1]).toBe(
      'es-a: 90 % used (100.0 GiB available of 1000.0 GiB): PROBLEM above the alert threshold 85 %, past the low watermark',
    );
    // 85 % used on a large disk: the 200 GiB headroom cap keeps it under every watermark.
    expect(result.lines[2]).toBe('es-b: 85 % used (1.5 TiB available of 9.8 TiB): ok');
    expect(result.lines[3]).toMatch(
      /^es-c: 99\.5 % used .*PROBLEM .*past the flood stage watermark$/,
    );
  });
});
