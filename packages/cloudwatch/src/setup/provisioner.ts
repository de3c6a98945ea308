/**
 * `lms-logs setup` for CloudWatch: plan, then apply, idempotent. It manages the log group and
 * its retention, one metric filter per log-count alert (namespace `LMS/Logs`), one alarm per
 * alert (the low-disk alarm watches the CloudWatch agent's `CWAgent` `disk_used_percent`), Logs
 * Insights saved queries and the `LMS-system-health` dashboard. `plan` reads what exists and
 * lists only what differs; a second `apply` finds nothing to do.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type CloudWatchClientConfig,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteMetricFilterCommand,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  DescribeQueryDefinitionsCommand,
  PutMetricFilterCommand,
  PutQueryDefinitionCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClientConfig,
  type MetricFilter,
  type QueryDefinition,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  defaultAlertDefinitions,
  planAndApply,
  readAllEnv,
  readEnv,
  type AlertDefinition,
  type AlertOverrides,
  type BackendEnvContext,
  type Env,
  type EnvSpec,
  type LogCountAlert,
  type ProvisionStep,
  type Provisioner,
} from '@lms-logging/core';
import { z } from 'zod';
import { CLOUDWATCH_ENV, defaultLogGroupName } from '../config.js';
import { isAwsError } from '../transport.js';
import { dashboardBody } from './dashboard.js';
import { filterToInsights, filterToPattern } from './filter-pattern.js';
import { snapRetentionDays } from './retention.js';

export const DEFAULT_METRIC_NAMESPACE = 'LMS/Logs';
export const DEFAULT_DASHBOARD_NAME = 'LMS-system-health';
export const FILTER_PREFIX = 'lms-';

export const CLOUDWATCH_SETUP_ENV = {
  LMS_ALERT_SNS_TOPIC_ARN: {
    schema: z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'not an SNS topic ARN'),
    expected: 'an SNS topic ARN (arn:aws:sns:region:account:name)',
    description:
      'Alarm action of every alarm `lms-logs setup` creates. Unset: alarms without actions.',
  },
  LMS_CLOUDWATCH_METRIC_NAMESPACE: {
    schema: z.string().min(1).max(255),
    expected: 'a CloudWatch metric namespace',
    description: 'Namespace of the metric filters\u2019 metrics.',
    defaultText: '`LMS/Logs`',
  },
  LMS_CLOUDWATCH_DASHBOARD: {
    schema: z.string().regex(/^[\w-]{1,255}$/, 'not a dashboard name'),
    expected: 'letters, digits, - and _',
    description: 'Name of the dashboard `lms-logs setup` maintains.',
    defaultText: '`LMS-system-health`',
  },
} satisfies EnvSpec;

export interface CloudWatchProvisionerOptions {
  readonly logGroupName?: string;
  readonly environment?: string;
  readonly service?: string;
  /** Wanted retention; snapped to the nearest value CloudWatch allows. Undefined: never expire. */
  readonly retentionDays?: number;
  readonly schema?: 'lms' | 'ecs';
  readonly alerts?: AlertOverrides;
  readonly snsTopicArn?: string;
  readonly metricNamespace?: string;
  readonly dashboardName?: string;
  readonly logsClientConfig?: CloudWatchLogsClientConfig;
  readonly cloudWatchClientConfig?: CloudWatchClientConfig;
  readonly warn?: (line: string) => void;
}

/** Saved queries: one per log-count alert, named `LMS/<environment>/<service>/<alert id>`. */
const QUERY_FIELDS = 'fields @timestamp, log_level, status_code, duration_ms, message';

