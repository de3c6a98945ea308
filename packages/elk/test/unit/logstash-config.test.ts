// LOGSTASH_ENV parsing and option validation of the Logstash path (no network).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, describeEnv } from '@lms-logging/core';
import { envTableRows } from '@lms-logging/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLogstashBackend,
  DEFAULT_LOGSTASH_HTTP_LIMITS,
  DEFAULT_LOGSTASH_TCP_LIMITS,
  LOGSTASH_ENV,
  logstashBackendFromEnv,
  logstashConfigured,
  parseLogstashUrl,
  readLogstashEnv,
} from '../../src/logstash/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lms-logstash-config-'));
const pem = join(dir, 'ca.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const key = join(dir, 'key.pem');
writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
const notPem = join(dir, 'note.txt');
writeFileSync(notPem, 'hello');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const context = {
  environment: 'test',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: 'logs',
  warn: () => undefined,
};

function problemsOf(read: () => unknown): { variable: string; text: string }[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems.map((p) => ({
      variable: p.variable ?? '',
      text: `${p.problem} ${p.expected ?? ''}`,
    }));
  }
  throw new Error('expected a ConfigurationError');
}

describe('readLogstashEnv', () => {
  it('reads an http URL with the documented defaults', () => {
    const options = readLogstashEnv({ LOGSTASH_URL: 'http://logstash:8080' }, context);
    expect(options.url).toBe('http://logstash:8080');
    expect(options.httpFormat).toBeUndefined();
    expect(options.auth).toBeUndefined();
    expect(options.documentId).toBe(false);
    expect(options.tls?.insecure).toBe(false);
    const backend = createLogstashBackend(options);
    expect(backend.protocol).toBe('http');
    expect(backend.limits.maxBatchBytes).toBe(5_000_000);
    expect(backend.maxInFlight).toBeUndefined();
  });

  it('reads every variable', () => {
    const options = readLogstashEnv(
      {
        LOGSTASH_URL: 'https://logstash:8443/ingest',
        LOGSTASH_HTTP_FORMAT: 'ndjson',
        LOGSTASH_USERNAME: 'shipper',
        LOGSTASH_PASSWORD: 's3cret',
        LOGSTASH_CA_FILE: pem,
        LOGSTASH_CLIENT_CERT_FILE: pem,
        LOGSTASH_CLIENT_KEY_FILE: key,
        LOGSTASH_TIMEOUT_MS: '5000',
        LOGSTASH_DOCUMENT_ID: 'true',
      },
      context,
    );
    expect(options.httpFormat).toBe('ndjson');
    expect(options.auth).toEqual({ username: 'shipper', password: 's3cret' });
    expect(options.timeoutMs).toBe(5000);
    expect(options.documentId).toBe(true);
    expect(options.tls?.ca).toContain('BEGIN CERTIFICATE');
  });

  it('tcp:// and tls:// select the tcp input, one write in flight', () => {
    const tcp = logstashBackendFromEnv({ LOGSTASH_URL: 'tcp://127.0.0.1:5000' }, context);
    expect(tcp.name).toBe('logstash');
    expect(tcp.maxInFlight).toBe(1);
    expect(tcp.limits.maxBatchBytes).toBe(DEFAULT_LOGSTASH_TCP_LIMITS.maxBatchBytes);
    expect(tcp.limits.perRecordOverheadBytes).toBe(1);
    const tls = createLogstashBackend({ url: 'tls://[::1]:5000' });
    expect(tls.endpoint).toMatchObject({ protocol: 'tcp', secure: true, host: '::1', port: 5000 });
  });

  it('names each bad variable and never echoes a secret', () => {
    const problems = problemsOf(() =>
      readLogstashEnv(
        {
          LOGSTASH_URL: 'http://user:hunter2@logstash:8080',
          LOGSTASH_HTTP_FORMAT: 'xml',
          LOGSTASH_TIMEOUT_MS: '-1',
        },
        context,
      ),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'LOGSTASH_HTTP_FORMAT',
      'LOGSTASH_TIMEOUT_MS',
      'LOGSTASH_URL',
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('rejects URLs the inputs cannot serve', () => {
    const urlProblem = (url: string): string =>
      problemsOf(() => readLogstashEnv({ LOGSTASH_URL: url }, context))[0].text;
    expect(urlProblem('tcp://logstash')).toMatch(/needs a port/);
    expect(urlProblem('udp://logstash:5000')).toMatch(/not http, https, tcp or tls/);
    expect(urlProblem('tcp://logstash:5000/path')).toMatch(/only host:port/);
    expect(urlProblem('http://u:p@logstash:8080')).toMatch(/LOGSTASH_USERNAME/);
    expect(problemsOf(() => readLogstashEnv({}, context))[0]).toMatchObject({
      variable: 'LOGSTASH_URL',
    });
  });

  it('wants credentials in pairs, only for http', () => {
    expect(
      problemsOf(() =>
        readLogstashEnv({ LOGSTASH_URL: 'http://l:8080', LOGSTASH_USERNAME: 'u' }, context),
      ),
    ).toEqual([{ variable: 'LOGSTASH_PASSWORD', text: expect.stringMatching(/not set/) }]);
    const tcp = problemsOf(() =>
      readLogstashEnv(
        { LOGSTASH_URL: 'tcp://l:5000', LOGSTASH_USERNAME: 'u', LOGSTASH_PASSWORD: 'p' },
        context,
      ),
    );
    expect(tcp[0]).toMatchObject({ variable: 'LOGSTASH_USERNAME' });
    expect(tcp[0].text).toMatch(/no authentication/);
  });

  it('checks the TLS files and that the URL is encrypted', () => {
    expect(
      problemsOf(() =>
        readLogstashEnv(
          { LOGSTASH_URL: 'https://l:8080', LOGSTASH_CA_FILE: join(dir, 'none') },
          context,
        ),
      )[0],
    ).toMatchObject({ variable: 'LOGSTASH_CA_FILE', text: expect.stringMatching(/ENOENT/) });
    expect(
      problemsOf(() =>
        readLogstashEnv({ LOGSTASH_URL: 'https://l:8080', LOGSTASH_CA_FILE: notPem }, context),
      )[0].text,
    ).toMatch(/no PEM certificate/);
    expect(
      problemsOf(() =>
        readLogstashEnv({ LOGSTASH_URL: 'tcp://l:5000', LOGSTASH_CA_FILE: pem }, context),
      )[0],
    ).toMatchObject({ variable: 'LOGSTASH_CA_FILE', text: expect.stringMatching(/tls:\/\//) });
    expect(
      problemsOf(() =>
        readLogstashEnv({ LOGSTASH_URL: 'tls://l:5000', LOGSTASH_CLIENT_CERT_FILE: pem }, context),
      ),
    ).toEqual([{ variable: 'LOGSTASH_CLIENT_KEY_FILE', text: expect.stringMatching(/not set/) }]);
    expect(
      problemsOf(() =>
        readLogstashEnv(
          { LOGSTASH_URL: 'tls://l:5000', LOGSTASH_CA_FILE: pem, LOGSTASH_TLS_INSECURE: 'true' },
          context,
        ),
      )[0],
    ).toMatchObject({ variable: 'LOGSTASH_TLS_INSECURE' });
  });

  it('validates options given in code by their option names', () => {
    expect(() => createLogstashBackend({ url: 'tcp://l:5000', maxInFlight: 0 })).toThrow(
      /maxInFlight/,
    );
    expect(() =>
      createLogstashBackend({ url: 'tcp://l', auth: { username: 'u', password: 'p' } }),
    ).toThrow(/url/);
  });
});

describe('backend settings', () => {
  it('lowers limits but never raises them', () => {
    const backend = createLogstashBackend({
      url: 'http://l:8080',
      limits: { maxBatchBytes: 1000, maxBatchCount: 1_000_000 },
    });
    expect(backend.limits.maxBatchBytes).toBe(1000);
    expect(backend.limits.maxBatchCount).toBe(DEFAULT_LOGSTASH_HTTP_LIMITS.maxBatchCount);
  });

  it('warns once about disabled verification and about credentials over plain http', () => {
    const lines: string[] = [];
    createLogstashBackend({
      url: 'https://l:8443',
      tls: { insecure: true },
      warn: (l) => lines.push(l),
    });
    createLogstashBackend({
      url: 'http://l:8080',
      auth: { username: 'u', password: 'p' },
      warn: (l) => lines.push(l),
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/LOGSTASH_TLS_INSECURE=true/);
    expect(lines[1]).toMatch(/plain http/);
  });

  it('logstashConfigured follows LOGSTASH_URL', () => {
    expect(logstashConfigured({})).toBe(false);
    expect(logstashConfigured({ LOGSTASH_URL: '  ' })).toBe(false);
    expect(logstashConfigured({ LOGSTASH_URL: 'tcp://l:5000' })).toBe(true);
  });

  it('takes URLs apart', () => {
    expect(parseLogstashUrl('https://logstash/in')).toMatchObject({
      protocol: 'http',
      secure: true,
      port: 443,
      href: 'https://logstash/in',
    });
    expect(parseLogstashUrl('tcp://10.0.0.5:5000')).toMatchObject({ host: '10.0.0.5', port: 5000 });
  });
});

describe('documentation', () => {
  it("the README's variable table is LOGSTASH_ENV", () => {
    const readme = readFileSync(new URL('../../docs/logstash.md', import.meta.url), 'utf8');
    expect(envTableRows(readme)).toEqual(envTableRows(describeEnv(LOGSTASH_ENV)));
  });
});
