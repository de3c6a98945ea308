import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, QueuedRecord, RetryAction, SendOutcome } from '../backend.js';
import { describeError } from '../batch/batch-processor.js';

export interface FileBackendOptions {
  /** Default `./logs`. */
  readonly dir?: string;
  /** File names are `<prefix>YYYY-MM-DD.log`. Default `lms-`. */
  readonly prefix?: string;
  /** A day file that grows past this continues in `<prefix>DATE.1.log`, `.2.log`, ... Default 100 MiB. */
  readonly maxFileBytes?: number;
  /** Day files older than this many days are deleted. Default 30; 0 keeps everything. */
  readonly retentionDays?: number;
}

interface OpenFile {
  readonly day: string;
  readonly part: number;
  readonly handle: FileHandle;
  size: number;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/;

/**
 * NDJSON, one record per line, one file per UTC day of the record's `@timestamp`. Lines are
 * complete JSON objects appended whole, so Filebeat's `json.keys_under_root: true` (or the
 * `ndjson` parser) reads them as they are. Parts are new files rather than renames, so a
 * tailing reader never sees a file move under it.
 */
export function createFileBackend(
  options: FileBackendOptions = {},
): Backend<Map<string, string[]>> {
  const dir = options.dir ?? 'logs';
  const prefix = options.prefix ?? 'lms-';
  const maxFileBytes = options.maxFileBytes ?? 100 * 1024 * 1024;
  const retentionDays = options.retentionDays ?? 30;
  const files = new Map<string, OpenFile>();
  let lastSweepDay = '';

  const fileName = (day: string, part: number): string =>
    join(dir, part === 0 ? `${prefix}${day}.log` : `${prefix}${day}.${part}.log`);

  async function currentPart(day: string): Promise<number> {
    let highest = 0;
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      const match = DAY_FILE.exec(name.slice(prefix.length));
      if (match?.[1] === day) highest = Math.max(highest, Number(match[2] ?? 0));
    }
    return highest;
  }

  async function openPart(day: string, part: number): Promise<OpenFile> {
    const path = fileName(day, part);
    const handle = await open(path, 'a');
    const size = (await handle.stat()).size;
    return { day, part, handle, size };
  }

  async function fileFor(day: string): Promise<OpenFile> {
    let file = files.get(day);
    if (!file) {
      file = await openPart(day, await currentPart(day));
      files.set(day, file);
    }
    return file;
  }

  async function nextPart(file: OpenFile): Promise<OpenFile> {
    await file.handle.close();
    const next = await openPart(file.day, file.part + 1);
    files.set(file.day, next);
    return next;
  }

  /** Appends whole lines, starting a new part whenever the next line would pass the size cap. */
  async function appendLines(day: string, lines: readonly string[]): Promise<void> {
    let file = await fileFor(day);
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (file.size + chunkBytes + bytes > maxFileBytes && file.size + chunkBytes > 0) {
        if (chunk !== '') await file.handle.appendFile(chunk, 'utf8');
        file.size += chunkBytes;
        chunk = '';
        chunkBytes = 0;
        file = await nextPart(file);
      }
      chunk += line;
      chunkBytes += bytes;
    }
    if (chunk !== '') await file.handle.appendFile(chunk, 'utf8');
    file.size += chunkBytes;
  }

  async function sweep(today: string): Promise<void> {
    if (retentionDays <= 0 || today === lastSweepDay) return;
    lastSweepDay = today;
    const cutoff = new Date(Date.parse(`${today}T00:00:00Z`) - retentionDays * 86_400_000)
      .toISOString()
      .slice(0, 10);
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      const day = DAY_FILE.exec(name.slice(prefix.length))?.[1];
      if (day !== undefined && day < cutoff) {
        const path = join(dir, name);
        if ((await stat(path)).isFile()) await unlink(path);
        const open = files.get(day);
        if (open) {
          files.delete(day);
          await open.handle.close();
        }
      }
    }
  }

  return {
    name: 'file',
    // One writer keeps lines in write order; appends are cheap, so more would not help.
    maxInFlight: 1,
    limits: {
      maxBatchBytes: 4 * 1024 * 1024,
      maxBatchCount: 10_000,
      maxRecordBytes: 1024 * 1024,
      perRecordOverheadBytes: 1,
    },
    async start() {
      await mkdir(dir, { recursive: true });
    },
    encode(records: readonly QueuedRecord[]) {
      const byDay = new Map<string, string[]>();
      for (const r of records) {
        const day = r.timestamp.slice(0, 10);
        const lines = byDay.get(day);
        if (lines) lines.push(r.json + '\n');
        else byDay.set(day, [r.json + '\n']);
      }
      return byDay;
    },
    async send(byDay) {
      await mkdir(dir, { recursive: true });
      await sweep(new Date().toISOString().slice(0, 10));
      for (const [day, lines] of byDay) await appendLines(day, lines);
    },
    classify(outcome: SendOutcome<void>): RetryAction {
      // Disk full or a permission flip can heal; the deadline dead-letters what never does.
      return outcome.ok
        ? { kind: 'success' }
        : { kind: 'retry', reason: describeError(outcome.error) };
    },
    async close() {
      for (const file of files.values()) await file.handle.close();
      files.clear();
    },
  };
}
