// `lms-logs setup` for CloudWatch against a real moto server (scripts/services/moto). moto lacks
// the query-definition calls; support/query-definitions-proxy.ts answers those in-process and
// forwards everything else to moto.
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchProvisioner } from '../../src/setup/provisioner.js';
import { deleteGroup, MOTO_URL, uniqueGroup, useMoto } from '../support/moto.js';
import {
  startQueryDefinitionsProxy,
  type QueryDefinitionsProxy,
} from '../support/query-definitions-proxy.js';

let logs: CloudWatchLogsClient;
let cloudwatch: CloudWatchClient;
let proxy: QueryDefinitionsProxy;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  useMoto();
  logs = new CloudWatchLogsClient({});
  cloudwatch = new CloudWatchClient({});
  proxy = await startQueryDefinitionsProxy(MOTO_URL);
});

afterAll(async () => {
  for (const c of cleanup) await c();
  await proxy.close();
  logs.destroy();
  cloudwatch.destroy();
});

describe('CloudWatch setup (moto)', () => {
  it('creates retention, metric filters, alarms, saved queries and the dashboard; a second plan is empty', async () => {
    const logGroupName = uniqueGroup('setup');
    const environment = `e${Date.now().toString(36)}`;
    const dashboardName = `LMS-system-health-${environment}`;
    const topic = 'arn:aws:sns:us-east-1:123456789012:lms-alerts';
    const warnings: string[] = [];
    const provisioner = createCloudWatchProvisioner({
      logGroupName,
      environment,
      service: 'lms-api',
      retentionDays: 45,
      snsTopicArn: topic,
      dashboardName,
      logsClientConfig: { endpoint: proxy.url },
      warn: (line) => warnings.push(line),
    });
    const alarmNames = [
      'error-rate',
      'http-5xx',
      'auth-failures',
      'slow-responses',
      'low-disk',
    ].map((id) => `lms-${environment}-lms-api-${id}`);
    cleanup.push(
      () => deleteGroup(logs, logGroupName),
      () => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: alarmNames })),
      () => cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [dashboardName] })),
    );
    try {
      const plan = await provisioner.plan();
      expect(plan.map((c) => `${c.action} ${c.kind}`)).toEqual([
        'create log-group',
        'create retention',
        ...Array(4).fill('create metric-filter'),
        ...Array(5).fill('create alarm'),
        ...Array(4).fill('create query-definition'),
        'create dashboard',
      ]);
      const retention = plan.find((c) => c.kind === 'retention');
      expect(retention?.detail).toMatch(/snapped to 60/);

      const applied = await provisioner.apply();
      expect(applied).toEqual(plan);
      expect(await provisioner.plan()).toEqual([]);
      expect(await provisioner.apply()).toEqual([]);

      const groups = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
      );
      expect(groups.logGroups?.[0]?.retentionInDays).toBe(60);

      const filters = await logs.send(new DescribeMetricFiltersCommand({ logGroupName }));
      const byName = Object.fromEntries(
        (filters.metricFilters ?? []).map((f) => [f.filterName, f.filterPattern]),
      );
      expect(byName).toEqual({
        'lms-error-rate': '{ ($.log_level = "error") || ($.log_level = "fatal") }',
        'lms-http-5xx': '{ $.status_code >= 500 }',
        'lms-auth-failures':
          '{ ($.event = "auth.failure") || (($.message = "*authentication failed*") || ($.message = "*login failed*") || ($.message = "*invalid credentials*")) }',
        'lms-slow-responses': '{ $.duration_ms > 2000 }',
      });
      expect(filters.metricFilters?.[0]?.metricTransformations?.[0]).toMatchObject({
        metricNamespace: 'LMS/Logs',
        metricValue: '1',
      });
      expect(warnings).toEqual([]);

      const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames }));
      expect(alarms.MetricAlarms).toHaveLength(5);
      const disk = alarms.MetricAlarms?.find((a) => a.AlarmName?.endsWith('low-disk'));
      expect(disk).toMatchObject({
        Namespace: 'CWAgent',
        MetricName: 'disk_used_percent',
        Statistic: 'Maximum',
        Threshold: 85,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
      });
      const errors = alarms.MetricAlarms?.find((a) => a.AlarmName?.endsWith('error-rate'));
      expect(errors).toMatchObject({
        Namespace: 'LMS/Logs',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });

      const queries = [...proxy.queries.values()].filter((q) =>
        q.logGroupNames.includes(logGroupName),
      );
      expect(queries.map((q) => q.name).sort()).toEqual(
        ['auth-failures', 'error-rate', 'http-5xx', 'slow-responses'].map(
          (id) => `LMS/${environment}/lms-api/${id}`,
        ),
      );
      expect(queries.find((q) => q.name.endsWith('http-5xx'))?.queryString).toContain(
        '| filter status_code >= 500',
      );

      const dashboard = await cloudwatch.send(
        new GetDashboardCommand({ DashboardName: dashboardName }),
      );
      const body = JSON.parse(dashboard.DashboardBody ?? '{}') as { widgets: { type: string }[] };
      expect(body.widgets.filter((w) => w.type === 'metric')).toHaveLength(5);
      expect(body.widgets.filter((w) => w.type === 'log')).toHaveLength(4);
    } finally {
      await provisioner.close?.();
    }
  });

  it('an alert disabled later removes its metric filter, alarm and stale settings', async () => {
    const logGroupName = uniqueGroup('setup-disable');
    const environment = `d${Date.now().toString(36)}`;
    const common = {
      logGroupName,
      environment,
      service: 'lms-api',
      dashboardName: `LMS-system-health-${environment}`,
      logsClientConfig: { endpoint: proxy.url },
    };
    cleanup.push(
      () => deleteGroup(logs, logGroupName),
      () =>
        cloudwatch.send(
          new DeleteAlarmsCommand({
            AlarmNames: [
              'error-rate',
              'http-5xx',
              'auth-failures',
              'slow-responses',
              'low-disk',
            ].map((id) => `lms-${environment}-lms-api-${id}`),
          }),
        ),
      () =>
        cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [common.dashboardName] })),
    );
    const first = createCloudWatchProvisioner(common);
    await first.apply();
    await first.close?.();
    const second = createCloudWatchProvisioner({
      ...common,
      alerts: { 'http-5xx': { enabled: false } },
    });
    try {
      const plan = await second.plan();
      expect(plan.filter((c) => c.action === 'delete').map((c) => `${c.kind} ${c.name}`)).toEqual([
        'metric-filter lms-http-5xx',
        `alarm lms-${environment}-lms-api-http-5xx`,
      ]);
      await second.apply();
      expect(await second.plan()).toEqual([]);
    } finally {
      await second.close?.();
    }
  });
});
