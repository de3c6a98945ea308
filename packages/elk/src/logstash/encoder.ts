/**
 * Records to the bytes a Logstash input decodes. Each record's `json` (serialized once by core)
 * is used as it is, never parsed nor re-serialized:
 *
 * - json-array (http, `application/json` → the `json` codec): `[json,json,...]`; a top-level
 *   array becomes one event per element.
 * - ndjson (http `application/x-ndjson` → `json_lines`, and tcp `codec => json_lines`):
 *   `json\n` per record. `JSON.stringify` escapes every control character inside strings, so
 *   a serialized record never holds a raw newline and the line framing cannot break.
 *
 * With `documentId`, `"@metadata":{"_id":"<id>"},` is inserted after each record's opening
 * brace. Logstash moves a top-level `@metadata` object into the event's metadata (never written
 * by outputs); a pipeline can use `%{[@metadata][_id]}` as the document id. Nothing else is
 * added.
 */
import type { QueuedRecord } from '@lms-logging/core';
import type { LogstashHttpFormat } from './config.js';

export interface LogstashPayload {
  /** The request body (http) or the bytes written to the socket (tcp). */
  readonly body: string;
  /** Records in `body`. */
  readonly count: number;
}

export type LogstashFraming = LogstashHttpFormat;

/** Longest record id the per-record overhead estimate allows for (core's ids are ~16 chars). */
const ID_ALLOWANCE = 40;
const METADATA_OVERHEAD = '"@metadata":{"_id":""},'.length + ID_ALLOWANCE;

/** Bytes the encoder adds per record beyond its JSON (for core's batch sizing). */
export function logstashOverheadBytes(documentId: boolean): number {
  // ',' between array elements, or '\n' after each line: one byte either way.
  return 1 + (documentId ? METADATA_OVERHEAD : 0);
}

/**
 * The record's JSON, with `"@metadata":{"_id":...}` first when asked. A record that already has
 * a top-level `"@metadata"` key keeps its JSON unchanged (a second key would be ambiguous).
 */
export function recordJson(record: QueuedRecord, documentId: boolean): string {
  const json = record.json;
  if (!documentId || json.charCodeAt(0) !== 0x7b /* { */ || json.includes('"@metadata"')) {
    return json;
  }
  const metadata = `"@metadata":{"_id":${JSON.stringify(record.id)}}`;
  return json.length === 2 ? `{${metadata}}` : `{${metadata},${json.slice(1)}`;
}

export function encodeJsonArray(
  records: readonly QueuedRecord[],
  documentId = false,
): LogstashPayload {
  const parts = new Array<string>(records.length);
  for (let i = 0; i < records.length; i++) parts[i] = recordJson(records[i], documentId);
  return { body: `[${parts.join(',')}]`, count: records.length };
}

export function encodeNdjson(
  records: readonly QueuedRecord[],
  documentId = false,
): LogstashPayload {
  let body = '';
  for (const record of records) body += `${recordJson(record, documentId)}\n`;
  return { body, count: records.length };
}

/** The encoder for a framing: `json-array` or `ndjson` (tcp always uses `ndjson`). */
export function createLogstashEncoder(
  framing: LogstashFraming,
  documentId = false,
): (records: readonly QueuedRecord[]) => LogstashPayload {
  return framing === 'json-array'
    ? (records) => encodeJsonArray(records, documentId)
    : (records) => encodeNdjson(records, documentId);
}
