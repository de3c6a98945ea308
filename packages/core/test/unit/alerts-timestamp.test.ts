import { describe, expect, it } from 'vitest';
import { createTimestampParser } from '../../src/alerts/timestamp.js';

describe('createTimestampParser', () => {
  it('reads ISO strings in any offset and takes numbers as epoch ms', () => {
    const parse = createTimestampParser();
    const noon = Date.parse('2024-05-01T12:00:00.000Z');
    expect(parse('2024-05-01T12:00:00.000Z')).toBe(noon);
    expect(parse('2024-05-01T12:00:00.000Z')).toBe(noon);
    expect(parse('2024-05-01T14:00:00+02:00')).toBe(noon);
    expect(parse(noon)).toBe(noon);
  });

  it('returns undefined for unusable values, also when repeated', () => {
    const parse = createTimestampParser();
    expect(parse('yesterday')).toBeUndefined();
    expect(parse('yesterday')).toBeUndefined();
    expect(parse('')).toBeUndefined();
    expect(parse(null)).toBeUndefined();
    expect(parse(undefined)).toBeUndefined();
    expect(parse(Number.NaN)).toBeUndefined();
    expect(parse({ at: 1 })).toBeUndefined();
  });
});
