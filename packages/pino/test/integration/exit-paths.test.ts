// pino in real child processes: the worker transport (pino.transport, loaded by pino in a
// worker thread) and the in-process destination. The fixtures import the BUILT packages by
// name (`@lms-logging/pino` resolves to dist/), so run the build first (`pnpm test` does).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fixturesIn,
  range,
  readLogRecords,
  readNdjson,
  runChild,
  tempDirs,
} from '@lms-logging/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fixturesIn(new URL('../fixtures/', import.meta.url));

const workDirs = tempDirs('lms-pino-exit-');
afterEach(workDirs.removeAll);
const workDir = workDirs.make;

/** The fixtures log `audit` (35) when seq % 100 === 1, `error` when seq % 10 === 0, else info. */
function expectedLevel(seq: number): string {
  if (seq % 100 === 1) return 'audit';
  return seq % 10 === 0 ? 'error' : 'info';
}

function expectAllRecords(
  records: readonly Record<string, unknown>[],
  count: number,
  service: string,
): void {
  expect(records).toHaveLength(count);
  expect(records.map((r) => r.seq)).toEqual(range(count));
  for (const record of records) {
    const seq = record.seq as number;
    expect(record['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(record.log_level).toBe(expectedLevel(seq));
    expect(record.environment).toBe('production');
    expect(record.service).toBe(service);
    expect(typeof record.message).toBe('string');
    // pino's own fields are mapped, not copied.
    expect(record).not.toHaveProperty('time');
    expect(record).not.toHaveProperty('level');
    expect(record).not.toHaveProperty('msg');
  }
}

describe('pino.transport({ target: "@lms-logging/pino" }) in a worker thread', () => {
  it.each([
    ['transport.cjs', 'natural', {}, 'lms-backend'],
    ['transport.cjs', 'end', {}, 'lms-backend'],
    ['transport.cjs', 'exit', {}, 'lms-backend'],
    ['transport.mjs', 'natural', {}, 'grading'],
    ['transport.mjs', 'end', {}, 'grading'],
    ['transport.mjs', 'exit', {}, 'grading'],
    ['transport.mjs', 'natural', { FIXTURE_TARGET: 'esm-build' }, 'grading'],
  ] as const)(
    '%s, ending %s %o: 2,000 records arrive with levels normalised and time as @timestamp',
    async (script, mode, extraEnv, service) => {
      const logDir = join(workDir(), 'logs');
      const before = Date.now();
      const result = await runChild(
        fixture(script),
        { LMS_LOG_BACKEND: 'file', LMS_LOG_DIR: logDir, FIXTURE_COUNT: '2000', ...extraEnv },
        [mode],
      );
      const after = Date.now();
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      if ('FIXTURE_TARGET' in extraEnv) expect(result.stdout).toContain('/dist/index.js');
      const records = readLogRecords(logDir);
      expectAllRecords(records, 2000, service);
      // @timestamp is pino's `time` (epoch ms) of the record, taken while the child ran.
      for (const record of records) {
        const at = Date.parse(String(record['@timestamp']));
        expect(at).toBeGreaterThanOrEqual(before);
        expect(at).toBeLessThanOrEqual(after);
      }
      expect(existsSync(join(logDir, 'dead-letter.ndjson'))).toBe(false);
    },
  );

  it('backend down: the worker dead-letters within its close timeout and the process still ends', async () => {
    const dir = workDir();
    const notADirectory = join(dir, 'logs');
    writeFileSync(notADirectory, 'a file where the log directory should be\n');
    const deadLetterPath = join(dir, 'dead-letter.ndjson');
    const result = await runChild(fixture('transport-down.mjs'), {
      LMS_LOG_BACKEND: 'file',
      LMS_LOG_DIR: notADirectory,
      LMS_LOG_DEAD_LETTER: deadLetterPath,
      FIXTURE_CLOSE_TIMEOUT_MS: '1500',
      FIXTURE_COUNT: '200',
    });
    expect(result.code).toBe(0);
    expect(result.elapsedMs).toBeLessThan(10_000);
    const entries = readNdjson(deadLetterPath);
    expect(entries.map((e) => (e.record as { seq: number }).seq)).toEqual(range(200));
    for (const entry of entries) {
      expect(entry).toMatchObject({ backend: 'file', reason: 'closed' });
      expect(String(entry.error)).toMatch(/EEXIST|ENOTDIR/);
      expect(entry.record).toMatchObject({ log_level: 'warn', message: 'undeliverable' });
    }
  });
});

describe('pino(lmsDestination()) in-process', () => {
  it.each(['destination.mjs', 'destination.cjs'])(
    '%s: await dest.close() then process.exit(0) -> all 2,000 records in the file',
    async (script) => {
      const logDir = join(workDir(), 'logs');
      const result = await runChild(fixture(script), {
        LMS_LOG_BACKEND: 'file',
        LMS_LOG_DIR: logDir,
        FIXTURE_COUNT: '2000',
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        sent: 2000,
        dropped: {},
        deadLettered: {},
      });
      const records = readLogRecords(logDir);
      expectAllRecords(records, 2000, 'lms-backend');
      const failed = records.find((r) => r.seq === 10);
      expect(JSON.stringify(failed?.err)).toContain('boom');
    },
  );
});
