// Against a real OpenSearch server (scripts/services/search-server, port 9200, one node).
import { createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { LmsTransport } from '@lms-logging/winston';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElkBackend } from '../../src/backend.js';
import { lmsRecord, queued } from '../support/records.js';
import {
  countDocs,
  countsByIndex,
  deleteIndices,
  ensureSearchServer,
  searchDocs,
  uniquePrefix,
} from './support.js';

const PORT = 9200;
let url = '';
const prefixes: string[] = [];

beforeAll(() => {
  url = ensureSearchServer({ port: PORT });
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteIndices(url, `${prefix}-*`);
});

function prefix(name: string): string {
  const p = uniquePrefix(name);
  prefixes.push(p);
  return p;
}

describe('shipping to OpenSearch', () => {
  it('20,000 records through winston land in the right daily indices with the shared fields', async () => {
    const p = prefix('winston');
    const backend = createElkBackend({ nodes: [url], index: `${p}-%{+YYYY.MM.dd}` });
    const deadLetter = createMemoryDeadLetter();
    const transport = new LmsTransport({
      backend,
      environment: 'staging',
      service: 'lms-api',
      hostName: 'web-7',
      flushIntervalMs: 100,
      selfLog: false,
      exit: false,
      deadLetter,
    });
    const logger = winston.createLogger({ level: 'info', transports: [transport] });
    // 12,000 records late on 10 Feb (UTC) and 8,000 just after midnight: two daily indices.
    const dayOne = Date.parse('2025-02-10T23:50:00.000Z');
    const dayTwo = Date.parse('2025-02-11T00:00:00.000Z');
    for (let n = 0; n < 20_000; n++) {
      const time = n < 12_000 ? dayOne + n * 10 : dayTwo + (n - 12_000) * 10;
      logger.info('request finished', {
        timestamp: new Date(time).toISOString(),
        n,
        method: 'GET',
        url: `/courses/${n % 50}`,
        status_code: 200,
        duration_ms: n % 300,
        user_id: `u${n % 97}`,
        event: 'http_request',
      });
    }
    await transport.flush();
    const stats = transport.stats();
    expect(stats).toMatchObject({ sent: 20_000, dropped: {}, deadLettered: {} });
    await transport.close();

    expect(await countsByIndex(url, `${p}-*`)).toEqual({
      [`${p}-2025.02.10`]: 12_000,
      [`${p}-2025.02.11`]: 8_000,
    });
    const docs = await searchDocs(url, `${p}-2025.02.11`, 'n');
    expect(docs).toHaveLength(8_000);
    expect(docs[0]).toMatchObject({
      '@timestamp': '2025-02-11T00:00:00.000Z',
      log_level: 'info',
      message: 'request finished',
      environment: 'staging',
      service: 'lms-api',
      host: { name: 'web-7' },
      n: 12_000,
      status_code: 200,
      method: 'GET',
      event: 'http_request',
    });
    for (const doc of docs.slice(0, 100)) {
      for (const field of ['@timestamp', 'log_level', 'environment', 'service']) {
        expect(doc, field).toHaveProperty(field);
      }
      expect((doc['host'] as { name?: string }).name).toBe('web-7');
    }
  });

  it('re-sending an indexed batch leaves the count unchanged (409 = delivered)', async () => {
    const p = prefix('resend');
    const backend = createElkBackend({ nodes: [url], index: `${p}-%{+YYYY.MM.dd}` });
    await backend.start!();
    try {
      const records = Array.from({ length: 300 }, (_, n) =>
        queued(lmsRecord({ '@timestamp': '2025-03-01T10:00:00.000Z', n })),
      );
      const signal = new AbortController().signal;
      const first = await backend.send(backend.encode(records), { signal, attempt: 1 });
      expect(backend.classify({ ok: true, response: first }, records)).toEqual({ kind: 'success' });
      expect(await countDocs(url, `${p}-*`)).toBe(300);

      const second = await backend.send(backend.encode(records), { signal, attempt: 2 });
      const items = (
        second.body as { items: { create: { status: number; error?: { type: string } } }[] }
      ).items;
      expect(items.map((i) => i.create.status)).toEqual(records.map(() => 409));
      expect(items[0].create.error?.type).toBe('version_conflict_engine_exception');
      expect(backend.classify({ ok: true, response: second }, records)).toEqual({
        kind: 'success',
      });
      expect(await countDocs(url, `${p}-*`)).toBe(300);
    } finally {
      await backend.close!();
    }
  });

  it('dead-letters a mapping conflict with the server reason while the rest land', async () => {
    const p = prefix('mapping');
    const backend = createElkBackend({ nodes: [url], index: `${p}-%{+YYYY.MM.dd}` });
    const deadLetter = createMemoryDeadLetter();
    const shipper = createShipper({
      backend,
      flushIntervalMs: 50,
      selfLog: false,
      exit: false,
      deadLetter,
      maxInFlight: 1,
    });
    const timestamp = '2025-04-01T08:00:00.000Z';
    try {
      // The first record maps status_code as long and user_id as text/keyword.
      shipper.write({ message: 'first', timestamp, status_code: 200, user_id: 'u1', n: 0 });
      await shipper.flush();
      shipper.write({ message: 'bad number', timestamp, status_code: 'not-a-number', n: 1 });
      shipper.write({ message: 'bad object', timestamp, user_id: { id: 5 }, n: 2 });
      for (let n = 3; n < 103; n++) {
        shipper.write({
          message: 'fine',
          timestamp,
          status_code: 200 + (n % 5),
          user_id: `u${n}`,
          n,
        });
      }
      await shipper.flush();
      expect(shipper.stats()).toMatchObject({ sent: 101, deadLettered: { rejected: 2 } });
    } finally {
      await shipper.close();
    }
    const byMessage = new Map(deadLetter.entries.map((e) => [e.record.record['message'], e.error]));
    expect(byMessage.get('bad number')).toMatch(
      /^400 mapper_parsing_exception: failed to parse field \[status_code\] of type \[long\] in document with id '.+'\. Preview of field's value: 'not-a-number' \(caused by illegal_argument_exception: For input string: "not-a-number"\)$/,
    );
    expect(byMessage.get('bad object')).toMatch(
      /^400 mapper_parsing_exception: failed to parse field \[user_id\] of type \[text\]/,
    );
    expect(await countDocs(url, `${p}-*`)).toBe(101);
    const ns = (await searchDocs(url, `${p}-*`, 'n')).map((d) => d['n']);
    expect(ns).toEqual([0, ...Array.from({ length: 100 }, (_, i) => i + 3)]);
  });
});
