// A real OpenSearch server with its write thread pool squeezed (1 thread, queue 1) on port 9280:
// concurrent shippers get real 429s (rejected_execution_exception) and still deliver exactly.
import { createMemoryDeadLetter, createShipper, type Shipper } from '@lms-logging/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElkBackend } from '../../src/backend.js';
import {
  countDocs,
  createIndex,
  deleteIndices,
  ensureSearchServer,
  stopSearchServer,
  uniquePrefix,
} from './support.js';

const SERVER = {
  port: 9280,
  env: { SEARCH_WRITE_QUEUE_SIZE: '1', SEARCH_WRITE_THREADS: '1' },
};
let url = '';

beforeAll(() => {
  url = ensureSearchServer(SERVER);
});

afterAll(() => {
  stopSearchServer(SERVER);
});

describe('write pool pressure', () => {
  it('concurrent shippers meet real 429s, back off, and deliver every record exactly once', async () => {
    const prefix = uniquePrefix('pressure');
    await createIndex(url, `${prefix}-2025.08.01`, { number_of_shards: 6, number_of_replicas: 0 });
    const reasons: string[] = [];
    const shippers: Shipper[] = [];
    const perShipper = 2500;
    for (let s = 0; s < 4; s++) {
      const shipper = createShipper({
        backend: createElkBackend({ nodes: [url], index: `${prefix}-%{+YYYY.MM.dd}` }),
        maxInFlight: 4,
        maxBatchCount: 250,
        flushIntervalMs: 20,
        backoff: { initialDelayMs: 50, maxDelayMs: 1000 },
        selfLog: false,
        exit: false,
        deadLetter: createMemoryDeadLetter(),
      });
      shipper.on('retry', (e) => reasons.push(e.reason));
      shippers.push(shipper);
    }
    try {
      for (let n = 0; n < perShipper; n++) {
        shippers.forEach((shipper, s) => {
          shipper.write({
            message: `s${s} m${n}`,
            shipper: s,
            n,
            timestamp: '2025-08-01T09:00:00.000Z',
          });
        });
      }
      await Promise.all(shippers.map((s) => s.flush()));
      const stats = shippers.map((s) => s.stats());
      expect(stats.reduce((sum, s) => sum + s.sent, 0)).toBe(4 * perShipper);
      expect(stats.every((s) => Object.keys(s.deadLettered).length === 0)).toBe(true);
      expect(stats.reduce((sum, s) => sum + s.retried, 0)).toBeGreaterThan(0);
      expect(reasons.some((r) => /\b429\b/.test(r))).toBe(true);
      expect(await countDocs(url, `${prefix}-*`)).toBe(4 * perShipper);
    } finally {
      await Promise.all(shippers.map((s) => s.close({ timeoutMs: 2000 })));
      await deleteIndices(url, `${prefix}-*`);
    }
  }, 300_000);
});
