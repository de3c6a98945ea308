// In-process server speaking the Logstash http input protocol; Logstash cannot run here (not on
// Maven Central, no Debian package). The server (test/support/logstash-servers.ts) answers and
// decodes the way the http input and its json / json_lines / plain codecs do; records go through
// core's createShipper with the Logstash backend.
import { describeBackendConformance } from '@lms-logging/core/testing';
import type { LogRecord } from '@lms-logging/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogstashBackend,
  logstashBackendFromEnv,
  type LogstashHttpFormat,
} from '../../src/logstash/index.js';
import {
  makeLogstashTestCertificates,
  opensslAvailable,
  type LogstashTestCertificates,
} from '../support/certs.js';
import {
  startFakeHttpInput,
  type FakeHttpInput,
  type FakeHttpInputOptions,
} from '../support/logstash-servers.js';
import {
  envContext,
  numbersOf,
  tally,
  testShipper,
  waitFor,
  type TestShipper,
} from '../support/logstash-shipping.js';

/** The http input as examples/elk/logstash/lms.conf configures it. */
const LMS_CONF_HTTP: FakeHttpInputOptions = {
  ecsCompatibility: 'disabled',
  remoteHostTargetField: '[@metadata][input][http][remote_host]',
  requestHeadersTargetField: '[@metadata][input][http][request][headers]',
  codec: { name: 'json', ecsCompatibility: 'disabled' },
  additionalCodecs: { 'application/x-ndjson': 'json_lines' },
};

const servers: FakeHttpInput[] = [];
const shippers: TestShipper[] = [];

async function server(options: FakeHttpInputOptions = LMS_CONF_HTTP): Promise<FakeHttpInput> {
  const s = await startFakeHttpInput(options);
  servers.push(s);
  return s;
}

function ship(...args: Parameters<typeof testShipper>): TestShipper {
  const shipper = testShipper(...args);
  shippers.push(shipper);
  return shipper;
}

afterEach(async () => {
  while (shippers.length > 0) await shippers.pop()!.close({ timeoutMs: 200 });
  while (servers.length > 0) await servers.pop()!.close();
});

const TIMESTAMP = '2025-10-10T10:00:00.000Z';

function writeRequests(shipper: TestShipper, count: number): void {
  for (let n = 0; n < count; n++) {
    shipper.write({
      level: n % 10 === 0 ? 'error' : 'info',
      message: `GET /courses/${n}`,
      n,
      url: `/courses/${n}`,
      status_code: 200,
      timestamp: TIMESTAMP,
    });
  }
}

describe('delivery through the http input', () => {
  for (const [format, contentType] of [
    ['json-array', 'application/json'],
    ['ndjson', 'application/x-ndjson'],
  ] as const satisfies readonly (readonly [LogstashHttpFormat, string])[]) {
    it(`${format}: every record arrives once, with the fields the library mapped`, async () => {
      const input = await server();
      const shipper = ship(createLogstashBackend({ url: input.url, httpFormat: format }), {
        maxBatchCount: 50,
      });
      writeRequests(shipper, 300);
      await shipper.flush();
      expect(shipper.stats()).toMatchObject({ sent: 300, deadLettered: {}, lastError: null });

      expect(tally(numbersOf(input.events), 300)).toEqual({ missing: [], duplicates: 0 });
      expect(input.requests.length).toBeGreaterThanOrEqual(6);
      expect(input.requests.every((r) => r.status === 200 && r.contentType === contentType)).toBe(
        true,
      );
      // The record as the library shipped it; Logstash only adds @version.
      expect(input.events.find((e) => e.fields['n'] === 10)!.fields).toEqual({
        '@timestamp': TIMESTAMP,
        '@version': '1',
        log_level: 'error',
        message: 'GET /courses/10',
        environment: 'staging',
        service: 'lms-api',
        host: { name: 'web-1' },
        n: 10,
        url: '/courses/10',
        status_code: 200,
      });
      expect(input.events.some((e) => e.fields['tags'] !== undefined)).toBe(false);
    });
  }

  it("the input's defaults (ECS on) set [url][domain] on every event: a record with a string url gets 500", async () => {
    // Why lms.conf sets ecs_compatibility => disabled on the http input.
    const input = await server({});
    const shipper = ship(createLogstashBackend({ url: input.url }));
    shipper.write({ message: 'no url field', n: 1, timestamp: TIMESTAMP });
    await shipper.flush();
    const event = input.events[0].fields;
    expect(event['http']).toMatchObject({ method: 'POST' });
    expect(event['url']).toMatchObject({ path: '/' });
    // The json codec (ECS) copies a body holding one event into [event][original].
    expect(event['event']).toMatchObject({ original: expect.stringContaining('no url field') });

    shipper.write({ message: 'has a url', url: '/courses/1', n: 2 });
    await waitFor(
      () => /Logstash answered 500/.test(shipper.stats().lastError?.message ?? ''),
      '500',
    );
    expect(shipper.stats().sent).toBe(1);
  });

  it('ndjson to an input without the json_lines mapping arrives as ONE plain event', async () => {
    const input = await server({});
    const shipper = ship(createLogstashBackend({ url: input.url, httpFormat: 'ndjson' }));
    writeRequests(shipper, 3);
    await shipper.flush();
    expect(input.events).toHaveLength(1);
    expect(String(input.events[0].fields['message']).split('\n')).toHaveLength(4);
  });

  it('document ids travel in @metadata, which Logstash keeps out of the event', async () => {
    const input = await server();
    const backend = logstashBackendFromEnv(
      { LOGSTASH_URL: input.url, LOGSTASH_DOCUMENT_ID: 'true' },
      envContext,
    );
    const shipper = ship(backend);
    writeRequests(shipper, 40);
    await shipper.flush();
    const ids = input.events.map((e) => e.metadata['_id']);
    expect(new Set(ids).size).toBe(40);
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(input.events.some((e) => '@metadata' in e.fields)).toBe(false);
  });
});

