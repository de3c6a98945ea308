// The Logstash encoders: records' serialized JSON used as is, json-array and NDJSON framing.
import type { QueuedRecord } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import {
  createLogstashEncoder,
  encodeJsonArray,
  encodeNdjson,
  logstashOverheadBytes,
  recordJson,
} from '../../src/logstash/index.js';
import { lmsRecord, queued } from '../support/records.js';

/** A queued record whose `record` must not be read: encoders work on `json` only. */
function jsonOnly(json: string, id = `id-${json.length}`): QueuedRecord {
  return {
    id,
    seq: 1,
    json,
    bytes: Buffer.byteLength(json),
    timestamp: '2025-01-01T00:00:00.000Z',
    writtenAt: Date.now(),
    get record(): never {
      throw new Error('the encoder parsed the record');
    },
  };
}

describe('json-array', () => {
  it('joins the serialized records verbatim', () => {
    // Key order and number formatting as serialized; a re-stringify would not keep "1.50".
    const a = jsonOnly('{"b":1,"a":"x","n":1.50}');
    const b = jsonOnly('{"message":"line\\nbreak"}');
    const payload = encodeJsonArray([a, b]);
    expect(payload.body).toBe('[{"b":1,"a":"x","n":1.50},{"message":"line\\nbreak"}]');
    expect(payload.count).toBe(2);
    expect(JSON.parse(payload.body)).toEqual([
      { b: 1, a: 'x', n: 1.5 },
      { message: 'line\nbreak' },
    ]);
  });

  it('stays within the byte estimate core cuts batches with', () => {
    const records = Array.from({ length: 50 }, (_, n) =>
      queued(lmsRecord({ n, message: 'é'.repeat(n) })),
    );
    for (const documentId of [false, true]) {
      const body = createLogstashEncoder('json-array', documentId)(records).body;
      const estimate = records.reduce(
        (sum, r) => sum + r.bytes + logstashOverheadBytes(documentId),
        0,
      );
      // The two brackets are the only bytes outside the per-record estimate.
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(estimate + 2);
    }
  });
});

describe('ndjson', () => {
  it('writes one line per record; newlines in values stay escaped', () => {
    const records = [
      queued(lmsRecord({ message: 'first\nsecond\r\nthird', n: 1 })),
      queued(lmsRecord({ message: '\u2028 separators \u2029', n: 2 })),
    ];
    const payload = encodeNdjson(records);
    const lines = payload.body.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2)).toEqual(records.map((r) => r.json));
    expect(JSON.parse(lines[0]).message).toBe('first\nsecond\r\nthird');
  });

  it('adds exactly one byte per record', () => {
    const records = [jsonOnly('{"a":1}'), jsonOnly('{}')];
    const body = encodeNdjson(records).body;
    expect(Buffer.byteLength(body)).toBe(records.reduce((s, r) => s + r.bytes + 1, 0));
  });
});

describe('document id', () => {
  it('puts the record id under @metadata, first', () => {
    const record = jsonOnly('{"@timestamp":"2025-01-01T00:00:00.000Z","n":1}', 'abc123');
    const json = recordJson(record, true);
    expect(json).toBe(
      '{"@metadata":{"_id":"abc123"},"@timestamp":"2025-01-01T00:00:00.000Z","n":1}',
    );
    expect(recordJson(jsonOnly('{}', 'x'), true)).toBe('{"@metadata":{"_id":"x"}}');
    expect(JSON.parse(encodeJsonArray([record, jsonOnly('{}', 'y')], true).body)).toEqual([
      { '@metadata': { _id: 'abc123' }, '@timestamp': '2025-01-01T00:00:00.000Z', n: 1 },
      { '@metadata': { _id: 'y' } },
    ]);
  });

  it('leaves a record that has its own @metadata, and is off by default', () => {
    const own = jsonOnly('{"@metadata":{"x":1},"n":1}');
    expect(recordJson(own, true)).toBe(own.json);
    const plain = jsonOnly('{"n":1}');
    expect(recordJson(plain, false)).toBe(plain.json);
    expect(encodeNdjson([plain]).body).toBe('{"n":1}\n');
  });
});
