/**
 * Explicit mappings of the shipped records, one per record schema. Chosen so that the alert
 * queries (filter-to-es-query.ts) count exactly what the core evaluator counts:
 *
 * - `duration_ms` is `double`, not `float`: a float rounds 2000.0001 to 2000, which would turn
 *   "slower than 2000 ms" into a different question than the evaluator answers.
 * - `message` is `text` for search plus `message.keyword` with `ignore_above: 8191`, the longest
 *   value a keyword can hold for any UTF-8 text (Lucene's term limit is 32766 bytes). The auth
 *   alert's message pattern runs as a case-insensitive `regexp` on that keyword, so it sees the
 *   whole message like the evaluator's regex does; with the usual 1024 a longer message (a login
 *   failure with a long user agent, say) would silently not count.
 * - Numbers and `ip` use `ignore_malformed`: one record with `status_code: "n/a"` must not be
 *   rejected as a whole (it would end in the dead letter); the odd field is just not indexed.
 * - Every other string becomes `keyword` with `ignore_above: 1024` (a dynamic template), so
 *   unknown fields are filterable without mapping explosion into text + keyword pairs.
 */
import type { Schema } from '@lms-logging/core';

export const MESSAGE_KEYWORD_IGNORE_ABOVE = 8191;
export const STRING_IGNORE_ABOVE = 1024;

type Mapping = Record<string, unknown>;

const keyword = (ignoreAbove?: number): Mapping =>
  ignoreAbove === undefined ? { type: 'keyword' } : { type: 'keyword', ignore_above: ignoreAbove };

const text = (): Mapping => ({
  type: 'text',
  fields: { keyword: keyword(MESSAGE_KEYWORD_IGNORE_ABOVE) },
});

const number = (type: 'integer' | 'long' | 'double'): Mapping => ({ type, ignore_malformed: true });

const object = (properties: Record<string, Mapping>): Mapping => ({ properties });

const DYNAMIC_TEMPLATES = [
  {
    strings_as_keyword: {
      match_mapping_type: 'string',
      mapping: keyword(STRING_IGNORE_ABOVE),
    },
  },
];

const LMS_PROPERTIES: Record<string, Mapping> = {
  '@timestamp': { type: 'date' },
  log_level: keyword(),
  message: text(),
  environment: keyword(),
  service: keyword(),
  host: object({ name: keyword() }),
  status_code: number('integer'),
  duration_ms: number('double'),
  method: keyword(),
  url: keyword(8191),
  route: keyword(),
  user_id: keyword(),
  request_id: keyword(),
  ip: { type: 'ip', ignore_malformed: true },
  user_agent: keyword(STRING_IGNORE_ABOVE),
  event: keyword(),
  stack: { type: 'text' },
};

const ECS_PROPERTIES: Record<string, Mapping> = {
  '@timestamp': { type: 'date' },
  message: text(),
  log: object({ level: keyword(), logger: keyword() }),
  ecs: object({ version: keyword() }),
  service: object({ name: keyword(), environment: keyword(), version: keyword() }),
  host: object({ name: keyword(), hostname: keyword() }),
  event: object({
    action: keyword(),
    dataset: keyword(),
    outcome: keyword(),
    // Nanoseconds (ECS).
    duration: number('long'),
  }),
  http: object({
    request: object({ method: keyword(), id: keyword() }),
    response: object({ status_code: number('long') }),
  }),
  url: object({ original: keyword(8191), path: keyword(8191), full: keyword(8191) }),
  user: object({ id: keyword(), name: keyword() }),
  client: object({ ip: { type: 'ip', ignore_malformed: true } }),
  user_agent: object({ original: keyword(STRING_IGNORE_ABOVE) }),
  error: object({ type: keyword(), message: text(), stack_trace: { type: 'text' } }),
  trace: object({ id: keyword() }),
  transaction: object({ id: keyword() }),
};

/** The `mappings` body of the index template for a record schema. */
export function mappingsFor(schema: Schema): Mapping {
  return {
    dynamic_templates: DYNAMIC_TEMPLATES,
    properties: schema === 'ecs' ? ECS_PROPERTIES : LMS_PROPERTIES,
  };
}

/**
 * The field a query must use for exact (`term`, `regexp`) matching of a record field: the
 * keyword subfield of text fields, the field itself otherwise.
 */
export function exactFieldFor(schema: Schema, field: string): string {
  const textFields = schema === 'ecs' ? ['message', 'error.message'] : ['message'];
  return textFields.includes(field) ? `${field}.keyword` : field;
}
