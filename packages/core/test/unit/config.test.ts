import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/config/configuration-error.js';
import { readAllEnv, readEnv, envSchemas } from '../../src/config/env-spec.js';
import { createShipperFromEnv, shipperOptionsFromEnv } from '../../src/config/from-env.js';

function configError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('configuration from the environment', () => {
  it('names every bad variable with the problem and the expected form', () => {
    const error = configError(() =>
      shipperOptionsFromEnv({
        LMS_LOG_BACKEND: 'splunk',
        LMS_LOG_BUFFER_BYTES: 'lots',
        LMS_LOG_OVERFLOW: 'drop-random',
        LMS_LOG_REDACT: 'maybe',
      }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual([
      'LMS_LOG_BACKEND',
      'LMS_LOG_REDACT',
      'LMS_LOG_BUFFER_BYTES',
      'LMS_LOG_OVERFLOW',
    ]);
    expect(error.message).toContain('LMS_LOG_BACKEND: "splunk" is not valid');
    expect(error.message).toContain('expected one of file, console, elk');
    expect(error.message).toContain('LMS_LOG_BUFFER_BYTES: "lots" is not valid');
    expect(error.message).toContain('expected a byte size such as 67108864 or 64MiB');
  });

  it('never echoes a secret value', () => {
    const spec = {
      SOME_API_KEY: { schema: envSchemas.url, expected: 'a URL', secret: true, description: '' },
      SOME_URL: { schema: envSchemas.url, expected: 'a URL', required: true, description: '' },
    };
    const error = configError(() => readEnv(spec, { SOME_API_KEY: 'hunter2-secret' }));
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('SOME_API_KEY: (value hidden) is not valid');
    expect(error.message).toContain('SOME_URL: is not set; expected a URL');
  });

  it('reads sizes, booleans and lists', () => {
    const { options, backendName, context } = shipperOptionsFromEnv({
      LMS_LOG_BUFFER_BYTES: '8MiB',
      LMS_LOG_REDACT_KEYS: 'ssn, national_id',
      LMS_LOG_HANDLE_SIGNALS: 'yes',
      ENVIRONMENT: 'staging',
      LMS_LOG_RETENTION_DAYS: '7',
    });
    expect(backendName).toBe('file');
    expect(options.maxBufferBytes).toBe(8 * 1024 * 1024);
    expect(options.redaction).toEqual({ keys: ['ssn', 'national_id'], allowKeys: [] });
    expect(options.exit).toEqual({ signals: true });
    expect(context).toMatchObject({
      environment: 'staging',
      retentionDays: 7,
      service: 'lms-backend',
    });
  });

  it('says in one line which package a backend needs when it is not installed', () => {
    const error = configError(() =>
      createShipperFromEnv({
        LMS_LOG_BACKEND: 'papertrail',
        LMS_LOG_DIR: mkdtempSync(join(tmpdir(), 'lms-')),
      }),
    );
    expect(error.message).toBe(
      'LMS_LOG_BACKEND=papertrail needs the package @lms-logging/papertrail: add it with `npm install @lms-logging/papertrail` (or pnpm add / yarn add)',
    );
  });

  it('reports the problems of several variable sets in one error', () => {
    const spec = (name: string) => ({
      [name]: { schema: envSchemas.url, expected: 'a URL', required: true, description: '' },
    });
    const error = configError(() =>
      readAllEnv(
        () => readEnv(spec('FIRST_URL'), {}),
        () => readEnv(spec('SECOND_URL'), { SECOND_URL: 'nope' }),
      ),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['FIRST_URL', 'SECOND_URL']);
    const [a, b] = readAllEnv(
      () => readEnv(spec('FIRST_URL'), { FIRST_URL: 'http://a' }),
      () => 42,
    );
    expect([a.FIRST_URL, b]).toEqual(['http://a', 42]);
  });
});
