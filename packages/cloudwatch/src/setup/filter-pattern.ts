/**
 * Core alert filters to CloudWatch Logs JSON filter patterns (for metric filters) and to Logs
 * Insights `filter` expressions (for saved queries and dashboard widgets).
 *
 * Filter patterns have no regular expressions in the JSON syntax, so `matches` is translated
 * only when its source is a plain alternation of literals (`authentication failed|login failed`):
 * each literal becomes a `*literal*` wildcard comparison. Unlike the core semantics those
 * comparisons are case-sensitive. Any other regex branch is left out of the pattern and reported
 * as a warning; inside an `all`, leaving a branch out would widen the match, so the whole `all`
 * is dropped instead. Logs Insights has regexes (`like /(?i).../`) and gets every branch.
 */
import type { Filter, ScalarValue } from '@lms-logging/core';

export interface PatternResult {
  /** The pattern, or undefined when nothing of the filter can be expressed. */
  readonly pattern: string | undefined;
  readonly warnings: readonly string[];
}

const SIMPLE_FIELD = /^[A-Za-z_@][\w@-]*(\.[A-Za-z_@][\w@-]*)*$/;
/** A regex that is only literals separated by `|` (no metacharacters, no escapes). */
const LITERAL_ALTERNATION = /^[^\\^$.*+?()[\]{}|]+(\|[^\\^$.*+?()[\]{}|]+)*$/;

function selector(field: string): string | undefined {
  return SIMPLE_FIELD.test(field) ? `$.${field}` : undefined;
}

function literal(value: ScalarValue): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return JSON.stringify(value);
}

function compare(sel: string, value: ScalarValue): string {
  return typeof value === 'boolean' ? `${sel} IS ${literal(value)}` : `${sel} = ${literal(value)}`;
}

const NUMERIC_OPS = { gte: '>=', gt: '>', lte: '<=', lt: '<' } as const;

function translate(filter: Filter, warnings: string[]): string | undefined {
  switch (filter.op) {
    case 'any': {
      const parts = filter.of
        .map((f) => translate(f, warnings))
        .filter((p): p is string => p !== undefined);
      if (parts.length === 0) return undefined;
      return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' || ');
    }
    case 'all': {
      const inner: string[] = [];
      const parts = filter.of.map((f) => translate(f, inner));
      if (parts.some((p) => p === undefined)) {
        warnings.push(...inner, 'an "all" with an untranslatable branch was left out');
        return undefined;
      }
      warnings.push(...inner);
      const ok = parts as string[];
      return ok.length === 1 ? ok[0] : ok.map((p) => `(${p})`).join(' && ');
    }
    default: {
      const sel = selector(filter.field);
      if (sel === undefined) {
        warnings.push(
          `field name ${JSON.stringify(filter.field)} cannot be used in a filter pattern`,
        );
        return undefined;
      }
      switch (filter.op) {
        case 'eq':
          return compare(sel, filter.value);
        case 'in':
          return filter.value.length === 1
            ? compare(sel, filter.value[0])
            : filter.value.map((v) => `(${compare(sel, v)})`).join(' || ');
        case 'gte':
        case 'gt':
        case 'lte':
        case 'lt':
          return `${sel} ${NUMERIC_OPS[filter.op]} ${filter.value}`;
        case 'matches': {
          if (!LITERAL_ALTERNATION.test(filter.value) || filter.value.includes('"')) {
            warnings.push(
              `regex /${filter.value}/ on ${filter.field} has no filter-pattern equivalent; that branch was left out`,
            );
            return undefined;
          }
          const words = filter.value.split('|');
          const each = words.map((w) => `${sel} = "*${w}*"`);
          return each.length === 1 ? each[0] : each.map((p) => `(${p})`).join(' || ');
        }
      }
    }
  }
}

/** `{ ... }` JSON filter pattern for a metric filter. */
export function filterToPattern(filter: Filter): PatternResult {
  const warnings: string[] = [];
  const body = translate(filter, warnings);
  return { pattern: body === undefined ? undefined : `{ ${body} }`, warnings };
}

function insightsField(field: string): string {
  return /^[A-Za-z_@][\w@.]*$/.test(field) ? field : `\`${field.replace(/`/g, '``')}\``;
}

function insightsValue(value: ScalarValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A Logs Insights boolean expression (for `| filter ...`); every operator is expressible. */
export function filterToInsights(filter: Filter): string {
  switch (filter.op) {
    case 'any':
      return filter.of.length === 0
        ? '1 = 0'
        : filter.of.map((f) => `(${filterToInsights(f)})`).join(' or ');
    case 'all':
      return filter.of.length === 0
        ? '1 = 1'
        : filter.of.map((f) => `(${filterToInsights(f)})`).join(' and ');
    case 'eq':
      return `${insightsField(filter.field)} = ${insightsValue(filter.value)}`;
    case 'in':
      return `${insightsField(filter.field)} in [${filter.value.map(insightsValue).join(', ')}]`;
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt':
      return `${insightsField(filter.field)} ${NUMERIC_OPS[filter.op]} ${filter.value}`;
    case 'matches':
      return `${insightsField(filter.field)} like /(?i)${filter.value.replace(/\//g, '\\/')}/`;
  }
}
