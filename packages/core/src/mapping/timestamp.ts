// 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z: outside it toISOString switches to the
// six-digit `+YYYYYY` form that most backends reject.
const MIN_TIME = -62_167_219_200_000;
const MAX_TIME = 253_402_300_799_999;

// ISO 8601 / RFC 3339 date-times, with `T` or a space, any fraction, `Z`, `±hh:mm`, `±hhmm`,
// `±hh` or no offset.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const MS_PER_400_YEARS = 146_097 * 86_400_000;
const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;
// What the fallback parser must see before it is trusted: V8 reads `Test 2` as 2001-02-01.
const YEAR_AND_CLOCK = /\b\d{4}\b[\s\S]*\b\d{1,2}:\d{2}|\b\d{1,2}:\d{2}[\s\S]*\b\d{4}\b/;

/**
 * Converts a timestamp in any common form to ISO 8601 UTC with milliseconds
 * (`2026-11-29T20:37:14.123Z`), or undefined when it cannot be read:
 * - ISO strings, offsets converted to UTC; strings without an offset are read as UTC (not as
 *   the shipping host's local time, which would make the result depend on where it runs);
 *   fractions beyond milliseconds are cut;
 * - numbers and numeric strings as epoch time, the unit told by magnitude: below 1e11 seconds
 *   (fractions allowed; 1e11 s is the year 5138, 1e11 ms is 1973), below 1e14 milliseconds
 *   (pino's `time`), below 1e17 microseconds, above that nanoseconds;
 * - Date objects (invalid ones are unreadable) and BigInt epochs;
 * - RFC 2822 / HTTP dates and `Date#toString()` output, through Date.parse, only when they
 *   contain a four-digit year and a clock time.
 * Anything outside years 0000–9999 is unreadable.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      return fromEpoch(value);
    case 'bigint':
      return fromEpoch(Number(value));
    case 'string':
      return fromString(value);
    case 'object':
      return value instanceof Date ? fromTime(value.getTime()) : undefined;
    default:
      return undefined;
  }
}

function fromEpoch(epoch: number): string | undefined {
  if (!Number.isFinite(epoch)) return undefined;
  const magnitude = Math.abs(epoch);
  let ms: number;
  if (magnitude < 1e11) ms = epoch * 1000;
  else if (magnitude < 1e14) ms = epoch;
  else if (magnitude < 1e17) ms = epoch / 1e3;
  else ms = epoch / 1e6;
  // Rounding, not flooring: 1764448634.123 * 1000 is 1764448634122.9998 in binary floating point.
  return fromTime(Math.round(ms));
}

function fromTime(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) return undefined;
  return new Date(ms).toISOString();
}

function fromString(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (NUMERIC.test(text)) return fromEpoch(Number(text));
  const iso = ISO_DATE_TIME.exec(text);
  if (iso !== null) return fromIsoParts(iso);
  if (!YEAR_AND_CLOCK.test(text)) return undefined;
  return fromTime(Date.parse(text));
}

function fromIsoParts(parts: RegExpExecArray): string | undefined {
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  const hour = Number(parts[4] ?? 0);
  const minute = Number(parts[5] ?? 0);
  const second = Number(parts[6] ?? 0);
  const millisecond = Number((parts[7] ?? '').slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // 60 is a leap second; Date.UTC rolls it into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return undefined;

  // Date.UTC reads years 0–99 as 1900–1999; 400 Gregorian years later the calendar is identical.
  const shifted = year < 100;
  let time =
    Date.UTC(shifted ? year + 400 : year, month - 1, day, hour, minute, second, millisecond) -
    (shifted ? MS_PER_400_YEARS : 0);
  if (second < 60 && isCanonical(parts[0])) return parts[0];
  if (parts[9] !== undefined) {
    const offsetHours = Number(parts[10]);
    const offsetMinutes = Number(parts[11] ?? 0);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
    time += parts[9] === '+' ? -offset : offset;
  }
  return fromTime(time);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` exactly, what winston's timestamp format and pino's isoTime write:
 * such a value is returned as it is, since formatting it again costs more than all the parsing.
 */
function isCanonical(text: string): boolean {
  return text.length === 24 && text[10] === 'T' && text[19] === '.' && text[23] === 'Z';
}
