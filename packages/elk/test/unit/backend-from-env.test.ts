import { describe, expect, it } from 'vitest';
import { createBackendFromEnv } from '@lms-logging/elk';

const context = {
  environment: 'production',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: 'logs',
  warn: () => undefined,
};

describe('LMS_LOG_BACKEND=elk picks its target from the variables', () => {
  it('bulk-indexes into Elasticsearch/OpenSearch by default', () => {
    expect(createBackendFromEnv({ ELASTICSEARCH_URL: 'http://127.0.0.1:9200' }, context).name).toBe(
      'elk',
    );
  });

  it('ships to Logstash when LOGSTASH_URL is set, even beside ELASTICSEARCH_URL (kept for setup)', () => {
    const backend = createBackendFromEnv(
      { LOGSTASH_URL: 'tcp://127.0.0.1:5000', ELASTICSEARCH_URL: 'http://127.0.0.1:9200' },
      context,
    );
    expect(backend.name).toBe('logstash');
  });

  it('names ELASTICSEARCH_URL when neither target is configured', () => {
    expect(() => createBackendFromEnv({}, context)).toThrow(/ELASTICSEARCH_URL/);
  });
});
