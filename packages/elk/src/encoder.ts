/**
 * Records to `_bulk` NDJSON. Every record becomes two lines:
 *
 *   {"create":{"_index":"lms-logs-2025.01.31","_id":"<record.id>"}}
 *   <record.json, exactly as core serialized it>
 *
 * `create` with the record's id makes a re-send idempotent: a record that already landed comes
 * back as 409 (version conflict), which counts as delivered. `create` is also the only op type a
 * data stream accepts.
 */
import type { QueuedRecord } from '@lms-logging/core';

/** One encoded `_bulk` request body. */
export interface ElkPayload {
  /** NDJSON, ending with a newline as `_bulk` requires. */
  readonly body: string;
  readonly count: number;
  /** UTF-8 bytes of `body`. */
  readonly bytes: number;
}

/** Where one record goes, from its `@timestamp` in epoch milliseconds. */
export interface ElkTarget {
  readonly kind: 'index' | 'data-stream';
  /** The pattern or name as configured. */
  readonly pattern: string;
  /** True when the name depends on the record's time. */
  readonly dated: boolean;
  /** Upper bound of the UTF-8 length of any name this target produces. */
  readonly maxNameBytes: number;
  nameFor(epochMs: number): string;
}

// ----------------------------------------------------------------------------- naming rules

const INVALID_NAME_CHARS = /[\\/*?"<>|,#: ]/;

/** Elasticsearch's index naming rules; undefined when `name` is valid. */
export function indexNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name !== name.toLowerCase()) return 'it has uppercase letters';
  const bad = INVALID_NAME_CHARS.exec(name);
  if (bad) return `it contains ${bad[0] === ' ' ? 'a space' : `"${bad[0]}"`}`;
  if (/^[-_+]/.test(name)) return `it starts with "${name[0]}"`;
  if (name === '.' || name === '..') return 'it is "." or ".."';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'it is longer than 255 bytes';
  return undefined;
}

/** Data stream names follow the index rules and may not start with `.ds-`. */
export function dataStreamNameProblem(name: string): string | undefined {
  const problem = indexNameProblem(name);
  if (problem) return problem;
  if (name.startsWith('.ds-')) return 'it starts with ".ds-" (reserved for backing indices)';
  return undefined;
}

// ----------------------------------------------------------------------------- date patterns

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'date'; readonly tokens: readonly DateToken[] };

type DateToken = { readonly kind: 'literal'; readonly text: string } | { readonly kind: DateField };

/** A date part of an index pattern; each prints a fixed number of digits. */
export type DateField = 'year' | 'year2' | 'weekyear' | 'week' | 'month' | 'day' | 'hour';

const FIELD_TOKENS: Readonly<Record<string, DateField>> = {
  yyyy: 'year',
  YYYY: 'year',
  yy: 'year2',
  YY: 'year2',
  xxxx: 'weekyear',
  ww: 'week',
  MM: 'month',
  dd: 'day',
  HH: 'hour',
};

/** Digits each field prints (all fixed width, so names have a known length). */
export const FIELD_WIDTH: Readonly<Record<DateField, number>> = {
  year: 4,
  year2: 2,
  weekyear: 4,
  week: 2,
  month: 2,
  day: 2,
  hour: 2,
};

export interface IndexPattern {
  readonly parts: readonly Part[];
  readonly dated: boolean;
  /** Finest time unit in the pattern, for caching names: hour or day (ms). */
  readonly granularityMs: number;
}

/**
 * Parses `lms-logs-%{+YYYY.MM.dd}`: literal text plus `%{+FORMAT}` date parts. Throws an
 * `Error` whose message says what is wrong (the caller names the setting).
 */
