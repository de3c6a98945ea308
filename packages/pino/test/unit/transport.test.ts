// The worker-side transport function, run in-process (pino runs it in a worker thread; the
// worker path itself is covered by the integration tests).
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lmsTransport, { DEFAULT_WORKER_CLOSE_TIMEOUT_MS } from '@lms-logging/pino';
import { afterEach, describe, expect, it } from 'vitest';

const removers: (() => void)[] = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

function logDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lms-pino-unit-'));
  removers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readRecords(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('lms-'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('lmsTransport (the pino.transport target)', () => {
  it('builds the shipper from env, ships every line and closes the shipper when the stream ends', async () => {
    const dir = logDir();
    const stream = await lmsTransport({
      env: { LMS_LOG_BACKEND: 'file', LMS_LOG_DIR: dir, LMS_LOG_SELF_LOG: 'false' },
      service: 'grading',
    });
    stream.write('{"level":30,"time":1700000000123,"msg":"one","seq":1}\n{"level":50,');
    stream.write('"time":1700000000124,"msg":"two","seq":2}\nnot json at all\n');
    stream.end();
    await once(stream, 'close');
    const records = readRecords(dir);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      '@timestamp': '2023-11-14T22:13:20.123Z',
      log_level: 'info',
      message: 'one',
      service: 'grading',
      seq: 1,
    });
    expect(records[1]).toMatchObject({ log_level: 'error', message: 'two', seq: 2 });
    expect(records[2]).toMatchObject({ message: 'not json at all', unparsed: true });
  });

  it("ignores what pino adds to the worker options; the default close timeout fits pino's 10 s exit wait", async () => {
    expect(DEFAULT_WORKER_CLOSE_TIMEOUT_MS).toBe(7000);
    const dir = logDir();
    const stream = await lmsTransport({
      env: { LMS_LOG_BACKEND: 'file', LMS_LOG_DIR: dir, LMS_LOG_SELF_LOG: 'false' },
      // What pino adds to the options in the worker must be ignored.
      ...({ $context: { threadStreamVersion: '3' }, pinoWillSendConfig: true } as object),
      environment: 'staging',
    });
    stream.end('{"level":40,"msg":"w"}\n');
    await once(stream, 'close');
    expect(readRecords(dir)[0]).toMatchObject({ environment: 'staging', log_level: 'warn' });
  });
});
