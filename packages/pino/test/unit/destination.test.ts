import { createMemoryDeadLetter, createShipper, type ShipperOptions } from '@lms-logging/core';
import {
  createFaultyBackend,
  createMemoryBackend,
  type MemoryBackendOptions,
} from '@lms-logging/core/testing';
import { LmsDestination, lmsDestination } from '@lms-logging/pino';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function setup(memory: MemoryBackendOptions = {}, extra: Partial<ShipperOptions> = {}) {
  const backend = createMemoryBackend(memory);
  const deadLetter = createMemoryDeadLetter();
  const dest = lmsDestination({
    backend,
    deadLetter,
    selfLog: false,
    exit: false,
    flushIntervalMs: 20,
    ...extra,
  });
  cleanups.push(() => dest.close());
  return { backend, deadLetter, dest };
}

const FIXED_TIME = 1_700_000_000_123;
const fixedTime = (): string => `,"time":${FIXED_TIME}`;

describe('lmsDestination with pino in-process', () => {
  it('normalises every pino level and maps time to @timestamp, msg to message', async () => {
    const { backend, dest } = setup();
    const logger = pino({ level: 'trace', timestamp: fixedTime }, dest);
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    await dest.flush();
    expect(backend.received.map((r) => r.log_level)).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
    ]);
    expect(backend.received.map((r) => r.message)).toEqual(['t', 'd', 'i', 'w', 'e', 'f']);
    for (const record of backend.received) {
      expect(record['@timestamp']).toBe(new Date(FIXED_TIME).toISOString());
      expect(record).not.toHaveProperty('time');
      expect(record).not.toHaveProperty('level');
      expect(record).not.toHaveProperty('msg');
    }
  });

  it('keeps bindings, child fields and serialized errors', async () => {
    const { backend, dest } = setup();
    const logger = pino({ base: { app: 'lms' } }, dest).child({ requestId: 'r-9' });
    logger.error({ err: new Error('grade sync failed'), courseId: 'c-3' }, 'sync');
    await dest.flush();
    const [record] = backend.received;
    expect(record).toMatchObject({
      message: 'sync',
      log_level: 'error',
      app: 'lms',
      requestId: 'r-9',
      courseId: 'c-3',
      environment: 'production',
    });
    expect(JSON.stringify(record?.err)).toContain('grade sync failed');
  });

  it("names custom levels as pino's configuration says, and reads a custom messageKey", async () => {
    const { backend, dest } = setup();
    const logger = pino(
      { customLevels: { audit: 35, page: 70 }, messageKey: 'text', level: 'info' },
      dest,
    );
    logger.audit('grade changed');
    logger.page('on call');
    logger.warn('standard');
    await dest.flush();
    expect(backend.received.map((r) => [r.log_level, r.message])).toEqual([
      ['audit', 'grade changed'],
      ['page', 'on call'],
      ['warn', 'standard'],
    ]);
    expect(backend.received[0]).not.toHaveProperty('text');
  });

  it('parses lines split across chunks and chunks holding several lines', async () => {
    const { backend, dest } = setup();
    dest.write('{"level":30,"msg":"one"}\n{"level":40,');
    dest.write('"msg":"two"}\n{"lev');
    dest.write(Buffer.from('el":50,"msg":"thr'));
    dest.write('ee"}\n');
    await dest.flush();
    expect(backend.received.map((r) => [r.log_level, r.message])).toEqual([
      ['info', 'one'],
      ['warn', 'two'],
      ['error', 'three'],
    ]);
  });

  it('ships a line that is not JSON as a message instead of dropping it', async () => {
    const { backend, dest } = setup();
    dest.write('Segmentation fault in native addon\n');
    dest.write('{"level":30,"msg":"ok"}\n');
    await dest.flush();
    expect(backend.received[0]).toMatchObject({
      message: 'Segmentation fault in native addon',
      unparsed: true,
      log_level: 'info',
    });
    expect(backend.received[1]).toMatchObject({ message: 'ok' });
  });

  it('ships objects written directly', async () => {
    const { backend, dest } = setup();
    dest.write({ level: 40, msg: 'an object', time: FIXED_TIME });
    await dest.flush();
    expect(backend.received[0]).toMatchObject({
      message: 'an object',
      log_level: 'warn',
      '@timestamp': new Date(FIXED_TIME).toISOString(),
    });
  });

  it('close() ships a last line without its newline, then resolves after acknowledgement', async () => {
    const { backend, dest } = setup({ latencyMs: 150 });
    dest.write('{"level":30,"msg":"complete"}\n{"level":30,"msg":"no newline"}');
    const closing = dest.close();
    expect(dest.close()).toBe(closing);
    await closing;
    expect(backend.received.map((r) => r.message)).toEqual(['complete', 'no newline']);
    expect(dest.writableFinished).toBe(true);
  });

  it("flush() and pino's logger.flush(cb) resolve only after a slow backend acknowledged", async () => {
    const { backend, dest } = setup({ latencyMs: 200 });
    const logger = pino(dest);
    for (let seq = 0; seq < 30; seq++) logger.info({ seq }, 'slow');
    const started = Date.now();
    await new Promise<void>((resolve, reject) =>
      logger.flush((error) => (error ? reject(error) : resolve())),
    );
    expect(backend.received).toHaveLength(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    logger.info('one more');
    await dest.flush();
    expect(backend.received).toHaveLength(31);
  });

  it('a write after close() raises no error event; the record counts as dropped', async () => {
    const { dest } = setup();
    const errors: unknown[] = [];
    dest.on('error', (error) => errors.push(error));
    await dest.close();
    expect(dest.write('{"level":30,"msg":"late"}\n')).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
    expect(dest.stats().dropped).toEqual({ closed: 1 });
  });

  it('never throws into the application and does not block while the backend is down', async () => {
    const backend = createFaultyBackend();
    backend.setDown(true);
    const deadLetter = createMemoryDeadLetter();
    const dest = new LmsDestination({
      backend,
      deadLetter,
      selfLog: false,
      exit: false,
      closeTimeoutMs: 200,
    });
    const logger = pino(dest);
    const started = performance.now();
    for (let seq = 0; seq < 10_000; seq++) logger.info({ seq }, 'enrolment');
    expect(performance.now() - started).toBeLessThan(5000);
    await dest.close();
    expect(deadLetter.entries).toHaveLength(10_000);
    expect(dest.stats()).toMatchObject({ sent: 0, deadLettered: { closed: 10_000 } });
  });

  it('uses a given shipper and, with closeShipper: false, leaves it open', async () => {
    const backend = createMemoryBackend();
    const shipper = createShipper({
      backend,
      exit: false,
      selfLog: false,
      deadLetter: createMemoryDeadLetter(),
    });
    cleanups.push(() => shipper.close());
    const dest = lmsDestination({ shipper, closeShipper: false });
    expect(dest.shipper).toBe(shipper);
    pino(dest).info('via pino');
    await dest.close();
    shipper.write({ message: 'after' });
    await shipper.flush();
    expect(backend.received.map((r) => r.message)).toEqual(['via pino', 'after']);
  });
});
