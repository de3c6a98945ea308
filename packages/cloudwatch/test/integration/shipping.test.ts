// Against a real moto server (scripts/services/moto, 127.0.0.1:5000), through the SDK's default
// credential/region chain and AWS_ENDPOINT_URL, as a user would point it at an emulator.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { createMemoryDeadLetter, createShipper, type Backend } from '@lms-logging/core';
import { LmsTransport } from '@lms-logging/winston';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchBackend } from '../../src/backend.js';
import {
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_COUNT,
  MAX_BATCH_SPAN_MS,
} from '../../src/config.js';
import type { CloudWatchPayload } from '../../src/encoder.js';
import { deleteGroup, readRecords, readStream, uniqueGroup, useMoto } from '../support/moto.js';

let client: CloudWatchLogsClient;
const groups: string[] = [];

beforeAll(() => {
  useMoto();
  client = new CloudWatchLogsClient({});
});

afterAll(async () => {
  for (const g of groups) await deleteGroup(client, g);
  client.destroy();
});

function group(name: string): string {
  const g = uniqueGroup(name);
  groups.push(g);
  return g;
}

/**
 * Shows core larger limits than PutLogEvents allows, so whole over-limit batches reach the
 * encoder, and records every request the backend really sends.
 */
function oversized(backend: Backend<CloudWatchPayload>): {
  backend: Backend<CloudWatchPayload>;
  requests: { count: number; bytes: number; spanMs: number }[];
} {
  const requests: { count: number; bytes: number; spanMs: number }[] = [];
  return {
    requests,
    backend: {
      ...backend,
      limits: { ...backend.limits, maxBatchBytes: 8 * MAX_BATCH_BYTES, maxBatchCount: 50_000 },
      send(payload, context) {
        if (payload.events.length > 0) {
          const times = payload.events.map((e) => e.timestamp ?? 0);
          requests.push({
            count: payload.events.length,
            bytes: payload.events.reduce(
              (n, e) => n + Buffer.byteLength(e.message ?? '') + EVENT_OVERHEAD_BYTES,
              0,
            ),
            spanMs: Math.max(...times) - Math.min(...times),
          });
          for (let i = 1; i < times.length; i++)
            expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
        }
        return backend.send(payload, context);
      },
    },
  };
}

const shipperDefaults = {
  flushIntervalMs: 50,
  backoff: { initialDelayMs: 10, maxDelayMs: 100 },
  selfLog: false,
  exit: false,
} as const;

