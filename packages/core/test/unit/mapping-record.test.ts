import { describe, it, expect } from 'vitest';
import {
  createRecordMapper,
  ECS_VERSION,
  PROTECTED_KEYS,
  type MappingOptions,
} from '../../src/mapping/index.js';
import type { JsonObject } from '../../src/record.js';
import { createRedactor } from '../../src/redact/index.js';

const NOW = '2026-11-29T20:40:00.000Z';

function mapper(schema: MappingOptions['schema'], extra: Partial<MappingOptions> = {}) {
  return createRecordMapper({
    schema,
    environment: 'production',
    service: 'lms-backend',
    hostName: 'web-1',
    redactor: createRedactor(),
    now: () => Date.parse(NOW),
    ...extra,
  });
}

/** What winston hands a transport for `logger.info('...', { ...request fields })`. */
function winstonInfo(): Record<string | symbol, unknown> {
  const info: Record<string | symbol, unknown> = {
    timestamp: '2026-11-29T21:37:14.123+01:00',
    level: 'info',
    message: 'GET /api/courses/12?tab=grades 200',
    status_code: 200,
    duration_ms: 35.5,
    method: 'GET',
    url: '/api/courses/12?tab=grades',
    user_id: 'u-42',
    password: 'hunter2',
  };
  info[Symbol.for('level')] = 'info';
  info[Symbol.for('message')] = '{"level":"info","message":"GET ..."}';
  return info;
}

/** A pino record as the pino adapter sees it in-process: numeric level, epoch ms, `err`. */
function pinoRecord(): Record<string, unknown> {
  const err = Object.assign(new TypeError('cannot save quiz'), { code: 'E_QUIZ' });
  return {
    level: 50,
    time: Date.parse('2026-11-29T20:37:14.123Z'),
    pid: 4242,
    hostname: 'pod-7',
    msg: 'save failed for jane.doe@uni.edu',
    err,
    quiz_id: 9,
  };
}

