import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigurationError,
  createMemoryDeadLetter,
  createShipper,
  type ShipperOptions,
} from '@lms-logging/core';
import {
  createFaultyBackend,
  createMemoryBackend,
  type MemoryBackendOptions,
} from '@lms-logging/core/testing';
import { LmsTransport } from '@lms-logging/winston';
import { afterEach, describe, expect, it } from 'vitest';
import winston from 'winston';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const baseFormat = winston.format.combine(
  winston.format.timestamp(),
  winston.format.errors({ stack: true }),
  winston.format.json(),
);

function setup(
  options: {
    memory?: MemoryBackendOptions;
    shipper?: Partial<ShipperOptions>;
    logger?: winston.LoggerOptions;
    closeTimeoutMs?: number;
  } = {},
) {
  const backend = createMemoryBackend(options.memory);
  const deadLetter = createMemoryDeadLetter();
  const transport = new LmsTransport({
    backend,
    deadLetter,
    selfLog: false,
    exit: false,
    flushIntervalMs: 20,
    closeTimeoutMs: options.closeTimeoutMs,
    ...options.shipper,
  });
  const logger = winston.createLogger({
    format: baseFormat,
    level: 'silly',
    ...options.logger,
    transports: [transport],
  });
  cleanups.push(() => transport.close());
  return { backend, deadLetter, transport, logger };
}

const field = (records: readonly Record<string, unknown>[], key: string): unknown[] =>
  records.map((r) => r[key]);

describe('LmsTransport: records', () => {
  it('ships every npm level, normalised to the six severities', async () => {
    const { backend, transport, logger } = setup();
    for (const level of ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) {
      logger.log(level, `at ${level}`);
    }
    await transport.flush();
    expect(field(backend.received, 'message')).toEqual([
      'at error',
      'at warn',
      'at info',
      'at http',
      'at verbose',
      'at debug',
      'at silly',
    ]);
    expect(field(backend.received, 'log_level')).toEqual([
      'error',
      'warn',
      'info',
      'info',
      'debug',
      'debug',
      'trace',
    ]);
  });

  it('ships syslog levels (winston.config.syslog.levels)', async () => {
    const { backend, transport, logger } = setup({
      logger: { levels: winston.config.syslog.levels, level: 'debug' },
    });
    const levels = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];
    for (const level of levels) logger.log(level, level);
    await transport.flush();
    expect(field(backend.received, 'message')).toEqual(levels);
    expect(field(backend.received, 'log_level')).toEqual([
      'fatal',
      'fatal',
      'fatal',
      'error',
      'warn',
      'info',
      'info',
      'debug',
    ]);
  });

  it('passes custom levels through (known names normalised, invented ones kept)', async () => {
    const levels = { critical: 0, audit: 1, info: 2, chatty: 3 };
    const { backend, transport, logger } = setup({ logger: { levels, level: 'chatty' } });
    for (const level of Object.keys(levels)) logger.log(level, `custom ${level}`);
    await transport.flush();
    expect(field(backend.received, 'log_level')).toEqual(['fatal', 'audit', 'info', 'chatty']);
  });

  it('honours its own level and the logger level', async () => {
    const backend = createMemoryBackend();
    const transport = new LmsTransport({
      backend,
      level: 'warn',
      exit: false,
      selfLog: false,
      deadLetter: createMemoryDeadLetter(),
    });
    cleanups.push(() => transport.close());
    const logger = winston.createLogger({
      format: baseFormat,
      level: 'debug',
      transports: [transport],
    });
    logger.debug('no');
    logger.info('no');
    logger.warn('yes');
    logger.error('yes');
    await transport.flush();
    expect(field(backend.received, 'log_level')).toEqual(['warn', 'error']);
  });

  it('keeps the message and stack of errors (errors({ stack: true }))', async () => {
    const { backend, transport, logger } = setup();
    logger.error(new Error('quiz save failed'));
    logger.error('could not grade', new Error('rubric missing'));
    logger.warn('retrying', { cause: new Error('upstream timeout') });
    await transport.flush();
    const [thrown, withMessage, nested] = backend.received;
    expect(thrown?.message).toBe('quiz save failed');
    expect(thrown?.log_level).toBe('error');
    expect(thrown?.stack).toMatch(/^Error: quiz save failed\n\s+at /);
    expect(withMessage?.message).toBe('could not grade rubric missing');
    expect(withMessage?.stack).toContain('Error: rubric missing');
    expect(JSON.stringify(nested?.cause)).toContain('upstream timeout');
  });

  it('keeps metadata, defaultMeta and winston timestamps; drops winston internals', async () => {
    const { backend, transport, logger } = setup({
      logger: { defaultMeta: { component: 'gradebook' } },
    });
    const logged: Record<string, unknown>[] = [];
    transport.on('logged', (info: Record<string, unknown>) => logged.push(info));
    logger.info('grade saved', {
      courseId: 'c-101',
      score: 92,
      tags: ['final'],
      attempt: { n: 2 },
    });
    await transport.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const [record] = backend.received;
    expect(record).toMatchObject({
      message: 'grade saved',
      log_level: 'info',
      component: 'gradebook',
      courseId: 'c-101',
      score: 92,
      tags: ['final'],
      attempt: { n: 2 },
      environment: 'production',
      service: 'lms-backend',
    });
    expect(record?.['@timestamp']).toBe(logged[0]?.timestamp);
    expect(record).not.toHaveProperty('timestamp');
    expect(record).not.toHaveProperty('level');
    expect(JSON.stringify(record)).not.toContain('Symbol');
  });

  it('ships what a child logger adds', async () => {
    const { backend, transport, logger } = setup();
    const child = logger.child({ requestId: 'req-7', route: '/courses' });
    child.info('handled', { status: 200 });
    await transport.flush();
    expect(backend.received[0]).toMatchObject({
      message: 'handled',
      requestId: 'req-7',
      route: '/courses',
      status: 200,
    });
  });

  it("emits 'logged' for every info, after log() returned", async () => {
    const { transport, logger } = setup();
    const seen: string[] = [];
    transport.on('logged', (info: { message: string }) => seen.push(info.message));
    logger.info('one');
    logger.info('two');
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['one', 'two']);
  });

  it('exposes its shipper and stats', async () => {
    const backend = createMemoryBackend();
    const shipper = createShipper({
      backend,
      exit: false,
      selfLog: false,
      deadLetter: createMemoryDeadLetter(),
    });
    const transport = new LmsTransport({ shipper });
    cleanups.push(() => transport.close());
    const logger = winston.createLogger({ format: baseFormat, transports: [transport] });
    expect(transport.shipper).toBe(shipper);
    logger.info('counted');
    await transport.flush();
    expect(transport.stats()).toMatchObject({ backend: 'memory', sent: 1 });
  });
});

