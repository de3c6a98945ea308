/**
 * The body of the `LMS-system-health` dashboard: one metric widget per alert metric (sums per
 * 5 minutes), the agent's disk usage, and Logs Insights widgets listing recent matching records.
 * Keys are written in a fixed order so that comparing with GetDashboard's body is stable.
 */
export interface DashboardAlert {
  readonly title: string;
  readonly metricName: string;
  readonly insights: string;
}

export interface DashboardOptions {
  readonly logGroupName: string;
  readonly namespace: string;
  readonly region: string;
  readonly alerts: readonly DashboardAlert[];
  readonly diskMetric: boolean;
}

export function dashboardBody(options: DashboardOptions): string {
  const widgets: Record<string, unknown>[] = [];
  const width = 12;
  const height = 6;
  let slot = 0;
  const place = (widget: Record<string, unknown>): void => {
    widgets.push({
      ...widget,
      x: (slot % 2) * width,
      y: Math.floor(slot / 2) * height,
      width,
      height,
    });
    slot++;
  };
  for (const alert of options.alerts) {
    place({
      type: 'metric',
      properties: {
        title: alert.title,
        region: options.region,
        view: 'timeSeries',
        stat: 'Sum',
        period: 300,
        metrics: [[options.namespace, alert.metricName]],
      },
    });
  }
  if (options.diskMetric) {
    place({
      type: 'metric',
      properties: {
        title: 'Disk used % (CloudWatch agent)',
        region: options.region,
        view: 'timeSeries',
        stat: 'Maximum',
        period: 300,
        metrics: [['CWAgent', 'disk_used_percent']],
      },
    });
  }
  for (const alert of options.alerts) {
    place({
      type: 'log',
      properties: {
        title: `Recent: ${alert.title}`,
        region: options.region,
        view: 'table',
        query: `SOURCE '${options.logGroupName}' | fields @timestamp, log_level, status_code, message | filter ${alert.insights} | sort @timestamp desc | limit 50`,
      },
    });
  }
  return JSON.stringify({ widgets });
}
