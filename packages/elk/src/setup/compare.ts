/**
 * What Elasticsearch setup adds to core's subset comparison (`subsetDifferences`): settings
 * flattened the way the server returns them (`{"index":{"number_of_shards":"1"}}` for
 * `index.number_of_shards: 1`), canonical JSON, and a content hash kept in the stored object's
 * `_meta` (or description) that also catches removed keys.
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