describe('createRecordMapper: lms schema', () => {
  const map = mapper('lms');

  it('maps a winston info object', () => {
    const { record, truncated } = map(winstonInfo());
    expect(truncated).toBe(false);
    expect(record).toEqual({
      '@timestamp': '2026-11-29T20:37:14.123Z',
      log_level: 'info',
      message: 'GET /api/courses/12?tab=grades 200',
      environment: 'production',
      service: 'lms-backend',
      host: { name: 'web-1' },
      status_code: 200,
      duration_ms: 35.5,
      method: 'GET',
      url: '/api/courses/12?tab=grades',
      user_id: 'u-42',
      password: '[REDACTED]',
    });
    // The shared fields come first, then the record's own fields in their order.
    expect(Object.keys(record).slice(0, 7)).toEqual([
      '@timestamp',
      'log_level',
      'message',
      'environment',
      'service',
      'host',
      'status_code',
    ]);
  });

  it('maps a pino record, keeping hostname, pid and the sanitized err', () => {
    const { record } = map(pinoRecord());
    expect(record['@timestamp']).toBe('2026-11-29T20:37:14.123Z');
    expect(record.log_level).toBe('error');
    expect(record.message).toBe('save failed for ***@uni.edu');
    expect(record.host).toEqual({ name: 'web-1' });
    expect(record.hostname).toBe('pod-7');
    expect(record.pid).toBe(4242);
    expect(record.quiz_id).toBe(9);
    expect(record.time).toBeUndefined();
    expect(record.msg).toBeUndefined();
    expect(record.level).toBeUndefined();
    const err = record.err as JsonObject;
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('cannot save quiz');
    expect(err.code).toBe('E_QUIZ');
    expect(err.stack).toContain('TypeError: cannot save quiz');
  });

  it('keeps the stack of an Error logged as the message (winston errors format)', () => {
    const { record } = map({
      level: 'error',
      message: 'boom',
      stack: 'Error: boom\n    at handler (app.js:10:5)',
      timestamp: '2026-11-29T20:37:14.123Z',
    });
    expect(record.message).toBe('boom');
    expect(record.stack).toBe('Error: boom\n    at handler (app.js:10:5)');
  });

  it('maps an Error instance that winston passes as the info object', () => {
    const error = Object.assign(new Error('disk full'), { level: 'error' });
    const { record } = map(error);
    expect(record.log_level).toBe('error');
    expect(record.message).toBe('disk full');
    expect(record.name).toBe('Error');
    expect(record.stack).toContain('disk full');
  });

  it('uses the mapping time and keeps an unreadable timestamp as timestamp_raw', () => {
    const { record } = map({ timestamp: '20:37:14', message: 'x' });
    expect(record['@timestamp']).toBe(NOW);
    expect(record.timestamp_raw).toBe('20:37:14');
    expect(record.timestamp).toBeUndefined();
  });

  it('takes @timestamp, timestamp and time in that order and removes all three', () => {
    const { record } = map({
      '@timestamp': 'not a time',
      timestamp: 1764448634,
      time: '2020-01-01T00:00:00Z',
    });
    expect(record['@timestamp']).toBe('2025-11-29T20:37:14.000Z');
    expect(record.timestamp_raw).toBe('not a time');
    expect(record.timestamp).toBeUndefined();
    expect(record.time).toBeUndefined();
    expect(map({ time: new Date('2026-01-02T03:04:05.006Z') }).record['@timestamp']).toBe(
      '2026-01-02T03:04:05.006Z',
    );
    expect(map({}).record['@timestamp']).toBe(NOW);
  });

  it('JSON-ifies non-string messages and defaults a missing one to an empty string', () => {
    expect(map({ message: { course: 12 } }).record.message).toBe('{"course":12}');
    expect(map({ message: 42 }).record.message).toBe('42');
    expect(map({ level: 'info' }).record.message).toBe('');
    const both = map({ message: 'winston', msg: 'pino' }).record;
    expect(both.message).toBe('winston');
    expect(both.msg).toBe('pino');
  });

  it('turns non-object inputs into a record whose message is the value', () => {
    expect(map('plain text').record.message).toBe('plain text');
    expect(map(42).record.message).toBe('42');
    expect(map(null).record.message).toBe('null');
    expect(map(undefined).record.message).toBe('');
    expect(map([1, 'two']).record.message).toBe('[1,"two"]');
    expect(map('mail jane@uni.edu').record.message).toBe('mail ***@uni.edu');
    expect(map(12n).record).toMatchObject({
      message: '12',
      log_level: 'info',
      host: { name: 'web-1' },
    });
  });

  it("prefers the record's own environment, service and host.name", () => {
    const { record } = map({
      environment: 'staging',
      service: 'grading-worker',
      host: { name: 'worker-3', ip: '10.0.0.3' },
    });
    expect(record.environment).toBe('staging');
    expect(record.service).toBe('grading-worker');
    expect(record.host).toEqual({ name: 'worker-3', ip: '10.0.0.3' });

    const fallback = map({ environment: '', service: { name: 'x' }, host: 'h1' }).record;
    expect(fallback.environment).toBe('production');
    expect(fallback.service).toBe('lms-backend');
    expect(fallback.host).toEqual({ name: 'web-1' });
    expect(fallback.service_raw).toEqual({ name: 'x' });
    expect(fallback.host_raw).toBe('h1');
    expect(fallback.environment_raw).toBeUndefined();
  });

  it('normalizes colorized, numeric and custom levels', () => {
    expect(map({ level: '\u001b[31merror\u001b[39m' }).record.log_level).toBe('error');
    expect(map({ level: 30 }).record.log_level).toBe('info');
    expect(map({ level: 'AUDIT' }).record.log_level).toBe('audit');
    expect(map({ log_level: 'warn' }).record.log_level).toBe('warn');
    const both = map({ level: 'error', log_level: 'x' }).record;
    expect(both.log_level).toBe('error');
    expect(both.log_level_raw).toBe('x');
  });

  it('reports truncation by sanitize and respects its limits', () => {
    const custom = mapper('lms', { maxStringLength: 10, maxDepth: 2 });
    const { record, truncated } = custom({ message: 'm'.repeat(50), a: { b: { c: { d: 1 } } } });
    expect(truncated).toBe(true);
    expect(record.message).toBe('mmmmmmmmmm…[truncated 40 chars]');
    expect(record.a).toEqual({ b: { c: '[Truncated: depth]' } });
  });

  it('skips redaction when no redactor is given', () => {
    const plain = mapper('lms', { redactor: undefined });
    expect(plain({ password: 'p', message: 'a@b.io' }).record).toMatchObject({
      password: 'p',
      message: 'a@b.io',
    });
  });

  it('never pollutes prototypes through hostile keys', () => {
    const hostile = JSON.parse(
      '{"__proto__":{"polluted":1},"message":"x","host":{"__proto__":{"polluted":2}}}',
    ) as unknown;
    const { record } = map(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(JSON.stringify(record)).toContain('"__proto__":{"polluted":1}');
  });
});

describe('createRecordMapper: ecs schema', () => {
  const map = mapper('ecs');

  it('maps a winston info object to ECS fields', () => {
    const { record } = map(winstonInfo());
    expect(record).toEqual({
      '@timestamp': '2026-11-29T20:37:14.123Z',
      log: { level: 'info' },
      message: 'GET /api/courses/12?tab=grades 200',
      ecs: { version: ECS_VERSION },
      service: { name: 'lms-backend', environment: 'production' },
      host: { name: 'web-1' },
      http: { request: { method: 'GET' }, response: { status_code: 200 } },
      url: { original: '/api/courses/12?tab=grades', path: '/api/courses/12' },
      event: { duration: 35_500_000 },
      user: { id: 'u-42' },
      password: '[REDACTED]',
    });
    expect(ECS_VERSION).toBe('8.11.0');
  });

  it('maps a pino record to ECS fields', () => {
    const { record } = map(pinoRecord());
    expect(record).toMatchObject({
      '@timestamp': '2026-11-29T20:37:14.123Z',
      log: { level: 'error' },
      message: 'save failed for ***@uni.edu',
      ecs: { version: '8.11.0' },
      service: { name: 'lms-backend', environment: 'production' },
      host: { name: 'web-1', hostname: 'pod-7' },
      process: { pid: 4242 },
      error: { type: 'TypeError', message: 'cannot save quiz', code: 'E_QUIZ' },
      quiz_id: 9,
    });
    const error = record.error as JsonObject;
    expect(error.stack_trace).toContain('TypeError: cannot save quiz');
    expect(Object.keys(record)).not.toEqual(
      expect.arrayContaining(['err', 'pid', 'hostname', 'msg', 'level', 'time']),
    );
    for (const key of ['err', 'pid', 'hostname', 'msg', 'level', 'time']) {
      expect(record[key]).toBeUndefined();
    }
  });

  it("maps pino's serialized err ({ type, message, stack })", () => {
    const { record } = map({
      level: 50,
      msg: 'failed',
      err: { type: 'RangeError', message: 'too far', stack: 'RangeError: too far\n    at x' },
    });
    expect(record.error).toEqual({
      type: 'RangeError',
      message: 'too far',
      stack_trace: 'RangeError: too far\n    at x',
    });
  });

  it('builds error.* from a winston error stack and an error field', () => {
    const fromStack = map({
      level: 'error',
      message: 'Saving failed: disk full',
      stack: 'Error [ERR_FS]: disk full\n    at write (fs.js:1:1)',
    }).record;
    expect(fromStack.error).toEqual({
      type: 'Error',
      message: 'disk full',
      stack_trace: 'Error [ERR_FS]: disk full\n    at write (fs.js:1:1)',
    });
    expect(fromStack.stack).toBeUndefined();

    const withCause = map({
      message: 'x',
      error: new Error('outer', { cause: new Error('inner') }),
    }).record;
    const error = withCause.error as JsonObject;
    expect(error.type).toBe('Error');
    expect(error.message).toBe('outer');
    expect((error.cause as JsonObject).message).toBe('inner');

    expect(map({ error: 'bad gateway' }).record.error).toEqual({ message: 'bad gateway' });
  });

  it('keeps non-object values of ECS object names as <name>_raw', () => {
    const { record } = map({ event: 'login', user: 'bob', log: 'x', user_id: 7 });
    expect(record.event_raw).toBe('login');
    expect(record.user_raw).toBe('bob');
    expect(record.log_raw).toBe('x');
    expect(record.user).toEqual({ id: 7 });
    expect(record.log).toEqual({ level: 'info' });
  });

  it('merges mapped fields into ECS objects the record already has', () => {
    const { record } = map({
      level: 'warn',
      http: { request: { id: 'req-1' } },
      method: 'POST',
      status_code: '503',
      url: 'https://lms.example.edu/api/quiz?id=1',
      service: { name: 'grading', version: '1.2.3' },
      environment: 'staging',
      host: { name: 'h-9' },
    });
    expect(record.http).toEqual({
      request: { id: 'req-1', method: 'POST' },
      response: { status_code: 503 },
    });
    expect(record.url).toEqual({
      original: 'https://lms.example.edu/api/quiz?id=1',
      path: '/api/quiz',
    });
    expect(record.service).toEqual({ name: 'grading', version: '1.2.3', environment: 'staging' });
    expect(record.host).toEqual({ name: 'h-9' });
  });

  it('keeps fields it cannot map where they are', () => {
    const { record } = map({ duration_ms: 'slow', status_code: { x: 1 }, path: '/a' });
    expect(record.duration_ms).toBe('slow');
    expect(record.status_code).toEqual({ x: 1 });
    expect(record.url).toEqual({ path: '/a' });
    expect(record.event).toBeUndefined();
  });
});

describe('createRecordMapper: both schemas', () => {
  it.each(['lms', 'ecs'] as const)('always writes the %s protected keys', (schema) => {
    const map = mapper(schema);
    for (const input of [winstonInfo(), pinoRecord(), 'x', null, {}, { host: 1, service: [] }]) {
      const { record } = map(input);
      for (const key of PROTECTED_KEYS[schema]) expect(record[key]).toBeDefined();
      expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    }
  });

  it.each(['lms', 'ecs'] as const)('never throws on hostile input (%s)', (schema) => {
    const map = mapper(schema);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwing = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no prototype');
        },
      },
    );
    for (const input of [proxy, throwing, Symbol('s'), () => 1, new Map([['level', 'error']])]) {
      expect(() => map(input)).not.toThrow();
      expect(typeof JSON.stringify(map(input).record)).toBe('string');
    }
  });
});
