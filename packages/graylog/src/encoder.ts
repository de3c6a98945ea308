/**
 * GELF 1.1 encoding of shared records. Standard fields: `version`, `host` (`host.name`),
 * `short_message` (the first line, capped), `full_message` (the rest of the message and the
 * error's stack), `timestamp` (seconds with millisecond decimals) and `level` (syslog severity,
 * always set: GELF's default is 1 = ALERT). Every other field becomes an additional field:
 * nested objects are flattened with `_`, arrays become JSON strings, booleans the strings
 * `"true"`/`"false"` (GELF values are strings or numbers), nulls are left out, keys outside
 * `[\w.-]` are rewritten, `_id` (reserved) becomes `_record_id` and the record id is `_lms_id`.
 */
import {
  severityNumber,
  type JsonValue,
  type LogRecord,
  type QueuedRecord,
} from '@lms-logging/core';

/** Longest `short_message`; the whole text also goes to `full_message` when longer. */
export const SHORT_MESSAGE_MAX = 250;
/** Appended where a message was shortened to fit the transport. */
export const TRUNCATION_MARKER = '…[truncated by lms-logging]';

export type GelfMessage = Record<string, string | number>;

const STANDARD = new Set(['@timestamp', 'log_level', 'message']);

function fieldKey(parts: readonly string[]): string {
  const key = parts.join('_').replace(/[^\w.-]/g, '_');
  return key === 'id' ? 'record_id' : key;
}

function flatten(value: JsonValue, path: string[], out: GelfMessage): void {
  if (value === null) return;
  if (Array.isArray(value)) {
    out[`_${fieldKey(path)}`] = JSON.stringify(value);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, [...path, k], out);
  } else if (typeof value === 'boolean') {
    out[`_${fieldKey(path)}`] = value ? 'true' : 'false';
  } else {
    out[`_${fieldKey(path)}`] = value;
  }
}

function hostOf(record: LogRecord): string {
  const flat = record['host.name'];
  if (typeof flat === 'string' && flat !== '') return flat;
  const host = record['host'];
  if (host && typeof host === 'object' && !Array.isArray(host)) {
    const name = host['name'];
    if (typeof name === 'string' && name !== '') return name;
  }
  if (typeof host === 'string' && host !== '') return host;
  return 'unknown';
}

function errorStack(record: LogRecord): string | undefined {
  const err = record['err'] ?? record['error'];
  if (err && typeof err === 'object' && !Array.isArray(err)) {
    const stack = err['stack'] ?? err['stack_trace'];
    if (typeof stack === 'string' && stack !== '') return stack;
  }
  return undefined;
}

function levelOf(record: LogRecord): number {
  const level = record['log_level'] ?? record['log.level'];
  return severityNumber(typeof level === 'string' ? level.toLowerCase() : 'info');
}

/** The GELF message of one record (`id` becomes `_lms_id`). */
export function toGelf(record: LogRecord, id: string, timestamp?: string): GelfMessage {
  const message = typeof record['message'] === 'string' ? record['message'] : '';
  const newline = message.indexOf('\n');
  const firstLine = (newline >= 0 ? message.slice(0, newline) : message).trimEnd();
  const short =
    firstLine.length > SHORT_MESSAGE_MAX
      ? `${firstLine.slice(0, SHORT_MESSAGE_MAX - 1)}…`
      : firstLine || message.trim().slice(0, SHORT_MESSAGE_MAX) || '(empty message)';
  const fullParts: string[] = [];
  if (newline >= 0 || firstLine.length > SHORT_MESSAGE_MAX) fullParts.push(message);
  const stack = errorStack(record);
  if (stack !== undefined) fullParts.push(stack);

  const rawTs = timestamp ?? record['@timestamp'];
  const ts = typeof rawTs === 'string' ? Date.parse(rawTs) : NaN;
  const gelf: GelfMessage = {
    version: '1.1',
    host: hostOf(record),
    short_message: short,
    timestamp: (Number.isFinite(ts) ? ts : Date.now()) / 1000,
    level: levelOf(record),
  };
  if (fullParts.length > 0) gelf['full_message'] = fullParts.join('\n');
  const extra: GelfMessage = {};
  for (const [key, value] of Object.entries(record)) {
    if (STANDARD.has(key) || key === 'host.name') continue;
    if (key === 'host' && value && typeof value === 'object' && !Array.isArray(value)) {
      const { name: _name, ...rest } = value;
      flatten(rest, ['host'], extra);
      continue;
    }
    if (
      (key === 'err' || key === 'error') &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      const { stack: _stack, ...rest } = value;
      flatten(rest, [key], extra);
      continue;
    }
    flatten(value, [key], extra);
  }
  delete extra['_lms_id'];
  return { ...gelf, ...extra, _lms_id: id };
}

/** `toGelf` for a queued record (parses its JSON once). */
export function queuedToGelf(queued: QueuedRecord): GelfMessage {
  return toGelf(queued.record, queued.id, queued.timestamp);
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function cut(text: string, keep: number): string {
  if (keep <= 0) return TRUNCATION_MARKER;
  return text.slice(0, keep) + TRUNCATION_MARKER;
}

/**
 * Shrinks a GELF message until `fits(serialized)` holds: halves `full_message` and the longest
 * string fields, then drops additional fields, each time marking what was cut. The standard
 * fields and `_lms_id` always survive, and `_lms_truncated` says it happened.
 */
export function shrinkGelf(
  message: GelfMessage,
  fits: (json: string) => boolean,
): { readonly message: GelfMessage; readonly json: string; readonly truncated: boolean } {
  let json = JSON.stringify(message);
  if (fits(json)) return { message, json, truncated: false };
  let current: GelfMessage = { ...message, _lms_truncated: 'true' };
  for (let round = 0; round < 40; round++) {
    const strings = Object.entries(current)
      .filter(
        (e): e is [string, string] =>
          typeof e[1] === 'string' &&
          e[0] !== 'version' &&
          e[0] !== 'host' &&
          e[0] !== '_lms_id' &&
          e[1].length > 64,
      )
      .sort((a, b) => utf8(b[1]) - utf8(a[1]));
    if (strings.length === 0) break;
    const next: GelfMessage = { ...current };
    const longest = utf8(strings[0][1]);
    for (const [key, value] of strings) {
      if (utf8(value) * 2 < longest) continue;
      const plain = value.endsWith(TRUNCATION_MARKER)
        ? value.slice(0, -TRUNCATION_MARKER.length)
        : value;
      next[key] = cut(plain, Math.floor(plain.length / 2));
    }
    current = next;
    json = JSON.stringify(current);
    if (fits(json)) return { message: current, json, truncated: true };
  }
  // Still too big (many small fields): keep only the standard fields and the id.
  const minimal: GelfMessage = {
    version: '1.1',
    host: String(current['host']).slice(0, 255),
    short_message: cut(String(current['short_message']), 100),
    timestamp: current['timestamp'],
    level: current['level'],
    _lms_id: current['_lms_id'],
    _lms_truncated: 'true',
  };
  return { message: minimal, json: JSON.stringify(minimal), truncated: true };
}