export function createCloudWatchProvisioner(
  options: CloudWatchProvisionerOptions = {},
): Provisioner {
  const environment = options.environment ?? 'production';
  const service = options.service ?? 'lms-backend';
  const logGroupName = options.logGroupName ?? defaultLogGroupName(environment, service);
  const namespace = options.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
  const dashboardName = options.dashboardName ?? DEFAULT_DASHBOARD_NAME;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const logs = new CloudWatchLogsClient({ ...options.logsClientConfig, maxAttempts: 3 });
  const cloudwatch = new CloudWatchClient({ ...options.cloudWatchClientConfig, maxAttempts: 3 });
  const definitions: AlertDefinition[] = defaultAlertDefinitions({
    ...(options.schema ? { schema: options.schema } : {}),
    ...options.alerts,
  });
  const scope = `${environment}/${service}`;
  const alarmName = (id: string): string => `lms-${environment}-${service}-${id}`;
  const metricName = (id: string): string => `${scope}/${id}`;
  const queryName = (id: string): string => `LMS/${scope}/${id}`;
  const warned = new Set<string>();
  const warnOnce = (line: string): void => {
    if (!warned.has(line)) warn(line);
    warned.add(line);
  };

  const logCount = definitions.filter((d): d is LogCountAlert => d.kind === 'log-count');
  const patterns = new Map<string, string | undefined>();
  for (const alert of logCount) {
    const { pattern, warnings } = filterToPattern(alert.filter);
    for (const w of warnings) warnOnce(`cloudwatch setup: alert ${alert.id}: ${w}`);
    patterns.set(alert.id, pattern);
  }

  async function retentionSteps(): Promise<ProvisionStep[]> {
    const found = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
    );
    const group = found.logGroups?.find((g) => g.logGroupName === logGroupName);
    const steps: ProvisionStep[] = [];
    if (!group) {
      steps.push({
        change: { action: 'create', kind: 'log-group', name: logGroupName },
        apply: async () => {
          try {
            await logs.send(new CreateLogGroupCommand({ logGroupName }));
          } catch (error) {
            if (!isAwsError(error, 'ResourceAlreadyExistsException')) throw error;
          }
        },
      });
    }
    if (options.retentionDays !== undefined) {
      const { days, snapped } = snapRetentionDays(options.retentionDays);
      if (group?.retentionInDays !== days) {
        const note = snapped
          ? ` (LMS_LOG_RETENTION_DAYS=${options.retentionDays} snapped to ${days}, the nearest value CloudWatch allows)`
          : '';
        steps.push({
          change: {
            action: group?.retentionInDays === undefined ? 'create' : 'update',
            kind: 'retention',
            name: logGroupName,
            detail: `retention ${group?.retentionInDays ?? 'never expire'} -> ${days} days${note}`,
          },
          apply: () =>
            logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: days })),
        });
      }
    }
    return steps;
  }

  async function metricFilterSteps(groupExists: boolean): Promise<ProvisionStep[]> {
    const existing = new Map<string, MetricFilter>();
    if (groupExists) {
      let nextToken: string | undefined;
      do {
        const page = await logs.send(
          new DescribeMetricFiltersCommand({
            logGroupName,
            filterNamePrefix: FILTER_PREFIX,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        for (const f of page.metricFilters ?? []) if (f.filterName) existing.set(f.filterName, f);
        nextToken = page.nextToken;
      } while (nextToken);
    }
    const steps: ProvisionStep[] = [];
    for (const alert of logCount) {
      const filterName = `${FILTER_PREFIX}${alert.id}`;
      const have = existing.get(filterName);
      const pattern = alert.enabled ? patterns.get(alert.id) : undefined;
      if (pattern === undefined) {
        if (have) {
          steps.push({
            change: { action: 'delete', kind: 'metric-filter', name: filterName },
            apply: () => logs.send(new DeleteMetricFilterCommand({ logGroupName, filterName })),
          });
        }
        continue;
      }
      const transformation = {
        metricName: metricName(alert.id),
        metricNamespace: namespace,
        metricValue: '1',
        defaultValue: 0,
      };
      const current = have?.metricTransformations?.[0];
      const same =
        have?.filterPattern === pattern &&
        current?.metricName === transformation.metricName &&
        current.metricNamespace === transformation.metricNamespace &&
        current.metricValue === transformation.metricValue &&
        current.defaultValue === transformation.defaultValue;
      if (same) continue;
      steps.push({
        change: {
          action: have ? 'update' : 'create',
          kind: 'metric-filter',
          name: filterName,
          detail: `${pattern} -> ${namespace} ${transformation.metricName}`,
        },
        apply: () =>
          logs.send(
            new PutMetricFilterCommand({
              logGroupName,
              filterName,
              filterPattern: pattern,
              metricTransformations: [transformation],
            }),
          ),
      });
    }
    return steps;
  }

  function wantedAlarm(alert: AlertDefinition): PutMetricAlarmCommandInput | undefined {
    if (!alert.enabled) return undefined;
    const period =
      alert.windowMinutes <= 1 ? 60 : alert.windowMinutes === 5 ? 300 : alert.windowMinutes * 60;
    const base = {
      AlarmName: alarmName(alert.id),
      AlarmDescription: `${alert.title}: ${alert.description} (managed by lms-logging)`,
      ActionsEnabled: true,
      AlarmActions: options.snsTopicArn ? [options.snsTopicArn] : [],
      Period: period,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: alert.threshold,
      ComparisonOperator:
        alert.comparator === '>=' ? 'GreaterThanOrEqualToThreshold' : 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    } as const;
    if (alert.kind === 'metric') {
      return { ...base, Namespace: 'CWAgent', MetricName: alert.metric, Statistic: 'Maximum' };
    }
    if (patterns.get(alert.id) === undefined) return undefined;
    return { ...base, Namespace: namespace, MetricName: metricName(alert.id), Statistic: 'Sum' };
  }

  function alarmDiffers(have: MetricAlarm, want: PutMetricAlarmCommandInput): string | undefined {
    const pairs: [string, unknown, unknown][] = [
      ['description', have.AlarmDescription, want.AlarmDescription],
      ['namespace', have.Namespace, want.Namespace],
      ['metric', have.MetricName, want.MetricName],
      ['statistic', have.Statistic, want.Statistic],
      ['period', have.Period, want.Period],
      ['evaluation periods', have.EvaluationPeriods, want.EvaluationPeriods],
      ['threshold', have.Threshold, want.Threshold],
      ['comparison', have.ComparisonOperator, want.ComparisonOperator],
      ['missing data', have.TreatMissingData, want.TreatMissingData],
      ['actions', JSON.stringify(have.AlarmActions ?? []), JSON.stringify(want.AlarmActions ?? [])],
    ];
    const diff = pairs
      .filter(([, a, b]) => a !== b)
      .map(([name, a, b]) => `${name} ${String(a)} -> ${String(b)}`);
    return diff.length > 0 ? diff.join(', ') : undefined;
  }

  async function alarmSteps(): Promise<ProvisionStep[]> {
    const names = definitions.map((d) => alarmName(d.id));
    const found = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    const existing = new Map((found.MetricAlarms ?? []).map((a) => [a.AlarmName ?? '', a]));
    const steps: ProvisionStep[] = [];
    for (const alert of definitions) {
      const name = alarmName(alert.id);
      const have = existing.get(name);
      const want = wantedAlarm(alert);
      if (!want) {
        if (have) {
          steps.push({
            change: { action: 'delete', kind: 'alarm', name },
            apply: () => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] })),
          });
        }
        continue;
      }
      const detail = have
        ? alarmDiffers(have, want)
        : `${want.Namespace} ${want.MetricName} ${want.Statistic} ${want.ComparisonOperator} ${want.Threshold}`;
      if (have && detail === undefined) continue;
      steps.push({
        change: {
          action: have ? 'update' : 'create',
          kind: 'alarm',
          name,
          ...(detail ? { detail } : {}),
        },
        apply: () => cloudwatch.send(new PutMetricAlarmCommand(want)),
      });
    }
    return steps;
  }

  function wantedQueries(): { name: string; queryString: string }[] {
    return logCount
      .filter((a) => a.enabled)
      .map((alert) => ({
        name: queryName(alert.id),
        queryString: `${QUERY_FIELDS}\n| filter ${filterToInsights(alert.filter)}\n| sort @timestamp desc\n| limit 200`,
      }));
  }

  async function querySteps(): Promise<ProvisionStep[]> {
    const existing = new Map<string, QueryDefinition>();
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new DescribeQueryDefinitionsCommand({
          queryDefinitionNamePrefix: `LMS/${scope}/`,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const q of page.queryDefinitions ?? []) if (q.name) existing.set(q.name, q);
      nextToken = page.nextToken;
    } while (nextToken);
    const steps: ProvisionStep[] = [];
    for (const want of wantedQueries()) {
      const have = existing.get(want.name);
      const sameGroups =
        JSON.stringify(have?.logGroupNames ?? []) === JSON.stringify([logGroupName]);
      if (have && have.queryString === want.queryString && sameGroups) continue;
      steps.push({
        change: { action: have ? 'update' : 'create', kind: 'query-definition', name: want.name },
        apply: () =>
          logs.send(
            new PutQueryDefinitionCommand({
              name: want.name,
              queryString: want.queryString,
              logGroupNames: [logGroupName],
              ...(have?.queryDefinitionId ? { queryDefinitionId: have.queryDefinitionId } : {}),
            }),
          ),
      });
    }
    return steps;
  }

  async function dashboardSteps(): Promise<ProvisionStep[]> {
    const body = dashboardBody({
      logGroupName,
      namespace,
      region: await logs.config.region(),
      alerts: logCount
        .filter((a) => a.enabled && patterns.get(a.id) !== undefined)
        .map((a) => ({
          title: a.title,
          metricName: metricName(a.id),
          insights: filterToInsights(a.filter),
        })),
      diskMetric: definitions.some((d) => d.kind === 'metric' && d.enabled),
    });
    let current: string | undefined;
    try {
      current = (await cloudwatch.send(new GetDashboardCommand({ DashboardName: dashboardName })))
        .DashboardBody;
    } catch (error) {
      if (
        !isAwsError(error, 'ResourceNotFound') &&
        !isAwsError(error, 'ResourceNotFoundException')
      ) {
        throw error;
      }
    }
    const same =
      current !== undefined &&
      JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(body));
    if (same) return [];
    return [
      {
        change: {
          action: current === undefined ? 'create' : 'update',
          kind: 'dashboard',
          name: dashboardName,
        },
        apply: () =>
          cloudwatch.send(
            new PutDashboardCommand({ DashboardName: dashboardName, DashboardBody: body }),
          ),
      },
    ];
  }

  async function steps(): Promise<ProvisionStep[]> {
    const retention = await retentionSteps();
    const groupExists = !retention.some((s) => s.change.kind === 'log-group');
    return [
      ...retention,
      ...(await metricFilterSteps(groupExists)),
      ...(await alarmSteps()),
      ...(await querySteps()),
      ...(await dashboardSteps()),
    ];
  }

  return {
    name: 'cloudwatch',
    ...planAndApply(steps),
    close() {
      logs.destroy();
      cloudwatch.destroy();
      return Promise.resolve();
    },
  };
}

/** `lms-logs setup` with `LMS_LOG_BACKEND=cloudwatch`. */
export function createProvisionerFromEnv(env: Env, context: BackendEnvContext): Provisioner {
  const [base, setup] = readAllEnv(
    () => readEnv(CLOUDWATCH_ENV, env),
    () => readEnv(CLOUDWATCH_SETUP_ENV, env),
  );
  const schema = env['LMS_LOG_SCHEMA'] === 'ecs' ? 'ecs' : 'lms';
  return createCloudWatchProvisioner({
    logGroupName: base.LMS_CLOUDWATCH_LOG_GROUP,
    environment: context.environment,
    service: context.service,
    retentionDays: context.retentionDays,
    schema,
    snsTopicArn: setup.LMS_ALERT_SNS_TOPIC_ARN,
    metricNamespace: setup.LMS_CLOUDWATCH_METRIC_NAMESPACE,
    dashboardName: setup.LMS_CLOUDWATCH_DASHBOARD,
    warn: context.warn,
  });
}
