// The lms-logs command against the real OpenSearch 2.19.6 started by scripts/services/search-server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '@lms-logging/cli';

const URL_9200 = 'http://127.0.0.1:9200';
const prefix = `cli-${randomBytes(4).toString('hex')}`;
const env = {
  LMS_LOG_BACKEND: 'elk',
  ELASTICSEARCH_URL: URL_9200,
  ELASTICSEARCH_INDEX: `${prefix}-%{+YYYY.MM.dd}`,
  LMS_LOG_DIR: mkdtempSync(join(tmpdir(), 'lms-cli-')),
  LMS_LOG_SELF_LOG: 'false',
};

async function cli(args: string[], extraEnv: Record<string, string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env: { ...env, ...extraEnv },
    stdin: Readable.from([stdin]),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterAll(async () => {
  await fetch(`${URL_9200}/${prefix}-*`, { method: 'DELETE' });
  await fetch(`${URL_9200}/_index_template/${prefix}`, { method: 'DELETE' });
});

describe('lms-logs against a real OpenSearch', () => {
  it('plans, applies, and on the second setup reports no change', async () => {
    const plan = await cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/\+ index-template /);
    const first = await cli(['setup']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/change(s)? applied/);
    const second = await cli(['setup']);
    expect(second).toMatchObject({ code: 0 });
    expect(second.out).toBe('no changes: the backend already matches the configuration');
  });

  it('ships NDJSON from stdin into the daily index, mapped', async () => {
    const lines = [
      JSON.stringify({
        timestamp: '2026-11-29T10:00:00Z',
        level: 'error',
        message: 'boom',
        status_code: 500,
      }),
      'not json at all',
      JSON.stringify({
        timestamp: '2026-11-29T10:00:01Z',
        level: 'info',
        message: 'ok',
        password: 'p4ss',
      }),
    ].join('\n');
    const shipped = await cli(['ship'], {}, lines);
    expect(shipped.err).toContain('shipped 3 of 3 records to elk');
    expect(shipped.code).toBe(0);
    // The line that is not JSON is stamped with the time of reading, so it lands in today's index.
    await fetch(`${URL_9200}/${prefix}-*/_refresh`, { method: 'POST' });
    const res = await fetch(`${URL_9200}/${prefix}-*/_search?sort=@timestamp:asc&size=10`);
    const body = (await res.json()) as { hits: { hits: { _source: Record<string, unknown> }[] } };
    const docs = body.hits.hits.map((h) => h._source);
    expect(docs).toHaveLength(3);
    expect(docs.map((d) => d['log_level']).sort()).toEqual(['error', 'info', 'info']);
    expect(docs.find((d) => d['message'] === 'ok')?.['password']).toBe('[REDACTED]');
    expect(docs.some((d) => d['message'] === 'not json at all')).toBe(true);
  });

  it('runs the disk check task and lists the tasks', async () => {
    const list = await cli(['task']);
    expect(list.out).toMatch(/retention/);
    expect(list.out).toMatch(/disk-check/);
    const disk = await cli(['task', 'disk-check']);
    expect(disk.out).toMatch(/\d+(\.\d+)? ?%/);
  });

  it('names the bad variable and exits 2 on a configuration error', async () => {
    const bad = await cli(['check'], {
      ELASTICSEARCH_URL: 'not a url',
      ELASTICSEARCH_PASSWORD: 'hunter2',
    });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('ELASTICSEARCH_URL');
    expect(bad.err).not.toContain('hunter2');
  });

  it('reads log files given as arguments', async () => {
    const file = join(env.LMS_LOG_DIR, 'app.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ level: 'warn', message: 'from file', timestamp: '2026-11-29T11:00:00Z' })}\n`,
    );
    const shipped = await cli(['ship', file]);
    expect(shipped.err).toContain('shipped 1 of 1 records');
  });
});
