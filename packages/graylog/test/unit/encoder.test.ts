import { describe, expect, it } from 'vitest';
import { shrinkGelf, toGelf, TRUNCATION_MARKER } from '../../src/encoder.js';
import { chunkMessage, maxUdpMessageBytes } from '../../src/transport.js';
import { lmsRecord } from '../support/records.js';

describe('GELF encoding', () => {
  it('maps the standard fields and flattens the rest into additional fields', () => {
    const gelf = toGelf(
      lmsRecord({
        log_level: 'error',
        message: 'first line\nsecond line',
        status_code: 503,
        http: { status_code: 500, ok: false, tags: ['a', 'b'] },
        id: 'abc',
        'weird key!': 'x',
        nothing: null,
        err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n  at x' },
      }),
      'rec-1',
    );
    expect(gelf).toMatchObject({
      version: '1.1',
      host: 'web-1',
      short_message: 'first line',
      full_message: 'first line\nsecond line\nTypeError: boom\n  at x',
      timestamp: 1772600767.891,
      level: 3,
      _environment: 'test',
      _service: 'lms',
      _status_code: 503,
      _http_status_code: 500,
      _http_ok: 'false',
      _http_tags: '["a","b"]',
      _record_id: 'abc',
      _weird_key_: 'x',
      _err_type: 'TypeError',
      _err_message: 'boom',
      _lms_id: 'rec-1',
    });
    expect(gelf).not.toHaveProperty('_id');
    expect(gelf).not.toHaveProperty('_nothing');
    expect(gelf).not.toHaveProperty('_err_stack');
    for (const key of Object.keys(gelf)) expect(key).toMatch(/^[\w.-]*$/);
  });

  it('caps short_message and always sets a level', () => {
    const long = 'x'.repeat(600);
    const gelf = toGelf(lmsRecord({ message: long, log_level: 'nonsense' }), 'r');
    expect(String(gelf['short_message']).length).toBeLessThanOrEqual(250);
    expect(gelf['full_message']).toBe(long);
    expect(gelf['level']).toBe(6);
    expect(toGelf(lmsRecord({ log_level: 'fatal' }), 'r')['level']).toBe(2);
  });

  it('shrinks a message with a marker instead of dropping it', () => {
    const gelf = toGelf(
      lmsRecord({ message: `a\n${'y'.repeat(100_000)}`, big: 'z'.repeat(50_000) }),
      'r',
    );
    const { message, json, truncated } = shrinkGelf(gelf, (j) => j.length < 10_000);
    expect(truncated).toBe(true);
    expect(json.length).toBeLessThan(10_000);
    expect(String(message['full_message']).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(message['_lms_id']).toBe('r');
    expect(message['_lms_truncated']).toBe('true');
  });

  it('chunks with the GELF header and refuses more than 128 chunks', () => {
    const data = Buffer.alloc(5000, 1);
    const chunks = chunkMessage(data, 1420, Buffer.alloc(8, 7));
    expect(chunks).toHaveLength(4);
    expect([...chunks[0].subarray(0, 12)]).toEqual([0x1e, 0x0f, 7, 7, 7, 7, 7, 7, 7, 7, 0, 4]);
    expect(chunks.every((c) => c.length <= 1420)).toBe(true);
    expect(Buffer.concat(chunks.map((c) => c.subarray(12)))).toEqual(data);
    expect(() => chunkMessage(Buffer.alloc(maxUdpMessageBytes(1420) + 1), 1420)).toThrow(
      RangeError,
    );
    expect(chunkMessage(Buffer.alloc(maxUdpMessageBytes(1420)), 1420)).toHaveLength(128);
  });
});
