import { describe, it, expect } from 'vitest';
import { toIsoTimestamp } from '../../src/mapping/index.js';

const ISO = '2026-11-29T20:37:14.123Z';
const EPOCH_MS = Date.parse(ISO);

describe('toIsoTimestamp', () => {
  it.each([
    ['ISO with Z', ISO, ISO],
    ['ISO with lower-case z', '2026-11-29t20:37:14.123z', ISO],
    ['ISO with +hh:mm offset', '2026-11-29T22:37:14.123+02:00', ISO],
    ['ISO with -hhmm offset', '2026-11-29T15:07:14.123-0530', ISO],
    ['ISO with ±hh offset', '2026-11-30T01:37:14.123+05', ISO],
    ['offset crossing a day', '2026-11-30T00:37:14.123+04:00', ISO],
    ['no offset, read as UTC', '2026-11-29T20:37:14.123', ISO],
    ['space separator (winston format)', '2026-11-29 20:37:14.123', ISO],
    ['without milliseconds', '2026-11-29T20:37:14Z', '2026-11-29T20:37:14.000Z'],
    ['without seconds', '2026-11-29T20:37Z', '2026-11-29T20:37:00.000Z'],
    ['date only', '2026-11-29', '2026-11-29T00:00:00.000Z'],
    ['one fraction digit', '2026-11-29T20:37:14.1Z', '2026-11-29T20:37:14.100Z'],
    ['microseconds', '2026-11-29T20:37:14.123456Z', ISO],
    ['nanoseconds', '2026-11-29T20:37:14.123456789+00:00', ISO],
    ['comma fraction', '2026-11-29T20:37:14,123Z', ISO],
    ['a space before Z', '2026-11-29T20:37:14.123 Z', ISO],
    ['a leap second', '2026-12-31T23:59:60.000Z', '2027-01-01T00:00:00.000Z'],
    ['surrounding spaces', `  ${ISO} `, ISO],
    ['leap year day', '2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['year 0050', '0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
    ['year 0000 leap day', '0000-02-29T12:00:00Z', '0000-02-29T12:00:00.000Z'],
  ])('reads %s', (_name, input, expected) => {
    expect(toIsoTimestamp(input)).toBe(expected);
  });

  it('reads epoch milliseconds (pino time) and epoch seconds', () => {
    expect(toIsoTimestamp(EPOCH_MS)).toBe(ISO);
    expect(toIsoTimestamp(EPOCH_MS / 1000)).toBe(ISO);
    expect(toIsoTimestamp(1764448634)).toBe('2025-11-29T20:37:14.000Z');
    expect(toIsoTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toIsoTimestamp(-86_400)).toBe('1969-12-31T00:00:00.000Z');
    // 1e11 is the boundary: below it seconds, from it milliseconds.
    expect(toIsoTimestamp(99_999_999_999)).toBe('5138-11-16T09:46:39.000Z');
    expect(toIsoTimestamp(100_000_000_000)).toBe('1973-03-03T09:46:40.000Z');
  });

  it('reads microsecond and nanosecond epochs and BigInt', () => {
    expect(toIsoTimestamp(EPOCH_MS * 1000)).toBe(ISO);
    expect(toIsoTimestamp(BigInt(EPOCH_MS) * 1_000_000n)).toBe(ISO);
    expect(toIsoTimestamp(BigInt(EPOCH_MS))).toBe(ISO);
  });

  it('reads numeric strings as epochs', () => {
    expect(toIsoTimestamp(String(EPOCH_MS))).toBe(ISO);
    expect(toIsoTimestamp('1764448634.123')).toBe('2025-11-29T20:37:14.123Z');
    expect(toIsoTimestamp(`${BigInt(EPOCH_MS) * 1_000_000n}`)).toBe(ISO);
  });

  it('reads Date objects', () => {
    expect(toIsoTimestamp(new Date(EPOCH_MS))).toBe(ISO);
    expect(toIsoTimestamp(new Date('invalid'))).toBeUndefined();
  });

  it('reads RFC 2822 and Date#toString forms', () => {
    expect(toIsoTimestamp('Sun, 29 Nov 2026 20:37:14 GMT')).toBe('2026-11-29T20:37:14.000Z');
    expect(
      toIsoTimestamp('Sun Nov 29 2026 21:37:14 GMT+0100 (Central European Standard Time)'),
    ).toBe('2026-11-29T20:37:14.000Z');
  });

  it.each([
    ['garbage', 'yesterday'],
    ['a word and a number V8 would read as 2001', 'Test 2'],
    ['empty', ''],
    ['blank', '   '],
    ['a clock time alone', '20:37:14'],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29'],
    ['month 13', '2026-13-01'],
    ['hour 24', '2026-11-29T24:00:00Z'],
    ['a bad offset', '2026-11-29T20:37:14+25:00'],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a Date beyond year 9999', new Date(253_402_300_800_000)],
    ['a Date before year 0', new Date(-62_167_219_200_001)],
    ['a boolean', true],
    ['an object', { time: 1 }],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s', (_name, input) => {
    expect(toIsoTimestamp(input)).toBeUndefined();
  });
});
