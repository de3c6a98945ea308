import type { JsonObject, JsonValue } from '../record.js';
import { TRUNCATED_SIZE } from './markers.js';
import { setOwn } from './own-property.js';
import { cutString, utf8ByteLength } from './strings.js';

export interface FittedRecord {
  /** The input itself when it fits, otherwise a shrunk copy (the input is never modified). */
  readonly record: JsonObject;
  /** `JSON.stringify(record)`. */
  readonly json: string;
  /** UTF-8 bytes of `json`, ≤ maxBytes. */
  readonly bytes: number;
  /** True when anything was cut or dropped; the record then carries `truncated: true`. */
  readonly truncated: boolean;
}

/** Fields fitRecord adds to a shrunk record; they are never dropped. */
export const TRUNCATED_FLAG_KEY = 'truncated';
export const TRUNCATED_FIELDS_KEY = 'truncated_fields';

// Upper bound, in UTF-8 bytes, of the `…[truncated N chars]` suffix cutString appends.
const SUFFIX_BYTES = 32;
// Strings are not cut below this while whole fields can still be dropped instead.
const MIN_KEPT_CHARS = 128;
// Last resort for strings under protected keys (a huge `service` or `host.name`).
const LAST_RESORT_CHARS = 16;
// A protected value still larger than this after every string cut is replaced by a marker.
const LAST_RESORT_VALUE_BYTES = 64;
// `truncated_fields` must stay small itself: it names at most 16 fields, each cut to 64 chars.
const MAX_LISTED_FIELDS = 16;
const MAX_LISTED_NAME_CHARS = 64;

/**
 * Serializes a record and, when it is larger than `maxBytes` (UTF-8), shrinks a copy in a
 * fixed order so the same record always shrinks the same way:
 * 1. cut the longest strings outside protected fields, at any depth, to one common length
 *    (not below 128 chars), so that one huge field loses most and short fields stay intact;
 * 2. drop the largest non-protected top-level fields, naming them in `truncated_fields`;
 * 3. cut `message`;
 * 4. only if protected fields alone are too large: cut every string, then replace oversized
 *    protected values with `[Truncated: size]`.
 * Any record fits a `maxBytes` of 1 KiB or more.
 */
export function fitRecord(
  record: JsonObject,
  maxBytes: number,
  protectedKeys: readonly string[],
): FittedRecord {
  const json = JSON.stringify(record);
  const bytes = utf8ByteLength(json);
  if (bytes <= maxBytes) return { record, json, bytes, truncated: false };

  const shrinker = new Shrinker(JSON.parse(json) as JsonObject, maxBytes, protectedKeys);
  return shrinker.shrink();
}

interface StringSlot {
  readonly parent: JsonObject | JsonValue[];
  readonly key: string | number;
  readonly value: string;
}

class Shrinker {
  private json = '';
  private bytes = 0;
  private readonly protectedKeys: ReadonlySet<string>;
  private readonly dropped: string[] = [];

  constructor(
    private readonly record: JsonObject,
    private readonly maxBytes: number,
    protectedKeys: readonly string[],
  ) {
    this.protectedKeys = new Set([...protectedKeys, TRUNCATED_FLAG_KEY, TRUNCATED_FIELDS_KEY]);
  }

  shrink(): FittedRecord {
    this.record[TRUNCATED_FLAG_KEY] = true;
    this.measure();
    if (!this.fits()) this.cutStrings(this.unprotectedStrings(), MIN_KEPT_CHARS);
    if (!this.fits()) this.dropLargestFields();
    if (!this.fits()) this.cutMessage();
    if (!this.fits()) this.cutStrings(this.allStrings(), LAST_RESORT_CHARS);
    if (!this.fits()) this.replaceOversizedProtectedValues();
    if (!this.fits()) this.cutMessage();
    if (!this.fits()) return this.minimalRecord();
    return { record: this.record, json: this.json, bytes: this.bytes, truncated: true };
  }

  private fits(): boolean {
    return this.bytes <= this.maxBytes;
  }

  private measure(): void {
    this.json = JSON.stringify(this.record);
    this.bytes = utf8ByteLength(this.json);
  }

  private unprotectedStrings(): StringSlot[] {
    const slots: StringSlot[] = [];
    for (const key of Object.keys(this.record)) {
      if (!this.protectedKeys.has(key)) collectStrings(this.record, key, slots);
    }
    return slots;
  }

  private allStrings(): StringSlot[] {
    const slots: StringSlot[] = [];
    for (const key of Object.keys(this.record)) collectStrings(this.record, key, slots);
    return slots;
  }

