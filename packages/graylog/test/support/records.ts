// Queued records made by hand, for encoder tests and for sending through a backend directly.
import { randomUUID } from 'node:crypto';
import type { LogRecord, QueuedRecord } from '@lms-logging/core';

let seq = 0;

export function queued(record: LogRecord, id: string = randomUUID()): QueuedRecord {
  const json = JSON.stringify(record);
  const timestamp = typeof record['@timestamp'] === 'string' ? record['@timestamp'] : '';
  return {
    id,
    seq: seq++,
    json,
    bytes: Buffer.byteLength(json),
    timestamp,
    writtenAt: Date.now(),
    get record(): LogRecord {
      return JSON.parse(json) as LogRecord;
    },
  };
}

export function lmsRecord(fields: LogRecord = {}): LogRecord {
  return {
    '@timestamp': '2026-03-04T05:06:07.891Z',
    log_level: 'info',
    message: 'hello',
    environment: 'test',
    service: 'lms',
    host: { name: 'web-1' },
    ...fields,
  };
}
