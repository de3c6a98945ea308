// GELF over HTTP against an in-process server that answers like Graylog's GELF HTTP input.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createGraylogBackend } from '../../src/backend.js';
import { lmsRecord, queued } from '../support/records.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly messages: Record<string, unknown>[];
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function gelfHttpInput(answer: (n: number) => number = () => 202): Promise<{
  url: string;
  received: Received[];
}> {
  const received: Received[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      let body = Buffer.concat(parts);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const status = req.method === 'POST' && req.url === '/gelf' ? answer(count++) : 404;
      if (status === 202) {
        const messages = body
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        received.push({ headers: req.headers, messages });
      }
      res.writeHead(status, status === 503 ? { 'retry-after': '1' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/gelf`, received };
}

const signal = new AbortController().signal;

describe('GELF over HTTP', () => {
  it('posts one gzip message per request; 202 is delivered', async () => {
    const input = await gelfHttpInput();
    const b = createGraylogBackend({ url: input.url });
    closers.push(() => b.close!());
    const records = [1, 2, 3].map((n) => queued(lmsRecord({ n }), `id-${n}`));
    const response = await b.send(b.encode(records), { signal, attempt: 1 });
    expect(b.classify({ ok: true, response }, records)).toEqual({ kind: 'success' });
    expect(input.received).toHaveLength(3);
    expect(input.received[0].headers['content-encoding']).toBe('gzip');
    expect(input.received.map((r) => r.messages[0]['_lms_id'])).toEqual(['id-1', 'id-2', 'id-3']);
    expect(input.received[0].messages[0]).toMatchObject({
      version: '1.1',
      host: 'web-1',
      level: 6,
    });
  });

  it('sends newline-separated messages in bulk mode', async () => {
    const input = await gelfHttpInput();
    const b = createGraylogBackend({ url: input.url, httpBulk: true });
    closers.push(() => b.close!());
    const records = [1, 2, 3].map((n) => queued(lmsRecord({ n })));
    const response = await b.send(b.encode(records), { signal, attempt: 1 });
    expect(b.classify({ ok: true, response }, records)).toEqual({ kind: 'success' });
    expect(input.received).toHaveLength(1);
    expect(input.received[0].messages.map((m) => m['_n'])).toEqual([1, 2, 3]);
  });

  it('retries the undelivered rest after a 503, and drops on a 400', async () => {
    const input = await gelfHttpInput((n) => (n === 1 ? 503 : 202));
    const b = createGraylogBackend({ url: input.url });
    closers.push(() => b.close!());
    const records = [1, 2, 3].map((n) => queued(lmsRecord({ n })));
    const response = await b.send(b.encode(records), { signal, attempt: 1 });
    expect(b.classify({ ok: true, response }, records)).toMatchObject({
      kind: 'partial',
      retry: [1, 2],
      drop: [],
      afterMs: 1000,
    });
    const bad = await gelfHttpInput(() => 400);
    const b2 = createGraylogBackend({ url: bad.url });
    closers.push(() => b2.close!());
    const one = [queued(lmsRecord())];
    const r2 = await b2.send(b2.encode(one), { signal, attempt: 1 });
    expect(b2.classify({ ok: true, response: r2 }, one)).toMatchObject({ kind: 'drop' });
  });

  it('retries when nothing listens', async () => {
    const b = createGraylogBackend({ url: 'http://127.0.0.1:1/gelf' });
    closers.push(() => b.close!());
    const one = [queued(lmsRecord())];
    const error = await b.send(b.encode(one), { signal, attempt: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(b.classify({ ok: false, error }, one)).toMatchObject({ kind: 'retry' });
  });
});