  /**
   * Cuts every string longer than a common length chosen so that the bytes saved cover the
   * excess. Each cut character saves at least one byte, each cut costs at most SUFFIX_BYTES, so
   * the estimate is a lower bound and one pass is enough unless `floor` stops it.
   */
  private cutStrings(slots: readonly StringSlot[], floor: number): void {
    const gains = slots.map((slot) => slot.value.length - SUFFIX_BYTES).sort((a, b) => b - a);
    const length = Math.max(floor, commonLength(gains, this.bytes - this.maxBytes));
    let changed = false;
    for (const slot of slots) {
      if (slot.value.length - SUFFIX_BYTES > length) {
        setSlot(slot, cutString(slot.value, length));
        changed = true;
      }
    }
    if (changed) this.measure();
  }

  private dropLargestFields(): void {
    const candidates = Object.keys(this.record)
      .filter((key) => !this.protectedKeys.has(key))
      .map((key) => ({ key, bytes: fieldBytes(key, this.record[key]) }))
      .sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // `,"truncated_fields":[]` before the first name; the names are added as they are dropped.
    let estimate = this.bytes + utf8ByteLength(`,"${TRUNCATED_FIELDS_KEY}":[]`);
    for (const { key, bytes } of candidates) {
      delete this.record[key];
      this.dropped.push(key);
      estimate += listedNameBytes(key) - bytes;
      if (estimate <= this.maxBytes) {
        this.writeDroppedList();
        if (this.fits()) return;
      }
    }
    this.writeDroppedList();
  }

  private writeDroppedList(): void {
    if (this.dropped.length === 0) return;
    const names = this.dropped.slice(0, MAX_LISTED_FIELDS).map(listedName);
    if (this.dropped.length > MAX_LISTED_FIELDS) {
      names.push(`[+${this.dropped.length - MAX_LISTED_FIELDS} more]`);
    }
    this.record[TRUNCATED_FIELDS_KEY] = names;
    this.measure();
  }

  private cutMessage(): void {
    const message = this.record.message;
    if (typeof message !== 'string' || message.length === 0) return;
    const keep = message.length - (this.bytes - this.maxBytes) - SUFFIX_BYTES;
    this.record.message = cutString(message, Math.max(0, keep));
    this.measure();
    if (!this.fits()) {
      this.record.message = cutString(message, 0);
      this.measure();
    }
  }

  private replaceOversizedProtectedValues(): void {
    for (const key of Object.keys(this.record)) {
      if (key === 'message' || key === TRUNCATED_FLAG_KEY || key === TRUNCATED_FIELDS_KEY) continue;
      const value = this.record[key];
      if (utf8ByteLength(JSON.stringify(value)) > LAST_RESORT_VALUE_BYTES) {
        setOwn(this.record, key, TRUNCATED_SIZE);
        this.dropped.push(key);
      }
    }
    this.writeDroppedList();
    this.measure();
  }

  /** Only reachable with a maxBytes far below 1 KiB. */
  private minimalRecord(): FittedRecord {
    const timestamp = this.record['@timestamp'];
    const record: JsonObject = { message: '', [TRUNCATED_FLAG_KEY]: true };
    if (typeof timestamp === 'string' && timestamp.length <= 64) record['@timestamp'] = timestamp;
    const json = JSON.stringify(record);
    return { record, json, bytes: utf8ByteLength(json), truncated: true };
  }
}

/**
 * The largest length L such that cutting every gain above L down to L saves at least `excess`
 * (gains sorted in descending order). Returns -1 when even cutting everything is not enough.
 */
function commonLength(gains: readonly number[], excess: number): number {
  let sum = 0;
  for (let i = 0; i < gains.length; i += 1) {
    sum += gains[i];
    const next = i + 1 < gains.length ? Math.max(0, gains[i + 1]) : 0;
    const length = Math.floor((sum - excess) / (i + 1));
    if (length >= next) return length;
  }
  return -1;
}

function collectStrings(parent: JsonObject | JsonValue[], key: string | number, out: StringSlot[]) {
  const value = (parent as Record<string | number, JsonValue>)[key];
  if (typeof value === 'string') {
    out.push({ parent, key, value });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) collectStrings(value, i, out);
  } else if (value !== null && typeof value === 'object') {
    for (const child of Object.keys(value)) collectStrings(value, child, out);
  }
}

function setSlot(slot: StringSlot, value: string): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else setOwn(slot.parent, slot.key as string, value);
}

/** Bytes a field takes in its object's JSON: `"key":value` plus the separating comma. */
function fieldBytes(key: string, value: JsonValue): number {
  return utf8ByteLength(JSON.stringify(key)) + 1 + utf8ByteLength(JSON.stringify(value)) + 1;
}

function listedName(key: string): string {
  return key.length > MAX_LISTED_NAME_CHARS ? cutString(key, MAX_LISTED_NAME_CHARS) : key;
}

/** Bytes a dropped field's name adds to `truncated_fields` (an upper bound, quotes and comma). */
function listedNameBytes(key: string): number {
  return utf8ByteLength(JSON.stringify(listedName(key))) + 1;
}
