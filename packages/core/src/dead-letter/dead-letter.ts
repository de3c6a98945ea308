import { appendFileSync, mkdirSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { QueuedRecord } from '../backend.js';

export interface DeadLetterEntry {
  readonly record: QueuedRecord;
  /** Short machine-readable reason: `rejected`, `expired`, `closed`, `oversize`, ... */
  readonly reason: string;
  /** The backend's own error text, verbatim, so an operator can see what the server said. */
  readonly error?: string;
}

/** Where permanently rejected or expired records go. */
export interface DeadLetter {
  write(entries: readonly DeadLetterEntry[], backend: string): Promise<void>;
  /** Used on the exit path, where no further event-loop turn is guaranteed. */
  writeSync(entries: readonly DeadLetterEntry[], backend: string): void;
}

function toLines(entries: readonly DeadLetterEntry[], backend: string, now: Date): string {
  const at = now.toISOString();
  let out = '';
  for (const entry of entries) {
    // The record is embedded from its already-serialized JSON: no second walk of the object.
    out += `{"dead_lettered_at":${JSON.stringify(at)},"backend":${JSON.stringify(backend)},"reason":${JSON.stringify(entry.reason)},"error":${JSON.stringify(entry.error ?? null)},"id":${JSON.stringify(entry.record.id)},"record":${entry.record.json}}\n`;
  }
  return out;
}

/** NDJSON file, one entry per line, so `jq` and a re-ship script can read it back. */
export function createFileDeadLetter(path: string): DeadLetter {
  let dirReady = false;
  return {
    async write(entries, backend) {
      if (entries.length === 0) return;
      if (!dirReady) {
        await mkdir(dirname(path), { recursive: true });
        dirReady = true;
      }
      await appendFile(path, toLines(entries, backend, new Date()), 'utf8');
    },
    writeSync(entries, backend) {
      if (entries.length === 0) return;
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, toLines(entries, backend, new Date()), 'utf8');
    },
  };
}

/** Keeps entries in memory; for tests and for callers that handle drops themselves. */
export function createMemoryDeadLetter(): DeadLetter & {
  readonly entries: { reason: string; error?: string; backend: string; record: QueuedRecord }[];
} {
  const entries: { reason: string; error?: string; backend: string; record: QueuedRecord }[] = [];
  const push = (batch: readonly DeadLetterEntry[], backend: string): void => {
    for (const e of batch) entries.push({ ...e, backend });
  };
  return {
    entries,
    write(batch, backend) {
      push(batch, backend);
      return Promise.resolve();
    },
    writeSync: push,
  };
}
