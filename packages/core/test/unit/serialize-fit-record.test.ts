import { describe, it, expect } from 'vitest';
import type { JsonObject, JsonValue } from '../../src/record.js';
import { PROTECTED_KEYS } from '../../src/mapping/index.js';
import { fitRecord, utf8ByteLength } from '../../src/serialize/index.js';

const PROTECTED = PROTECTED_KEYS.lms;

function baseRecord(extra: JsonObject = {}): JsonObject {
  return {
    '@timestamp': '2026-11-29T20:37:14.123Z',
    log_level: 'info',
    message: 'GET /api/courses 200',
    environment: 'production',
    service: 'lms-backend',
    host: { name: 'web-1' },
    ...extra,
  };
}

function expectConsistent(result: ReturnType<typeof fitRecord>, maxBytes: number): void {
  expect(result.json).toBe(JSON.stringify(result.record));
  expect(result.bytes).toBe(Buffer.byteLength(result.json, 'utf8'));
  expect(result.bytes).toBeLessThanOrEqual(maxBytes);
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('utf8ByteLength', () => {
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });
});

describe('fitRecord', () => {
  it('returns a record that fits as it is', () => {
    const record = baseRecord();
    const result = fitRecord(record, 1024, PROTECTED);
    expect(result.record).toBe(record);
    expect(result.truncated).toBe(false);
    expect(result.json).toBe(JSON.stringify(record));
    expect(result.bytes).toBe(utf8ByteLength(result.json));
  });

  it('cuts the largest strings first, deeply, and leaves the input untouched', () => {
    const record = baseRecord({
      body: { html: 'x'.repeat(50_000), title: 'short title' },
      query: 'q'.repeat(20_000),
      user_id: 42,
    });
    const before = JSON.stringify(record);
    const result = fitRecord(record, 16_384, PROTECTED);
    expectConsistent(result, 16_384);
    expect(JSON.stringify(record)).toBe(before);
    expect(result.truncated).toBe(true);
    expect(result.record.truncated).toBe(true);
    expect(result.record.truncated_fields).toBeUndefined();
    const body = result.record.body as JsonObject;
    expect(body.title).toBe('short title');
    expect(body.html).toMatch(/^x+…\[truncated \d+ chars\]$/);
    expect(result.record.query).toMatch(/^q+…\[truncated \d+ chars\]$/);
    expect(result.record.user_id).toBe(42);
    expect(result.record.message).toBe('GET /api/courses 200');
    // One common length: both long strings keep the same number of characters.
    expect((body.html as string).indexOf('…')).toBe((result.record.query as string).indexOf('…'));
  });

  it('drops the largest non-protected fields when cutting strings is not enough', () => {
    const wide: JsonObject = {};
    for (let i = 0; i < 50; i += 1) wide[`f${String(i).padStart(3, '0')}`] = i;
    const record = baseRecord({
      small: 1,
      numbers: Array.from({ length: 3000 }, (_, i) => i),
      nested: wide,
    });
    const result = fitRecord(record, 2048, PROTECTED);
    expectConsistent(result, 2048);
    expect(result.truncated).toBe(true);
    expect(result.record.truncated_fields).toEqual(['numbers']);
    expect(result.record.numbers).toBeUndefined();
    expect(result.record.small).toBe(1);
    for (const key of PROTECTED) expect(result.record[key]).toEqual(record[key]);
  });

  it('cuts the message last', () => {
    const record = baseRecord({ message: 'm'.repeat(100_000), request_id: 'r-1' });
    const result = fitRecord(record, 4096, PROTECTED);
    expectConsistent(result, 4096);
    expect(result.record.message).toMatch(/^m+…\[truncated \d+ chars\]$/);
    expect(result.record['@timestamp']).toBe('2026-11-29T20:37:14.123Z');
    expect(result.record.host).toEqual({ name: 'web-1' });
    expect(result.record.truncated_fields).toEqual(['request_id']);
  });

  it('measures multi-byte text in bytes', () => {
    const record = baseRecord({ note: '😀'.repeat(10_000), cjk: '漢'.repeat(10_000) });
    const result = fitRecord(record, 8192, PROTECTED);
    expectConsistent(result, 8192);
    expect(Buffer.from(result.json, 'utf8').toString('utf8')).toBe(result.json);
  });

  it('fits even when protected fields alone are too large', () => {
    const record = baseRecord({
      service: 's'.repeat(50_000),
      host: { name: 'h'.repeat(50_000), ip: ['10.0.0.1'] },
    });
    const result = fitRecord(record, 1024, PROTECTED);
    expectConsistent(result, 1024);
    expect(result.record['@timestamp']).toBe('2026-11-29T20:37:14.123Z');
    expect(result.truncated).toBe(true);
  });

  it('keeps truncated_fields small when thousands of fields are dropped', () => {
    const extra: JsonObject = {};
    for (let i = 0; i < 2000; i += 1) extra[`a_rather_long_field_name_number_${i}`] = i;
    const result = fitRecord(baseRecord(extra), 1024, PROTECTED);
    expectConsistent(result, 1024);
    const listed = result.record.truncated_fields as JsonValue[];
    expect(listed.length).toBe(17);
    expect(listed[16]).toMatch(/^\[\+\d+ more\]$/);
  });

  it('shrinks the same record the same way every time', () => {
    const make = (): JsonObject =>
      baseRecord({ b: 'b'.repeat(9000), a: 'a'.repeat(9000), list: ['x'.repeat(5000)] });
    const first = fitRecord(make(), 4096, PROTECTED);
    const second = fitRecord(make(), 4096, PROTECTED);
    expect(second.json).toBe(first.json);
  });

  it('keeps a __proto__ field as data while shrinking', () => {
    const record = baseRecord();
    Object.defineProperty(record, '__proto__', {
      value: { polluted: 'p'.repeat(5000) },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const result = fitRecord(record, 2048, PROTECTED);
    expectConsistent(result, 2048);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.record)).toBe(Object.prototype);
  });

  it('always fits random oversized records (property check)', () => {
    const next = random(20261129);
    const alphabet = ['a', 'é', '€', '😀', '"', '\n', '\u0001', ' '];
    // Runs of one character keep generation cheap while mixing 1- to 4-byte and escaped chars.
    const text = (length: number): string => {
      const parts: string[] = [];
      for (let size = 0; size < length; size += 64) {
        parts.push(alphabet[Math.floor(next() * alphabet.length)].repeat(64));
      }
      return parts.join('').slice(0, length);
    };
    const value = (depth: number): JsonValue => {
      const pick = next();
      if (depth > 2 || pick < 0.4) return text(Math.floor(next() ** 3 * 3000));
      if (pick < 0.55) return Math.floor(next() * 1e6);
      if (pick < 0.75)
        return Array.from({ length: Math.floor(next() * 8) }, () => value(depth + 1));
      const object: JsonObject = {};
      const keys = Math.floor(next() * 12);
      for (let i = 0; i < keys; i += 1) object[`k${i}_${text(3)}`] = value(depth + 1);
      return object;
    };
    for (let round = 0; round < 200; round += 1) {
      const record = baseRecord({ message: text(Math.floor(next() * 5000)) });
      const fields = Math.floor(next() * 20);
      for (let i = 0; i < fields; i += 1) record[`field_${i}`] = value(0);
      const maxBytes = 1024 + Math.floor(next() * 20_000);
      const result = fitRecord(record, maxBytes, PROTECTED);
      expectConsistent(result, maxBytes);
      expect(result.record['@timestamp']).toBe(record['@timestamp']);
      expect(result.record.log_level).toBe('info');
      if (result.truncated) expect(result.record.truncated).toBe(true);
    }
  });
});
