import type { JsonObject, LmsRecord } from '../record.js';
import {
  copyRemaining,
  isJsonObject,
  isNonText,
  moveAside,
  nonEmptyString,
  take,
  takeMessage,
  takeTimestamp,
  type RecordContext,
} from './fields.js';
import { normalizeLevel } from './levels.js';

/**
 * The default ("lms") schema, the fields an ops team's Logstash filter would produce from the
 * LMS backend's winston JSON:
 *
 * | record field  | from                                                                   |
 * | ------------- | ---------------------------------------------------------------------- |
 * | `@timestamp`  | `@timestamp`, `timestamp` or `time` (first readable), else now;        |
 * |               | an unreadable value is kept as `timestamp_raw`                         |
 * | `log_level`   | `level` (else `log_level`), normalized; `info` when missing            |
 * | `message`     | `message`, else pino's `msg`; non-strings as JSON text; else ''        |
 * | `environment` | the record's own `environment` when a non-empty string, else option    |
 * | `service`     | the record's own `service` when a non-empty string, else option        |
 * | `host.name`   | the record's own `host.name` when a non-empty string, else option      |
 *
 * Source `timestamp`, `time`, `level` and `msg` (when it became the message) are removed; every
 * other field stays as it is (pino's `hostname`, `pid` and `err`, winston's `stack`). Where the
 * record's own `environment`, `service` or `host` cannot be used (an object `service`, a string
 * `host`), or a `log_level` comes with a `level`, it is kept as `<name>_raw`.
 */
export function toLmsRecord(source: JsonObject, context: RecordContext): LmsRecord {
  const { timestamp, moved: timestampMoved } = takeTimestamp(source, context.now);
  let moved = timestampMoved;
  let level = take(source, 'level');
  const ownLogLevel = take(source, 'log_level');
  if (level === undefined || level === null) level = ownLogLevel;
  else if (ownLogLevel !== undefined) moved = moveAside(moved, 'log_level', ownLogLevel);
  const message = takeMessage(source);

  const environment = take(source, 'environment');
  if (isNonText(environment)) moved = moveAside(moved, 'environment', environment);
  const service = take(source, 'service');
  if (isNonText(service)) moved = moveAside(moved, 'service', service);
  const hostValue = take(source, 'host');
  const host = isJsonObject(hostValue) ? hostValue : {};
  if (!isJsonObject(hostValue) && hostValue !== undefined && hostValue !== null) {
    moved = moveAside(moved, 'host', hostValue);
  }
  if (!nonEmptyString(host.name)) host.name = context.hostName;

  const record: LmsRecord = {
    '@timestamp': timestamp,
    log_level: normalizeLevel(level),
    message,
    environment: nonEmptyString(environment) ? environment : context.environment,
    service: nonEmptyString(service) ? service : context.service,
    host: host as { name: string },
  };
  copyRemaining(record, source, moved);
  return record;
}
