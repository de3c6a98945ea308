// `lms-logs task disk-report` ships this host's disk usage as GELF records, decoded here by
// Graylog's own Go library (github.com/Graylog2/go-gelf, Debian golang-github-graylog2-go-gelf-dev)
// in test/support/gelf-receiver: the data the low-disk event definition aggregates.
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { runCli } from '@lms-logging/cli';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReceiver, startReceiver, type Receiver } from '../support/receiver.js';

let receiver: Receiver | undefined;
beforeAll(() => {
  buildReceiver();
});
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

async function task(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['task', 'disk-report'], {
    env: {
      LMS_LOG_BACKEND: 'graylog',
      GRAYLOG_API_URL: 'http://127.0.0.1:9/api',
      GRAYLOG_API_TOKEN: 'unused-by-this-task',
      ENVIRONMENT: 'ops',
      ...env,
    },
    stdin: Readable.from(['']),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('lms-logs task disk-report (graylog)', () => {
  it('ships one record per path with disk_used_percent, as df computes it', async () => {
    receiver = await startReceiver('tcp');
    const dir = tmpdir();
    const result = await task({
      GRAYLOG_URL: `tcp://127.0.0.1:${receiver.port}`,
      LMS_GRAYLOG_DISK_PATHS: `/,${dir}`,
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toMatch(/sent 2 of 2 records/);
    const messages = await receiver.waitFor(2);
    const byPath = new Map(messages.map((m) => [m.extra?.['_disk_path'], m]));
    const root = byPath.get('/');
    const s = statfsSync('/');
    const used = s.blocks - s.bfree;
    const expected = Math.round((used / (used + s.bavail)) * 10_000) / 100;
    expect(root?.extra).toMatchObject({
      _event: 'disk.usage',
      _environment: 'ops',
      _disk_used_percent: expect.closeTo(expected, 0) as number,
    });
    expect(root?.short_message).toMatch(/^disk usage of \/: [\d.]+ %$/);
    expect(byPath.get(dir)?.extra?.['_disk_used_percent']).toEqual(expect.any(Number));
  });

  it('fails, naming the path, when a path cannot be measured', async () => {
    receiver = await startReceiver('tcp');
    const result = await task({
      GRAYLOG_URL: `tcp://127.0.0.1:${receiver.port}`,
      LMS_GRAYLOG_DISK_PATHS: '/no/such/dir',
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/cannot read disk usage of \/no\/such\/dir/);
  });

  it('needs GRAYLOG_URL, and says so', async () => {
    const result = await task({});
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/GRAYLOG_URL/);
  });
});
