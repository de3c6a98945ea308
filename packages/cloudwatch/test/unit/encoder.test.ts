import type { QueuedRecord } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../src/encoder.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function queued(n: number, time: number, message = `m${n}`): QueuedRecord {
  const json = JSON.stringify({ '@timestamp': new Date(time).toISOString(), message, n });
  return {
    id: `id${n}`,
    seq: n,
    timestamp: new Date(time).toISOString(),
    json,
    bytes: Buffer.byteLength(json),
    writtenAt: NOW,
    get record() {
      return JSON.parse(json) as QueuedRecord['record'];
    },
  };
}

const encode = createEncoder({ now: () => NOW });
const ns = (events: readonly { message?: string }[]): number[] =>
  events.map((e) => (JSON.parse(e.message ?? '{}') as { n: number }).n);

describe('PutLogEvents encoder', () => {
  it('sorts by timestamp, keeping write order for equal timestamps', () => {
    const p = encode([
      queued(0, NOW - 5),
      queued(1, NOW - 9),
      queued(2, NOW - 5),
      queued(3, NOW - 9),
    ]);
    expect(ns(p.events)).toEqual([1, 3, 0, 2]);
    expect(p.sent).toEqual([1, 3, 0, 2]);
    expect(p.events.map((e) => e.timestamp)).toEqual([NOW - 9, NOW - 9, NOW - 5, NOW - 5]);
    expect(p.deferred).toEqual([]);
  });

  it('sends the first 24 h window and defers the rest', () => {
    const p = encode([
      queued(0, NOW - 3 * DAY),
      queued(1, NOW - DAY),
      queued(2, NOW - 2 * DAY - HOUR),
    ]);
    expect(ns(p.events)).toEqual([0, 2]);
    expect(p.deferred).toEqual([1]);
  });

  it('drops events older than 14 days or more than 2 h ahead, with the reason', () => {
    const p = encode([queued(0, NOW - 15 * DAY), queued(1, NOW), queued(2, NOW + 3 * HOUR)]);
    expect(ns(p.events)).toEqual([1]);
    expect(p.dropped).toEqual([
      { index: 0, reason: expect.stringMatching(/more than 14 days old/) },
      { index: 2, reason: expect.stringMatching(/more than 2 hours in the future/) },
    ]);
  });

  it('counts 26 bytes per event and stops at the byte and count limits', () => {
    const records = Array.from({ length: 10 }, (_, n) => queued(n, NOW, 'x'.repeat(100)));
    const size = records[0].bytes + 26;
    const bytes = createEncoder({ now: () => NOW, maxBatchBytes: size * 4 })(records);
    expect(bytes.events).toHaveLength(4);
    expect(bytes.deferred).toEqual([4, 5, 6, 7, 8, 9]);
    const count = createEncoder({ now: () => NOW, maxBatchCount: 3 })(records);
    expect(count.events).toHaveLength(3);
  });
});
