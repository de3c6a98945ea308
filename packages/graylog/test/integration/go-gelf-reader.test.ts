// Delivery checked by Graylog's own GELF decoder: the Go library github.com/Graylog2/go-gelf
// (Debian golang-github-graylog2-go-gelf-dev) in test/support/gelf-receiver.
import { randomBytes } from 'node:crypto';
import {
  createMemoryDeadLetter,
  createShipper,
  type Backend,
  type QueuedRecord,
} from '@lms-logging/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraylogBackend, type GraylogBackend } from '../../src/backend.js';
import type { GelfCompression } from '../../src/config.js';
import { TRUNCATION_MARKER } from '../../src/encoder.js';
import { buildReceiver, startReceiver, type Receiver } from '../support/receiver.js';
import { lmsRecord, queued } from '../support/records.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(proto: 'udp' | 'tcp', addr?: string): Promise<Receiver> {
  const r = await startReceiver(proto, addr);
  cleanups.push(() => r.stop());
  return r;
}

function backend(url: string, extra: { compression?: GelfCompression } = {}): GraylogBackend {
  const b = createGraylogBackend({ url, ...extra });
  cleanups.push(() => b.close!());
  return b;
}

/** Encode and send once, as core would, and insist the classifier calls it delivered. */
async function deliver(b: Backend, records: readonly QueuedRecord[]): Promise<void> {
  const payload = b.encode(records);
  const response = await b.send(payload, { signal: new AbortController().signal, attempt: 1 });
  expect(b.classify({ ok: true, response }, records)).toEqual({ kind: 'success' });
}

function shipper(b: Backend) {
  const s = createShipper({
    backend: b,
    flushIntervalMs: 20,
    backoff: { initialDelayMs: 20, maxDelayMs: 200 },
    selfLog: false,
    exit: false,
    deadLetter: createMemoryDeadLetter(),
    environment: 'test',
    service: 'lms',
    hostName: 'web-1',
  });
  cleanups.push(() => s.close({ timeoutMs: 5000 }));
  return s;
}

beforeAll(() => {
  buildReceiver();
}, 180_000);

describe('GELF over UDP, decoded by go-gelf', () => {
  it('delivers every field as sent', async () => {
    const r = await receiver('udp');
    const b = backend(`udp://127.0.0.1:${r.port}`);
    const record = lmsRecord({
      log_level: 'warn',
      message: 'slow request\nGET /courses took long',
      status_code: 200,
      duration_ms: 1234.5,
      event: 'http_request',
      http: { method: 'GET', route: '/courses/:id' },
      flags: ['a', 'b'],
      cached: true,
      id: 'user-given',
    });
    await deliver(b, [queued(record, 'lms-1')]);
    const [m] = await r.waitFor(1);
    expect(m).toEqual({
      version: '1.1',
      host: 'web-1',
      short_message: 'slow request',
      full_message: 'slow request\nGET /courses took long',
      timestamp: 1772600767.891,
      level: 4,
      extra: {
        _environment: 'test',
        _service: 'lms',
        _status_code: 200,
        _duration_ms: 1234.5,
        _event: 'http_request',
        _http_method: 'GET',
        _http_route: '/courses/:id',
        _flags: '["a","b"]',
        _cached: 'true',
        _record_id: 'user-given',
        _lms_id: 'lms-1',
      },
    });
    expect(r.errors).toEqual([]);
  });

  for (const compression of ['gzip', 'zlib', 'none'] as const) {
    it(`sends ${compression} datagrams`, async () => {
      const r = await receiver('udp');
      const b = backend(`udp://127.0.0.1:${r.port}`, { compression });
      const records = Array.from({ length: 20 }, (_, n) =>
        queued(lmsRecord({ message: `m${n} ${compression}`, n })),
      );
      await deliver(b, records);
      const got = await r.waitFor(20);
      expect(got.map((m) => m.extra?.['_n']).sort((x, y) => Number(x) - Number(y))).toEqual(
        records.map((_, n) => n),
      );
      expect(r.errors).toEqual([]);
    });
  }

  it('chunks a 200 KB message', async () => {
    const r = await receiver('udp');
    const b = backend(`udp://127.0.0.1:${r.port}`);
    const body = randomBytes(150_000).toString('base64'); // 200 KB that gzip cannot shrink much
    await deliver(b, [queued(lmsRecord({ message: `big\n${body}` }), 'big-1')]);
    const [m] = await r.waitFor(1);
    expect(m.full_message).toBe(`big\n${body}`);
    expect(m.extra?.['_lms_id']).toBe('big-1');
    expect(m.extra).not.toHaveProperty('_lms_truncated');
  });

  it('truncates a message that needs more than 128 chunks, with a marker, and still delivers it', async () => {
    const r = await receiver('udp');
    const b = backend(`udp://127.0.0.1:${r.port}`, { compression: 'none' });
    const body = randomBytes(300_000).toString('base64');
    await deliver(b, [queued(lmsRecord({ message: `huge\n${body}`, blob: body }), 'huge-1')]);
    const [m] = await r.waitFor(1);
    expect(m.short_message).toBe('huge');
    expect(m.full_message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(body.startsWith(m.full_message.slice(5, -TRUNCATION_MARKER.length))).toBe(true);
    expect(m.extra?.['_lms_truncated']).toBe('true');
    expect(m.extra?.['_lms_id']).toBe('huge-1');
  });
});

describe('GELF over TCP, decoded by go-gelf', () => {
  it('sends many messages over one connection', async () => {
    const r = await receiver('tcp');
    const b = backend(`tcp://127.0.0.1:${r.port}`);
    const s = shipper(b);
    for (let n = 0; n < 2000; n++)
      s.write({ level: 'info', message: `m${n}`, n, nested: { ok: n % 2 === 0 } });
    await s.flush();
    const got = await r.waitFor(2000);
    expect(got.map((m) => m.extra?.['_n'])).toEqual(Array.from({ length: 2000 }, (_, n) => n));
    expect(got[1].extra?.['_nested_ok']).toBe('false');
    expect(got[0].host).toBe('web-1');
    expect(b.connections).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('reconnects when the receiver restarts and loses nothing written after the restart', async () => {
    const first = await receiver('tcp');
    const b = backend(`tcp://127.0.0.1:${first.port}`);
    const s = shipper(b);
    for (let n = 0; n < 100; n++) s.write({ level: 'info', message: `before ${n}`, n });
    await s.flush();
    await first.waitFor(100);
    await first.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Written while nothing listens: refused connections are retried with backoff.
    for (let n = 100; n < 150; n++) s.write({ level: 'info', message: `down ${n}`, n });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await receiver('tcp', first.address);
    for (let n = 150; n < 250; n++) s.write({ level: 'info', message: `after ${n}`, n });
    await s.flush();
    const got = await second.waitFor(150);
    const numbers = new Set(got.map((m) => Number(m.extra?.['_n'])));
    for (let n = 100; n < 250; n++) expect(numbers.has(n)).toBe(true);
    expect(b.connections).toBe(2);
    expect(s.stats().retried).toBeGreaterThan(0);
  });
});
