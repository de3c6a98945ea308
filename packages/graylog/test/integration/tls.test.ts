// GELF over TLS to the go-gelf receiver, with a throwaway certificate made by openssl.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraylogBackend } from '../../src/backend.js';
import { buildReceiver, startReceiver } from '../support/receiver.js';
import { lmsRecord, queued } from '../support/records.js';

const dir = fileURLToPath(
  new URL(`../../../../.services/gelf-receiver/tls-${process.pid}/`, import.meta.url),
);

beforeAll(() => {
  buildReceiver();
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      `${dir}key.pem`,
      '-out',
      `${dir}cert.pem`,
    ],
    { stdio: 'ignore' },
  );
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('GELF over TLS, decoded by go-gelf', () => {
  it('verifies the server certificate and delivers on one connection', async () => {
    const receiver = await startReceiver('tls', '127.0.0.1:0', [
      '-cert',
      `${dir}cert.pem`,
      '-key',
      `${dir}key.pem`,
    ]);
    const backend = createGraylogBackend({
      url: `tls://127.0.0.1:${receiver.port}`,
      ca: readFileSync(`${dir}cert.pem`),
    });
    try {
      const signal = new AbortController().signal;
      for (let batch = 0; batch < 3; batch++) {
        const records = Array.from({ length: 50 }, (_, i) =>
          queued(lmsRecord({ n: batch * 50 + i })),
        );
        const response = await backend.send(backend.encode(records), { signal, attempt: 1 });
        expect(backend.classify({ ok: true, response }, records)).toEqual({ kind: 'success' });
      }
      const got = await receiver.waitFor(150);
      expect(got.map((m) => m.extra?.['_n'])).toEqual(Array.from({ length: 150 }, (_, n) => n));
      expect(backend.connections).toBe(1);
    } finally {
      await backend.close!();
      await receiver.stop();
    }
  });

  it('refuses an unknown certificate (classified as retry)', async () => {
    const receiver = await startReceiver('tls', '127.0.0.1:0', [
      '-cert',
      `${dir}cert.pem`,
      '-key',
      `${dir}key.pem`,
    ]);
    const backend = createGraylogBackend({ url: `tls://127.0.0.1:${receiver.port}` });
    try {
      const records = [queued(lmsRecord())];
      const error = await backend
        .send(backend.encode(records), { signal: new AbortController().signal, attempt: 1 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      expect(backend.classify({ ok: false, error }, records)).toMatchObject({ kind: 'retry' });
      expect(receiver.messages).toEqual([]);
    } finally {
      await backend.close!();
      await receiver.stop();
    }
  });
});
