import type { JsonObject, JsonValue } from '../record.js';

/**
 * Adds a key to an output object as plain data. Assigning `out['__proto__'] = v` would call the
 * inherited setter and replace the object's prototype instead (the key then vanishes from the
 * JSON, and a hostile payload could graft properties onto the record); defining the property
 * keeps it an own, enumerable key that JSON.stringify writes and JSON.parse reads back as data.
 */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
