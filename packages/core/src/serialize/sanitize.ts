import { types } from 'node:util';
import type { JsonObject, JsonValue } from '../record.js';
import { REDACTED } from '../redact/markers.js';
import type { Redactor } from '../redact/redactor.js';
import { describeBinary } from './binary.js';
import {
  CIRCULAR,
  TRUNCATED_DEPTH,
  TRUNCATED_KEYS_KEY,
  TRUNCATED_SIZE,
  unserializableMarker,
} from './markers.js';
import { setOwn } from './own-property.js';
import { cutString, toWellFormed } from './strings.js';

export interface SanitizeOptions {
  /** Containers nested deeper than this become `[Truncated: depth]`. Default 10. */
  readonly maxDepth?: number;
  /** Longer strings (and keys) are cut with a `…[truncated N chars]` suffix. Default 32768. */
  readonly maxStringLength?: number;
  /** Items beyond this are replaced by one `[Truncated: N more items]` item. Default 1000. */
  readonly maxArrayLength?: number;
  /** Keys beyond this are replaced by one `"[Truncated]": "N more keys"` entry. Default 1000. */
  readonly maxKeys?: number;
  /**
   * Values visited in one call before containers become `[Truncated: size]`. Guards the CPU
   * against graphs that share sub-objects (each reference is copied, so a small object graph can
   * expand exponentially). Default 100000.
   */
  readonly maxNodes?: number;
  /** Applied in the same walk: sensitive keys become `[REDACTED]`, every string is masked. */
  readonly redactor?: Redactor;
}

export interface SanitizeResult {
  /** A fresh tree that shares nothing with the input and survives JSON round trips unchanged. */
  readonly value: JsonValue;
  /** True when anything was cut: depth, string, array, key or node limits. */
  readonly truncated: boolean;
}

export const SANITIZE_DEFAULTS = {
  maxDepth: 10,
  maxStringLength: 32 * 1024,
  maxArrayLength: 1000,
  maxKeys: 1000,
  maxNodes: 100_000,
} as const;

/**
 * Strings longer than the limit are first cut to limit + this margin, redacted, then cut to the
 * limit: redaction work stays bounded on huge strings, and a token or e-mail straddling the
 * limit is still recognized whole before it is cut.
 */
const REDACTION_MARGIN = 1024;

/**
 * Turns any value into JSON-safe data, in one walk, without throwing:
 * - cycles → `[Circular]` (only true cycles; an object referenced twice is copied twice);
 * - BigInt → decimal string; NaN and ±Infinity → null, like JSON.stringify, so a numeric field
 *   keeps one type in typed stores such as Elasticsearch;
 * - Error → `{ name, message, stack, ...own enumerable fields, cause, errors }`;
 * - Buffer, typed arrays, ArrayBuffer, DataView → `{ type, length, base64_preview }`;
 * - Map → object (keys stringified), Set → array, Date → ISO string or `Invalid Date`;
 * - boxed primitives → their primitive; objects with `toJSON` → its result;
 * - undefined, functions and symbols → dropped from objects, null in arrays and at the root;
 *   symbol-keyed properties (winston's `Symbol(level)`, `Symbol(message)`) are ignored;
 * - a getter, Proxy trap or `toJSON` that throws → `[Unserializable: <message>]`;
 * - `__proto__`, `constructor` and `prototype` keys are copied as plain data;
 * - lone surrogates in strings and keys → U+FFFD.
 */
export function sanitize(value: unknown, options: SanitizeOptions = {}): SanitizeResult {
  const walk = new Walk(options);
  try {
    const out = walk.value(value, 0, '');
    return { value: out === undefined ? null : out, truncated: walk.truncated };
  } catch {
    // Only reachable through a caller-supplied redactor that throws: every value is guarded.
    return { value: unserializableMarker('redaction failed'), truncated: true };
  }
}

type ToJSON = (this: unknown, key: string) => unknown;

/**
 * Keys that came out of the key treatment (redactString, surrogates, length) unchanged, per
 * redactor. The same few hundred keys repeat in every record, and a Set lookup of an object key
 * (interned by V8, its hash cached) is far cheaper than scanning it again. Only unchanged keys
 * are remembered, so no e-mail or token is held here.
 */
const cleanKeysByRedactor = new WeakMap<Redactor, Set<string>>();
const MAX_CLEAN_KEYS = 4096;

function cleanKeysOf(redactor: Redactor): Set<string> {
  let keys = cleanKeysByRedactor.get(redactor);
  if (keys === undefined) {
    keys = new Set();
    cleanKeysByRedactor.set(redactor, keys);
  }
  return keys;
}

class Walk {
  truncated = false;
  private nodes = 0;
  // Ancestors of the value being copied. A linear scan beats a WeakSet at the usual depth (≤ 10).
  private readonly ancestors: object[] = [];
  private readonly maxDepth: number;
  private readonly maxStringLength: number;
  private readonly maxArrayLength: number;
  private readonly maxKeys: number;
  private readonly maxNodes: number;
  private readonly redactor: Redactor | undefined;
  private readonly cleanKeys: Set<string> | undefined;