describe('LmsTransport: flush and close', () => {
  it('flush() resolves only after a slow backend acknowledged everything logged before', async () => {
    const { backend, transport, logger } = setup({ memory: { latencyMs: 200 } });
    for (let seq = 0; seq < 50; seq++) logger.info('slow', { seq });
    const started = Date.now();
    await transport.flush();
    expect(backend.received).toHaveLength(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(transport.stats()).toMatchObject({ sent: 50, queued: 0, inFlight: 0 });
  });

  it('flush() with nothing logged resolves at once', async () => {
    const { transport } = setup({ memory: { latencyMs: 200 } });
    const started = Date.now();
    await transport.flush();
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('close() resolves after acknowledgement, is idempotent, and later records count as dropped', async () => {
    const { backend, transport, logger } = setup({ memory: { latencyMs: 200 } });
    for (let seq = 0; seq < 100; seq++) logger.info('closing', { seq });
    const closing = transport.close();
    expect(transport.close()).toBe(closing);
    expect(backend.received).toHaveLength(0);
    await closing;
    expect(backend.received).toHaveLength(100);
    logger.info('too late');
    expect(transport.stats().dropped).toEqual({ closed: 1 });
  });

  it("winston's synchronous logger.close() starts the close; transport.close() awaits it", async () => {
    const { backend, transport, logger } = setup({ memory: { latencyMs: 150 } });
    for (let seq = 0; seq < 30; seq++) logger.info('bye', { seq });
    const returned = logger.close();
    expect(returned).toBe(logger);
    await transport.close();
    expect(backend.received).toHaveLength(30);
    expect(transport.stats().sent).toBe(30);
  });

  it("logger.end() emits 'finish' only once the backend acknowledged", async () => {
    const { backend, logger } = setup({ memory: { latencyMs: 150 } });
    for (let seq = 0; seq < 40; seq++) logger.info('ending', { seq });
    const receivedAtFinish = await new Promise<number>((resolve) => {
      logger.on('finish', () => resolve(backend.received.length));
      logger.end();
    });
    expect(receivedAtFinish).toBe(40);
  });

  it('with closeShipper: false, close() and end() only flush a shared shipper', async () => {
    const backend = createMemoryBackend({ latencyMs: 50 });
    const shipper = createShipper({
      backend,
      exit: false,
      selfLog: false,
      deadLetter: createMemoryDeadLetter(),
    });
    cleanups.push(() => shipper.close());
    const transport = new LmsTransport({ shipper, closeShipper: false });
    const logger = winston.createLogger({ format: baseFormat, transports: [transport] });
    logger.info('through winston');
    await transport.close();
    expect(backend.received).toHaveLength(1);
    shipper.write({ message: 'still open' });
    await shipper.flush();
    expect(backend.received).toHaveLength(2);
  });

  it('close() dead-letters what a down backend never acknowledged, after closeTimeoutMs', async () => {
    const backend = createFaultyBackend();
    backend.setDown(true);
    const deadLetter = createMemoryDeadLetter();
    const transport = new LmsTransport({
      backend,
      deadLetter,
      exit: false,
      selfLog: false,
      closeTimeoutMs: 300,
      backoff: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const logger = winston.createLogger({ format: baseFormat, transports: [transport] });
    for (let seq = 0; seq < 20; seq++) logger.info('lost?', { seq });
    const started = Date.now();
    await transport.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(deadLetter.entries).toHaveLength(20);
    expect(new Set(deadLetter.entries.map((e) => e.reason))).toEqual(new Set(['closed']));
    expect(deadLetter.entries[0]?.error).toContain('ECONNREFUSED');
    expect(transport.stats().deadLettered).toEqual({ closed: 20 });
  });
});

describe('LmsTransport: a backend that is down', () => {
  it('neither throws into logger.info nor blocks it: 10,000 calls return quickly', async () => {
    const backend = createFaultyBackend();
    backend.setDown(true);
    const deadLetter = createMemoryDeadLetter();
    const transport = new LmsTransport({
      backend,
      deadLetter,
      exit: false,
      selfLog: false,
      closeTimeoutMs: 200,
    });
    const logger = winston.createLogger({ format: baseFormat, transports: [transport] });

    // The same 10,000 calls against a healthy backend are the yardstick (and warm the JIT).
    const healthy = setup();
    const healthyStarted = performance.now();
    for (let seq = 0; seq < 10_000; seq++)
      healthy.logger.info('enrolment', { seq, courseId: 'c-1' });
    const healthyElapsed = performance.now() - healthyStarted;

    const started = performance.now();
    expect(() => {
      for (let seq = 0; seq < 10_000; seq++) logger.info('enrolment', { seq, courseId: 'c-1' });
    }).not.toThrow();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(5000);
    expect(elapsed).toBeLessThan(healthyElapsed * 3 + 250);

    // The first attempt fails; the stats say so and nothing is lost.
    const deadline = Date.now() + 5000;
    while (transport.stats().lastError === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const stats = transport.stats();
    expect(stats.lastError?.message).toContain('ECONNREFUSED');
    expect(stats.sent).toBe(0);
    expect(stats.retried).toBeGreaterThan(0);
    expect(stats.queued + stats.inFlightRecords).toBe(10_000);
    expect(backend.log.every((request) => request.status === 'down')).toBe(true);

    await transport.close();
    expect(deadLetter.entries).toHaveLength(10_000);
    expect(transport.stats().deadLettered).toEqual({ closed: 10_000 });
  });
});

describe('LmsTransport: configuration', () => {
  it('builds its shipper from LMS_* variables (file backend) when given env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lms-winston-unit-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const transport = new LmsTransport({
      env: {
        LMS_LOG_BACKEND: 'file',
        LMS_LOG_DIR: dir,
        ENVIRONMENT: 'staging',
        LMS_SERVICE_NAME: 'grading',
        LMS_LOG_SELF_LOG: 'false',
      },
    });
    const logger = winston.createLogger({ format: baseFormat, transports: [transport] });
    logger.info('to a file', { seq: 1 });
    await transport.close();
    expect(transport.shipper.backendName).toBe('file');
    const files = readdirSync(dir).filter((name) => name.startsWith('lms-'));
    expect(files).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(dir, files[0] ?? ''), 'utf8').trim());
    expect(record).toMatchObject({
      message: 'to a file',
      environment: 'staging',
      service: 'grading',
      seq: 1,
    });
    expect(existsSync(join(dir, 'dead-letter.ndjson'))).toBe(false);
  });

  it('throws ConfigurationError for a bad variable', () => {
    expect(() => new LmsTransport({ env: { LMS_LOG_BACKEND: 'carrier-pigeon' } })).toThrow(
      ConfigurationError,
    );
  });
});
