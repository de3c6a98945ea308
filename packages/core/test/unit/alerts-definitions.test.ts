import { describe, expect, it } from 'vitest';
import type { AlertDefinition, AlertOverrides, LogCountAlert } from '../../src/alerts/index.js';
import {
  AlertOverridesError,
  defaultAlertDefinitions,
  fieldNamesFor,
  matchesFilter,
  msToDurationUnit,
  validateAlertOverrides,
} from '../../src/alerts/index.js';

function byId(definitions: AlertDefinition[], id: string): AlertDefinition {
  const found = definitions.find((definition) => definition.id === id);
  if (found === undefined) throw new Error(`no alert ${id}`);
  return found;
}

function logCount(definitions: AlertDefinition[], id: string): LogCountAlert {
  const definition = byId(definitions, id);
  if (definition.kind !== 'log-count') throw new Error(`${id} is not a log-count alert`);
  return definition;
}

/** The error thrown for these overrides (fails the test when nothing is thrown). */
function overridesError(overrides: unknown): AlertOverridesError {
  try {
    defaultAlertDefinitions(overrides as AlertOverrides);
  } catch (error) {
    if (error instanceof AlertOverridesError) return error;
    throw error;
  }
  throw new Error('expected AlertOverridesError');
}

describe('defaultAlertDefinitions', () => {
  it('returns the five default alerts with the documented thresholds', () => {
    const definitions = defaultAlertDefinitions();
    expect(definitions.map((definition) => definition.id)).toEqual([
      'error-rate',
      'http-5xx',
      'auth-failures',
      'slow-responses',
      'low-disk',
    ]);
    expect(definitions.every((definition) => definition.enabled)).toBe(true);
    expect(logCount(definitions, 'error-rate')).toMatchObject({
      threshold: 50,
      comparator: '>=',
      windowMinutes: 5,
      filter: { field: 'log_level', op: 'in', value: ['error', 'fatal'] },
    });
    expect(logCount(definitions, 'http-5xx')).toMatchObject({
      threshold: 1,
      filter: { field: 'status_code', op: 'gte', value: 500 },
    });
    expect(logCount(definitions, 'auth-failures')).toMatchObject({
      threshold: 10,
      filter: {
        op: 'any',
        of: [
          { field: 'event', op: 'eq', value: 'auth.failure' },
          { field: 'message', op: 'matches' },
        ],
      },
    });
    expect(logCount(definitions, 'slow-responses')).toMatchObject({
      threshold: 10,
      filter: { field: 'duration_ms', op: 'gt', value: 2000 },
    });
    expect(byId(definitions, 'low-disk')).toMatchObject({
      kind: 'metric',
      metric: 'disk_used_percent',
      comparator: '>',
      threshold: 85,
      windowMinutes: 5,
      groupBy: ['host.name'],
    });
  });

  it('applies threshold, window, severity and group-by overrides', () => {
    const definitions = defaultAlertDefinitions({
      'slow-responses': { threshold: 20, windowMinutes: 15, slowerThanMs: 500 },
      'error-rate': { severity: 'warning', groupBy: ['service'], levels: ['fatal'] },
      'low-disk': { threshold: 92.5 },
    });
    expect(logCount(definitions, 'slow-responses')).toMatchObject({
      threshold: 20,
      windowMinutes: 15,
      filter: { field: 'duration_ms', op: 'gt', value: 500 },
    });
    expect(logCount(definitions, 'error-rate')).toMatchObject({
      severity: 'warning',
      groupBy: ['service'],
      filter: { value: ['fatal'] },
    });
    expect(byId(definitions, 'low-disk').threshold).toBe(92.5);
  });

  it('keeps disabled alerts, marked disabled, whether given false or enabled: false', () => {
    const definitions = defaultAlertDefinitions({
      'slow-responses': false,
      'low-disk': { enabled: false },
      'http-5xx': true,
    });
    expect(byId(definitions, 'slow-responses').enabled).toBe(false);
    expect(byId(definitions, 'low-disk').enabled).toBe(false);
    expect(byId(definitions, 'http-5xx').enabled).toBe(true);
  });

  it('uses custom field names and auth settings', () => {
    const definitions = defaultAlertDefinitions({
      fields: {
        levelField: 'severity',
        statusField: 'res.statusCode',
        eventField: 'evt',
        messageField: 'msg',
      },
      'auth-failures': { eventValue: 'login.denied', messagePattern: 'bad password' },
    });
    expect(logCount(definitions, 'error-rate').filter).toMatchObject({ field: 'severity' });
    expect(logCount(definitions, 'http-5xx').filter).toMatchObject({ field: 'res.statusCode' });
    const auth = logCount(definitions, 'auth-failures');
    expect(auth.messageField).toBe('msg');
    expect(matchesFilter({ evt: 'login.denied' }, auth.filter)).toBe(true);
    expect(matchesFilter({ msg: 'Bad Password for bob' }, auth.filter)).toBe(true);
    expect(matchesFilter({ message: 'bad password' }, auth.filter)).toBe(false);
  });

  it('drops the `any` when only one auth form is kept', () => {
    const definitions = defaultAlertDefinitions({ 'auth-failures': { messagePattern: false } });
    expect(logCount(definitions, 'auth-failures').filter).toEqual({
      field: 'event',
      op: 'eq',
      value: 'auth.failure',
    });
  });
});

