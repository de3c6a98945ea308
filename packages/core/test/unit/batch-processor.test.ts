import { describe, expect, it } from 'vitest';
import type { QueuedRecord } from '../../src/backend.js';
import { BatchProcessor, type BatchProcessorOptions } from '../../src/batch/batch-processor.js';
import { ShipperEvents } from '../../src/batch/events.js';
import { sumCounts } from '../../src/batch/stats.js';
import { createMemoryDeadLetter } from '../../src/dead-letter/dead-letter.js';
import { createFaultyBackend } from '../../src/testing/faulty-backend.js';
import { createMemoryBackend } from '../../src/testing/memory-backend.js';
import type { Backend } from '../../src/backend.js';

let seq = 0;
function record(n: number, extra: Record<string, string | number> = {}): QueuedRecord {
  seq++;
  const rec = {
    '@timestamp': new Date().toISOString(),
    log_level: 'info',
    message: `m${n}`,
    n,
    ...extra,
  };
  const json = JSON.stringify(rec);
  return {
    id: `t${seq}`,
    seq,
    record: rec,
    timestamp: rec['@timestamp'],
    json,
    bytes: Buffer.byteLength(json),
    writtenAt: Date.now(),
  };
}

function setup(backend: Backend, options: Partial<BatchProcessorOptions> = {}) {
  const deadLetter = createMemoryDeadLetter();
  const events = new ShipperEvents();
  const processor = new BatchProcessor(backend, {
    flushIntervalMs: 20,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    deadLetter,
    events,
    ...options,
  });
  return { processor, deadLetter, events };
}

const ns = (records: readonly { [k: string]: unknown }[]): number[] =>
  records.map((r) => Number(r['n']));
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

