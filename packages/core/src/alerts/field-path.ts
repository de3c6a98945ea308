import type { JsonObject, JsonValue } from '../record.js';

/** Reads one field of a record; `undefined` when the record has no such field. */
export type FieldReader = (record: JsonObject) => JsonValue | undefined;

/**
 * Compiles a dotted field path (`host.name`, `http.response.status_code`) into a reader that
 * finds the value however the record spells it: as nested objects (`{ host: { name } }`), as a
 * literal dotted key (`{ 'host.name': … }`, what many shippers and ECS loggers emit), or any mix
 * (`{ 'http.response': { status_code } }`). Longer literal keys win over nesting so that a record
 * carrying both spellings resolves the same way every time.
 *
 * The joined keys are computed once here because readers run once per record per alert.
 */
export function compileFieldPath(path: string): FieldReader {
  const segments = path.split('.');
  const count = segments.length;
  // keys[start][end] = segments[start..end) joined with '.', for every start < end.
  const keys: string[][] = segments.map((_, start) => {
    const row: string[] = [];
    for (let end = start + 1; end <= count; end += 1) {
      row[end] = segments.slice(start, end).join('.');
    }
    return row;
  });

  const readFrom = (object: JsonObject, start: number): JsonValue | undefined => {
    for (let end = count; end > start; end -= 1) {
      const key = keys[start][end];
      if (!Object.hasOwn(object, key)) continue;
      const value = object[key];
      if (end === count) return value;
      if (isJsonObject(value)) {
        const found = readFrom(value, end);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };

  return (record) => readFrom(record, 0);
}

/** Resolves one field path on one record; see {@link compileFieldPath} for the rules. */
export function readField(record: JsonObject, path: string): JsonValue | undefined {
  return compileFieldPath(path)(record);
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field path is one or more non-empty segments joined by dots. */
export function isValidFieldPath(path: string): boolean {
  return path.length > 0 && path.split('.').every((segment) => segment.trim().length > 0);
}
