import type { JsonObject, JsonValue } from '../record.js';
import { setOwn } from '../serialize/own-property.js';
import { toIsoTimestamp } from './timestamp.js';

/** What a schema mapper needs besides the record: the fallbacks resolved from configuration. */
export interface RecordContext {
  readonly environment: string;
  readonly service: string;
  readonly hostName: string;
  readonly now: () => number;
}

/** Source fields read as the record's time, first readable one wins. */
export const TIMESTAMP_FIELDS = ['@timestamp', 'timestamp', 'time'] as const;

/**
 * Fields a mapper moved aside because the schema needs the name for something else (a string
 * `host` where `host.name` goes); written after every other field as `<name>_raw`.
 */
export type MovedFields = [string, JsonValue][] | undefined;

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Consumes a field of the source and returns it. The source is sanitize's fresh copy, owned by
 * the mapper. Overwriting with undefined (which sanitized data never holds) keeps the object's
 * shape, where `delete` would turn it into a slow dictionary; copyRemaining skips undefined.
 */
export function take(source: JsonObject, key: string): JsonValue | undefined {
  const value = source[key];
  if (value !== undefined) (source as Record<string, JsonValue | undefined>)[key] = undefined;
  return value;
}

export function moveAside(moved: MovedFields, key: string, value: JsonValue): MovedFields {
  const list = moved ?? [];
  list.push([`${key}_raw`, value]);
  return list;
}

/**
 * `@timestamp` from the first readable of `@timestamp`, `timestamp`, `time`; all three leave
 * the record. When none is readable it is the mapping time, and the first unreadable value is
 * kept as `timestamp_raw` so that nothing the application wrote is lost.
 */
export function takeTimestamp(
  source: JsonObject,
  now: () => number,
): { timestamp: string; moved: MovedFields } {
  let timestamp: string | undefined;
  let moved: MovedFields;
  for (const key of TIMESTAMP_FIELDS) {
    const value = take(source, key);
    if (value === undefined || value === null) continue;
    const iso = toIsoTimestamp(value);
    if (iso === undefined) moved ??= [['timestamp_raw', value]];
    else timestamp ??= iso;
  }
  return { timestamp: timestamp ?? new Date(now()).toISOString(), moved };
}

/** `message`, else pino's `msg`; a non-string is written as its JSON text, none as ''. */
export function takeMessage(source: JsonObject): string {
  let value = take(source, 'message');
  if (value === undefined || value === null) {
    const msg = source.msg;
    if (msg !== undefined && msg !== null) value = take(source, 'msg');
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function nonEmptyString(value: JsonValue | undefined): value is string {
  return typeof value === 'string' && value !== '';
}

/** A value where the schema wants text: kept aside as `<name>_raw` rather than lost. */
export function isNonText(value: JsonValue | undefined): value is JsonValue {
  return value !== undefined && value !== null && typeof value !== 'string';
}

/** Every field still in the source, in its order, then the moved-aside ones. */
export function copyRemaining(out: JsonObject, source: JsonObject, moved: MovedFields): JsonObject {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== undefined) setOwn(out, key, value);
  }
  if (moved !== undefined) for (const [key, value] of moved) setOwn(out, key, value);
  return out;
}
