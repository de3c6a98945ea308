import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, describeEnv } from '@lms-logging/core';
import { describe, expect, it, vi } from 'vitest';
import { createBackendFromEnv, createElkBackend } from '../../src/backend.js';
import {
  DEFAULT_ELK_LIMITS,
  ELK_ENV,
  decodeCloudId,
  readElkEnv,
  validateElkOptions,
} from '../../src/config.js';

const context = {
  environment: 'production',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: 'logs',
  warn: () => undefined,
};

function configError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

const URL_ONLY = { ELASTICSEARCH_URL: 'http://127.0.0.1:9200' };

describe('ELK_ENV', () => {
  it('describes every variable, with a default where one applies, and no KIBANA_*', () => {
    const names = Object.keys(ELK_ENV);
    expect(names).toEqual(
      expect.arrayContaining([
        'ELASTICSEARCH_URL',
        'ELASTICSEARCH_API_KEY',
        'ELASTICSEARCH_USERNAME',
        'ELASTICSEARCH_PASSWORD',
        'ELASTICSEARCH_BEARER_TOKEN',
        'ELASTICSEARCH_CLOUD_ID',
        'ELASTICSEARCH_CA_FILE',
        'ELASTICSEARCH_CA_FINGERPRINT',
        'ELASTICSEARCH_TLS_INSECURE',
        'ELASTICSEARCH_INDEX',
        'ELASTICSEARCH_DATA_STREAM',
        'ELASTICSEARCH_FLAVOR',
        'ELASTICSEARCH_AWS_SIGV4',
        'ELASTICSEARCH_AWS_SERVICE',
        'ELASTICSEARCH_REQUEST_TIMEOUT_MS',
        'ELASTICSEARCH_PIPELINE',
      ]),
    );
    expect(names.some((n) => n.startsWith('KIBANA_'))).toBe(false);
    for (const [name, v] of Object.entries(ELK_ENV)) {
      expect(v.description.length, name).toBeGreaterThan(10);
      expect(v.defaultText, name).toBeTruthy();
    }
    for (const name of [
      'ELASTICSEARCH_API_KEY',
      'ELASTICSEARCH_PASSWORD',
      'ELASTICSEARCH_BEARER_TOKEN',
    ]) {
      expect(ELK_ENV[name as keyof typeof ELK_ENV]).toMatchObject({ secret: true });
    }
    const table = describeEnv(ELK_ENV);
    expect(table.split('\n')).toHaveLength(names.length);
    expect(table).toContain('`lms-logs-%{+YYYY.MM.dd}`');
  });
});

