import { describe, expect, it } from 'vitest';
import type { Filter } from '../../src/alerts/index.js';
import {
  compileFilter,
  describeAlert,
  describeFilter,
  defaultAlertDefinitions,
  matchesFilter,
  readField,
} from '../../src/alerts/index.js';

describe('readField', () => {
  it('resolves nested objects, literal dotted keys and mixes of both', () => {
    expect(readField({ host: { name: 'web-1' } }, 'host.name')).toBe('web-1');
    expect(readField({ 'host.name': 'web-2' }, 'host.name')).toBe('web-2');
    expect(readField({ 'http.response': { status_code: 503 } }, 'http.response.status_code')).toBe(
      503,
    );
    expect(readField({ http: { 'response.status_code': 502 } }, 'http.response.status_code')).toBe(
      502,
    );
  });

  it('prefers the literal dotted key when a record carries both spellings', () => {
    expect(readField({ 'host.name': 'literal', host: { name: 'nested' } }, 'host.name')).toBe(
      'literal',
    );
  });

  it('falls back to nesting when a literal prefix leads nowhere', () => {
    const record = { 'a.b': { x: 1 }, a: { b: { c: 2 } } };
    expect(readField(record, 'a.b.c')).toBe(2);
  });

  it('returns undefined for missing fields and does not see inherited properties', () => {
    expect(readField({ host: 'web-1' }, 'host.name')).toBeUndefined();
    expect(readField({}, 'constructor')).toBeUndefined();
    expect(readField({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  it('compares numbers numerically and accepts decimal numeric strings', () => {
    const filter: Filter = { field: 'status_code', op: 'gte', value: 500 };
    expect(matchesFilter({ status_code: 503 }, filter)).toBe(true);
    expect(matchesFilter({ status_code: '503' }, filter)).toBe(true);
    expect(matchesFilter({ status_code: 499 }, filter)).toBe(false);
    expect(matchesFilter({ status_code: '1000' }, filter)).toBe(true);
    expect(matchesFilter({ status_code: '0x1F4' }, filter)).toBe(false);
    expect(matchesFilter({ status_code: '' }, filter)).toBe(false);
    expect(matchesFilter({ status_code: true }, filter)).toBe(false);
    expect(matchesFilter({ status_code: null }, filter)).toBe(false);
    expect(matchesFilter({}, filter)).toBe(false);
  });

  it('implements gt, lte and lt at their boundaries', () => {
    expect(matchesFilter({ d: 2000 }, { field: 'd', op: 'gt', value: 2000 })).toBe(false);
    expect(matchesFilter({ d: 2001 }, { field: 'd', op: 'gt', value: 2000 })).toBe(true);
    expect(matchesFilter({ d: 10 }, { field: 'd', op: 'lte', value: 10 })).toBe(true);
    expect(matchesFilter({ d: 10 }, { field: 'd', op: 'lt', value: 10 })).toBe(false);
    expect(matchesFilter({ d: '9.5' }, { field: 'd', op: 'lt', value: 10 })).toBe(true);
  });

  it('compares strings exactly with eq and in', () => {
    expect(
      matchesFilter({ event: 'auth.failure' }, { field: 'event', op: 'eq', value: 'auth.failure' }),
    ).toBe(true);
    expect(
      matchesFilter({ event: 'AUTH.FAILURE' }, { field: 'event', op: 'eq', value: 'auth.failure' }),
    ).toBe(false);
    const levels: Filter = { field: 'log_level', op: 'in', value: ['error', 'fatal'] };
    expect(matchesFilter({ log_level: 'fatal' }, levels)).toBe(true);
    expect(matchesFilter({ log_level: 'warn' }, levels)).toBe(false);
  });

  it('lets a number value match a numeric string but not the reverse', () => {
    expect(matchesFilter({ s: '503' }, { field: 's', op: 'eq', value: 503 })).toBe(true);
    expect(matchesFilter({ s: 503 }, { field: 's', op: 'eq', value: '503' })).toBe(false);
    expect(matchesFilter({ s: '502' }, { field: 's', op: 'in', value: [500, 502] })).toBe(true);
    expect(matchesFilter({ ok: true }, { field: 'ok', op: 'eq', value: true })).toBe(true);
    expect(matchesFilter({ ok: 'true' }, { field: 'ok', op: 'eq', value: true })).toBe(false);
  });

  it('searches regexes case-insensitively and only in strings', () => {
    const filter: Filter = {
      field: 'message',
      op: 'matches',
      value: 'login failed|invalid credentials',
    };
    expect(matchesFilter({ message: 'User x: LOGIN FAILED' }, filter)).toBe(true);
    expect(matchesFilter({ message: 'Invalid Credentials for y' }, filter)).toBe(true);
    expect(matchesFilter({ message: 'login ok' }, filter)).toBe(false);
    expect(matchesFilter({ message: 42 }, filter)).toBe(false);
  });

  it('matches array fields when any element matches', () => {
    expect(matchesFilter({ tags: ['a', 'auth'] }, { field: 'tags', op: 'eq', value: 'auth' })).toBe(
      true,
    );
    expect(matchesFilter({ tags: ['a', 'b'] }, { field: 'tags', op: 'eq', value: 'auth' })).toBe(
      false,
    );
  });

  it('combines with any/all, with empty any never and empty all always matching', () => {
    const filter: Filter = {
      op: 'all',
      of: [
        { field: 'service', op: 'eq', value: 'lms-api' },
        {
          op: 'any',
          of: [
            { field: 'a', op: 'eq', value: 1 },
            { field: 'b', op: 'eq', value: 2 },
          ],
        },
      ],
    };
    expect(matchesFilter({ service: 'lms-api', b: 2 }, filter)).toBe(true);
    expect(matchesFilter({ service: 'lms-api' }, filter)).toBe(false);
    expect(matchesFilter({ service: 'other', a: 1 }, filter)).toBe(false);
    expect(matchesFilter({}, { op: 'any', of: [] })).toBe(false);
    expect(matchesFilter({}, { op: 'all', of: [] })).toBe(true);
  });

  it('rejects malformed filters when compiled, not per record', () => {
    expect(() => compileFilter({ field: 'm', op: 'matches', value: '(' })).toThrow(
      /invalid regular expression/,
    );
    expect(() => compileFilter({ field: 'd', op: 'gt', value: Number.NaN })).toThrow(/finite/);
    const bogus = JSON.parse('{"field":"x","op":"like","value":"a"}') as Filter;
    expect(() => compileFilter(bogus)).toThrow(/unknown filter op/);
  });
});

describe('describeFilter', () => {
  it('prints each operator readably', () => {
    expect(describeFilter({ field: 'log_level', op: 'in', value: ['error', 'fatal'] })).toBe(
      'log_level in ("error", "fatal")',
    );
    expect(describeFilter({ field: 'status_code', op: 'gte', value: 500 })).toBe(
      'status_code >= 500',
    );
    expect(describeFilter({ field: 'duration_ms', op: 'gt', value: 2000 })).toBe(
      'duration_ms > 2000',
    );
    expect(describeFilter({ field: 'd', op: 'lte', value: 1 })).toBe('d <= 1');
    expect(describeFilter({ field: 'd', op: 'lt', value: 1 })).toBe('d < 1');
    expect(describeFilter({ field: 'ok', op: 'eq', value: true })).toBe('ok = true');
    expect(describeFilter({ field: 'url', op: 'matches', value: 'a/b' })).toBe(
      'url matches /a\\/b/i',
    );
    expect(describeFilter({ op: 'any', of: [] })).toBe('never');
    expect(describeFilter({ op: 'all', of: [] })).toBe('always');
  });

  it('parenthesises nested groups only', () => {
    const filter: Filter = {
      op: 'all',
      of: [
        { field: 'service', op: 'eq', value: 'lms-api' },
        {
          op: 'any',
          of: [
            { field: 'a', op: 'eq', value: 1 },
            { field: 'b', op: 'eq', value: 'x' },
          ],
        },
      ],
    };
    expect(describeFilter(filter)).toBe('service = "lms-api" AND (a = 1 OR b = "x")');
  });

  it('describes the default alerts for plan output', () => {
    const lines = defaultAlertDefinitions({ 'slow-responses': false }).map(describeAlert);
    expect(lines).toEqual([
      'error-rate [critical]: count(log_level in ("error", "fatal")) >= 50 within 5 min',
      'http-5xx [critical]: count(status_code >= 500) >= 1 within 5 min',
      'auth-failures [warning]: count(event = "auth.failure" OR message matches ' +
        '/authentication failed|login failed|invalid credentials/i) >= 10 within 5 min',
      'slow-responses [warning]: count(duration_ms > 2000) >= 10 within 5 min (disabled)',
      'low-disk [critical]: max(disk_used_percent) per host.name > 85 within 5 min',
    ]);
  });
});
