// The README's demo, run as a user runs it (the built app in a child process): on the embedded
// `file` backend, with LMS_LOG_BACKEND=elk against the real OpenSearch on 127.0.0.1:9200, and
// with LMS_LOG_BACKEND=graylog against the Go GELF receiver built from Graylog's go-gelf library.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildReceiver, startReceiver } from '../../../packages/graylog/test/support/receiver.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

async function demo(env: Record<string, string>): Promise<{ stdout: string; shipped: number }> {
  const { stdout } = await run(process.execPath, ['dist/demo.js'], {
    cwd: appDir,
    env: { ...process.env, LMS_DEMO_SECONDS: '6', LMS_LOG_SELF_LOG: 'false', ...env },
    timeout: 60_000,
  });
  const shipped = Number(/shipped (\d+) records/.exec(stdout)?.[1] ?? NaN);
  return { stdout, shipped };
}

describe('pnpm demo', () => {
  it('ships the sample app to the file backend and reports the alerts that fired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lms-demo-'));
    const { stdout, shipped } = await demo({ LMS_LOG_DIR: dir });
    expect(shipped).toBeGreaterThan(100);
    expect(stdout).toMatch(/dead-lettered 0, dropped 0/);
    for (const id of ['error-rate', 'http-5xx', 'auth-failures', 'slow-responses']) {
      expect(stdout).toMatch(new RegExp(`FIRING\\s+${id}`));
    }
    expect(stdout).toMatch(/ok\s+low-disk|FIRING\s+low-disk/);
    const lines = readdirSync(dir)
      .filter((f) => /^lms-.*\.log$/.test(f))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    expect(lines).toHaveLength(shipped);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      records.every(
        (r) => typeof r['@timestamp'] === 'string' && typeof r['log_level'] === 'string',
      ),
    ).toBe(true);
    expect(
      records
        .filter((r) => r['event'] === 'auth.failure')
        .every((r) => r['password'] === '[REDACTED]'),
    ).toBe(true);
    expect(lines.join('\n')).not.toContain('Bearer eyJ');
  });

  it('ships to Elasticsearch/OpenSearch when LMS_LOG_BACKEND=elk', async () => {
    const prefix = `demo-${randomBytes(4).toString('hex')}`;
    const { shipped } = await demo({
      LMS_LOG_BACKEND: 'elk',
      ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
      ELASTICSEARCH_INDEX: `${prefix}-%{+YYYY.MM.dd}`,
      LMS_LOG_DIR: mkdtempSync(join(tmpdir(), 'lms-demo-')),
    });
    expect(shipped).toBeGreaterThan(100);
    await fetch(`http://127.0.0.1:9200/${prefix}-*/_refresh`, { method: 'POST' });
    const res = await fetch(`http://127.0.0.1:9200/${prefix}-*/_count`);
    expect(((await res.json()) as { count: number }).count).toBe(shipped);
    await fetch(`http://127.0.0.1:9200/${prefix}-*`, { method: 'DELETE' });
  });

  it('ships to a Graylog GELF TCP input when LMS_LOG_BACKEND=graylog', async () => {
    buildReceiver();
    const receiver = await startReceiver('tcp');
    try {
      const { stdout, shipped } = await demo({
        LMS_LOG_BACKEND: 'graylog',
        GRAYLOG_URL: `tcp://127.0.0.1:${receiver.port}`,
        ENVIRONMENT: 'demo',
        LMS_LOG_DIR: mkdtempSync(join(tmpdir(), 'lms-demo-')),
      });
      expect(shipped).toBeGreaterThan(100);
      expect(stdout).toMatch(/dead-lettered 0, dropped 0/);
      const messages = await receiver.waitFor(shipped);
      expect(messages).toHaveLength(shipped);
      expect(receiver.errors).toEqual([]);
      expect(
        messages.every((m) => m.version === '1.1' && m.extra?.['_environment'] === 'demo'),
      ).toBe(true);
      const failed = messages.find((m) => m.short_message === 'grade submission failed');
      expect(failed?.level).toBe(3);
      expect(failed?.full_message).toMatch(/deadlock detected/);
      const serverErrors = messages.filter((m) => m.extra?.['_status_code'] === 500);
      expect(serverErrors.length).toBeGreaterThan(0);
      expect(serverErrors.every((m) => m.level === 3)).toBe(true);
    } finally {
      await receiver.stop();
    }
  });
});