describe('readElkEnv', () => {
  it('reads a full configuration', () => {
    const options = readElkEnv(
      {
        ELASTICSEARCH_URL: 'https://a:9200, https://b:9200',
        ELASTICSEARCH_API_KEY: 'aWQ6a2V5',
        ELASTICSEARCH_INDEX: 'app-%{+YYYY.MM}',
        ELASTICSEARCH_FLAVOR: 'opensearch',
        ELASTICSEARCH_REQUEST_TIMEOUT_MS: '5000',
        ELASTICSEARCH_PIPELINE: 'lms-enrich',
      },
      context,
    );
    expect(options).toMatchObject({
      nodes: ['https://a:9200', 'https://b:9200'],
      auth: { apiKey: 'aWQ6a2V5' },
      index: 'app-%{+YYYY.MM}',
      flavor: 'opensearch',
      requestTimeoutMs: 5000,
      pipeline: 'lms-enrich',
      dataStream: false,
      tls: { insecure: false },
      environment: 'production',
    });
  });

  it('names ELASTICSEARCH_URL when neither a URL nor a cloud id is set', () => {
    const error = configError(() => readElkEnv({}, context));
    expect(error.problems.map((p) => p.variable)).toEqual(['ELASTICSEARCH_URL']);
    expect(error.message).toMatch(
      /ELASTICSEARCH_URL: is not set; expected the node URL\(s\), or ELASTICSEARCH_CLOUD_ID/,
    );
  });

  it('accepts a cloud id instead of a URL and decodes it like the client', () => {
    const encoded = Buffer.from('us-east-1.aws.found.io:443$abc123$def456').toString('base64');
    const options = readElkEnv({ ELASTICSEARCH_CLOUD_ID: `my-deployment:${encoded}` }, context);
    expect(options.cloudId).toBe(`my-deployment:${encoded}`);
    expect(decodeCloudId(options.cloudId!)).toEqual({
      name: 'my-deployment',
      elasticsearchUrl: 'https://abc123.us-east-1.aws.found.io:443',
      kibanaUrl: 'https://def456.us-east-1.aws.found.io:443',
    });
    const bad = configError(() => readElkEnv({ ELASTICSEARCH_CLOUD_ID: 'nocolon' }, context));
    expect(bad.message).toMatch(
      /ELASTICSEARCH_CLOUD_ID: "nocolon" is not valid \(not in the form name:base64\)/,
    );
  });

  it('rejects bad URLs without echoing them (they may hold credentials)', () => {
    const error = configError(() =>
      readElkEnv({ ELASTICSEARCH_URL: 'ftp://elastic:s3cret-pw@host:21' }, context),
    );
    expect(error.message).toMatch(
      /^ELASTICSEARCH_URL: \(value hidden\) is not valid \(ftp:\/\/ is not http or https\)/,
    );
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('requires username and password together, and one auth method', () => {
    const onlyUser = configError(() =>
      readElkEnv({ ...URL_ONLY, ELASTICSEARCH_USERNAME: 'elastic' }, context),
    );
    expect(onlyUser.problems[0]).toMatchObject({ variable: 'ELASTICSEARCH_PASSWORD' });
    const onlyPassword = configError(() =>
      readElkEnv({ ...URL_ONLY, ELASTICSEARCH_PASSWORD: 'hunter2-secret' }, context),
    );
    expect(onlyPassword.problems[0]).toMatchObject({ variable: 'ELASTICSEARCH_USERNAME' });
    expect(onlyPassword.message).not.toContain('hunter2-secret');
    const two = configError(() =>
      readElkEnv(
        {
          ...URL_ONLY,
          ELASTICSEARCH_API_KEY: 'key-secret-value',
          ELASTICSEARCH_BEARER_TOKEN: 'token-secret-value',
        },
        context,
      ),
    );
    expect(two.message).toMatch(
      /ELASTICSEARCH_BEARER_TOKEN: is set together with ELASTICSEARCH_API_KEY/,
    );
    expect(two.message).not.toMatch(/secret-value/);
  });

  it('names ELASTICSEARCH_CA_FILE when the file cannot be read or holds no PEM', () => {
    const missing = configError(() =>
      readElkEnv({ ...URL_ONLY, ELASTICSEARCH_CA_FILE: '/nonexistent/ca.pem' }, context),
    );
    expect(missing.message).toBe(
      'ELASTICSEARCH_CA_FILE: cannot read /nonexistent/ca.pem (ENOENT); expected a readable PEM file',
    );
    const dir = mkdtempSync(join(tmpdir(), 'elk-config-'));
    const notPem = join(dir, 'ca.txt');
    writeFileSync(notPem, 'hello');
    expect(
      configError(() => readElkEnv({ ...URL_ONLY, ELASTICSEARCH_CA_FILE: notPem }, context))
        .message,
    ).toMatch(/ELASTICSEARCH_CA_FILE: .* holds no PEM certificate/);
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(readElkEnv({ ...URL_ONLY, ELASTICSEARCH_CA_FILE: pem }, context).tls?.ca).toContain(
      'BEGIN CERTIFICATE',
    );
  });

  it('checks the CA fingerprint format and that URLs are https', () => {
    const fp = 'AB:'.repeat(31) + 'AB';
    expect(
      configError(() => readElkEnv({ ...URL_ONLY, ELASTICSEARCH_CA_FINGERPRINT: fp }, context))
        .message,
    ).toMatch(/ELASTICSEARCH_CA_FINGERPRINT: is set but ELASTICSEARCH_URL has http:\/\/ URLs/);
    expect(
      configError(() =>
        readElkEnv(
          { ELASTICSEARCH_URL: 'https://a:9200', ELASTICSEARCH_CA_FINGERPRINT: 'abc' },
          context,
        ),
      ).message,
    ).toMatch(/ELASTICSEARCH_CA_FINGERPRINT: "abc" is not valid \(not a SHA-256 fingerprint\)/);
    expect(
      readElkEnv({ ELASTICSEARCH_URL: 'https://a:9200', ELASTICSEARCH_CA_FINGERPRINT: fp }, context)
        .tls?.caFingerprint,
    ).toBe('ab'.repeat(32));
  });

  it('needs AWS_REGION with SigV4, and SigV4 means OpenSearch', () => {
    expect(
      configError(() => readElkEnv({ ...URL_ONLY, ELASTICSEARCH_AWS_SIGV4: 'true' }, context))
        .problems,
    ).toEqual([expect.objectContaining({ variable: 'AWS_REGION' })]);
    expect(
      configError(() =>
        readElkEnv(
          {
            ...URL_ONLY,
            ELASTICSEARCH_AWS_SIGV4: 'true',
            AWS_REGION: 'eu-west-1',
            ELASTICSEARCH_FLAVOR: 'elasticsearch',
          },
          context,
        ),
      ).problems,
    ).toEqual([expect.objectContaining({ variable: 'ELASTICSEARCH_FLAVOR' })]);
    expect(
      readElkEnv(
        {
          ...URL_ONLY,
          ELASTICSEARCH_AWS_SIGV4: 'yes',
          AWS_REGION: 'eu-west-1',
          ELASTICSEARCH_AWS_SERVICE: 'aoss',
        },
        context,
      ).awsSigv4,
    ).toEqual({ region: 'eu-west-1', service: 'aoss' });
  });

  it('validates index patterns and data stream names, naming the right variable', () => {
    expect(
      configError(() => readElkEnv({ ...URL_ONLY, ELASTICSEARCH_INDEX: 'LMS-%{+YYYY}' }, context))
        .message,
    ).toMatch(
      /^ELASTICSEARCH_INDEX: "LMS-%\{\+YYYY\}" is not a valid index name: it has uppercase letters/,
    );
    expect(
      configError(() =>
        readElkEnv(
          { ...URL_ONLY, ELASTICSEARCH_DATA_STREAM: 'true', ELASTICSEARCH_INDEX: 'logs-%{+YYYY}' },
          context,
        ),
      ).message,
    ).toMatch(/ELASTICSEARCH_INDEX: .* has a date pattern but ELASTICSEARCH_DATA_STREAM is on/);
    expect(
      configError(() =>
        readElkEnv(
          { ...URL_ONLY, ELASTICSEARCH_DATA_STREAM: 'true' },
          { ...context, environment: 'my env' },
        ),
      ).message,
    ).toMatch(
      /ENVIRONMENT: gives the data stream name "logs-lms-my env", which is not valid: it contains a space/,
    );
    expect(
      configError(() =>
        readElkEnv(
          { ...URL_ONLY, ELASTICSEARCH_DATA_STREAM: 'true', ELASTICSEARCH_INDEX: '.ds-x' },
          context,
        ),
      ).message,
    ).toMatch(/ELASTICSEARCH_INDEX: "\.ds-x" is not a valid data stream name/);
    const ds = createElkBackend(
      readElkEnv(
        { ...URL_ONLY, ELASTICSEARCH_DATA_STREAM: 'true' },
        { ...context, environment: 'Staging' },
      ),
    );
    expect(ds.target).toMatchObject({ kind: 'data-stream', pattern: 'logs-lms-staging' });
  });

  it('collects every problem in one error', () => {
    const error = configError(() =>
      readElkEnv(
        {
          ELASTICSEARCH_TLS_INSECURE: 'maybe',
          ELASTICSEARCH_REQUEST_TIMEOUT_MS: '-1',
          ELASTICSEARCH_FLAVOR: 'solr',
        },
        context,
      ),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'ELASTICSEARCH_FLAVOR',
      'ELASTICSEARCH_REQUEST_TIMEOUT_MS',
      'ELASTICSEARCH_TLS_INSECURE',
    ]);
  });
});

describe('createBackendFromEnv / createElkBackend', () => {
  it('builds the backend with the documented limits', () => {
    const backend = createBackendFromEnv(URL_ONLY, context);
    expect(backend.name).toBe('elk');
    expect(backend.limits).toEqual({ ...DEFAULT_ELK_LIMITS, perRecordOverheadBytes: 128 });
    expect(backend.limits.maxBatchBytes).toBe(5_000_000);
  });

  it('warns once that TLS verification is off', () => {
    const warn = vi.fn();
    createBackendFromEnv(
      { ELASTICSEARCH_URL: 'https://a:9200', ELASTICSEARCH_TLS_INSECURE: 'true' },
      { ...context, warn },
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/verification is OFF/);
    createBackendFromEnv({ ELASTICSEARCH_URL: 'https://a:9200' }, { ...context, warn });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('validates programmatic options with option names', () => {
    expect(() => validateElkOptions({})).toThrow(/^nodes: is not set/);
    expect(() => createElkBackend({ nodes: ['http://a'], index: 'A' })).toThrow(/^index: "A"/);
    expect(() => createElkBackend({ nodes: ['http://a'], auth: { username: 'u' } })).toThrow(
      /auth\.password: is not set but auth\.username is/,
    );
  });
});
