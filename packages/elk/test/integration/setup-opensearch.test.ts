/**
 * Index setup, retention, disk check and the alert rules' queries against the REAL OpenSearch
 * started by scripts/services/search-server (2.19.6 on 127.0.0.1:$SEARCH_PORT, default 9200).
 * Each run uses its own index prefix, so runs and other suites do not collide.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultAlertDefinitions,
  matchesFilter,
  type AlertOverrides,
  type Filter,
  type JsonObject,
} from '@lms-logging/core';
import { formatIndexName, parseIndexPattern } from '../../src/encoder.js';
import {
  buildRuleSpecs,
  createDiskCheckTask,
  createFetchSearchApi,
  createIndexSetup,
  exactFieldFor,
  filterToEsQuery,
  type SearchApi,
} from '../../src/setup/index.js';

const PORT = Number(process.env.SEARCH_PORT ?? 9200);
const URL_ = `http://127.0.0.1:${PORT}`;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DAY = 86_400_000;

const prefix = `lmsit-${randomBytes(4).toString('hex')}-logs`;
const setting = `${prefix}-%{+YYYY.MM.dd}`;
const parsedSetting = parseIndexPattern(setting);
const indexFor = (epochMs: number): string => formatIndexName(parsedSetting, epochMs);

let api: SearchApi;

async function ensureServer(): Promise<void> {
  try {
    const res = await fetch(URL_);
    if (res.ok) return;
  } catch {
    // not running: start it below
  }
  execFileSync(`${ROOT}scripts/services/search-server`, ['start'], {
    env: { ...process.env, SEARCH_PORT: String(PORT) },
    stdio: 'inherit',
    timeout: 170_000,
  });
}

async function createIndex(name: string): Promise<void> {
  const res = await api.request('PUT', `/${name}`, { settings: { number_of_replicas: 0 } });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
}

async function indexNames(): Promise<string[]> {
  const res = await api.request<{ index: string }[]>('GET', `/_cat/indices/${prefix}*`, undefined, {
    format: 'json',
    h: 'index',
  });
  return res.body.map((row) => row.index).sort();
}

beforeAll(async () => {
  await ensureServer();
  api = await createFetchSearchApi({ url: URL_ });
}, 180_000);

afterAll(async () => {
  if (api === undefined) return;
  await api.request('DELETE', `/${prefix}*`, undefined, { expand_wildcards: 'all' });
  await api.request('DELETE', `/_index_template/${prefix}`);
});

describe('index setup on the real OpenSearch', () => {
  it('detects the server and its retention mode (no ISM plugin here: retention by name)', async () => {
    expect(api.flavor).toBe('opensearch');
    expect(api.version).toMatch(/^2\./);
    const setup = createIndexSetup({ api, index: setting, retentionDays: 30 });
    const ism = await api.request('GET', '/_plugins/_ism/policies');
    expect(await setup.retentionMode()).toBe(ism.statusCode === 200 ? 'ism' : 'by-name');
  });

  it('template and retention: plan → changes, apply, plan → [], apply → []', async () => {
    const now = Date.now();
    const old = indexFor(now - 400 * DAY);
    const recent = indexFor(now - 2 * DAY);
    const unrelated = `${prefix}-archive`;
    for (const name of [old, recent, unrelated]) await createIndex(name);

    const setup = createIndexSetup({ api, index: setting, retentionDays: 30 });
    const plan = await setup.plan();
    expect(plan).toEqual([
      expect.objectContaining({ action: 'create', kind: 'index-template', name: prefix }),
      expect.objectContaining({ action: 'delete', kind: 'index', name: old }),
    ]);
    expect(plan[1].detail).toContain('dry run');
    // Plan deleted nothing.
    expect(await indexNames()).toContain(old);

    expect(await setup.apply()).toEqual(plan);
    expect(await setup.plan()).toEqual([]);
    expect(await setup.apply()).toEqual([]);
    const names = await indexNames();
    expect(names).not.toContain(old);
    expect(names).toEqual(expect.arrayContaining([recent, unrelated]));

    const stored = await api.request<{
      index_templates: { index_template: Record<string, unknown> }[];
    }>('GET', `/_index_template/${prefix}`);
    expect(stored.body.index_templates[0].index_template).toMatchObject({
      index_patterns: [`${prefix}-*`],
      priority: 200,
    });

    // A changed setting is one update, and then nothing again.
    const longer = createIndexSetup({ api, index: setting, retentionDays: 30, priority: 250 });
    expect(await longer.plan()).toEqual([
      expect.objectContaining({
        action: 'update',
        kind: 'index-template',
        detail: 'priority: 200 → 250',
      }),
    ]);
    await longer.apply();
    expect(await longer.plan()).toEqual([]);
    await setup.apply();
  });

  it('the retention task deletes dated indices past the retention by name and keeps the rest', async () => {
    const now = Date.now();
    const expired = [indexFor(now - 31 * DAY), indexFor(now - 90 * DAY)];
    const kept = [indexFor(now - 30 * DAY), indexFor(now)];
    const unrelated = [`${prefix}-2020.13.45`, `${prefix}-old-2020.01.01`];
    for (const name of [...expired, ...kept, ...unrelated]) {
      if (!(await indexNames()).includes(name)) await createIndex(name);
    }
    const setup = createIndexSetup({ api, index: setting, retentionDays: 30, now: () => now });

    const dryRun = await setup.tasks!['retention-dry-run'].run();
    expect(dryRun.ok).toBe(true);
    expect(dryRun.lines).toEqual(expired.sort().map((name) => `would delete ${name}`));
    expect(await indexNames()).toEqual(expect.arrayContaining(expired));

    const run = await setup.tasks!.retention.run();
    expect(run).toEqual({ ok: true, lines: expired.sort().map((name) => `deleted ${name}`) });
    const names = await indexNames();
    for (const name of expired) expect(names).not.toContain(name);
    expect(names).toEqual(expect.arrayContaining([...kept, ...unrelated]));

    expect((await setup.tasks!.retention.run()).lines).toEqual([
      `no ${prefix}-* index is older than 30 days`,
    ]);
  });

  it("the template's mappings apply to a new daily index", async () => {
    const setup = createIndexSetup({ api, index: setting, retentionDays: 30 });
    await setup.apply();
    const index = indexFor(Date.now() - 5 * DAY);
    const doc = await api.request(
      'POST',
      `/${index}/_doc`,
      {
        '@timestamp': new Date().toISOString(),
        log_level: 'info',
        message: 'hello',
        host: { name: 'web-1' },
        status_code: 200,
        duration_ms: 12.5,
        ip: 'not an ip',
        custom_field: 'some text',
      },
      { refresh: 'true' },
    );
    // ignore_malformed: a bad ip does not reject the record.
    expect(doc.statusCode, JSON.stringify(doc.body)).toBe(201);
    const mapping = await api.request<
      Record<string, { mappings: { properties: Record<string, Record<string, unknown>> } }>
    >('GET', `/${index}/_mapping`);
    const properties = mapping.body[index].mappings.properties;
    expect(properties.status_code).toMatchObject({ type: 'integer' });
    expect(properties.log_level).toMatchObject({ type: 'keyword' });
    expect(properties.duration_ms).toMatchObject({ type: 'double' });
    expect(properties['@timestamp']).toMatchObject({ type: 'date' });
    expect(properties.message).toMatchObject({
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 8191 } },
    });
    expect(properties.host).toMatchObject({ properties: { name: { type: 'keyword' } } });
    expect(properties.custom_field).toMatchObject({ type: 'keyword', ignore_above: 1024 });
  });

  it('disk-check reads every node and compares with the watermarks', async () => {
    const result = await createDiskCheckTask({ api }).run();
    expect(result.lines[0]).toMatch(
      /^watermarks: low 85%, high 90%, flood_stage 95%; alert threshold 85 %$/,
    );
    const nodeLines = result.lines.slice(1);
    expect(nodeLines.length).toBeGreaterThanOrEqual(1);
    for (const line of nodeLines) {
      const match =
        /^node-\d+: (\d+(?:\.\d+)?) % used \(.+ available of .+\): (ok|PROBLEM .+)$/.exec(line);
      expect(match, line).not.toBeNull();
      const percent = Number(match![1]);
      expect(percent).toBeGreaterThan(0);
      expect(percent).toBeLessThan(100);
      expect(match![2] === 'ok').toBe(percent <= 85);
    }
    expect(result.ok).toBe(nodeLines.every((line) => line.endsWith(': ok')));
  });
});

// ----------------------------------------------------------------------------- alert queries

const NOW = Date.now();
const inWindow = (minutesAgo = 1): string => new Date(NOW - minutesAgo * 60_000).toISOString();

function base(extra: JsonObject, minutesAgo = 1): JsonObject {
  return {
    '@timestamp': inWindow(minutesAgo),
    log_level: 'info',
    message: 'GET /courses',
    environment: 'production',
    service: 'lms-backend',
    host: { name: 'web-1' },
    ...extra,
  };
}

function repeat(count: number, make: (i: number) => JsonObject): JsonObject[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

/** The known mix of the brief, plus the cases where a naive translation would miscount. */
function seedRecords(): JsonObject[] {
  const longMessage = `${'x'.repeat(3000)} invalid credentials`;
  return [
    // 57 error/fatal in the window
    ...repeat(50, (i) => base({ log_level: 'error', message: `db timeout ${i % 7}` })),
    ...repeat(7, () => base({ log_level: 'fatal', message: 'out of memory' })),
    // 3 warn; an upper-case level is not an error for the evaluator (case-sensitive)
    ...repeat(3, () => base({ log_level: 'warn', message: 'slow query' })),
    base({ log_level: 'ERROR', message: 'not a canonical level' }),
    // 4 × 5xx among other statuses (one as a numeric string)
    ...[500, 502, 599].map((status) => base({ status_code: status, method: 'GET', route: '/x' })),
    base({ status_code: '503', route: '/y' }),
    ...[200, 201, 301, 404, 499].map((status) => base({ status_code: status, route: '/z' })),
    // 11 auth failures: event only, message only, both
    ...repeat(5, (i) => base({ event: 'auth.failure', message: `bad token ${i}` })),
    base({ event: 'auth.failure', message: 'Login failed for user a' }),
    base({ message: 'LOGIN FAILED for user b' }),
    base({ message: 'Authentication failed: wrong password' }),
    base({ message: 'relogin failed after session expiry' }),
    base({ message: longMessage }),
    base({ message: 'user said: Invalid Credentials!' }),
    // look-alikes that must not count
    base({ event: 'auth.failure.other', message: 'login ok' }),
    base({ message: 'login\nfailed' }),
    base({ message: 'login  failed' }),
    base({ event: 'auth.success', message: 'login succeeded' }),
    // 13 slow requests, borderlines around 2000 ms
    ...repeat(10, (i) => base({ duration_ms: 2100 + i * 250, route: '/slow' })),
    base({ duration_ms: 2000.5, route: '/slow' }),
    base({ duration_ms: 2000.0001, route: '/slow' }),
    base({ duration_ms: '2500', route: '/slow' }),
    base({ duration_ms: 2000, route: '/fast' }),
    base({ duration_ms: 1999.999, route: '/fast' }),
    base({ duration_ms: 15, route: '/fast' }),
    // noise
    ...repeat(20, (i) => base({ message: `request ${i}`, status_code: 200, duration_ms: 30 })),
    // matching records outside the 5-minute window
    ...repeat(6, () =>
      base({ log_level: 'error', status_code: 500, duration_ms: 9000, event: 'auth.failure' }, 20),
    ),
  ];
}