export function parseIndexPattern(pattern: string): IndexPattern {
  const parts: Part[] = [];
  let dated = false;
  let hourly = false;
  let rest = pattern;
  while (rest !== '') {
    const at = rest.indexOf('%{');
    if (at < 0) {
      parts.push({ kind: 'text', text: rest });
      break;
    }
    if (at > 0) parts.push({ kind: 'text', text: rest.slice(0, at) });
    const end = rest.indexOf('}', at);
    if (end < 0) throw new Error('has an unclosed %{');
    const inner = rest.slice(at + 2, end);
    if (!inner.startsWith('+')) {
      throw new Error(`has %{${inner}}: only date patterns (%{+YYYY.MM.dd}) are supported`);
    }
    const tokens = parseDateFormat(inner.slice(1));
    if (tokens.some((t) => t.kind === 'hour')) hourly = true;
    parts.push({ kind: 'date', tokens });
    dated = true;
    rest = rest.slice(end + 1);
  }
  const parsed: IndexPattern = {
    parts,
    dated,
    granularityMs: hourly ? 3_600_000 : 86_400_000,
  };
  // Static text and a sample name must both satisfy the naming rules.
  const sample = formatIndexName(parsed, Date.UTC(2025, 11, 31, 23));
  const problem = indexNameProblem(sample);
  if (problem) throw new Error(`is not a valid index name: ${problem}`);
  return parsed;
}

function parseDateFormat(format: string): DateToken[] {
  if (format === '') throw new Error('has an empty date pattern %{+}');
  const tokens: DateToken[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i];
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < format.length && format[j] === ch) j++;
      const run = format.slice(i, j);
      const field = FIELD_TOKENS[run];
      if (field === undefined) {
        throw new Error(
          `has the date token "${run}"; supported: yyyy/YYYY, yy/YY, MM, dd, HH, ww, xxxx`,
        );
      }
      tokens.push({ kind: field });
      i = j;
    } else {
      tokens.push({ kind: 'literal', text: ch });
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** ISO-8601 week number and week-based year of a UTC date. */
export function isoWeek(epochMs: number): { week: number; weekYear: number } {
  const date = new Date(epochMs);
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  // The Thursday of this week decides the week-based year.
  const thursday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day + 3);
  const weekYear = new Date(thursday).getUTCFullYear();
  const week1Monday = isoWeekOneMonday(weekYear);
  return { week: Math.floor((thursday - week1Monday) / (7 * 86_400_000)) + 1, weekYear };
}

