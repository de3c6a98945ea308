// Tests of the @elastic/elasticsearch client path against an in-process server speaking the
// documented Elasticsearch REST shapes (test/support/es-server.ts); no Elasticsearch runs here.
import { createServer } from 'node:net';
import { Client, errors } from '@elastic/elasticsearch';
import {
  createMemoryDeadLetter,
  createShipper,
  type Backend,
  type ShipperOptions,
} from '@lms-logging/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createElkBackend, type ElkBackend } from '../../src/backend.js';
import { decodeCloudId, type ElkBackendOptions } from '../../src/config.js';
import { connectElk } from '../../src/detect.js';
import {
  createElasticsearchTransport,
  elasticsearchClientOptions,
  type ElkTransport,
} from '../../src/transport.js';
import { startFakeElasticsearch, type FakeElasticsearch } from '../support/es-server.js';
import { lmsRecord, queued } from '../support/records.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function fakeEs(
  options: Parameters<typeof startFakeElasticsearch>[0] = {},
): Promise<FakeElasticsearch> {
  const server = await startFakeElasticsearch(options);
  open.push(server);
  return server;
}

function backendFor(options: ElkBackendOptions): ElkBackend {
  const backend = createElkBackend(options);
  open.push({ close: () => backend.close?.() ?? Promise.resolve() });
  return backend;
}