async function seed(index: string, records: readonly JsonObject[]): Promise<void> {
  const body = records
    .map((r) => `{"create":{"_index":"${index}"}}\n${JSON.stringify(r)}\n`)
    .join('');
  const res = await fetch(`${URL_}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  const result = (await res.json()) as { errors: boolean; items: unknown[] };
  expect(result.errors, JSON.stringify(result.items.slice(0, 3))).toBe(false);
}

/** What the `.es-query` rule counts: its query AND the time window on the time field. */
async function ruleCount(esQuery: string, windowMinutes: number): Promise<number> {
  const { query } = JSON.parse(esQuery) as { query: unknown };
  const res = await api.request<{ count: number; _shards: { failed: number } }>(
    'POST',
    `/${prefix}-*/_count`,
    {
      query: {
        bool: {
          filter: [
            query,
            {
              range: {
                '@timestamp': {
                  gte: new Date(NOW - windowMinutes * 60_000).toISOString(),
                  lte: new Date(NOW).toISOString(),
                  format: 'strict_date_optional_time',
                },
              },
            },
          ],
        },
      },
    },
  );
  expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
  // Over several indices a failing shard still answers 200, with a partial count.
  expect(res.body._shards.failed, JSON.stringify(res.body)).toBe(0);
  return res.body.count;
}

function localCount(records: readonly JsonObject[], filter: Filter, windowMinutes: number): number {
  return records.filter((record) => {
    const ts = Date.parse(record['@timestamp'] as string);
    return ts >= NOW - windowMinutes * 60_000 && ts <= NOW && matchesFilter(record, filter);
  }).length;
}

describe('alert rule queries count exactly what the core evaluator counts', () => {
  const records = seedRecords();

  beforeAll(async () => {
    await createIndexSetup({ api, index: setting, retentionDays: 30 }).apply();
    await seed(indexFor(NOW), records);
  });

  it.each<[string, AlertOverrides | undefined, Record<string, number>]>([
    [
      'default alerts',
      undefined,
      { 'error-rate': 57, 'http-5xx': 4, 'auth-failures': 11, 'slow-responses': 13 },
    ],
    [
      'overridden alerts',
      {
        'error-rate': { levels: ['warn', 'error'] },
        'http-5xx': { minStatus: 502 },
        'auth-failures': { eventValue: false, messagePattern: '^(login|authentication) fail(ed)?' },
        'slow-responses': { slowerThanMs: 2000.5 },
      },
      {},
    ],
  ])('%s', async (_name, overrides, expected) => {
    const definitions = defaultAlertDefinitions(overrides);
    const specs = buildRuleSpecs(definitions, {
      indexPattern: `${prefix}-*`,
      schema: 'lms',
      connector: { id: 'c', typeId: '.server-log' },
      scope: 'test',
    });
    for (const definition of definitions) {
      if (definition.kind !== 'log-count') continue;
      const spec = specs.find((s) => s.alertId === definition.id)!;
      const params = spec.create.params as {
        esQuery: string;
        timeWindowSize: number;
        index: string[];
      };
      expect(params.index).toEqual([`${prefix}-*`]);
      const local = localCount(records, definition.filter, definition.windowMinutes);
      const remote = await ruleCount(params.esQuery, params.timeWindowSize);
      expect({ alert: definition.id, count: remote }).toEqual({
        alert: definition.id,
        count: local,
      });
      if (expected[definition.id] !== undefined) expect(local).toBe(expected[definition.id]);
    }
  });

  it.each([
    'login failed',
    '^login',
    'failed$',
    'log.n',
    'LOGIN|token [0-9]',
    'auth(entication)? failed',
    'in[a-c]',
    'credentials!?$',
    // Lucene limits determinization effort (10000): x{1000} and longer repeats are refused.
    'x{300} invalid',
    '\\d\\s\\w',
    '[^a-z ]{2}',
    'session\\s+exp',
  ])('matches /%s/i on message counts like the evaluator', async (pattern) => {
    const filter: Filter = { field: 'message', op: 'matches', value: pattern };
    const query = filterToEsQuery(filter, { exactField: (f) => exactFieldFor('lms', f) });
    const remote = await ruleCount(JSON.stringify({ query }), 5);
    expect(remote).toBe(localCount(records, filter, 5));
  });
});