  constructor(options: SanitizeOptions) {
    this.maxDepth = options.maxDepth ?? SANITIZE_DEFAULTS.maxDepth;
    this.maxStringLength = options.maxStringLength ?? SANITIZE_DEFAULTS.maxStringLength;
    this.maxArrayLength = options.maxArrayLength ?? SANITIZE_DEFAULTS.maxArrayLength;
    this.maxKeys = options.maxKeys ?? SANITIZE_DEFAULTS.maxKeys;
    this.maxNodes = options.maxNodes ?? SANITIZE_DEFAULTS.maxNodes;
    this.redactor = options.redactor;
    this.cleanKeys = options.redactor === undefined ? undefined : cleanKeysOf(options.redactor);
  }

  /** `undefined` means "leave out" (undefined, functions, symbols). */
  value(input: unknown, depth: number, key: string | number): JsonValue | undefined {
    switch (typeof input) {
      case 'string':
        return this.string(input);
      case 'number':
        // -0 becomes 0, as JSON writes it: the copy then equals its own JSON round trip.
        return Number.isFinite(input) ? input + 0 : null;
      case 'boolean':
        return input;
      case 'bigint':
        // Through the redactor: a card number can arrive as a BigInt.
        return this.string(input.toString());
      case 'object':
        return input === null ? null : this.container(input, depth, key);
      default:
        return undefined;
    }
  }

  private container(input: object, depth: number, key: string | number): JsonValue {
    if (this.ancestors.includes(input)) return CIRCULAR;
    if (depth > this.maxDepth) {
      this.truncated = true;
      return TRUNCATED_DEPTH;
    }
    this.nodes += 1;
    if (this.nodes > this.maxNodes) {
      this.truncated = true;
      return TRUNCATED_SIZE;
    }
    this.ancestors.push(input);
    try {
      return this.describe(input, depth, key);
    } catch (error) {
      return this.unserializable(error);
    } finally {
      this.ancestors.pop();
    }
  }

  private describe(input: object, depth: number, key: string | number): JsonValue {
    // Plain objects are by far the most common; test for them before the exotic kinds.
    const proto: unknown = Object.getPrototypeOf(input);
    if (proto !== Object.prototype && proto !== null) {
      if (Array.isArray(input)) return this.array(input, depth);
      if (types.isDate(input)) return dateString(input);
      if (input instanceof Error || types.isNativeError(input)) return this.error(input, depth);
      if (types.isArrayBufferView(input) || types.isAnyArrayBuffer(input)) {
        return describeBinary(input, this.redactor);
      }
      if (types.isMap(input)) return this.map(input, depth);
      if (types.isSet(input)) return this.set(input, depth);
      if (types.isBoxedPrimitive(input)) return this.value(input.valueOf(), depth, key) ?? null;
    }
    const toJSON: unknown = (input as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      return this.fromToJSON(input, toJSON as ToJSON, depth, key);
    }
    return this.object(input, depth);
  }

  private fromToJSON(
    input: object,
    toJSON: ToJSON,
    depth: number,
    key: string | number,
  ): JsonValue {
    const replacement: unknown = toJSON.call(input, typeof key === 'number' ? String(key) : key);
    if (replacement === input) return this.object(input, depth);
    // One level deeper, like any child: a toJSON returning fresh objects with their own toJSON
    // must run into the depth limit rather than recurse forever.
    return this.value(replacement, depth + 1, key) ?? null;
  }

  private object(input: object, depth: number): JsonObject {
    const keys = Object.keys(input);
    const count = Math.min(keys.length, this.maxKeys);
    this.nodes += count;
    const out: JsonObject = {};
    const source = input as Record<string, unknown>;
    for (let i = 0; i < count; i += 1) {
      const key = keys[i];
      this.property(out, source, key, depth);
    }
    if (keys.length > count) {
      this.truncated = true;
      setOwn(out, TRUNCATED_KEYS_KEY, `${keys.length - count} more keys`);
    }
    return out;
  }

  /** Copies one property; the getter runs only when the key is not redacted. */
  private property(out: JsonObject, source: Record<string, unknown>, key: string, depth: number) {
    if (this.redactor?.redactKey(key) === true) {
      setOwn(out, this.key(key), REDACTED);
      return;
    }
    let child: unknown;
    try {
      child = source[key];
    } catch (error) {
      setOwn(out, this.key(key), this.unserializable(error));
      return;
    }
    const copied = this.value(child, depth + 1, key);
    if (copied !== undefined) setOwn(out, this.key(key), copied);
  }

  private array(input: readonly unknown[], depth: number): JsonValue[] {
    const length = input.length;
    const count = Math.min(length, this.maxArrayLength);
    this.nodes += count;
    const out: JsonValue[] = [];
    for (let i = 0; i < count; i += 1) {
      let item: unknown;
      try {
        item = input[i];
      } catch (error) {
        out.push(this.unserializable(error));
        continue;
      }
      out.push(this.value(item, depth + 1, i) ?? null);
    }
    if (length > count) {
      this.truncated = true;
      out.push(`[Truncated: ${length - count} more items]`);
    }
    return out;
  }

