import { TRUNCATED_FLAG_KEY } from '../serialize/fit-record.js';
import type { JsonObject, JsonValue, Schema } from '../record.js';
import type { Redactor } from '../redact/redactor.js';
import { sanitize, type SanitizeOptions } from '../serialize/sanitize.js';
import { toEcsRecord } from './ecs-record.js';
import { isJsonObject, type RecordContext } from './fields.js';
import { toLmsRecord } from './lms-record.js';

export interface MappingOptions {
  readonly schema: Schema;
  /** For records without their own `environment` (configuration resolves `ENVIRONMENT`). */
  readonly environment: string;
  /** For records without their own `service` (configuration resolves `LMS_SERVICE_NAME`). */
  readonly service: string;
  /** `host.name` of records without their own. */
  readonly hostName: string;
  /** Applied during the one sanitize walk; none means no redaction. */
  readonly redactor?: Redactor;
  readonly maxDepth?: number;
  readonly maxStringLength?: number;
  readonly maxArrayLength?: number;
  readonly maxKeys?: number;
  /** Clock for records without a readable timestamp. Default `Date.now`. */
  readonly now?: () => number;
}

export interface MappedRecord {
  /** JSON-safe and redacted: exactly what backends receive (before size fitting). */
  readonly record: JsonObject;
  /** True when sanitize cut anything (depth, strings, arrays, keys). */
  readonly truncated: boolean;
}

export type RecordMapper = (input: unknown) => MappedRecord;

/**
 * Builds the function that turns anything an adapter hands over (a winston info object, a pino
 * record, an Error, a bare string) into the shared record of the chosen schema. Each record is
 * walked once: sanitize copies and redacts it, then the schema mapper renames fields in that
 * copy. Never throws.
 */
export function createRecordMapper(options: MappingOptions): RecordMapper {
  const sanitizeOptions: SanitizeOptions = {
    redactor: options.redactor,
    maxDepth: options.maxDepth,
    maxStringLength: options.maxStringLength,
    maxArrayLength: options.maxArrayLength,
    maxKeys: options.maxKeys,
  };
  const context: RecordContext = {
    environment: options.environment,
    service: options.service,
    hostName: options.hostName,
    now: options.now ?? Date.now,
  };
  const toSchema = options.schema === 'ecs' ? toEcsRecord : toLmsRecord;

  return (input: unknown): MappedRecord => {
    const { value, truncated } = sanitize(input, sanitizeOptions);
    const source = isJsonObject(value) ? value : { message: messageOf(input, value) };
    const record: JsonObject = toSchema(source, context);
    // Marked in the record itself, so whoever reads it in the backend knows it is incomplete.
    if (truncated) record[TRUNCATED_FLAG_KEY] = true;
    return { record, truncated };
  };
}

/** A bare value logged on its own becomes the message: strings as they are, others as JSON. */
function messageOf(input: unknown, value: JsonValue): string {
  if (input === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
