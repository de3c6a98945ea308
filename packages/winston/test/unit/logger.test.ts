import { ConfigurationError, createMemoryDeadLetter } from '@lms-logging/core';
import { createMemoryBackend } from '@lms-logging/core/testing';
import { createLmsLogger, LmsTransport, type CreateLmsLoggerOptions } from '@lms-logging/winston';
import { afterEach, describe, expect, it, vi } from 'vitest';
import winston from 'winston';

const MESSAGE = Symbol.for('message');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function build(options: CreateLmsLoggerOptions & { latencyMs?: number } = {}) {
  const backend = createMemoryBackend({ latencyMs: options.latencyMs });
  const logger = createLmsLogger({
    env: {},
    ...options,
    transport: {
      backend,
      deadLetter: createMemoryDeadLetter(),
      exit: false,
      selfLog: false,
      flushIntervalMs: 20,
    },
  });
  cleanups.push(() => logger.close());
  return { backend, logger };
}

/** Captures what the console transport would print, without printing it. */
function captureConsole(logger: winston.Logger): string[] {
  const console = logger.transports.find((t) => t instanceof winston.transports.Console);
  if (!console) throw new Error('no console transport');
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((info: Record<symbol, string>, next: () => void) => {
    lines.push(info[MESSAGE] ?? '');
    next();
  });
  return lines;
}

describe('createLmsLogger', () => {
  it('formats like the LMS backend: ISO timestamp, errors with stack, JSON', async () => {
    const { backend, logger } = build();
    logger.info('course published', { courseId: 'c-9' });
    logger.error(new Error('publish failed'));
    await logger.flush();
    const [info, error] = backend.received;
    expect(info?.['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(info).toMatchObject({ message: 'course published', log_level: 'info', courseId: 'c-9' });
    expect(error).toMatchObject({ message: 'publish failed', log_level: 'error' });
    expect(error?.stack).toContain('Error: publish failed');
  });

  it('is a winston logger with an LmsTransport and no console by default', () => {
    const { logger } = build();
    expect(logger).toBeInstanceOf(winston.Logger);
    expect(logger.transports).toHaveLength(1);
    expect(logger.transports[0]).toBeInstanceOf(LmsTransport);
    expect(logger.lmsTransport).toBe(logger.transports[0]);
  });

  it('takes its level from LOG_LEVEL, else info; the option wins', () => {
    const { logger: byDefault } = build();
    const { logger: fromEnv } = build({ env: { LOG_LEVEL: 'debug' } });
    const { logger: fromOption } = build({ env: { LOG_LEVEL: 'debug' }, level: 'warn' });
    expect(byDefault.level).toBe('info');
    expect(fromEnv.level).toBe('debug');
    expect(fromOption.level).toBe('warn');
  });

  it('throws ConfigurationError for an unknown level or bad structured-logging variables', () => {
    expect(() => createLmsLogger({ env: { LOG_LEVEL: 'loud' } })).toThrow(ConfigurationError);
    expect(() => createLmsLogger({ env: { LOG_LEVEL: 'loud' } })).toThrow(/LOG_LEVEL/);
    expect(() => createLmsLogger({ env: { LMS_STRUCTURED_LOGGING: 'maybe' } })).toThrow(
      /LMS_STRUCTURED_LOGGING/,
    );
    expect(() => createLmsLogger({ env: { LMS_STRUCTURED_LOG_FORMAT: 'xml' } })).toThrow(
      /LMS_STRUCTURED_LOG_FORMAT/,
    );
  });

  it('accepts other level sets (syslog)', async () => {
    const { backend, logger } = build({ levels: winston.config.syslog.levels, level: 'debug' });
    logger.log('notice', 'term started');
    logger.log('crit', 'database gone');
    await logger.flush();
    expect(backend.received.map((r) => r.log_level)).toEqual(['info', 'fatal']);
  });

  it('adds defaultMeta, and child loggers share flush()', async () => {
    const { backend, logger } = build({ defaultMeta: { component: 'enrolment' }, latencyMs: 100 });
    const child = logger.child({ requestId: 'r-1' });
    child.info('enrolled');
    await child.flush();
    expect(backend.received[0]).toMatchObject({
      message: 'enrolled',
      component: 'enrolment',
      requestId: 'r-1',
    });
  });

  it('close() returns a promise that resolves after the backend acknowledged', async () => {
    const { backend, logger } = build({ latencyMs: 150 });
    for (let seq = 0; seq < 25; seq++) logger.info('last words', { seq });
    await logger.close();
    expect(backend.received).toHaveLength(25);
    expect(logger.lmsTransport.stats().sent).toBe(25);
  });

  it('with LMS_STRUCTURED_LOGGING=true also logs JSON lines to the console', async () => {
    const { backend, logger } = build({ env: { LMS_STRUCTURED_LOGGING: 'true' } });
    const lines = captureConsole(logger);
    logger.info('hello', { courseId: 'c-1' });
    await logger.flush();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'info',
      message: 'hello',
      courseId: 'c-1',
      timestamp: expect.any(String),
    });
    expect(backend.received).toHaveLength(1);
  });

  it('with LMS_STRUCTURED_LOG_FORMAT=text logs text lines to the console', () => {
    const { logger } = build({
      env: { LMS_STRUCTURED_LOGGING: 'true', LMS_STRUCTURED_LOG_FORMAT: 'text' },
    });
    const lines = captureConsole(logger);
    logger.warn('slow query', { ms: 812 });
    logger.error(new Error('deadlock'));
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z warn: slow query {"ms":812}$/);
    expect(lines[1]).toMatch(/^\S+ error: deadlock\nError: deadlock\n\s+at /);
  });

  it('console: true / false overrides LMS_STRUCTURED_LOGGING', () => {
    const { logger: forced } = build({ console: true });
    const { logger: suppressed } = build({
      env: { LMS_STRUCTURED_LOGGING: 'true' },
      console: false,
    });
    expect(forced.transports).toHaveLength(2);
    expect(suppressed.transports).toHaveLength(1);
  });

  it('passes transport options through (its own level)', async () => {
    const backend = createMemoryBackend();
    const logger = createLmsLogger({
      env: {},
      level: 'debug',
      transport: {
        backend,
        level: 'warn',
        exit: false,
        selfLog: false,
        deadLetter: createMemoryDeadLetter(),
      },
    });
    cleanups.push(() => logger.close());
    logger.debug('not shipped');
    logger.warn('shipped');
    await logger.flush();
    expect(backend.received.map((r) => r.message)).toEqual(['shipped']);
  });
});
