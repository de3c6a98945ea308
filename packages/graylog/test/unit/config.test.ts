import { ConfigurationError } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { createBackendFromEnv, type GraylogBackend } from '../../src/backend.js';
import { parseGelfUrl, readGraylogEnv } from '../../src/config.js';

const context = {
  environment: 'test',
  service: 'lms',
  retentionDays: 30,
  logDir: 'logs',
  warn: () => undefined,
};

describe('Graylog settings', () => {
  it('reads the transport from GRAYLOG_URL', async () => {
    for (const [url, protocol] of [
      ['udp://graylog:12201', 'udp'],
      ['tcp://graylog', 'tcp'],
      ['tls://graylog:12201', 'tls'],
      ['https://graylog/gelf', 'https'],
    ] as const) {
      const backend = createBackendFromEnv({ GRAYLOG_URL: url }, context) as GraylogBackend;
      expect(backend.protocol).toBe(protocol);
      await backend.close!();
    }
    expect(parseGelfUrl('tcp://graylog').port).toBe(12201);
    expect(createBackendFromEnv({ GRAYLOG_URL: 'tcp://g' }, context).maxInFlight).toBe(1);
  });

  it('validates the variables', () => {
    expect(
      readGraylogEnv({
        GRAYLOG_URL: 'udp://g:12201',
        GRAYLOG_COMPRESSION: 'zlib',
        GRAYLOG_CHUNK_SIZE: '8154',
        GRAYLOG_HTTP_BULK: 'true',
      }),
    ).toMatchObject({ compression: 'zlib', chunkSize: 8154, httpBulk: true });
    expect(() => readGraylogEnv({})).toThrow(ConfigurationError);
    expect(() => readGraylogEnv({ GRAYLOG_URL: 'ftp://g' })).toThrow(ConfigurationError);
    expect(() => readGraylogEnv({ GRAYLOG_URL: 'udp://g', GRAYLOG_COMPRESSION: 'lz4' })).toThrow(
      ConfigurationError,
    );
  });
});
