// In-process TCP and TLS servers speaking the Logstash tcp input protocol with
// `codec => json_lines`; Logstash cannot run here (not on Maven Central, no Debian package).
// The servers (test/support/logstash-servers.ts) split the byte stream into lines exactly like
// json_lines and parse each as JSON; records go through core's createShipper with the backend.
import { describeBackendConformance } from '@lms-logging/core/testing';
import type { LogRecord } from '@lms-logging/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogstashBackend,
  logstashBackendFromEnv,
  type LogstashBackend,
} from '../../src/logstash/index.js';
import {
  makeLogstashTestCertificates,
  opensslAvailable,
  type LogstashTestCertificates,
} from '../support/certs.js';
import {
  startFakeTcpInput,
  type FakeTcpInput,
  type FakeTcpInputOptions,
} from '../support/logstash-servers.js';
import {
  envContext,
  numbersOf,
  tally,
  testShipper,
  waitFor,
  type TestShipper,
} from '../support/logstash-shipping.js';

const servers: FakeTcpInput[] = [];
const shippers: TestShipper[] = [];

async function server(options: FakeTcpInputOptions = {}): Promise<FakeTcpInput> {
  const s = await startFakeTcpInput(options);
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

function write(shipper: TestShipper, from: number, to: number): void {
  for (let n = from; n < to; n++) {
    shipper.write({ level: 'info', message: `line ${n}\nwith a newline`, n, timestamp: TIMESTAMP });
  }
}

/** Writes `perTick` records every `everyMs`, like an app under steady load. */
async function writeSteadily(
  shipper: TestShipper,
  from: number,
  to: number,
  perTick = 10,
  everyMs = 2,
): Promise<void> {
  for (let n = from; n < to; n += perTick) {
    write(shipper, n, Math.min(n + perTick, to));
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Flushes, then waits until the server has read every byte the backend wrote. */
async function delivered(
  shipper: TestShipper,
  backend: LogstashBackend,
  input: FakeTcpInput,
): Promise<void> {
  await shipper.flush();
  await input.waitForBytes(backend.tcpStats()!.bytesWritten);
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

describe('delivery through the tcp input', () => {
  it('every record arrives once, in write order, over one connection', async () => {
    const input = await server();
    const backend = createLogstashBackend({ url: input.url });
    const shipper = ship(backend, { maxBatchCount: 100 });
    write(shipper, 0, 1000);
    await delivered(shipper, backend, input);
    expect(shipper.stats()).toMatchObject({ sent: 1000, lastError: null, retried: 0 });
    expect(numbersOf(input.events)).toEqual(range(0, 1000));
    expect(input.connections()).toBe(1);
    expect(input.events[7].fields).toEqual({
      '@timestamp': TIMESTAMP,
      '@version': '1',
      log_level: 'info',
      message: 'line 7\nwith a newline',
      environment: 'staging',
      service: 'lms-api',
      host: { name: 'web-1' },
      n: 7,
    });
    expect(input.events.some((e) => e.fields['tags'] !== undefined)).toBe(false);
  });

  it('the server closes mid-stream (FIN after 250 lines): reconnect, no record missing', async () => {
    const input = await server({ closeAfterLines: 250, closeMode: 'end' });
    const backend = createLogstashBackend({ url: input.url });
    const shipper = ship(backend, { maxBatchCount: 50 });
    await writeSteadily(shipper, 0, 1000);
    await delivered(shipper, backend, input);
    expect(input.connections()).toBeGreaterThanOrEqual(2);
    const { missing, duplicates } = tally(numbersOf(input.events), 1000);
    expect(missing).toEqual([]);
    // At-least-once: only the batch being written when the connection broke may repeat.
    expect(duplicates).toBeLessThanOrEqual(50);
    expect(shipper.stats().sent).toBe(1000);
  });

  it('the server resets mid-stream (RST after 250 lines): reconnect; what is lost is one run of records already handed to the kernel', async () => {
    // The documented limit of the tcp input: no acknowledgement, so records whose write
    // completed but that Logstash never read are gone (use the http input for at-least-once).
    const input = await server({ closeAfterLines: 250, closeMode: 'reset' });
    const warnings: string[] = [];
    const backend = createLogstashBackend({ url: input.url, warn: (line) => warnings.push(line) });
    const shipper = ship(backend, { maxBatchCount: 50 });
    await writeSteadily(shipper, 0, 1000);
    await shipper.flush();
    // Lost bytes never arrive, so wait for the last record rather than for every byte.
    await waitFor(() => numbersOf(input.events).includes(999), 'the last record');
    expect(input.connections()).toBeGreaterThanOrEqual(2);
    const { missing, duplicates } = tally(numbersOf(input.events), 1000);
    expect(duplicates).toBeLessThanOrEqual(50);
    if (missing.length > 0) {
      // One contiguous run right after what the server read before the reset; everything
      // written on the new connection arrived.
      expect(missing[0]).toBeGreaterThanOrEqual(250);
      expect(missing).toEqual(range(missing[0], missing[0] + missing.length));
    }
    expect(shipper.stats().sent).toBe(1000);
    // The reset is not silent: it is counted and warned about.
    expect(backend.tcpStats()!.connectionsLost).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatch(/may not have reached Logstash.*use the http input/);
  });

  it('an idle close by the server is normal: the next batch reconnects without an error', async () => {
    const input = await server();
    const backend = createLogstashBackend({ url: input.url });
    const shipper = ship(backend);
    write(shipper, 0, 10);
    await delivered(shipper, backend, input);
    input.endConnections();
    await waitFor(() => !backend.tcpStats()!.connected, 'the client to see the close');
    write(shipper, 10, 20);
    await delivered(shipper, backend, input);
    expect(numbersOf(input.events)).toEqual(range(0, 20));
    expect(input.connections()).toBe(2);
    expect(shipper.stats()).toMatchObject({ sent: 20, retried: 0, lastError: null });
  });

  it('Logstash down at start: core retries connecting, and delivers once it listens', async () => {
    const probe = await startFakeTcpInput();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const backend = createLogstashBackend({ url: probe.url });
    const shipper = ship(backend);
    write(shipper, 0, 20);
    await waitFor(() => shipper.stats().lastError !== null, 'a connect error');
    expect(shipper.stats().lastError!.message).toMatch(/ECONNREFUSED.*nothing listens there/);
    expect(shipper.stats().sent).toBe(0);

    const input = await server({ port });
    await delivered(shipper, backend, input);
    expect(numbersOf(input.events)).toEqual(range(0, 20));
  });
});

describe.skipIf(!opensslAvailable())('tls://', () => {
  let certs: LogstashTestCertificates;
  beforeAll(() => {
    certs = makeLogstashTestCertificates();
  });
  afterAll(() => certs.cleanup());

  it('verifies with the CA from LOGSTASH_CA_FILE', async () => {
    const input = await server({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    const backend = logstashBackendFromEnv(
      { LOGSTASH_URL: input.url, LOGSTASH_CA_FILE: certs.caFile },
      envContext,
    ) as LogstashBackend;
    const shipper = ship(backend, { maxBatchCount: 50 });
    write(shipper, 0, 200);
    await delivered(shipper, backend, input);
    expect(numbersOf(input.events)).toEqual(range(0, 200));
    expect(input.url.startsWith('tls://')).toBe(true);
  });

  it('without the CA (or with another one) verification fails, with a clear lastError', async () => {
    const input = await server({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    for (const env of [{}, { LOGSTASH_CA_FILE: certs.otherCaFile }]) {
      const shipper = ship(logstashBackendFromEnv({ LOGSTASH_URL: input.url, ...env }, envContext));
      shipper.write({ message: 'x' });
      await waitFor(() => shipper.stats().lastError !== null, 'an error');
      const error = shipper.stats().lastError!.message;
      expect(error).toMatch(/certificate/i);
      expect(error).toMatch(/set LOGSTASH_CA_FILE/);
      expect(shipper.stats().sent).toBe(0);
    }
    expect(input.events).toHaveLength(0);
  });

  it('a server requiring a client certificate: refused without one (nothing counted as sent), accepted with one', async () => {
    const input = await server({
      tls: {
        key: certs.serverKey,
        cert: certs.serverCert,
        ca: certs.caPem,
        clientAuthentication: 'required',
      },
    });
    const without = ship(
      logstashBackendFromEnv(
        { LOGSTASH_URL: input.url, LOGSTASH_CA_FILE: certs.caFile },
        envContext,
      ),
    );
    write(without, 0, 5);
    await waitFor(() => without.stats().lastError !== null, 'an error');
    expect(without.stats().lastError!.message).toMatch(/LOGSTASH_CLIENT_CERT_FILE/);
    expect(without.stats().sent).toBe(0);

    const backend = logstashBackendFromEnv(
      {
        LOGSTASH_URL: input.url,
        LOGSTASH_CA_FILE: certs.caFile,
        LOGSTASH_CLIENT_CERT_FILE: certs.clientCertFile,
        LOGSTASH_CLIENT_KEY_FILE: certs.clientKeyFile,
      },
      envContext,
    ) as LogstashBackend;
    const withCert = ship(backend);
    write(withCert, 100, 110);
    await delivered(withCert, backend, input);
    expect(numbersOf(input.events)).toEqual(range(100, 110));
  });
});

describeBackendConformance('logstash tcp', {
  ordered: true,
  async create() {
    const input = await startFakeTcpInput();
    const backend = createLogstashBackend({ url: input.url });
    return {
      backend,
      readBack: async () => {
        await input.waitForBytes(backend.tcpStats()!.bytesWritten);
        return input.events.map((e) => e.fields as LogRecord);
      },
      cleanup: () => input.close(),
    };
  },
});