/** Epoch ms of the Monday that starts ISO week 1 of `weekYear` (the week holding January 4th). */
export function isoWeekOneMonday(weekYear: number): number {
  const jan4 = Date.UTC(weekYear, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
}

function formatField(field: DateField, date: Date, epochMs: number): string {
  switch (field) {
    case 'year':
      return pad(date.getUTCFullYear(), FIELD_WIDTH.year);
    case 'year2':
      return pad(date.getUTCFullYear() % 100, FIELD_WIDTH.year2);
    case 'weekyear':
      return pad(isoWeek(epochMs).weekYear, FIELD_WIDTH.weekyear);
    case 'week':
      return pad(isoWeek(epochMs).week, FIELD_WIDTH.week);
    case 'month':
      return pad(date.getUTCMonth() + 1, FIELD_WIDTH.month);
    case 'day':
      return pad(date.getUTCDate(), FIELD_WIDTH.day);
    case 'hour':
      return pad(date.getUTCHours(), FIELD_WIDTH.hour);
  }
}

/** The index name of `pattern` at `epochMs` (UTC). */
export function formatIndexName(pattern: IndexPattern, epochMs: number): string {
  const date = new Date(epochMs);
  let name = '';
  for (const part of pattern.parts) {
    if (part.kind === 'text') {
      name += part.text;
      continue;
    }
    for (const token of part.tokens) {
      name += token.kind === 'literal' ? token.text : formatField(token.kind, date, epochMs);
    }
  }
  return name;
}

/** A daily (or hourly, weekly...) index target; names are cached per time bucket. */
export function indexTarget(pattern: string): ElkTarget {
  const parsed = parseIndexPattern(pattern);
  if (!parsed.dated) return staticTarget('index', pattern);
  const cache = new Map<number, string>();
  return {
    kind: 'index',
    pattern,
    dated: true,
    // Every field is fixed width, so any time gives the same length (years 1000..9999).
    maxNameBytes: Buffer.byteLength(formatIndexName(parsed, Date.UTC(2025, 0, 1)), 'utf8'),
    nameFor(epochMs) {
      const bucket = Math.floor(epochMs / parsed.granularityMs);
      let name = cache.get(bucket);
      if (name === undefined) {
        if (cache.size >= 256) cache.clear();
        name = formatIndexName(parsed, epochMs);
        cache.set(bucket, name);
      }
      return name;
    },
  };
}

export function dataStreamTarget(name: string): ElkTarget {
  const problem = dataStreamNameProblem(name);
  if (problem) throw new Error(`"${name}" is not a valid data stream name: ${problem}`);
  return staticTarget('data-stream', name);
}

function staticTarget(kind: ElkTarget['kind'], name: string): ElkTarget {
  return {
    kind,
    pattern: name,
    dated: false,
    maxNameBytes: Buffer.byteLength(name, 'utf8'),
    nameFor: () => name,
  };
}

// ----------------------------------------------------------------------------- encoding

/** `{"create":{"_index":"","_id":""}}` without the name and id, plus the two newlines. */
const ACTION_FIXED_BYTES = '{"create":{"_index":"","_id":""}}'.length + 2;
/** Ids core assigns are ~20 base64url characters; 64 leaves room for custom ids. */
const ASSUMED_MAX_ID_BYTES = 64;

/**
 * Bytes the encoder adds per record beyond its JSON: the action line and both newlines. A
 * conservative bound (at least 128) so core's byte limit holds for the encoded request.
 */
export function perRecordOverheadBytes(target: ElkTarget): number {
  return Math.max(128, ACTION_FIXED_BYTES + target.maxNameBytes + ASSUMED_MAX_ID_BYTES);
}

/** The action line for one record (without the newline). */
export function actionLine(index: string, id: string): string {
  return `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}`;
}

/**
 * Epoch ms of a record's `@timestamp` (core keeps it beside the JSON as `timestamp`, ISO-8601
 * UTC, so routing never parses the record). Anything unparsable falls back to the time the record
 * was written, so a record always has a target.
 */
export function recordTime(record: QueuedRecord): number {
  const ms = Date.parse(record.timestamp);
  return Number.isFinite(ms) ? ms : record.writtenAt;
}

/** An ISO UTC timestamp's `YYYY-MM-DDTHH` prefix keys a name cache without parsing the date. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export type Encoder = (records: readonly QueuedRecord[]) => ElkPayload;

/**
 * Builds the encoder for one target. The record's `json` is used as is, never re-serialized, and
 * `record` (which core parses on access) is never read.
 */
export function createEncoder(target: ElkTarget): Encoder {
  // For the common case (core's ISO UTC timestamps) the action-line prefix is cached per hour
  // string, so a batch costs one string concatenation per record.
  const prefixByHour = new Map<string, string>();
  const prefixFor = (record: QueuedRecord): string => {
    const ts = record.timestamp;
    const hourKey = target.dated ? (ISO_UTC.test(ts) ? ts.slice(0, 13) : undefined) : '';
    if (hourKey !== undefined) {
      let prefix = prefixByHour.get(hourKey);
      if (prefix === undefined) {
        if (prefixByHour.size >= 256) prefixByHour.clear();
        const name = target.nameFor(target.dated ? recordTime(record) : 0);
        prefix = `{"create":{"_index":${JSON.stringify(name)},"_id":`;
        prefixByHour.set(hourKey, prefix);
      }
      return prefix;
    }
    return `{"create":{"_index":${JSON.stringify(target.nameFor(recordTime(record)))},"_id":`;
  };
  return (records) => {
    const lines: string[] = new Array<string>(records.length * 2);
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const action = `${prefixFor(record)}${JSON.stringify(record.id)}}}`;
      lines[i * 2] = action;
      lines[i * 2 + 1] = record.json;
      // Action lines are ASCII unless an index name is not; count exactly either way.
      bytes += byteLength(action) + record.bytes + 2;
    }
    const body = records.length === 0 ? '' : `${lines.join('\n')}\n`;
    return { body, count: records.length, bytes };
  };
}

function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : Buffer.byteLength(text, 'utf8');
}
