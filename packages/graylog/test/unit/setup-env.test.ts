// What `lms-logs setup` reads for Graylog, and the clear errors for bad or missing variables.
import { ConfigurationError } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { apiBaseUrl, parseGelfInputs, readGraylogSetupEnv } from '../../src/index.js';

describe('Graylog setup variables', () => {
  it('reads a token, the API base (adding /api) and the inputs', () => {
    const settings = readGraylogSetupEnv({
      GRAYLOG_API_URL: 'https://graylog.example.edu/',
      GRAYLOG_API_TOKEN: 'tok',
      LMS_GRAYLOG_INPUTS: 'udp:12201, tcp , http:12202',
    });
    expect(settings.api).toEqual({ url: 'https://graylog.example.edu/api', token: 'tok' });
    expect(settings.inputs).toEqual([
      { protocol: 'udp', port: 12201 },
      { protocol: 'tcp', port: 12201 },
      { protocol: 'http', port: 12202 },
    ]);
    expect(apiBaseUrl('http://h:9000/api/')).toBe('http://h:9000/api');
  });

  it('names every bad or missing variable in one error', () => {
    let error: unknown;
    try {
      readGraylogSetupEnv({
        GRAYLOG_API_URL: 'http://h:9000',
        GRAYLOG_API_USERNAME: 'admin',
        LMS_GRAYLOG_INPUTS: 'tls:12203',
        LMS_GRAYLOG_NOTIFICATION_ID: 'not-an-id',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems.map((p) => p.variable).sort()).toEqual([
      'GRAYLOG_API_PASSWORD',
      'LMS_GRAYLOG_INPUT_TLS_CERT_FILE',
      'LMS_GRAYLOG_INPUT_TLS_KEY_FILE',
      'LMS_GRAYLOG_NOTIFICATION_ID',
    ]);
    expect(() => readGraylogSetupEnv({ GRAYLOG_API_TOKEN: 't' })).toThrow(/GRAYLOG_API_URL/);
  });

  it('rejects input lists that are not protocols with ports, or that share a port', () => {
    expect(parseGelfInputs('udp:12201,tcp:12201')).toHaveLength(2);
    expect(parseGelfInputs('tcp:12201,http:12201')).toMatch(/share a port/);
    expect(parseGelfInputs('syslog:514')).toMatch(/not udp, tcp, tls or http/);
    expect(parseGelfInputs('udp:70000')).toMatch(/out of range/);
  });
});
