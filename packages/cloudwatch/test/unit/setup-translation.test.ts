import { defaultAlertDefinitions, type LogCountAlert } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { createBackendFromEnv, type CloudWatchBackend } from '../../src/backend.js';
import { filterToInsights, filterToPattern } from '../../src/setup/filter-pattern.js';
import { snapRetentionDays } from '../../src/setup/retention.js';

const context = {
  environment: 'staging',
  service: 'lms-api',
  retentionDays: 30,
  logDir: './logs',
  warn: () => undefined,
};

describe('retention', () => {
  it('snaps to the nearest allowed value and says so', () => {
    expect(snapRetentionDays(30)).toEqual({ days: 30, snapped: false });
    expect(snapRetentionDays(45)).toEqual({ days: 60, snapped: true }); // tie -> longer
    expect(snapRetentionDays(10)).toEqual({ days: 7, snapped: true });
    expect(snapRetentionDays(5000)).toEqual({ days: 3653, snapped: true });
  });
});

describe('alert filters to CloudWatch', () => {
  it('translates the ECS default filters too', () => {
    const alerts = defaultAlertDefinitions({ schema: 'ecs' }).filter(
      (a): a is LogCountAlert => a.kind === 'log-count',
    );
    for (const alert of alerts) expect(filterToPattern(alert.filter).pattern).toMatch(/^\{ .+ \}$/);
  });

  it('leaves out a regex branch it cannot express, with a warning', () => {
    const result = filterToPattern({
      op: 'any',
      of: [
        { field: 'event', op: 'eq', value: 'auth.failure' },
        { field: 'message', op: 'matches', value: 'log(in|on) failed' },
      ],
    });
    expect(result.pattern).toBe('{ $.event = "auth.failure" }');
    expect(result.warnings).toEqual([expect.stringMatching(/no filter-pattern equivalent/)]);
  });

  it('drops a whole "all" with an untranslatable branch rather than widen it', () => {
    const result = filterToPattern({
      op: 'all',
      of: [
        { field: 'status_code', op: 'gte', value: 500 },
        { field: 'message', op: 'matches', value: 'a.*b' },
      ],
    });
    expect(result.pattern).toBeUndefined();
    expect(result.warnings.length).toBeGreaterThan(0);
  });

  it('writes Logs Insights expressions with case-insensitive regexes', () => {
    expect(
      filterToInsights({
        op: 'any',
        of: [
          { field: 'log_level', op: 'in', value: ['error', 'fatal'] },
          { field: 'message', op: 'matches', value: 'login failed' },
        ],
      }),
    ).toBe('(log_level in ["error", "fatal"]) or (message like /(?i)login failed/)');
  });
});

describe('createBackendFromEnv', () => {
  it('uses /lms/<environment>/<service> unless LMS_CLOUDWATCH_LOG_GROUP is set', async () => {
    const a = createBackendFromEnv({}, context) as CloudWatchBackend;
    expect(a.target.logGroupName).toBe('/lms/staging/lms-api');
    const b = createBackendFromEnv(
      { LMS_CLOUDWATCH_LOG_GROUP: '/custom/group' },
      context,
    ) as CloudWatchBackend;
    expect(b.target.logGroupName).toBe('/custom/group');
    expect(b.limits).toEqual({
      maxBatchBytes: 1_048_576,
      maxBatchCount: 10_000,
      maxRecordBytes: 256 * 1024 - 26,
      perRecordOverheadBytes: 26,
    });
    await a.close?.();
    await b.close?.();
  });

  it('rejects a stream name with : or *', () => {
    expect(() => createBackendFromEnv({ LMS_CLOUDWATCH_LOG_STREAM: 'a:b' }, context)).toThrow(
      /LMS_CLOUDWATCH_LOG_STREAM/,
    );
  });
});