describe('answers of the http input', () => {
  it("429 with Retry-After: waits the server's delay, then delivers everything", async () => {
    const input = await server();
    input.busy(2, '1');
    const shipper = ship(createLogstashBackend({ url: input.url }));
    writeRequests(shipper, 20);
    await shipper.flush();
    expect(input.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    const [first, second, third] = input.requests.map((r) => r.at);
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(third - second).toBeGreaterThanOrEqual(950);
    expect(tally(numbersOf(input.events), 20)).toEqual({ missing: [], duplicates: 0 });
    const stats = shipper.stats();
    expect(stats.sent).toBe(20);
    expect(stats.retried).toBe(40);
    expect(stats.lastError?.message).toMatch(/busy \(429\)/);
  });

  it("429 without Retry-After (what Logstash itself sends): core's backoff, then delivery", async () => {
    const input = await server();
    input.busy(3);
    const shipper = ship(createLogstashBackend({ url: input.url }));
    writeRequests(shipper, 20);
    await shipper.flush();
    expect(input.requests.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    expect(input.requests[3].at - input.requests[0].at).toBeLessThan(950);
    expect(shipper.stats().sent).toBe(20);
  });

  it('401: lastError names LOGSTASH_USERNAME, records are kept and delivered once the credentials match', async () => {
    const input = await server({ ...LMS_CONF_HTTP, user: 'lms', password: 'right' });
    const backend = logstashBackendFromEnv(
      { LOGSTASH_URL: input.url, LOGSTASH_USERNAME: 'lms', LOGSTASH_PASSWORD: 'wrong' },
      envContext,
    );
    const shipper = ship(backend);
    writeRequests(shipper, 10);
    await waitFor(() => input.requests.length >= 3, 'three attempts');
    const stats = shipper.stats();
    expect(stats.lastError?.message).toMatch(
      /authentication failed \(401\): check LOGSTASH_USERNAME \/ LOGSTASH_PASSWORD/,
    );
    expect(stats.sent).toBe(0);
    expect(stats.deadLettered).toEqual({});
    expect(stats.queued + stats.inFlightRecords).toBe(10);
    expect(input.events).toHaveLength(0);

    input.setCredentials('lms', 'wrong'); // the operator aligns the input's user/password
    await shipper.flush();
    expect(shipper.stats().sent).toBe(10);
    expect(tally(numbersOf(input.events), 10)).toEqual({ missing: [], duplicates: 0 });
  });

  it('413: the batch is split until it fits max_content_length', async () => {
    const input = await server({ ...LMS_CONF_HTTP, maxContentLength: 4000 });
    const shipper = ship(createLogstashBackend({ url: input.url }), { maxBatchCount: 100 });
    writeRequests(shipper, 100);
    await shipper.flush();
    expect(input.requests.some((r) => r.status === 413)).toBe(true);
    expect(input.requests.filter((r) => r.status === 200).every((r) => r.bytes <= 4000)).toBe(true);
    expect(tally(numbersOf(input.events), 100)).toEqual({ missing: [], duplicates: 0 });
    expect(shipper.stats().deadLettered).toEqual({});
  });

  it('other 4xx: the batch goes to the dead letter with the response text', async () => {
    const input = await server();
    input.failNext(400, 'unexpected body');
    const shipper = ship(createLogstashBackend({ url: input.url }));
    writeRequests(shipper, 5);
    await shipper.flush();
    expect(shipper.stats().deadLettered).toEqual({ rejected: 5 });
    expect(shipper.deadLetter.entries[0]).toMatchObject({
      reason: 'rejected',
      backend: 'logstash',
      error: 'Logstash rejected the request (400): unexpected body',
    });
  });

  it('5xx and a refused connection are retried', async () => {
    const input = await server();
    input.failNext(503, 'pipeline stalled');
    const shipper = ship(createLogstashBackend({ url: input.url }));
    writeRequests(shipper, 5);
    await shipper.flush();
    expect(shipper.stats().sent).toBe(5);
    expect(shipper.stats().lastError?.message).toMatch(/503: pipeline stalled/);

    const gone = await startFakeHttpInput(LMS_CONF_HTTP);
    await gone.close();
    const refused = ship(createLogstashBackend({ url: gone.url }));
    refused.write({ message: 'x' });
    await waitFor(() => refused.stats().lastError !== null, 'an error');
    expect(refused.stats().lastError?.message).toMatch(/ECONNREFUSED.*nothing listens there/);
  });
});

describe.skipIf(!opensslAvailable())('https', () => {
  let certs: LogstashTestCertificates;
  let input: FakeHttpInput;
  beforeAll(async () => {
    certs = makeLogstashTestCertificates();
    input = await startFakeHttpInput({
      ...LMS_CONF_HTTP,
      tls: { key: certs.serverKey, cert: certs.serverCert },
    });
  });
  afterAll(async () => {
    await input.close();
    certs.cleanup();
  });

  it('verifies with the CA from LOGSTASH_CA_FILE', async () => {
    const before = input.events.length;
    const shipper = ship(
      logstashBackendFromEnv(
        { LOGSTASH_URL: input.url, LOGSTASH_CA_FILE: certs.caFile },
        envContext,
      ),
    );
    writeRequests(shipper, 10);
    await shipper.flush();
    expect(shipper.stats().sent).toBe(10);
    expect(input.events.length - before).toBe(10);
  });

  it('without the CA (or with another one) verification fails, with a clear lastError', async () => {
    for (const env of [{}, { LOGSTASH_CA_FILE: certs.otherCaFile }]) {
      const shipper = ship(logstashBackendFromEnv({ LOGSTASH_URL: input.url, ...env }, envContext));
      shipper.write({ message: 'x' });
      await waitFor(() => shipper.stats().lastError !== null, 'an error');
      const error = shipper.stats().lastError!.message;
      expect(error).toMatch(/certificate/i);
      expect(error).toMatch(/set LOGSTASH_CA_FILE/);
      expect(shipper.stats().sent).toBe(0);
    }
  });

  it('LOGSTASH_TLS_INSECURE=true warns and skips verification', async () => {
    const lines: string[] = [];
    const shipper = ship(
      logstashBackendFromEnv(
        { LOGSTASH_URL: input.url, LOGSTASH_TLS_INSECURE: 'true' },
        { ...envContext, warn: (line) => lines.push(line) },
      ),
    );
    shipper.write({ message: 'x' });
    await shipper.flush();
    expect(shipper.stats().sent).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/verification is OFF/)]);
  });
});

for (const format of ['json-array', 'ndjson'] as const) {
  describeBackendConformance(`logstash http (${format})`, {
    ordered: true,
    async create() {
      const input = await startFakeHttpInput(LMS_CONF_HTTP);
      return {
        backend: createLogstashBackend({ url: input.url, httpFormat: format }),
        readBack: () => Promise.resolve(input.events.map((e) => e.fields as LogRecord)),
        cleanup: () => input.close(),
      };
    },
  });
}
