import type { LogRecord, QueuedRecord } from '@lms-logging/core';

let counter = 0;

/** A QueuedRecord as core builds it: serialized once, sized on the serialized form. */
export function queued(
  record: LogRecord,
  options: { id?: string; json?: string } = {},
): QueuedRecord {
  counter++;
  const json = options.json ?? JSON.stringify(record);
  return {
    id: options.id ?? `test-${process.pid}-${counter}`,
    seq: counter,
    record,
    timestamp: typeof record['@timestamp'] === 'string' ? record['@timestamp'] : '',
    json,
    bytes: Buffer.byteLength(json, 'utf8'),
    writtenAt: Date.now(),
  };
}

/** A record in the seed ("lms") schema. */
export function lmsRecord(fields: Partial<LogRecord> & { '@timestamp'?: string } = {}): LogRecord {
  return {
    '@timestamp': new Date().toISOString(),
    log_level: 'info',
    message: 'hello',
    environment: 'test',
    service: 'lms-backend',
    host: { name: 'test-host' },
    ...fields,
  };
}
