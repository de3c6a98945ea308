import { describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../src/alerts/index.js';
import type { JsonObject } from '../../src/record.js';
import {
  DISK_USED_PERCENT,
  checkLocalDisk,
  createAlertEvaluator,
  defaultAlertDefinitions,
} from '../../src/alerts/index.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const MINUTE = 60_000;

/** An evaluator over the default alerts (or the given overrides) driven by a settable clock. */
function setup(overrides?: Parameters<typeof defaultAlertDefinitions>[0]) {
  const clock = { now: T0 };
  const evaluator = createAlertEvaluator(defaultAlertDefinitions(overrides), {
    now: () => clock.now,
  });
  const status = (id: string): AlertStatus => {
    const found = evaluator.evaluate().find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no status for ${id}`);
    return found;
  };
  return { clock, evaluator, status };
}

function record(fields: JsonObject, at = T0): JsonObject {
  return {
    '@timestamp': new Date(at).toISOString(),
    log_level: 'info',
    message: 'request completed',
    environment: 'test',
    service: 'lms-api',
    host: { name: 'web-1' },
    ...fields,
  };
}

function observeTimes(observe: (r: JsonObject) => void, count: number, fields: JsonObject): void {
  for (let i = 0; i < count; i += 1) observe(record(fields));
}

describe('default alerts fire exactly at their thresholds', () => {
  it('error-rate: 49 errors do not fire, 50 do (error and fatal both count)', () => {
    const { evaluator, status } = setup();
    observeTimes(evaluator.observe, 40, { log_level: 'error' });
    observeTimes(evaluator.observe, 9, { log_level: 'fatal' });
    observeTimes(evaluator.observe, 100, { log_level: 'warn' });
    expect(status('error-rate')).toMatchObject({ firing: false, value: 49, threshold: 50 });
    evaluator.observe(record({ log_level: 'error' }));
    expect(status('error-rate')).toMatchObject({
      firing: true,
      value: 50,
      comparator: '>=',
      windowMinutes: 5,
      severity: 'critical',
    });
  });

  it('http-5xx: one 503 fires, 4xx do not, numeric strings count', () => {
    const { evaluator, status } = setup();
    observeTimes(evaluator.observe, 5, { status_code: 499 });
    expect(status('http-5xx')).toMatchObject({ firing: false, value: 0 });
    evaluator.observe(record({ status_code: '503' }));
    expect(status('http-5xx')).toMatchObject({ firing: true, value: 1 });
  });

  it('auth-failures: counts the event and the message form, a record matching both once', () => {
    const { evaluator, status } = setup();
    observeTimes(evaluator.observe, 3, { event: 'auth.failure' });
    observeTimes(evaluator.observe, 3, { message: 'Login failed for user 42' });
    observeTimes(evaluator.observe, 3, {
      event: 'auth.failure',
      message: 'Authentication failed: invalid credentials',
    });
    evaluator.observe(record({ event: 'auth.success', message: 'login ok' }));
    expect(status('auth-failures')).toMatchObject({ firing: false, value: 9, threshold: 10 });
    evaluator.observe(record({ message: 'INVALID CREDENTIALS' }));
    expect(status('auth-failures')).toMatchObject({ firing: true, value: 10 });
  });

  it('slow-responses: 2000 ms does not count, ten at 2001 ms fire, nine do not', () => {
    const { evaluator, status } = setup();
    observeTimes(evaluator.observe, 20, { duration_ms: 2000 });
    observeTimes(evaluator.observe, 9, { duration_ms: 2001 });
    expect(status('slow-responses')).toMatchObject({ firing: false, value: 9 });
    evaluator.observe(record({ duration_ms: 2001 }));
    expect(status('slow-responses')).toMatchObject({ firing: true, value: 10 });
  });

  it('low-disk: 85 % does not fire, 86 % does, reporting the host', () => {
    const { evaluator, status } = setup();
    expect(status('low-disk')).toMatchObject({ firing: false, value: 0, noData: true });
    evaluator.observeMetric('web-1', DISK_USED_PERCENT, 85);
    expect(status('low-disk')).toMatchObject({ firing: false, value: 85, group: 'web-1' });
    evaluator.observeMetric('web-2', DISK_USED_PERCENT, 86);
    expect(status('low-disk')).toMatchObject({
      kind: 'metric',
      firing: true,
      value: 86,
      group: 'web-2',
      comparator: '>',
      threshold: 85,
    });
    evaluator.observeMetric('web-2', 'cpu_percent', 99);
    expect(status('low-disk').value).toBe(86);
  });
});

describe('sliding window', () => {
  it('ignores records already older than the window', () => {
    const { evaluator, status } = setup();
    for (let i = 0; i < 50; i += 1)
      evaluator.observe(record({ log_level: 'error' }, T0 - 6 * MINUTE));
    expect(status('error-rate')).toMatchObject({ firing: false, value: 0 });
    expect(evaluator.stats().samples).toBe(0);
  });

  it('lets counted records expire as the clock moves on', () => {
    const { clock, evaluator, status } = setup();
    observeTimes(evaluator.observe, 50, { log_level: 'error' });
    clock.now = T0 + 4 * MINUTE;
    expect(status('error-rate')).toMatchObject({ firing: true, value: 50 });
    clock.now = T0 + 6 * MINUTE;
    expect(status('error-rate')).toMatchObject({ firing: false, value: 0 });
    expect(status('error-rate').sampleMessages).toBeUndefined();
  });

  it('counts records that arrive out of order while they are inside the window', () => {
    const { clock, evaluator, status } = setup();
    clock.now = T0 + 10 * MINUTE;
    const now = clock.now;
    const offsets = [0, 3 * MINUTE, 30_000, 4 * MINUTE + 58_000, 2 * MINUTE, 1_000];
    for (const offset of offsets) evaluator.observe(record({ status_code: 500 }, now - offset));
    evaluator.observe(record({ status_code: 500 }, now - 5 * MINUTE - 1_000));
    expect(status('http-5xx').value).toBe(offsets.length);
    // Once the newest of them is 5 minutes old, everything has left the window.
    clock.now = now + 5 * MINUTE;
    expect(status('http-5xx').value).toBe(0);
  });

  it('counts future-stamped and unstamped records as now', () => {
    const { clock, evaluator, status } = setup();
    evaluator.observe(record({ status_code: 502 }, T0 + 10 * MINUTE));
    evaluator.observe({ status_code: 502, message: 'no timestamp' });
    evaluator.observe({ '@timestamp': 'not a date', status_code: 502 });
    expect(status('http-5xx').value).toBe(3);
    clock.now = T0 + 5 * MINUTE;
    expect(status('http-5xx').value).toBe(0);
  });

  it('evaluates at an explicit time', () => {
    const { evaluator } = setup();
    observeTimes(evaluator.observe, 50, { log_level: 'error' });
    const later = evaluator.evaluate(T0 + 10 * MINUTE).find((s) => s.id === 'error-rate');
    expect(later?.value).toBe(0);
  });

  it('drops stale metric samples: a host that stopped reporting is no data', () => {
    const { clock, evaluator, status } = setup();
    evaluator.observeMetric('web-1', DISK_USED_PERCENT, 97, T0 - MINUTE);
    expect(status('low-disk').firing).toBe(true);
    clock.now = T0 + 5 * MINUTE;
    expect(status('low-disk')).toMatchObject({ firing: false, noData: true });
  });

  it('takes the maximum a host reported within the window, like a Maximum statistic', () => {
    const { clock, evaluator, status } = setup();
    evaluator.observeMetric('web-1', DISK_USED_PERCENT, 90);
    clock.now = T0 + MINUTE;
    evaluator.observeMetric('web-1', DISK_USED_PERCENT, 40);
    expect(status('low-disk')).toMatchObject({ firing: true, value: 90 });
    clock.now = T0 + 5 * MINUTE + 1_000;
    expect(status('low-disk')).toMatchObject({ firing: false, value: 40 });
  });

  it('rejects non-finite metric values', () => {
    const { evaluator } = setup();
    expect(() => evaluator.observeMetric('web-1', DISK_USED_PERCENT, Number.NaN)).toThrow(/finite/);
  });
});

describe('overrides in the evaluator', () => {
  it('applies a changed threshold', () => {
    const { evaluator, status } = setup({ 'error-rate': { threshold: 5 } });
    observeTimes(evaluator.observe, 4, { log_level: 'error' });
    expect(status('error-rate').firing).toBe(false);
    evaluator.observe(record({ log_level: 'error' }));
    expect(status('error-rate')).toMatchObject({ firing: true, threshold: 5 });
  });

  it('leaves disabled alerts out of the statuses', () => {
    const { evaluator } = setup({ 'slow-responses': false, 'low-disk': false });
    expect(evaluator.evaluate().map((s) => s.id)).toEqual([
      'error-rate',
      'http-5xx',
      'auth-failures',
    ]);
  });

  it('reads custom field names', () => {
    const { evaluator, status } = setup({
      fields: { statusField: 'res.statusCode', timestampField: 'time' },
    });
    evaluator.observe({ res: { statusCode: 500 } });
    evaluator.observe({ status_code: 500 });
    expect(status('http-5xx').value).toBe(1);
  });

  it('works on ECS records, nested or with literal dotted keys', () => {
    const { evaluator, status } = setup({ schema: 'ecs', 'error-rate': { threshold: 2 } });
    const at = new Date(T0).toISOString();
    evaluator.observe({
      '@timestamp': at,
      message: 'boom',
      log: { level: 'error' },
      http: { response: { status_code: 503 } },
      event: { action: 'auth.failure', duration: 2_000_000_001 },
    });
    evaluator.observe({
      '@timestamp': at,
      message: 'boom',
      'log.level': 'error',
      'http.response.status_code': 503,
      'event.action': 'auth.failure',
      'event.duration': 2_000_000_000,
    });
    expect(status('error-rate')).toMatchObject({ value: 2, firing: true });
    expect(status('http-5xx').value).toBe(2);
    expect(status('auth-failures').value).toBe(2);
    expect(status('slow-responses').value).toBe(1);
  });

  it('counts per group and reports the group that fires', () => {
    const { evaluator, status } = setup({ 'error-rate': { threshold: 3, groupBy: ['service'] } });
    observeTimes(evaluator.observe, 2, { log_level: 'error', service: 'lms-api' });
    observeTimes(evaluator.observe, 2, { log_level: 'error', service: 'grader' });
    expect(status('error-rate')).toMatchObject({ firing: false, value: 2 });
    evaluator.observe(record({ log_level: 'error', service: 'grader' }));
    expect(status('error-rate')).toMatchObject({ firing: true, value: 3, group: 'service=grader' });
  });
});

describe('sample messages', () => {
  it('keeps the three newest matching messages inside the window', () => {
    const { evaluator, status } = setup();
    for (let i = 1; i <= 5; i += 1) {
      evaluator.observe(
        record({ status_code: 500, message: `failure ${i}` }, T0 - (10 - i) * 1000),
      );
    }
    evaluator.observe(record({ status_code: 500, message: 'late but old' }, T0 - 60_000));
    expect(status('http-5xx').sampleMessages).toEqual(['failure 3', 'failure 4', 'failure 5']);
  });
});

describe('memory', () => {
  it('stays bounded over 1,000,000 records', () => {
    const clock = { now: T0 };
    const evaluator = createAlertEvaluator(defaultAlertDefinitions(), { now: () => clock.now });
    const kinds: JsonObject[] = [
      { log_level: 'error', message: 'db down' },
      { status_code: 503, message: 'upstream 503' },
      { event: 'auth.failure', message: 'login failed' },
      { duration_ms: 2500, message: 'slow page' },
    ];
    const bucketsSeen = new Set<number>();
    let timestamp = '';
    for (let i = 0; i < 1_000_000; i += 1) {
      // Two records per timestamp, 2 ms apart: 1,000 s of traffic, so every window wraps 3 times.
      if (i % 2 === 0) {
        clock.now = T0 + i;
        timestamp = new Date(clock.now).toISOString();
      }
      const next = kinds[i % kinds.length];
      next['@timestamp'] = timestamp;
      evaluator.observe(next);
      if (i % 100_000 === 99_999) bucketsSeen.add(evaluator.stats().buckets);
    }
    expect([...bucketsSeen]).toEqual([4 * 300]);
    expect(evaluator.stats()).toEqual({ buckets: 1200, series: 4, samples: 12 });
    // The window holds the last 300 one-second buckets, each with 250 records per alert.
    const errorRate = evaluator.evaluate().find((s) => s.id === 'error-rate');
    expect(errorRate?.value).toBe(300 * 250);
  });

  it('caps group-by series, merging the excess into one overflow series', () => {
    const clock = { now: T0 };
    const evaluator = createAlertEvaluator(
      defaultAlertDefinitions({ 'error-rate': { groupBy: ['user_id'] } }),
      { now: () => clock.now, maxSeriesPerAlert: 50 },
    );
    for (let i = 0; i < 10_000; i += 1) {
      evaluator.observe({ log_level: 'error', user_id: `user-${i}` });
    }
    expect(evaluator.stats().series).toBe(51);
    expect(evaluator.evaluate()[0]).toMatchObject({ group: '(other)', value: 10_000 - 50 });
    // Once the old series have left the window, new users get their own series again.
    clock.now = T0 + 6 * MINUTE;
    evaluator.observe({ log_level: 'error', user_id: 'user-new' });
    expect(evaluator.evaluate()[0]).toMatchObject({ group: 'user_id=user-new', value: 1 });
    expect(evaluator.stats().series).toBe(1);
  });
});

describe('createAlertEvaluator', () => {
  it('rejects duplicate ids and unusable windows', () => {
    const [errorRate] = defaultAlertDefinitions();
    expect(() => createAlertEvaluator([errorRate, errorRate])).toThrow(/duplicate alert id/);
    expect(() => createAlertEvaluator([{ ...errorRate, windowMinutes: 0 }])).toThrow(
      /windowMinutes/,
    );
  });
});

describe('checkLocalDisk', () => {
  it('reports a sane used percentage for /', async () => {
    const [root] = await checkLocalDisk(['/']);
    expect(root.path).toBe('/');
    expect(root.usedPercent).toBeGreaterThan(0);
    expect(root.usedPercent).toBeLessThanOrEqual(100);
  });

  it('feeds the low-disk alert', async () => {
    const { evaluator, status } = setup();
    for (const disk of await checkLocalDisk(['/'])) {
      evaluator.observeMetric('this-host', DISK_USED_PERCENT, disk.usedPercent);
    }
    const lowDisk = status('low-disk');
    expect(lowDisk.group).toBe('this-host');
    expect(lowDisk.firing).toBe(lowDisk.value > 85);
  });

  it('names the path it cannot read', async () => {
    await expect(checkLocalDisk(['/no/such/path-for-alerts'])).rejects.toThrow(
      /cannot read disk usage of \/no\/such\/path-for-alerts/,
    );
  });
});