describe('BatchProcessor against a fault-injecting sink', () => {
  it('retries whole-request failures until delivered, counting every re-send', async () => {
    const sink = createFaultyBackend({ failTimes: 3, limits: { maxBatchCount: 50 } });
    const { processor, deadLetter } = setup(sink, { maxInFlight: 1 });
    for (const n of range(50)) processor.enqueue(record(n));
    await processor.flush();
    expect(ns(sink.received)).toEqual(range(50));
    expect(sink.log.map((l) => l.status)).toEqual([503, 503, 503, 200]);
    const stats = processor.stats();
    expect(stats.sent).toBe(50);
    expect(stats.retried).toBe(150);
    expect(deadLetter.entries).toHaveLength(0);
    expect(stats.lastError?.message).toBe('HTTP 503');
  });

  it("waits the server's retry delay rather than its own shorter backoff", async () => {
    const sink = createFaultyBackend({ failTimes: 1, failStatus: 429, retryAfterMs: 300 });
    const { processor } = setup(sink);
    const started = Date.now();
    processor.enqueue(record(1));
    await processor.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(sink.received).toHaveLength(1);
  });

  it('dead-letters permanently rejected items with the reason and delivers the rest', async () => {
    const sink = createFaultyBackend({
      reject: (r) =>
        r['n'] === 7 || r['n'] === 13
          ? 'mapper_parsing_exception: failed to parse [status_code]'
          : undefined,
    });
    const { processor, deadLetter } = setup(sink);
    for (const n of range(20)) processor.enqueue(record(n));
    await processor.flush();
    expect(ns(sink.received)).toEqual(range(20).filter((n) => n !== 7 && n !== 13));
    expect(deadLetter.entries.map((e) => [e.record.record['n'], e.reason, e.error])).toEqual([
      [7, 'rejected', 'mapper_parsing_exception: failed to parse [status_code]'],
      [13, 'rejected', 'mapper_parsing_exception: failed to parse [status_code]'],
    ]);
    expect(processor.stats().deadLettered).toEqual({ rejected: 2 });
    expect(processor.stats().sent).toBe(18);
  });

  it('re-sends only the items answered with retry, each delivered exactly once', async () => {
    const sink = createFaultyBackend({ retryOnce: (r) => Number(r['n']) % 3 === 0 });
    const { processor } = setup(sink, { maxInFlight: 1 });
    for (const n of range(30)) processor.enqueue(record(n));
    await processor.flush();
    expect([...ns(sink.received)].sort((a, b) => a - b)).toEqual(range(30));
    expect(sink.log.map((l) => l.records)).toEqual([30, 10]);
    expect(processor.stats().retried).toBe(10);
  });

  it('splits a batch the server refuses as too large, down to single records', async () => {
    const sink = createFaultyBackend({ max413Records: 8, limits: { maxBatchCount: 40 } });
    const { processor, deadLetter } = setup(sink, { maxInFlight: 1 });
    for (const n of range(40)) processor.enqueue(record(n));
    await processor.flush();
    expect(ns(sink.received)).toEqual(range(40));
    expect(deadLetter.entries).toHaveLength(0);
    expect(sink.log.filter((l) => l.status === 413).map((l) => l.records)).toEqual([
      40, 20, 10, 10, 20, 10, 10,
    ]);
  });

  it('dead-letters records whose deadline passes while the sink stays down', async () => {
    const sink = createFaultyBackend();
    sink.setDown(true);
    const { processor, deadLetter } = setup(sink, { recordDeadlineMs: 200 });
    for (const n of range(10)) processor.enqueue(record(n));
    await processor.flush();
    expect(sink.received).toHaveLength(0);
    expect(deadLetter.entries).toHaveLength(10);
    expect(new Set(deadLetter.entries.map((e) => e.reason))).toEqual(new Set(['expired']));
    expect(deadLetter.entries[0]?.error).toContain('ECONNREFUSED');
    expect(processor.stats().deadLettered).toEqual({ expired: 10 });
  });

  it('keeps memory within the byte bound while down, counts every drop, and delivers the rest', async () => {
    const sink = createFaultyBackend({ limits: { maxBatchCount: 100 } });
    sink.setDown(true);
    const bound = 64 * 1024;
    const { processor } = setup(sink, { maxBufferBytes: bound });
    let peak = 0;
    const written = 10_000;
    for (const n of range(written)) {
      processor.enqueue(record(n, { pad: 'x'.repeat(100) }));
      peak = Math.max(peak, processor.stats().bufferedBytes);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(peak).toBeLessThanOrEqual(bound);
    const dropped = processor.stats().dropped['queue-full'] ?? 0;
    expect(dropped).toBeGreaterThan(9000);
    sink.setDown(false);
    await processor.flush();
    const stats = processor.stats();
    expect(stats.sent + dropped).toBe(written);
    expect(stats.sent).toBe(sink.received.length);
    // drop-oldest keeps the newest records.
    expect(ns(sink.received)).toContain(written - 1);
  });

  it('drop-newest keeps the oldest records instead', async () => {
    const sink = createFaultyBackend();
    sink.setDown(true);
    const one = record(0).bytes;
    const { processor } = setup(sink, { maxBufferBytes: one * 10 + 5, overflow: 'drop-newest' });
    for (const n of range(30)) processor.enqueue(record(n));
    sink.setDown(false);
    await processor.flush();
    expect([...ns(sink.received)].sort((a, b) => a - b)).toEqual(range(10));
    expect(processor.stats().dropped).toEqual({ 'queue-full': 20 });
  });

  it('cuts batches on count at once and sends a partial batch after the interval', async () => {
    const sink = createMemoryBackend({ limits: { maxBatchCount: 100 } });
    const { processor } = setup(sink, { flushIntervalMs: 200 });
    for (const n of range(250)) processor.enqueue(record(n));
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.requests).toEqual([100, 100]);
    await new Promise((r) => setTimeout(r, 250));
    expect(sink.requests).toEqual([100, 100, 50]);
  });

  it('cuts batches on bytes, never above the limit', async () => {
    const one = record(0).bytes;
    const sink = createMemoryBackend({ limits: { maxBatchBytes: one * 4 + 3 } });
    const { processor } = setup(sink);
    for (const n of range(20)) processor.enqueue(record(n));
    await processor.flush();
    expect(sink.requests.every((size) => size <= 4)).toBe(true);
    expect(sink.received).toHaveLength(20);
  });

  it('limits requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const inner = createMemoryBackend({ limits: { maxBatchCount: 10 } });
    const slow: Backend = {
      ...inner,
      async send(payload, ctx) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return inner.send(payload as never, ctx);
      },
    };
    const { processor } = setup(slow, { maxInFlight: 3 });
    for (const n of range(200)) processor.enqueue(record(n));
    await processor.flush();
    expect(peak).toBe(3);
    expect(inner.received).toHaveLength(200);
  });

  it('close with a timeout dead-letters what the down sink never took, with the last error', async () => {
    const sink = createFaultyBackend();
    sink.setDown(true);
    const { processor, deadLetter } = setup(sink);
    for (const n of range(25)) processor.enqueue(record(n));
    const started = Date.now();
    await processor.close(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(deadLetter.entries).toHaveLength(25);
    expect(
      deadLetter.entries.every((e) => e.reason === 'closed' && e.error?.includes('ECONNREFUSED')),
    ).toBe(true);
    processor.enqueue(record(99));
    const stats = processor.stats();
    expect(stats.dropped).toEqual({ closed: 1 });
    expect(stats.queued + stats.inFlightRecords).toBe(0);
  });

  it('accounts for every record: sent + dead-lettered + dropped = written', async () => {
    const sink = createFaultyBackend({
      failTimes: 2,
      reject: (r) => (Number(r['n']) % 50 === 0 ? 'rejected by test' : undefined),
      retryOnce: (r) => Number(r['n']) % 7 === 0,
      limits: { maxBatchCount: 64 },
    });
    const { processor } = setup(sink, { maxBufferBytes: 40 * 1024 });
    const written = 3000;
    for (const n of range(written)) processor.enqueue(record(n));
    await processor.flush();
    const s = processor.stats();
    expect(s.sent + sumCounts(s.deadLettered) + sumCounts(s.dropped)).toBe(written);
    expect(s.sent).toBe(sink.received.length);
  });
});
