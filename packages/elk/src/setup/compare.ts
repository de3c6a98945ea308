/**
 * Semantic comparison of what a server stores with what setup wants. Servers echo bodies back
 * with their own spelling: settings as strings in nested objects (`{"index":{"number_of_shards":
 * "1"}}` for `index.number_of_shards: 1`), defaults filled in (`delete_searchable_snapshot`,
 * `data_stream.hidden`), bookkeeping added (`last_updated_time`). So the desired body is compared
 * as a subset of the stored one, after both are brought to one form; a content hash kept in the
 * stored object's `_meta` (or description) also catches removed keys.
 */
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level, so equal values print equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

/** A short, stable content hash (first 16 hex digits of SHA-256 of the canonical JSON). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/**
 * Index settings as flat dotted keys with string values, the way Elasticsearch and OpenSearch
 * return them: `{index: {lifecycle: {name: 'x'}}}` and `{'index.lifecycle.name': 'x'}` both give
 * `{'index.lifecycle.name': 'x'}`; a key without the `index.` prefix gets it.
 */
export function flattenSettings(settings: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        walk(child, prefix === '' ? key : `${prefix}.${key}`);
      }
      return;
    }
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  };
  walk(settings ?? {}, '');
  return out;
}

/**
 * The differences where `desired` is not contained in `actual`: objects are compared key by key
 * (extra keys in `actual` are fine), arrays element by element (same length), scalars loosely
 * (`1` equals `"1"`, `true` equals `"true"`, since servers stringify settings). Returns one line
 * per difference (`path: actual → desired`), empty when `desired` is contained.
 */
export function subsetDifferences(desired: unknown, actual: unknown, path = ''): string[] {
  if (isObject(desired)) {
    if (!isObject(actual)) return [`${path || '(root)'}: ${show(actual)} → object`];
    return Object.entries(desired).flatMap(([key, value]) =>
      subsetDifferences(value, actual[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) {
      return [`${path}: ${show(actual)} → ${show(desired)}`];
    }
    return desired.flatMap((value, i) => subsetDifferences(value, actual[i], `${path}[${i}]`));
  }
  if (scalarEquals(desired, actual)) return [];
  return [`${path}: ${show(actual)} → ${show(desired)}`];
}

function scalarEquals(desired: unknown, actual: unknown): boolean {
  if (desired === actual) return true;
  if (desired === undefined || desired === null) return actual === undefined || actual === null;
  if (!isScalar(desired) || !isScalar(actual)) return false;
  return String(desired) === String(actual);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** At most `max` difference lines joined for a plan's detail. */
export function summarize(differences: readonly string[], max = 3): string {
  if (differences.length <= max) return differences.join('; ');
  return `${differences.slice(0, max).join('; ')}; and ${differences.length - max} more`;
}
