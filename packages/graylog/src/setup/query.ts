/**
 * Core alert filters as Graylog search queries (the Lucene syntax of the search bar and of
 * Filter & Aggregation event definitions), over the field names Graylog stores GELF messages
 * under: additional fields lose their `_` prefix and nested record fields were flattened with `_`
 * by the encoder, the level name became GELF's numeric `level`, `host.name` is `source`.
 *
 * `matches` is Lucene's anchored, case-sensitive regex, and `message` is an analysed field whose
 * terms are single lowercased words. A plain alternation of literals (`login failed|invalid
 * credentials`) therefore becomes an OR of phrase queries, which is case-insensitive on
 * `message` like the core semantics. Any other regex becomes `/.*(...).*\/`, with a warning that
 * it is case-sensitive and matches single terms of analysed fields.
 */
import { severityNumber, type Filter, type ScalarValue } from '@lms-logging/core';

export interface GraylogQuery {
  readonly query: string;
  readonly warnings: readonly string[];
}

/** A query that matches no message (Graylog has no `false` literal). */
export const MATCH_NOTHING = '_exists_:lms_match_nothing';
/** A query that matches every message. */
export const MATCH_ALL = '*';

const LEVEL_FIELDS = new Set(['log_level', 'log.level']);
const LITERAL_ALTERNATION = /^[^\\^$.*+?()[\]{}|]+(\|[^\\^$.*+?()[\]{}|]+)*$/;

/** The name Graylog shows for a record field after GELF encoding. */
export function graylogFieldName(field: string): string {
  if (field === 'message') return 'message';
  if (field === '@timestamp') return 'timestamp';
  if (field === 'host.name') return 'source';
  if (LEVEL_FIELDS.has(field)) return 'level';
  const key = field.replace(/\./g, '_').replace(/[^\w.-]/g, '_');
  return key === 'id' ? 'record_id' : key;
}

/** Escapes a field name for the left side of `field:value`. */
function fieldRef(field: string): string {
  return graylogFieldName(field).replace(/([\\+\-!():^[\]"{}~*?|&/ ])/g, '\\$1');
}

function quoted(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

function term(field: string, value: ScalarValue): string {
  if (LEVEL_FIELDS.has(field) && typeof value === 'string') {
    return String(severityNumber(value.toLowerCase()));
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : quoted(String(value));
  // GELF carries booleans as the strings "true" / "false".
  return quoted(String(value));
}

function group(parts: readonly string[], joiner: 'OR' | 'AND'): string {
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(` ${joiner} `);
}

function translate(filter: Filter, warnings: string[]): string {
  switch (filter.op) {
    case 'any':
      return filter.of.length === 0
        ? MATCH_NOTHING
        : group(
            filter.of.map((f) => translate(f, warnings)),
            'OR',
          );
    case 'all':
      return filter.of.length === 0
        ? MATCH_ALL
        : group(
            filter.of.map((f) => translate(f, warnings)),
            'AND',
          );
    case 'eq':
      return `${fieldRef(filter.field)}:${term(filter.field, filter.value)}`;
    case 'in': {
      if (filter.value.length === 0) return MATCH_NOTHING;
      const values = [...new Set(filter.value.map((v) => term(filter.field, v)))];
      return values.length === 1
        ? `${fieldRef(filter.field)}:${values[0]}`
        : `${fieldRef(filter.field)}:(${values.join(' OR ')})`;
    }
    case 'gte':
      return `${fieldRef(filter.field)}:>=${filter.value}`;
    case 'gt':
      return `${fieldRef(filter.field)}:>${filter.value}`;
    case 'lte':
      return `${fieldRef(filter.field)}:<=${filter.value}`;
    case 'lt':
      return `${fieldRef(filter.field)}:<${filter.value}`;
    case 'matches': {
      const field = fieldRef(filter.field);
      if (LITERAL_ALTERNATION.test(filter.value)) {
        return group(
          filter.value.split('|').map((literal) => `${field}:${quoted(literal)}`),
          'OR',
        );
      }
      warnings.push(
        `regex /${filter.value}/ on ${filter.field} becomes a Lucene regex: case-sensitive, and on an analysed field such as message it matches single words only`,
      );
      return `${field}:/.*(${filter.value.replace(/\//g, '\\/')}).*/`;
    }
  }
}

export function filterToGraylogQuery(filter: Filter): GraylogQuery {
  const warnings: string[] = [];
  return { query: translate(filter, warnings), warnings };
}