describe('ECS field names', () => {
  it('maps every field to its ECS name and nanosecond durations', () => {
    expect(fieldNamesFor('ecs')).toMatchObject({
      levelField: 'log.level',
      statusField: 'http.response.status_code',
      durationField: 'event.duration',
      durationUnit: 'ns',
      eventField: 'event.action',
      hostField: 'host.name',
    });
    expect(fieldNamesFor('lms')).toMatchObject({
      durationField: 'duration_ms',
      durationUnit: 'ms',
    });
  });

  it('keeps the 2000 ms meaning by writing the limit in the field unit', () => {
    const slow = logCount(defaultAlertDefinitions({ schema: 'ecs' }), 'slow-responses');
    expect(slow.filter).toEqual({ field: 'event.duration', op: 'gt', value: 2_000_000_000 });
    expect(slow.description).toContain('2000 ms');
    expect(matchesFilter({ event: { duration: 2_000_000_001 } }, slow.filter)).toBe(true);
    expect(matchesFilter({ event: { duration: 2_000_000_000 } }, slow.filter)).toBe(false);
  });

  it('matches ECS-shaped records with nested objects and with literal dotted keys', () => {
    const definitions = defaultAlertDefinitions({ schema: 'ecs' });
    const nested = {
      '@timestamp': '2024-05-01T12:00:00.000Z',
      log: { level: 'error' },
      http: { response: { status_code: 503 } },
      event: { action: 'auth.failure', duration: 3_500_000_000 },
      message: 'request failed',
    };
    const dotted = {
      '@timestamp': '2024-05-01T12:00:00.000Z',
      'log.level': 'error',
      'http.response.status_code': 503,
      'event.action': 'auth.failure',
      'event.duration': 3_500_000_000,
      message: 'request failed',
    };
    for (const record of [nested, dotted]) {
      for (const id of ['error-rate', 'http-5xx', 'auth-failures', 'slow-responses']) {
        expect(matchesFilter(record, logCount(definitions, id).filter), `${id}`).toBe(true);
      }
    }
  });

  it('assumes ms for a replaced duration field unless the unit is given', () => {
    const replaced = defaultAlertDefinitions({ schema: 'ecs', fields: { durationField: 'took' } });
    expect(logCount(replaced, 'slow-responses').filter).toMatchObject({
      field: 'took',
      value: 2000,
    });
    const micro = defaultAlertDefinitions({
      fields: { durationField: 'took_us', durationUnit: 'us' },
    });
    expect(logCount(micro, 'slow-responses').filter).toMatchObject({ value: 2_000_000 });
  });

  it('converts ms limits to every unit without float noise', () => {
    expect(msToDurationUnit(2000, 's')).toBe(2);
    expect(msToDurationUnit(1500.5, 'ms')).toBe(1500.5);
    expect(msToDurationUnit(0.1, 'ns')).toBe(100_000);
  });
});

describe('override validation', () => {
  it('names the bad key of a negative threshold', () => {
    const error = overridesError({ 'slow-responses': { threshold: -5 } });
    expect(error.issues).toEqual([
      { path: 'slow-responses.threshold', message: 'must be at least 1 (got -5)' },
    ]);
    expect(error.message).toBe(
      'invalid alert overrides: slow-responses.threshold must be at least 1 (got -5)',
    );
  });

  it('names a bad regex and says why it is bad', () => {
    const error = overridesError({ 'auth-failures': { messagePattern: 'login (failed' } });
    expect(error.issues[0].path).toBe('auth-failures.messagePattern');
    expect(error.issues[0].message).toMatch(/invalid regular expression/);
  });

  it('rejects regexes some backends cannot run or that match everything', () => {
    expect(overridesError({ 'auth-failures': { messagePattern: 'login(?! ok)' } }).message).toMatch(
      /auth-failures\.messagePattern .*lookaround/,
    );
    expect(overridesError({ 'auth-failures': { messagePattern: '(a)\\1' } }).message).toMatch(
      /backreference/,
    );
    expect(overridesError({ 'auth-failures': { messagePattern: 'x*' } }).message).toMatch(
      /every record/,
    );
    // Escaped and bracketed look-alikes are plain characters, so they are fine.
    expect(() =>
      validateAlertOverrides({ 'auth-failures': { messagePattern: '\\(?=|[(?!]' } }),
    ).not.toThrow();
  });

  it('names unknown keys and lists the known ones', () => {
    const error = overridesError({ 'slow-response': false, fields: { levelFeild: 'x' } });
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['slow-response', 'fields.levelFeild']));
    expect(error.message).toMatch(
      /slow-response is not a known key \(known keys: schema, fields, error-rate/,
    );
  });

  it('names every bad key in one error', () => {
    const error = overridesError({
      schema: 'gelf',
      fields: { statusField: 'a..b', durationUnit: 'minutes' },
      'error-rate': { windowMinutes: 0, levels: ['critical'] },
      'http-5xx': 'yes',
      'low-disk': { threshold: 120 },
      'auth-failures': { eventValue: false, messagePattern: false },
    });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'auth-failures',
      'error-rate.levels.0',
      'error-rate.windowMinutes',
      'fields.durationUnit',
      'fields.statusField',
      'http-5xx',
      'low-disk.threshold',
      'schema',
    ]);
  });

  it('accepts undefined and returns normalised settings', () => {
    expect(validateAlertOverrides(undefined)).toEqual({});
    expect(
      validateAlertOverrides({ 'low-disk': false, fields: { levelField: ' level ' } }),
    ).toEqual({
      'low-disk': { enabled: false },
      fields: { levelField: 'level' },
    });
  });
});
