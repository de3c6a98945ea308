import type { JsonObject, JsonValue } from '../record.js';
import { compileFieldPath } from './field-path.js';

/**
 * Which records an alert counts, as a small AST every backend can translate into its own query
 * language (ES query DSL, CloudWatch filter patterns, Cloud Logging filters, KQL, Graylog search).
 * It is deliberately limited to what all of them can express: and/or of field comparisons, no
 * negation, no arithmetic. The reference semantics are {@link matchesFilter}; every operator is
 * total (a record that lacks the field, or has a value of another type, simply does not match).
 *
 * - `any`: at least one child matches (empty list: never matches).
 * - `all`: every child matches (empty list: always matches).
 * - `eq`: string values compare exactly (case-sensitive); a number value also matches a numeric
 *   string (`503` matches `"503"`); booleans compare exactly.
 * - `in`: `eq` against any of the listed values.
 * - `gte` / `gt` / `lte` / `lt`: numeric comparison; numeric strings count as numbers.
 * - `matches`: `value` is a regular-expression source, searched (unanchored) in string values,
 *   always case-insensitively (as if compiled with the single flag `i`; no other flags exist).
 *   Keep it to the portable subset (literals, `|`, `.`, `*`, `+`, `?`, `[...]`, groups): no
 *   lookaround and no backreferences, since RE2-based backends cannot run them. Translators for
 *   engines that anchor regexes (Lucene) must add the surrounding `.*` themselves.
 *
 * When the field holds an array, the condition matches if any element matches (as in
 * Elasticsearch and Cloud Logging).
 */
export type Filter = AnyFilter | AllFilter | FieldCondition;

export interface AnyFilter {
  readonly op: 'any';
  readonly of: readonly Filter[];
}

export interface AllFilter {
  readonly op: 'all';
  readonly of: readonly Filter[];
}

export type ScalarValue = string | number | boolean;

export type FieldCondition =
  | { readonly field: string; readonly op: 'eq'; readonly value: ScalarValue }
  | { readonly field: string; readonly op: 'in'; readonly value: readonly ScalarValue[] }
  | { readonly field: string; readonly op: NumericOp; readonly value: number }
  | { readonly field: string; readonly op: 'matches'; readonly value: string };

export type NumericOp = 'gte' | 'gt' | 'lte' | 'lt';

export type RecordPredicate = (record: JsonObject) => boolean;

/**
 * Turns a filter into a predicate, once: field paths are pre-split and regexes pre-compiled,
 * because the evaluator runs the predicate for every record. Throws on a malformed filter
 * (unknown op, bad regex, non-finite number) so that mistakes surface at setup, not per record.
 */
export function compileFilter(filter: Filter): RecordPredicate {
  switch (filter.op) {
    case 'any': {
      const children = filter.of.map(compileFilter);
      return (record) => children.some((child) => child(record));
    }
    case 'all': {
      const children = filter.of.map(compileFilter);
      return (record) => children.every((child) => child(record));
    }
    default: {
      const test = compileValueTest(filter);
      const read = compileFieldPath(filter.field);
      return (record) => {
        const value = read(record);
        if (Array.isArray(value)) return value.some(test);
        return value !== undefined && test(value);
      };
    }
  }
}

const compiled = new WeakMap<Filter, RecordPredicate>();

/** Whether one record matches a filter: the reference semantics every backend translation follows. */
export function matchesFilter(record: JsonObject, filter: Filter): boolean {
  let predicate = compiled.get(filter);
  if (predicate === undefined) {
    predicate = compileFilter(filter);
    compiled.set(filter, predicate);
  }
  return predicate(record);
}

function compileValueTest(condition: FieldCondition): (value: JsonValue) => boolean {
  switch (condition.op) {
    case 'eq':
      return equalsTest(condition.value);
    case 'in': {
      const tests = condition.value.map(equalsTest);
      return (value) => tests.some((test) => test(value));
    }
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt': {
      const limit = requireFiniteNumber(condition.value, condition);
      const compare = NUMERIC_COMPARE[condition.op];
      return (value) => {
        const number = toNumber(value);
        return number !== undefined && compare(number, limit);
      };
    }
    case 'matches': {
      const regex = compileMatchesRegex(condition.value);
      return (value) => typeof value === 'string' && regex.test(value);
    }
    default:
      return unknownOp(condition);
  }
}

function equalsTest(expected: ScalarValue): (value: JsonValue) => boolean {
  if (typeof expected === 'number') {
    requireFiniteNumber(expected, 'an eq/in value');
    return (value) => toNumber(value) === expected;
  }
  return (value) => value === expected;
}

const NUMERIC_COMPARE: Record<NumericOp, (value: number, limit: number) => boolean> = {
  gte: (value, limit) => value >= limit,
  gt: (value, limit) => value > limit,
  lte: (value, limit) => value <= limit,
  lt: (value, limit) => value < limit,
};

// Decimal notation only: `Number()` alone would also accept '', '0x1f' and 'Infinity'.
const NUMERIC_STRING = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** A record value as a number: finite numbers as they are, decimal numeric strings parsed. */
export function toNumber(value: JsonValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) return Number(value);
  return undefined;
}

/** The one way a `matches` source is compiled, so evaluator and validation agree. */
export function compileMatchesRegex(source: string): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    // V8 repeats the source in its message; keep only the reason after it.
    const reason = errorMessage(error).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new TypeError(`invalid regular expression /${source}/: ${reason}`);
  }
}

/** `context` is the condition, or a phrase when the condition is not at hand. */
function requireFiniteNumber(value: number, context: FieldCondition | string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(
      `filter needs a finite number, got ${String(value)} in ${typeof context === 'string' ? context : JSON.stringify(context)}`,
    );
  }
  return value;
}

// Reached only by filters built without the types (plain JS, parsed JSON).
function unknownOp(condition: never): never {
  throw new TypeError(`unknown filter op in ${JSON.stringify(condition)}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
