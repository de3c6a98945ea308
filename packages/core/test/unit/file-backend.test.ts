import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileBackend } from '../../src/backends/file-backend.js';
import { createMemoryDeadLetter } from '../../src/dead-letter/dead-letter.js';
import type { LogRecord } from '../../src/record.js';
import { createShipper } from '../../src/shipper.js';
import { describeBackendConformance } from '../../src/testing/conformance.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lms-file-'));

/** Day files in write order: by day, then part (`lms-D.log` before `lms-D.1.log`). */
function dayFiles(dir: string): string[] {
  const key = (f: string): [string, number] => {
    const m = /^lms-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/.exec(f);
    return [m?.[1] ?? '', Number(m?.[2] ?? 0)];
  };
  return readdirSync(dir)
    .filter((f) => /^lms-.*\.log$/.test(f))
    .sort((a, b) => {
      const [da, pa] = key(a);
      const [db, pb] = key(b);
      return da === db ? pa - pb : da.localeCompare(db);
    });
}

/** Every record in the directory's day files, file by file in name order, line by line. */
function readDir(dir: string): LogRecord[] {
  return dayFiles(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogRecord),
  );
}

describeBackendConformance('file', {
  ordered: true,
  create() {
    const dir = tempDir();
    return Promise.resolve({
      backend: createFileBackend({ dir }),
      readBack: () => Promise.resolve(readDir(dir)),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
  },
});

function shipperFor(dir: string, options: Parameters<typeof createFileBackend>[0] = {}) {
  return createShipper({
    backend: createFileBackend({ dir, ...options }),
    deadLetter: createMemoryDeadLetter(),
    selfLog: false,
    exit: false,
    flushIntervalMs: 10,
  });
}

describe('file backend', () => {
  it("writes one file per UTC day of each record's @timestamp", async () => {
    const dir = tempDir();
    const shipper = shipperFor(dir);
    shipper.write({
      level: 'info',
      message: 'late evening',
      timestamp: '2026-11-28T23:59:59.999Z',
    });
    shipper.write({
      level: 'info',
      message: 'just after midnight',
      timestamp: '2026-11-29T00:00:00.000Z',
    });
    shipper.write({
      level: 'info',
      message: 'local offset',
      timestamp: '2026-11-29T01:30:00+02:00',
    });
    await shipper.close();
    expect(readdirSync(dir).sort()).toEqual(['lms-2026-11-28.log', 'lms-2026-11-29.log']);
    const day28 = readFileSync(join(dir, 'lms-2026-11-28.log'), 'utf8').trim().split('\n');
    expect(day28.map((l) => (JSON.parse(l) as LogRecord)['message'])).toEqual([
      'late evening',
      'local offset',
    ]);
  });

  it('continues a full day file in numbered parts without renaming, never splitting a line', async () => {
    const dir = tempDir();
    const shipper = shipperFor(dir, { maxFileBytes: 4096 });
    for (let n = 0; n < 300; n++) {
      shipper.write({ message: `record ${n}`, n, timestamp: '2026-11-29T10:00:00Z' });
    }
    await shipper.close();
    const files = dayFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    expect(files[0]).toBe('lms-2026-11-29.log');
    expect(files[1]).toBe('lms-2026-11-29.1.log');
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096 + 1024);
    }
    expect(readDir(dir).map((r) => r['n'])).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('deletes day files older than the retention and keeps everything else', async () => {
    const dir = tempDir();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    for (const name of [
      `lms-${old}.log`,
      `lms-${old}.3.log`,
      `lms-${recent}.log`,
      'other-2001-01-01.log',
      'notes.txt',
    ]) {
      writeFileSync(join(dir, name), '{}\n');
    }
    const shipper = shipperFor(dir, { retentionDays: 30 });
    shipper.write({ message: 'today' });
    await shipper.close();
    const today = new Date().toISOString().slice(0, 10);
    expect(readdirSync(dir).sort()).toEqual(
      [`lms-${recent}.log`, `lms-${today}.log`, 'notes.txt', 'other-2001-01-01.log'].sort(),
    );
  });

  it('writes lines Filebeat reads with json.keys_under_root: one complete JSON object per line', async () => {
    const dir = tempDir();
    const shipper = shipperFor(dir);
    shipper.write({
      level: 'error',
      message: 'multi\nline\u2028message',
      status_code: 500,
      nested: { a: [1, 2] },
    });
    await shipper.close();
    const text = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    const doc = JSON.parse(lines[0]) as LogRecord;
    expect(doc).toMatchObject({
      log_level: 'error',
      message: 'multi\nline\u2028message',
      status_code: 500,
    });
    expect(typeof doc['@timestamp']).toBe('string');
  });

  it('keeps retrying when the directory cannot be written, then dead-letters at the deadline', async () => {
    const parent = tempDir();
    const blocker = join(parent, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const deadLetter = createMemoryDeadLetter();
    const shipper = createShipper({
      backend: createFileBackend({ dir: join(blocker, 'logs') }),
      deadLetter,
      selfLog: false,
      exit: false,
      flushIntervalMs: 10,
      recordDeadlineMs: 300,
      backoff: { initialDelayMs: 20, maxDelayMs: 50 },
    });
    shipper.write({ message: 'nowhere to go' });
    await shipper.flush();
    expect(deadLetter.entries.map((e) => e.reason)).toEqual(['expired']);
    expect(deadLetter.entries[0]?.error).toMatch(/ENOTDIR|EEXIST/);
    expect(shipper.stats().sent).toBe(0);
    await shipper.close();
  });
});
