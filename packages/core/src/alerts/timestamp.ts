import type { JsonValue } from '../record.js';

/**
 * Returns a parser from a record's timestamp value to epoch ms (`undefined` when unusable):
 * numbers are epoch ms, strings are ISO 8601 (`Date.parse`). Parsing is the costliest step of
 * observing a record and bursts share timestamps, so a repeated string reuses the last result.
 */
export function createTimestampParser(): (value: JsonValue | undefined) => number | undefined {
  let lastText = '';
  let lastMs: number | undefined;
  return (value) => {
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (typeof value !== 'string') return undefined;
    if (value !== lastText) {
      const ms = Date.parse(value);
      lastText = value;
      lastMs = Number.isFinite(ms) ? ms : undefined;
    }
    return lastMs;
  };
}
