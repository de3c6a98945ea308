// A real 3-node OpenSearch cluster (one JVM) on ports 9250-9252: one node is stopped while
// records stream in; with all three URLs configured nothing is lost.
import { createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElkBackend } from '../../src/backend.js';
import {
  countDocs,
  createIndex,
  deleteIndices,
  ensureSearchServer,
  sleep,
  stopNodeAsync,
  stopSearchServer,
  uniquePrefix,
  waitForGreen,
} from './support.js';

const CLUSTER = { port: 9250, nodes: 3 };
const urls = [9250, 9251, 9252].map((port) => `http://127.0.0.1:${port}`);

beforeAll(() => {
  ensureSearchServer(CLUSTER);
});

afterAll(() => {
  stopSearchServer(CLUSTER);
});

describe('node failover', () => {
  it('stopping one node of three mid-stream loses nothing', async () => {
    const prefix = uniquePrefix('failover');
    // A replica per shard, so the stopped node's shards are promoted elsewhere.
    await createIndex(urls[0], `${prefix}-2025.09.01`, {
      number_of_shards: 3,
      number_of_replicas: 1,
    });
    // Replicas must be in sync before a node goes: a primary without one would make the cluster
    // red, which is data loss no client can prevent.
    await waitForGreen(urls[0], `${prefix}-2025.09.01`);
    const backend = createElkBackend({
      nodes: urls,
      index: `${prefix}-%{+YYYY.MM.dd}`,
      requestTimeoutMs: 15_000,
    });
    const shipper = createShipper({
      backend,
      maxInFlight: 2,
      maxBatchCount: 200,
      flushIntervalMs: 20,
      backoff: { initialDelayMs: 50, maxDelayMs: 1000 },
      selfLog: false,
      exit: false,
      deadLetter: createMemoryDeadLetter(),
    });
    const reasons: string[] = [];
    shipper.on('retry', (e) => reasons.push(e.reason));
    const total = 12_000;
    let stopping: Promise<void> | undefined;
    try {
      for (let n = 0; n < total; n++) {
        shipper.write({ message: `m${n}`, n, timestamp: '2025-09-01T06:00:00.000Z' });
        if (n % 200 === 199) await sleep(25);
        if (n === 3000) stopping = stopNodeAsync(CLUSTER, 2);
        // Keep writing until the node is gone, then a while longer.
        if (n === 6000) await stopping;
      }
      await shipper.flush();
      const stats = shipper.stats();
      expect(stats).toMatchObject({ sent: total, dropped: {}, deadLettered: {} });
      // Requests routed to the stopped node failed without an SDK retry and were retried by core.
      expect(stats.retried).toBeGreaterThan(0);
      expect(await countDocs(urls[0], `${prefix}-*`)).toBe(total);
    } finally {
      await stopping?.catch(() => undefined);
      await shipper.close({ timeoutMs: 2000 });
      await deleteIndices(urls[0], `${prefix}-*`);
    }
  }, 400_000);
});
