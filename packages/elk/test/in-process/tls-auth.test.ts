// TLS, SigV4 and abort handling of both clients, against the in-process server speaking the
// documented Elasticsearch REST shapes (test/support/es-server.ts); no Elasticsearch runs here.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackendFromEnv, createElkBackend } from '../../src/backend.js';
import { connectElk } from '../../src/detect.js';
import { createOpenSearchTransport, type ElkTransport } from '../../src/transport.js';
import { makeTestCertificates, type TestCertificates } from '../support/certs.js';
import { startFakeElasticsearch, type FakeElasticsearch } from '../support/es-server.js';

let certs: TestCertificates;
let es: FakeElasticsearch;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  es = await startFakeElasticsearch({ tls: { key: certs.serverKey, cert: certs.serverChain } });
});

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await es.close();
  certs.cleanup();
});

async function connected(promise: Promise<ElkTransport>): Promise<ElkTransport> {
  const transport = await promise;
  open.push(transport);
  return transport;
}

const context = {
  environment: 'test',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: 'logs',
  warn: () => undefined,
};

describe('TLS', () => {
  it('verifies certificates by default: a private CA is refused', async () => {
    await expect(connectElk({ nodes: [es.url] })).rejects.toThrow(/certificate/i);
    await expect(
      connectElk({ nodes: [es.url], flavor: 'opensearch' }).then((t) => {
        open.push(t);
        return t.request({ method: 'GET', path: '/' });
      }),
    ).rejects.toThrow(/certificate/i);
  });

  it('trusts the CA from ELASTICSEARCH_CA_FILE', async () => {
    const backend = createBackendFromEnv(
      { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_CA_FILE: certs.caFile },
      context,
    );
    const shipper = createShipper({
      backend,
      flushIntervalMs: 10,
      selfLog: false,
      exit: false,
      deadLetter: createMemoryDeadLetter(),
    });
    shipper.write({ message: 'over tls', timestamp: '2025-10-10T10:00:00.000Z' });
    await shipper.flush();
    expect(shipper.stats().sent).toBe(1);
    await shipper.close();
    expect(es.count('lms-logs-2025.10.10')).toBe(1);
  });

  it('pins the CA by its SHA-256 fingerprint, for both clients', async () => {
    const elastic = await connected(
      connectElk({ nodes: [es.url], tls: { caFingerprint: certs.caFingerprint } }),
    );
    expect(elastic.flavor).toBe('elasticsearch');
    expect((await elastic.request({ method: 'GET', path: '/' })).statusCode).toBe(200);
    const openSearch = await connected(
      connectElk({
        nodes: [es.url],
        flavor: 'opensearch',
        tls: { caFingerprint: certs.caFingerprint.replace(/:/g, '').toLowerCase() },
      }),
    );
    expect((await openSearch.request({ method: 'GET', path: '/' })).statusCode).toBe(200);
  });

  it('refuses a server whose chain lacks the pinned fingerprint', async () => {
    const wrong = 'AB:'.repeat(31) + 'AB';
    await expect(connectElk({ nodes: [es.url], tls: { caFingerprint: wrong } })).rejects.toThrow(
      /no certificate in its chain has the SHA-256 fingerprint AB:AB/,
    );
  });

  it('ELASTICSEARCH_TLS_INSECURE=true connects without verification and warns once', async () => {
    const warn = vi.fn();
    const backend = createBackendFromEnv(
      { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_TLS_INSECURE: 'true' },
      { ...context, warn },
    );
    await backend.start!();
    await backend.start!();
    open.push({ close: () => backend.close!() });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/ELASTICSEARCH_TLS_INSECURE/);
  });
});

describe('Amazon OpenSearch Service SigV4', () => {
  it('signs requests with credentials from the AWS SDK default chain (env here)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    const plain = await startFakeElasticsearch({ productHeader: false });
    open.push(plain);
    const backend = createBackendFromEnv(
      {
        ELASTICSEARCH_URL: plain.url,
        ELASTICSEARCH_AWS_SIGV4: 'true',
        AWS_REGION: 'eu-west-1',
      },
      context,
    );
    open.push({ close: () => backend.close!() });
    const shipper = createShipper({
      backend,
      flushIntervalMs: 10,
      selfLog: false,
      exit: false,
      deadLetter: createMemoryDeadLetter(),
    });
    shipper.write({ message: 'signed' });
    await shipper.flush();
    expect(shipper.stats().sent).toBe(1);
    await shipper.close();
    // SigV4 implies OpenSearch: no detection request, straight to _bulk.
    expect(plain.requests.map((r) => r.path)).toEqual(['/_bulk']);
    const request = plain.requests[0];
    expect(request.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers['authorization']).toMatch(
      /SignedHeaders=.*x-amz-content-sha256.*x-amz-date/,
    );
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(request.body).digest('hex'),
    );
  });

  it('uses the service name for OpenSearch Serverless', async () => {
    const plain = await startFakeElasticsearch({ productHeader: false });
    open.push(plain);
    const transport = await connected(
      connectElk({
        nodes: [plain.url],
        awsSigv4: {
          region: 'us-east-1',
          service: 'aoss',
          getCredentials: () =>
            Promise.resolve({ accessKeyId: 'AKIDAOSS', secretAccessKey: 'secret' }),
        },
      }),
    );
    expect(transport.flavor).toBe('opensearch');
    await transport.request({ method: 'GET', path: '/x/_count' });
    expect(plain.requests[0].headers['authorization']).toMatch(
      /Credential=AKIDAOSS\/\d{8}\/us-east-1\/aoss\/aws4_request/,
    );
  });
});

describe('aborting an OpenSearch request', () => {
  it('rejects the send and raises nothing uncaught', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections();
          hanging.close(() => resolve());
        }),
    });
    const { port } = hanging.address() as { port: number };
    const transport = await createOpenSearchTransport(
      { nodes: [`http://127.0.0.1:${port}`] },
      { rejectUnauthorized: true },
    );
    open.push(transport);
    const uncaught = vi.fn();
    process.on('uncaughtException', uncaught);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expect(transport.bulk('{}\n', { signal: controller.signal })).rejects.toThrow(
        /aborted/i,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(uncaught).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', uncaught);
    }
  });

  it('createElkBackend works with an injected transport and leaves it open', async () => {
    const plain = await startFakeElasticsearch();
    open.push(plain);
    const transport = await connected(connectElk({ nodes: [plain.url] }));
    const backend = createElkBackend({ transport });
    await backend.start!();
    await backend.close!();
    expect((await transport.request({ method: 'GET', path: '/' })).statusCode).toBe(200);
  });
});
