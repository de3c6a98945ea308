// Outages against a real OpenSearch server: a server that is not there yet (started on port 9230
// while records wait), and a dead URL with a small memory bound.
import { createServer } from 'node:net';
import { createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElkBackend } from '../../src/backend.js';
import {
  countDocs,
  deleteIndices,
  sleep,
  startSearchServerAsync,
  stopSearchServer,
  uniquePrefix,
} from './support.js';

const LATE_PORT = 9230;

beforeAll(() => {
  // Nothing may answer there when the test starts (a crashed earlier run could have left one).
  stopSearchServer({ port: LATE_PORT });
});

afterAll(() => {
  stopSearchServer({ port: LATE_PORT });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('outages', () => {
  it('buffers while the server is down at start, then delivers everything once it is up', async () => {
    const url = `http://127.0.0.1:${LATE_PORT}`;
    const prefix = uniquePrefix('late');
    const backend = createElkBackend({ nodes: [url], index: `${prefix}-%{+YYYY.MM.dd}` });
    const deadLetter = createMemoryDeadLetter();
    const shipper = createShipper({
      backend,
      flushIntervalMs: 50,
      backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
      selfLog: false,
      exit: false,
      deadLetter,
    });
    try {
      for (let n = 0; n < 3000; n++) {
        shipper.write({ message: `m${n}`, n, timestamp: '2025-07-01T12:00:00.000Z' });
      }
      await sleep(1500);
      const waiting = shipper.stats();
      expect(waiting.sent).toBe(0);
      expect(waiting.retried).toBeGreaterThan(0);
      expect(waiting.lastError?.message).toMatch(/^backend start failed: .*ECONNREFUSED/);
      expect(waiting.queued + waiting.inFlightRecords).toBe(3000);

      await startSearchServerAsync({ port: LATE_PORT });
      await shipper.flush();
      expect(shipper.stats()).toMatchObject({ sent: 3000, dropped: {}, deadLettered: {} });
      expect(await countDocs(url, `${prefix}-*`)).toBe(3000);
      await deleteIndices(url, `${prefix}-*`);
    } finally {
      await shipper.close({ timeoutMs: 1000 });
    }
  }, 400_000);

  it('keeps memory within the bound while the server is down; overflow is counted as queue-full', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const bound = 1024 * 1024;
    const deadLetter = createMemoryDeadLetter();
    const shipper = createShipper({
      backend: createElkBackend({ nodes: [dead] }),
      maxBufferBytes: bound,
      flushIntervalMs: 20,
      backoff: { initialDelayMs: 10, maxDelayMs: 100 },
      selfLog: false,
      exit: false,
      deadLetter,
    });
    let highest = 0;
    const sample = (): void => {
      highest = Math.max(highest, shipper.stats().bufferedBytes);
    };
    const total = 50_000;
    for (let n = 0; n < total; n++) {
      shipper.write({ level: 'info', message: `record ${n}`, n, detail: 'x'.repeat(60) });
      sample();
      if (n % 5000 === 0) await sleep(20); // let batches and retries run between bursts
    }
    for (let i = 0; i < 20; i++) {
      await sleep(25);
      sample();
    }
    const stats = shipper.stats();
    expect(highest).toBeLessThanOrEqual(bound);
    expect(highest).toBeGreaterThan(bound * 0.9);
    expect(stats.sent).toBe(0);
    expect(stats.retried).toBeGreaterThan(0);
    const dropped = stats.dropped['queue-full'] ?? 0;
    expect(dropped).toBeGreaterThan(total / 2);
    expect(stats.queued + stats.inFlightRecords + dropped).toBe(total);
    await shipper.close({ timeoutMs: 200 });
    // Whatever was still held goes to the dead letter: every record is accounted for.
    expect(deadLetter.entries.length + dropped).toBe(total);
  }, 60_000);
});
