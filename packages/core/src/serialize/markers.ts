/** Placeholders `sanitize` writes where a value cannot or should not be copied. */
export const CIRCULAR = '[Circular]';
export const TRUNCATED_DEPTH = '[Truncated: depth]';
export const TRUNCATED_SIZE = '[Truncated: size]';
/** Key under which an object cut at `maxKeys` reports how many keys were left out. */
export const TRUNCATED_KEYS_KEY = '[Truncated]';

export function unserializableMarker(reason: string): string {
  return `[Unserializable: ${reason}]`;
}