  private map(input: ReadonlyMap<unknown, unknown>, depth: number): JsonObject {
    const out: JsonObject = {};
    let count = 0;
    this.nodes += Math.min(input.size, this.maxKeys);
    for (const [rawKey, item] of input) {
      if (count === this.maxKeys) {
        this.truncated = true;
        setOwn(out, TRUNCATED_KEYS_KEY, `${input.size - count} more keys`);
        break;
      }
      count += 1;
      const key = mapKeyString(rawKey);
      if (this.redactor?.redactKey(key) === true) {
        setOwn(out, this.key(key), REDACTED);
        continue;
      }
      const copied = this.value(item, depth + 1, key);
      if (copied !== undefined) setOwn(out, this.key(key), copied);
    }
    return out;
  }

  private set(input: ReadonlySet<unknown>, depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.nodes += Math.min(input.size, this.maxArrayLength);
    for (const item of input) {
      if (out.length === this.maxArrayLength) {
        this.truncated = true;
        out.push(`[Truncated: ${input.size - out.length} more items]`);
        break;
      }
      out.push(this.value(item, depth + 1, out.length) ?? null);
    }
    return out;
  }

  /**
   * name, message and stack first (inherited or non-enumerable, so Object.keys misses them),
   * then the own enumerable fields (`code`, `status`, ...), then the non-enumerable `cause` and
   * AggregateError's `errors`.
   */
  private error(input: Error, depth: number): JsonObject {
    const out: JsonObject = {};
    const source = input as unknown as Record<string, unknown>;
    this.errorField(out, source, 'name', depth);
    this.errorField(out, source, 'message', depth);
    this.errorField(out, source, 'stack', depth);
    const keys = Object.keys(input);
    const count = Math.min(keys.length, this.maxKeys);
    this.nodes += count;
    for (let i = 0; i < count; i += 1) {
      const key = keys[i];
      if (key !== 'name' && key !== 'message' && key !== 'stack') {
        this.property(out, source, key, depth);
      }
    }
    if (keys.length > count) {
      this.truncated = true;
      setOwn(out, TRUNCATED_KEYS_KEY, `${keys.length - count} more keys`);
    }
    if (!Object.hasOwn(out, 'cause') && Object.hasOwn(input, 'cause')) {
      this.errorField(out, source, 'cause', depth);
    }
    if (!Object.hasOwn(out, 'errors') && Object.hasOwn(input, 'errors')) {
      this.errorField(out, source, 'errors', depth);
    }
    return out;
  }

  private errorField(out: JsonObject, source: Record<string, unknown>, key: string, depth: number) {
    let child: unknown;
    try {
      child = source[key];
    } catch (error) {
      out[key] = this.unserializable(error);
      return;
    }
    const copied = this.value(child, depth + 1, key);
    if (copied !== undefined) out[key] = copied;
  }

  private string(input: string): string {
    const max = this.maxStringLength;
    let text = input;
    let droppedEarly = 0;
    if (text.length > max + REDACTION_MARGIN) {
      droppedEarly = text.length - (max + REDACTION_MARGIN);
      text = text.slice(0, max + REDACTION_MARGIN);
    }
    if (this.redactor !== undefined) text = this.redactor.redactString(text);
    text = toWellFormed(text);
    if (text.length > max || droppedEarly > 0) {
      this.truncated = true;
      return cutString(text, max, droppedEarly);
    }
    return text;
  }

  /** Keys get the same treatment as strings: an e-mail used as a Map key is still an e-mail. */
  private key(input: string): string {
    const cleanKeys = this.cleanKeys;
    if (cleanKeys === undefined) return this.string(input);
    // A key once clean stays clean, unless this call allows shorter strings than an earlier one.
    if (input.length <= this.maxStringLength && cleanKeys.has(input)) return input;
    const output = this.string(input);
    if (output === input) {
      if (cleanKeys.size >= MAX_CLEAN_KEYS) cleanKeys.clear();
      cleanKeys.add(input);
    }
    return output;
  }

  private unserializable(error: unknown): string {
    return this.string(unserializableMarker(describeThrown(error)));
  }
}

function dateString(date: Date): string {
  const time = date.getTime();
  return Number.isNaN(time) ? 'Invalid Date' : new Date(time).toISOString();
}

function mapKeyString(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return key;
    case 'object':
      if (key === null) return 'null';
      if (types.isDate(key)) return dateString(key);
      return Object.prototype.toString.call(key);
    case 'function':
      return Object.prototype.toString.call(key);
    default:
      return String(key);
  }
}

function describeThrown(error: unknown): string {
  try {
    return String(error instanceof Error ? error.message : error);
  } catch {
    return 'unknown error';
  }
}