describe('shipping to CloudWatch Logs (moto)', () => {
  it('10,000 records through winston are read back complete and in order', async () => {
    const logGroupName = group('winston');
    const backend = createCloudWatchBackend({ logGroupName, logStreamName: 'web-7/1/start' });
    const deadLetter = createMemoryDeadLetter();
    const transport = new LmsTransport({
      backend,
      environment: 'staging',
      service: 'lms-api',
      hostName: 'web-7',
      deadLetter,
      ...shipperDefaults,
    });
    const logger = winston.createLogger({ level: 'info', transports: [transport] });
    const base = Date.now() - 60 * 60 * 1000;
    for (let n = 0; n < 10_000; n++) {
      logger.info('request finished', {
        timestamp: new Date(base + n).toISOString(),
        n,
        status_code: 200,
        url: `/courses/${n % 50}`,
      });
    }
    await transport.flush();
    expect(transport.stats()).toMatchObject({ sent: 10_000, dropped: {}, deadLettered: {} });
    await transport.close();

    const records = await readRecords(client, logGroupName, 'web-7/1/start');
    expect(records.map((r) => r['n'])).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
    expect(records[0]).toMatchObject({
      message: 'request finished',
      log_level: 'info',
      status_code: 200,
    });
  });

  it('the default stream is <host>/<pid>/<start time>, without : or *', () => {
    const backend = createCloudWatchBackend({ environment: 'prod', service: 'lms-api' });
    expect(backend.target.logGroupName).toBe('/lms/prod/lms-api');
    expect(backend.target.logStreamName).toMatch(/^[^:*]+\/\d+\/\d{4}-\d\d-\d\dT[^:*]+Z$/);
    void backend.close?.();
  });

  const limitCases: {
    name: string;
    count: number;
    size: number;
    stepMs: number;
    check: (r: { count: number; bytes: number; spanMs: number }) => void;
  }[] = [
    {
      name: 'bytes (1,048,576 with 26 per event)',
      count: 60,
      size: 60_000,
      stepMs: 1,
      check: (r) => expect(r.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES),
    },
    {
      name: 'count (10,000 events)',
      count: 25_000,
      size: 0,
      stepMs: 1,
      check: (r) => expect(r.count).toBeLessThanOrEqual(MAX_BATCH_COUNT),
    },
    {
      name: 'span (24 h)',
      count: 300,
      size: 0,
      stepMs: 60 * 60 * 1000, // 300 events over 12.5 days
      check: (r) => expect(r.spanMs).toBeLessThanOrEqual(MAX_BATCH_SPAN_MS),
    },
  ];
  for (const c of limitCases) {
    it(`a batch over the ${c.name} limit is split and every event arrives`, async () => {
      const logGroupName = group('limits');
      const inner = createCloudWatchBackend({ logGroupName, logStreamName: 'limits' });
      const { backend, requests } = oversized(inner);
      const deadLetter = createMemoryDeadLetter();
      const shipper = createShipper({
        ...shipperDefaults,
        flushIntervalMs: 60_000,
        backend,
        deadLetter,
        maxBatchCount: 50_000,
        maxBatchBytes: 8 * MAX_BATCH_BYTES,
      });
      const start = Date.now() - 13 * 24 * 60 * 60 * 1000;
      for (let n = 0; n < c.count; n++) {
        shipper.write({
          '@timestamp': new Date(start + n * c.stepMs).toISOString(),
          message: c.size ? 'x'.repeat(c.size) : `m${n}`,
          n,
        });
      }
      await shipper.flush();
      expect(shipper.stats()).toMatchObject({ sent: c.count, deadLettered: {} });
      await shipper.close();
      expect(requests.length).toBeGreaterThan(1);
      for (const r of requests) c.check(r);
      const got = (await readRecords(client, logGroupName, 'limits')).map((r) => r['n']);
      expect(got).toEqual(Array.from({ length: c.count }, (_, n) => n));
    });
  }

  it('an event 15 days old is dead-lettered with the reason; the rest arrive', async () => {
    const logGroupName = group('too-old');
    const backend = createCloudWatchBackend({ logGroupName, logStreamName: 'old' });
    const deadLetter = createMemoryDeadLetter();
    const shipper = createShipper({ ...shipperDefaults, backend, deadLetter });
    const now = Date.now();
    for (let n = 0; n < 20; n++) {
      const time = n === 7 ? now - 15 * 24 * 60 * 60 * 1000 : now - 1000 + n;
      shipper.write({ '@timestamp': new Date(time).toISOString(), message: `m${n}`, n });
    }
    await shipper.flush();
    expect(shipper.stats()).toMatchObject({ sent: 19, deadLettered: { rejected: 1 } });
    await shipper.close();
    expect(deadLetter.entries).toHaveLength(1);
    expect(deadLetter.entries[0].record.record['n']).toBe(7);
    expect(deadLetter.entries[0].error).toMatch(/more than 14 days old/);
    const got = (await readRecords(client, logGroupName, 'old')).map((r) => r['n']);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('a log group deleted mid-stream is recreated and nothing is lost', async () => {
    const logGroupName = group('deleted');
    const backend = createCloudWatchBackend({ logGroupName, logStreamName: 'again' });
    const shipper = createShipper({
      ...shipperDefaults,
      backend,
      deadLetter: createMemoryDeadLetter(),
    });
    const now = Date.now() - 10_000;
    for (let n = 0; n < 100; n++) {
      shipper.write({ '@timestamp': new Date(now + n).toISOString(), message: `m${n}`, n });
    }
    await shipper.flush();
    await deleteGroup(client, logGroupName);
    for (let n = 100; n < 200; n++) {
      shipper.write({ '@timestamp': new Date(now + n).toISOString(), message: `m${n}`, n });
    }
    await shipper.flush();
    expect(shipper.stats()).toMatchObject({ sent: 200, deadLettered: {} });
    await shipper.close();
    // The first 100 went with the deleted group; the recreated one has the rest, none lost.
    const got = (await readStream(client, logGroupName, 'again')).map(
      (e) => (JSON.parse(e.message) as { n: number }).n,
    );
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
  });
});
