// Core's backend conformance suite over TCP, read back through Graylog's go-gelf decoder.
import type { LogRecord } from '@lms-logging/core';
import { describeBackendConformance } from '@lms-logging/core/testing';
import { beforeAll } from 'vitest';
import { createGraylogBackend } from '../../src/backend.js';
import { buildReceiver, startReceiver } from '../support/receiver.js';

beforeAll(() => {
  buildReceiver();
}, 180_000);

describeBackendConformance('graylog tcp', {
  ordered: true,
  async create() {
    const receiver = await startReceiver('tcp');
    const backend = createGraylogBackend({ url: `tcp://127.0.0.1:${receiver.port}` });
    return {
      backend,
      async readBack(): Promise<LogRecord[]> {
        const messages = await receiver.settle(300);
        return messages.map((m) => ({
          message: m.short_message,
          ...m.extra,
          n: m.extra?.['_n'] ?? null,
        }));
      },
      cleanup: () => receiver.stop(),
    };
  },
});
