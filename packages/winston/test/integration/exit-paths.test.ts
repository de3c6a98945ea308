// Exit paths in real child processes. The fixtures import the BUILT packages by name
// (`@lms-logging/winston` resolves to dist/ through the workspace), so run the build first
// (`pnpm test` at the root does).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fixturesIn,
  range,
  readLogRecords,
  readNdjson,
  runChild,
  startChild,
  tempDirs,
} from '@lms-logging/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fixturesIn(new URL('../fixtures/', import.meta.url));

const workDirs = tempDirs('lms-winston-exit-');
afterEach(workDirs.removeAll);
const workDir = workDirs.make;

/** Every log file is named after the UTC day of the records in it, and each line is a record. */
function expectWellFormedLogFiles(dir: string): void {
  for (const name of readdirSync(dir).filter((n) => n.startsWith('lms-'))) {
    const day = /^lms-(\d{4}-\d{2}-\d{2})\.log$/.exec(name)?.[1];
    expect(day, name).toBeDefined();
    for (const record of readNdjson(join(dir, name))) {
      expect(String(record['@timestamp']).slice(0, 10)).toBe(day);
    }
  }
}

function expectSharedRecord(record: Record<string, unknown>): void {
  expect(record['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(typeof record.log_level).toBe('string');
  expect(record.environment).toBe('production');
  expect(record.service).toBe('lms-backend');
}

describe('winston exit paths (child processes, built packages)', () => {
  it.each(['close-then-exit.mjs', 'close-then-exit.cjs'])(
    '%s: 5,000 records, await transport.close(), process.exit(0) -> all in the day file',
    async (script) => {
      const logDir = join(workDir(), 'logs');
      const result = await runChild(fixture(script), {
        LMS_LOG_BACKEND: 'file',
        LMS_LOG_DIR: logDir,
        FIXTURE_COUNT: '5000',
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        sent: 5000,
        dropped: {},
        deadLettered: {},
      });

      const records = readLogRecords(logDir);
      expect(records).toHaveLength(5000);
      expect(records.map((r) => r.seq)).toEqual(range(5000));
      for (const record of records) {
        expectSharedRecord(record);
        expect(record).toMatchObject({ log_level: 'info', message: 'record' });
      }
      expectWellFormedLogFiles(logDir);
      expect(existsSync(join(logDir, 'dead-letter.ndjson'))).toBe(false);
    },
  );

  it('LMS_LOG_HANDLE_SIGNALS=true: SIGTERM from the parent flushes every reported record, then the child dies of the signal', async () => {
    const logDir = join(workDir(), 'logs');
    const run = startChild(fixture('signal-continuous.mjs'), {
      LMS_LOG_BACKEND: 'file',
      LMS_LOG_DIR: logDir,
      LMS_LOG_HANDLE_SIGNALS: 'true',
    });
    let reportedAtSignal = 0;
    let lastReported = 0;
    run.onLine((line) => {
      const written = /^written (\d+)$/.exec(line);
      if (!written) return;
      lastReported = Number(written[1]);
      if (reportedAtSignal === 0 && lastReported >= 2000) {
        reportedAtSignal = lastReported;
        run.child.kill('SIGTERM');
      }
    });
    const result = await run.done;
    expect(result.signal === 'SIGTERM' || result.code === 143).toBe(true);
    expect(reportedAtSignal).toBeGreaterThanOrEqual(2000);

    const seqs = readLogRecords(logDir).map((r) => r.seq);
    // Every record written before the signal is there, in order, once; records the interval
    // wrote after the close started are dropped (counted), never half-written.
    expect(seqs.length).toBeGreaterThanOrEqual(reportedAtSignal);
    expect(seqs.length).toBeLessThanOrEqual(lastReported);
    expect(seqs).toEqual(range(seqs.length));
    expectWellFormedLogFiles(logDir);
  });

  it('LMS_LOG_HANDLE_SIGNALS=true: a process that signals itself while a timer keeps it alive delivers all records', async () => {
    const logDir = join(workDir(), 'logs');
    const result = await runChild(fixture('signal-self.mjs'), {
      LMS_LOG_BACKEND: 'file',
      LMS_LOG_DIR: logDir,
      LMS_LOG_HANDLE_SIGNALS: 'true',
      FIXTURE_COUNT: '3000',
    });
    expect(result.signal === 'SIGTERM' || result.code === 143).toBe(true);
    expect(result.stdout).toBe('written 3000\n');
    const records = readLogRecords(logDir);
    expect(records.map((r) => r.seq)).toEqual(range(3000));
    for (const record of records) {
      expectSharedRecord(record);
      expect(record.log_level).toBe('warn');
    }
  });

  it.each([
    ['exit', 'process.exit()', 'exit'],
    ['natural', 'a natural exit', 'exit-timeout'],
  ])(
    'backend down (log dir is a file), %s: records are dead-lettered with a reason and the process ends in bounded time',
    async (mode, _description, reason) => {
      const dir = workDir();
      const notADirectory = join(dir, 'logs');
      writeFileSync(notADirectory, 'this is a file, not a directory\n');
      const deadLetterPath = join(dir, 'dead-letter.ndjson');
      const result = await runChild(
        fixture('backend-down.mjs'),
        {
          LMS_LOG_BACKEND: 'file',
          LMS_LOG_DIR: notADirectory,
          LMS_LOG_DEAD_LETTER: deadLetterPath,
          FIXTURE_COUNT: '500',
        },
        [mode],
      );
      expect(result.code).toBe(0);
      expect(result.elapsedMs).toBeLessThan(10_000);

      const entries = readNdjson(deadLetterPath);
      expect(entries).toHaveLength(500);
      expect(entries.map((e) => (e.record as { seq: number }).seq)).toEqual(range(500));
      for (const entry of entries) {
        expect(entry).toMatchObject({ backend: 'file', reason });
        expect(typeof entry.error).toBe('string');
        expectSharedRecord(entry.record as Record<string, unknown>);
      }
      if (reason === 'exit-timeout') {
        expect(String(entries[0]?.error)).toMatch(/EEXIST|ENOTDIR/);
      }
    },
  );

  it("backend down (core/testing faulty sink): logger.end() + 'finish' exits after closeTimeoutMs, records dead-lettered as closed", async () => {
    const deadLetterPath = join(workDir(), 'dead-letter.ndjson');
    const result = await runChild(fixture('faulty-end-finish.mjs'), {
      FIXTURE_DEAD_LETTER: deadLetterPath,
      FIXTURE_COUNT: '300',
    });
    expect(result.code).toBe(0);
    expect(result.elapsedMs).toBeLessThan(10_000);
    expect(JSON.parse(result.stdout)).toMatchObject({ sent: 0, deadLettered: { closed: 300 } });
    const entries = readNdjson(deadLetterPath);
    expect(entries).toHaveLength(300);
    for (const entry of entries) {
      expect(entry).toMatchObject({ backend: 'faulty', reason: 'closed' });
      expect(String(entry.error)).toContain('ECONNREFUSED');
    }
  });

  it("an uncaught exception (handleExceptions): the crash record is delivered before winston's exit(1)", async () => {
    const logDir = join(workDir(), 'logs');
    const result = await runChild(fixture('uncaught-exception.mjs'), {
      LMS_LOG_BACKEND: 'file',
      LMS_LOG_DIR: logDir,
    });
    expect(result.code).toBe(1);
    const records = readLogRecords(logDir);
    expect(records.map((r) => r.log_level)).toEqual(['info', 'error']);
    expect(String(records[1]?.message)).toContain('grading worker crashed');
    expect(String(records[1]?.stack)).toContain('Error: grading worker crashed');
    expect(existsSync(join(logDir, 'dead-letter.ndjson'))).toBe(false);
  });
});
