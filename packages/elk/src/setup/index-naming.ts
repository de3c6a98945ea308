/**
 * What the index setting means for setup: the wildcard pattern a template and a data view match,
 * the name the template and policies get, and (for dated names) the time span an index name
 * covers, which the name-based retention task needs.
 */
import { DEFAULT_DATA_STREAM_PREFIX, DEFAULT_INDEX } from '../config.js';
import {
  FIELD_WIDTH,
  isoWeekOneMonday,
  parseIndexPattern,
  type DateField,
  type IndexPattern,
} from '../encoder.js';

export interface IndexTargetSpec {
  /** The index setting (`lms-logs-%{+YYYY.MM.dd}`) or the data stream name. */
  readonly index?: string;
  readonly dataStream?: boolean;
  /** For the default data stream name `logs-lms-<environment>`. */
  readonly environment?: string;
}

export interface ResolvedTarget {
  readonly kind: 'daily' | 'static' | 'data-stream';
  /** The setting as given (after defaults). */
  readonly setting: string;
  /** What templates, policies and data views match: `lms-logs-*`, or the data stream name. */
  readonly pattern: string;
  /** Template and policy name: `lms-logs` for `lms-logs-%{+YYYY.MM.dd}`, else the stream/index. */
  readonly resourceName: string;
  /** For dated names: the span covered by an index name, or undefined for other names. */
  periodOf(indexName: string): { readonly start: number; readonly end: number } | undefined;
}

export function resolveTarget(spec: IndexTargetSpec): ResolvedTarget {
  if (spec.dataStream) {
    const name =
      spec.index ??
      `${DEFAULT_DATA_STREAM_PREFIX}${(spec.environment ?? 'production').toLowerCase()}`;
    return {
      kind: 'data-stream',
      setting: name,
      pattern: name,
      resourceName: name,
      periodOf: () => undefined,
    };
  }
  const setting = spec.index ?? DEFAULT_INDEX;
  const parsed = parseIndexPattern(setting);
  if (!parsed.dated) {
    return {
      kind: 'static',
      setting,
      pattern: setting,
      resourceName: setting,
      periodOf: () => undefined,
    };
  }
  const pattern = parsed.parts
    .map((part) => (part.kind === 'text' ? part.text : '*'))
    .join('')
    .replace(/\*+/g, '*');
  const firstText = parsed.parts[0]?.kind === 'text' ? parsed.parts[0].text : '';
  const resourceName = firstText.replace(/[-_.+]+$/, '') || 'lms-logs';
  const matcher = nameMatcher(parsed);
  return { kind: 'daily', setting, pattern, resourceName, periodOf: matcher };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A parser from index name to the UTC span its date parts name. */
function nameMatcher(
  parsed: IndexPattern,
): (name: string) => { start: number; end: number } | undefined {
  const fields: DateField[] = [];
  let source = '^';
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      source += escapeRegex(part.text);
      continue;
    }
    for (const token of part.tokens) {
      if (token.kind === 'literal') {
        source += escapeRegex(token.text);
      } else {
        fields.push(token.kind);
        source += `(\\d{${FIELD_WIDTH[token.kind]}})`;
      }
    }
  }
  const regex = new RegExp(`${source}$`);
  return (name) => {
    const match = regex.exec(name);
    if (!match) return undefined;
    const value: Partial<Record<DateField, number>> = {};
    fields.forEach((field, i) => {
      value[field] = Number(match[i + 1]);
    });
    return spanOf(value);
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function spanOf(v: Partial<Record<DateField, number>>): { start: number; end: number } | undefined {
  const year = v.year ?? (v.year2 !== undefined ? 2000 + v.year2 : undefined);
  if (v.weekyear !== undefined && v.week !== undefined) {
    const start = isoWeekOneMonday(v.weekyear) + (v.week - 1) * 7 * DAY;
    return { start, end: start + 7 * DAY };
  }
  if (year === undefined) return undefined;
  if (v.month === undefined) {
    return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) };
  }
  if (v.month < 1 || v.month > 12) return undefined;
  if (v.day === undefined) {
    return { start: Date.UTC(year, v.month - 1, 1), end: Date.UTC(year, v.month, 1) };
  }
  const dayStart = Date.UTC(year, v.month - 1, v.day);
  // Reject impossible dates (2025.02.30) instead of letting Date roll them over.
  if (new Date(dayStart).getUTCDate() !== v.day) return undefined;
  if (v.hour === undefined) return { start: dayStart, end: dayStart + DAY };
  if (v.hour > 23) return undefined;
  return { start: dayStart + v.hour * HOUR, end: dayStart + (v.hour + 1) * HOUR };
}
