import type { Writable } from 'node:stream';
import type { Backend, QueuedRecord, RetryAction, SendOutcome } from '../backend.js';
import { describeError } from '../batch/batch-processor.js';

/** NDJSON on stdout (or another stream): the LMS backend's `LMS_STRUCTURED_LOG_FORMAT=json` output. */
export function createConsoleBackend(stream: Writable = process.stdout): Backend<string> {
  return {
    name: 'console',
    maxInFlight: 1,
    limits: {
      maxBatchBytes: 1024 * 1024,
      maxBatchCount: 10_000,
      maxRecordBytes: 1024 * 1024,
      perRecordOverheadBytes: 1,
    },
    encode(records: readonly QueuedRecord[]) {
      let out = '';
      for (const r of records) out += r.json + '\n';
      return out;
    },
    send(lines) {
      return new Promise<void>((resolve, reject) => {
        stream.write(lines, (error) => (error ? reject(error) : resolve()));
      });
    },
    classify(outcome: SendOutcome<void>): RetryAction {
      return outcome.ok
        ? { kind: 'success' }
        : { kind: 'retry', reason: describeError(outcome.error) };
    },
  };
}