function shipperFor(backend: Backend, extra: Partial<ShipperOptions> = {}) {
  const deadLetter = createMemoryDeadLetter();
  const shipper = createShipper({
    backend,
    flushIntervalMs: 20,
    backoff: { initialDelayMs: 5, maxDelayMs: 50 },
    selfLog: false,
    exit: false,
    deadLetter,
    environment: 'test',
    service: 'lms-backend',
    hostName: 'web-1',
    ...extra,
  });
  open.push({ close: () => shipper.close({ timeoutMs: 2000 }) });
  return { shipper, deadLetter };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Elasticsearch client path (in-process server)', () => {
  it('detects Elasticsearch and ships with the 8.x compatibility headers', async () => {
    const es = await fakeEs();
    const backend = backendFor({ nodes: [es.url] });
    const { shipper } = shipperFor(backend);
    for (let n = 0; n < 1000; n++) {
      shipper.write({ level: 'info', message: `m${n}`, n, timestamp: '2025-05-05T12:00:00.000Z' });
    }
    await shipper.flush();
    expect(shipper.stats()).toMatchObject({ sent: 1000, dropped: {}, deadLettered: {} });
    expect(backend.transport?.flavor).toBe('elasticsearch');
    expect(backend.transport?.server).toMatchObject({
      flavor: 'elasticsearch',
      version: '8.19.2',
      major: 8,
    });
    expect(es.count('lms-logs-2025.05.05')).toBe(1000);
    const doc = es.docs('lms-logs-2025.05.05').find((d) => d['n'] === 7);
    expect(doc).toMatchObject({
      '@timestamp': '2025-05-05T12:00:00.000Z',
      log_level: 'info',
      message: 'm7',
      environment: 'test',
      service: 'lms-backend',
      host: { name: 'web-1' },
    });
    const bulk = es.requests.find((r) => r.path === '/_bulk')!;
    expect(bulk.method).toBe('POST');
    expect(bulk.headers['content-type']).toBe(
      'application/vnd.elasticsearch+x-ndjson; compatible-with=8',
    );
    expect(bulk.headers['accept']).toBe('application/vnd.elasticsearch+json; compatible-with=8');
    expect(bulk.headers['x-elastic-product']).toBeUndefined();
    // The body is exactly what the encoder produced: action line + the record's json.
    const [action, source] = bulk.body.split('\n');
    expect(JSON.parse(action)).toMatchObject({ create: { _index: 'lms-logs-2025.05.05' } });
    expect(JSON.parse(source)).toHaveProperty('@timestamp');
  });

  it('a re-sent batch answers 409 per item, which counts as delivered (idempotent)', async () => {
    const es = await fakeEs();
    const backend = backendFor({ nodes: [es.url], flavor: 'elasticsearch' });
    await backend.start!();
    const records = Array.from({ length: 50 }, (_, n) =>
      queued(lmsRecord({ '@timestamp': '2025-05-06T00:00:00.000Z', n })),
    );
    const signal = new AbortController().signal;
    const first = await backend.send(backend.encode(records), { signal, attempt: 1 });
    expect(backend.classify({ ok: true, response: first }, records)).toEqual({ kind: 'success' });
    const again = await backend.send(backend.encode(records), { signal, attempt: 2 });
    const items = (
      again.body as { items: { create: { status: number; error: { type: string } } }[] }
    ).items;
    expect(items.every((i) => i.create.status === 409)).toBe(true);
    expect(items[0].create.error.type).toBe('version_conflict_engine_exception');
    expect(backend.classify({ ok: true, response: again }, records)).toEqual({ kind: 'success' });
    expect(es.count('lms-logs-2025.05.06')).toBe(50);
  });

  it('the client refuses a server without x-elastic-product (ProductNotSupportedError)', async () => {
    const es = await fakeEs({ productHeader: false });
    const transport = createElasticsearchTransport(
      { nodes: [es.url] },
      { rejectUnauthorized: true },
    );
    open.push(transport);
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(
      errors.ProductNotSupportedError,
    );
    const backend = backendFor({ nodes: [es.url], flavor: 'elasticsearch' });
    await backend.start!();
    const records = [queued(lmsRecord())];
    let outcome: Parameters<ElkBackend['classify']>[0];
    try {
      outcome = {
        ok: true,
        response: await backend.send(backend.encode(records), {
          signal: new AbortController().signal,
          attempt: 1,
        }),
      };
    } catch (error) {
      outcome = { ok: false, error };
    }
    expect(outcome.ok).toBe(false);
    expect(backend.classify(outcome, records)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/no x-elastic-product header/),
    });
    // The server did index it: the product check only rejects the answer. The retry that
    // follows is harmless because the record's id makes it a 409.
    expect(es.count('*')).toBe(1);
  });

  it('speaks compatible-with=8 to Elasticsearch 9, which rejects compatible-with=7 like ES does', async () => {
    const es = await fakeEs({ version: '9.1.4' });
    const transport = await connectElk({ nodes: [es.url] });
    open.push(transport);
    expect(transport.server).toMatchObject({ flavor: 'elasticsearch', major: 9 });
    const res = await transport.bulk(
      `{"create":{"_index":"x","_id":"1"}}\n{"@timestamp":"2025-01-01T00:00:00Z"}\n`,
    );
    expect(res.statusCode).toBe(200);

    const seven = await fetch(`${es.url}/_bulk`, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.elasticsearch+json; compatible-with=7',
        'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=7',
      },
      body: `{"create":{"_index":"x","_id":"2"}}\n{}\n`,
    });
    expect(seven.status).toBe(400);
    expect(await seven.json()).toEqual({
      error: {
        root_cause: [
          {
            type: 'media_type_header_exception',
            reason: 'Invalid media-type value on headers [Accept, Content-Type]',
          },
        ],
        type: 'media_type_header_exception',
        reason: 'Invalid media-type value on headers [Accept, Content-Type]',
        caused_by: {
          type: 'status_exception',
          reason:
            'Accept version must be either version 9 or 8, but found 7. Accept=application/vnd.elasticsearch+json; compatible-with=7',
        },
      },
      status: 400,
    });
    const textPlain = await fetch(`${es.url}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}\n',
    });
    expect(textPlain.status).toBe(406);
  });

  it('a Cloud id becomes https://<es_uuid>.<host> for the client', () => {
    const encoded = Buffer.from(
      'europe-west1.gcp.cloud.es.io:443$4fa8821e75634032bed1cf22110e2f97$4fa8821e75634032bed1cf22110e2f98',
    ).toString('base64');
    const cloudId = `lms-prod:${encoded}`;
    const client = new Client(
      elasticsearchClientOptions({ cloudId, auth: { apiKey: 'k' } }, { rejectUnauthorized: true }),
    );
    open.push(client);
    const url = client.connectionPool.connections[0].url.href;
    expect(url).toBe('https://4fa8821e75634032bed1cf22110e2f97.europe-west1.gcp.cloud.es.io/');
    expect(decodeCloudId(cloudId).elasticsearchUrl).toBe(
      'https://4fa8821e75634032bed1cf22110e2f97.europe-west1.gcp.cloud.es.io:443',
    );
  });

  it('sends the API key as Authorization: ApiKey (encoding id:key forms) and explains a 401', async () => {
    const key = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64');
    const es = await fakeEs({ apiKey: key });
    for (const configured of [key, 'VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw']) {
      const backend = backendFor({ nodes: [es.url], auth: { apiKey: configured } });
      const { shipper } = shipperFor(backend);
      shipper.write({ message: 'with key' });
      await shipper.flush();
      expect(shipper.stats().sent).toBe(1);
    }
    expect(es.requests.every((r) => r.headers['authorization'] === `ApiKey ${key}`)).toBe(true);

    const wrong = backendFor({
      nodes: [es.url],
      auth: { apiKey: 'bm9wZTpub3Bl' },
      flavor: 'elasticsearch',
    });
    const records = [queued(lmsRecord())];
    const response = await wrong.send(wrong.encode(records), {
      signal: new AbortController().signal,
      attempt: 1,
    });
    expect(response.statusCode).toBe(401);
    expect(wrong.classify({ ok: true, response }, records)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(
        /^authentication failed \(401\): check ELASTICSEARCH_API_KEY.*security_exception/,
      ),
    });
  });

  it('retries per-item 429s and whole-request 429s (honouring Retry-After), splits on 413', async () => {
    const es = await fakeEs({ maxContentLength: 40_000 });
    const backend = backendFor({ nodes: [es.url] });
    const { shipper } = shipperFor(backend, { maxBatchCount: 200 });
    const retries: string[] = [];
    shipper.on('retry', (e) => retries.push(e.reason));
    es.rejectItems(2, 3); // every 3rd item of the next two bulks
    es.failNext(1, { status: 429, headers: { 'retry-after': '0' } });
    for (let n = 0; n < 600; n++) shipper.write({ message: `m${n}`, n, pad: 'x'.repeat(100) });
    await shipper.flush();
    const stats = shipper.stats();
    expect(stats.sent).toBe(600);
    expect(stats.retried).toBeGreaterThan(0);
    expect(stats.deadLettered).toEqual({});
    expect(es.count('lms-logs-*')).toBe(600);
    expect(retries.some((r) => r.startsWith('too many requests (429)'))).toBe(true);
    expect(
      retries.some((r) => /records not indexed: 429 es_rejected_execution_exception/.test(r)),
    ).toBe(true);
    // 200 records of ~300 bytes exceed the 40 kB limit: 413, halved until they fit.
    const bulkSizes = es.requests
      .filter((r) => r.path === '/_bulk')
      .map((r) => Buffer.byteLength(r.body));
    expect(bulkSizes.some((b) => b > 40_000)).toBe(true);
  });

  it('dead-letters a mapping conflict with the server reason while the rest land', async () => {
    const es = await fakeEs();
    const backend = backendFor({ nodes: [es.url] });
    const { shipper, deadLetter } = shipperFor(backend, { maxInFlight: 1 });
    shipper.write({ message: 'first', status_code: 200 });
    await shipper.flush();
    shipper.write({ message: 'bad', status_code: 'not-a-number' });
    for (let n = 0; n < 20; n++) shipper.write({ message: `ok${n}`, status_code: 200 + n });
    await shipper.flush();
    expect(shipper.stats()).toMatchObject({ sent: 21, deadLettered: { rejected: 1 } });
    expect(deadLetter.entries).toHaveLength(1);
    expect(deadLetter.entries[0].record.record['message']).toBe('bad');
    expect(deadLetter.entries[0].error).toMatch(
      /^400 document_parsing_exception: \[1:\d+\] failed to parse field \[status_code\] of type \[long\] .*Preview of field's value: 'not-a-number' \(caused by illegal_argument_exception: For input string: "not-a-number"\)/,
    );
  });

  it('writes into a data stream with create actions', async () => {
    const es = await fakeEs();
    const backend = backendFor({ nodes: [es.url], dataStream: true, environment: 'staging' });
    const { shipper } = shipperFor(backend);
    for (let n = 0; n < 30; n++) shipper.write({ message: `m${n}` });
    await shipper.flush();
    expect(shipper.stats().sent).toBe(30);
    expect(es.count('logs-lms-staging')).toBe(30);
    expect(es.indices()[0]).toMatch(/^\.ds-logs-lms-staging-/);
  });

  it('passes the ingest pipeline and keeps records while it is missing', async () => {
    const es = await fakeEs();
    const backend = backendFor({ nodes: [es.url], pipeline: 'lms-enrich' });
    const { shipper } = shipperFor(backend);
    let created = false;
    shipper.on('retry', (e) => {
      if (!created && /pipeline with id \[lms-enrich\] does not exist/.test(e.reason)) {
        created = true;
        void backend.transport!.request({
          method: 'PUT',
          path: '/_ingest/pipeline/lms-enrich',
          body: { processors: [] },
        });
      }
    });
    for (let n = 0; n < 10; n++) shipper.write({ message: `m${n}` });
    await shipper.flush();
    expect(created).toBe(true);
    expect(shipper.stats()).toMatchObject({ sent: 10, deadLettered: {} });
    expect(
      es.requests
        .filter((r) => r.path === '/_bulk')
        .every((r) => r.query.get('pipeline') === 'lms-enrich'),
    ).toBe(true);
  });

  it('fails over to a living node: SDK retries are off for bulk, core retries', async () => {
    const es = await fakeEs();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const backend = backendFor({ nodes: [dead, es.url], flavor: 'elasticsearch' });
    const { shipper } = shipperFor(backend, { maxInFlight: 1, maxBatchCount: 10 });
    const reasons: string[] = [];
    shipper.on('retry', (e) => reasons.push(e.reason));
    for (let n = 0; n < 100; n++) shipper.write({ message: `m${n}`, n });
    await shipper.flush();
    expect(shipper.stats().sent).toBe(100);
    expect(es.count('lms-logs-*')).toBe(100);
    // Whenever the pool picked the dead node, the bulk failed at once (maxRetries 0) and core
    // retried; the pool then marked it dead and the next attempt went to the living node.
    expect(reasons.every((r) => r.startsWith('ConnectionError'))).toBe(true);
  });

  it('request() resolves every HTTP status for the setup code', async () => {
    const es = await fakeEs();
    const transport: ElkTransport = await connectElk({ nodes: [es.url] });
    open.push(transport);
    const missing = await transport.request({ method: 'GET', path: '/nope-*/_count' });
    expect(missing.statusCode).toBe(200);
    const notFound = await transport.request<{ error: { type: string } }>({
      method: 'GET',
      path: '/nope/_count',
    });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body.error.type).toBe('index_not_found_exception');
    expect(notFound.headers['x-elastic-product']).toBe('Elasticsearch');
    const head = await transport.request({ method: 'HEAD', path: '/' });
    expect(head).toMatchObject({ statusCode: 200, body: null });
    const put = await transport.request({
      method: 'PUT',
      path: '/_ingest/pipeline/p1',
      body: '{"processors":[]}',
    });
    expect(put).toMatchObject({ statusCode: 200, body: { acknowledged: true } });
  });
});
