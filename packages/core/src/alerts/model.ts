import type { Filter } from './filter.js';

/**
 * The backend-neutral alert model. Every backend provisions its native alerts from these
 * definitions, and the local evaluator applies them to a record stream, so both share one meaning.
 */
export type AlertDefinition = LogCountAlert | MetricAlert;

export type AlertSeverity = 'critical' | 'warning';

/** How the observed value is compared with `threshold`; firing when `value <comparator> threshold`. */
export type Comparator = '>=' | '>';

interface AlertBase {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: AlertSeverity;
  /**
   * Disabled definitions stay in the list so that provisioning can remove an alert it created
   * earlier; the evaluator skips them.
   */
  readonly enabled: boolean;
  readonly comparator: Comparator;
  readonly threshold: number;
  /** Length of the sliding window the value is computed over. */
  readonly windowMinutes: number;
  /** Record fields whose values split the count (one series per combination); none: one series. */
  readonly groupBy?: readonly string[];
}

/** Fires when the number of records matching `filter` inside the window reaches the threshold. */
export interface LogCountAlert extends AlertBase {
  readonly kind: 'log-count';
  readonly filter: Filter;
  /** Where the human-readable message lives; used for sample messages in notifications. */
  readonly messageField: string;
}

/**
 * Fires when a numeric metric reported per host crosses the threshold. The value of a host is
 * the maximum it reported inside the window (CloudWatch's `Maximum` statistic, Azure's `Maximum`
 * aggregation), and the alert's value is the highest host's.
 */
export interface MetricAlert extends AlertBase {
  readonly kind: 'metric';
  readonly metric: string;
  /**
   * The record field carrying the value, for backends that read the metric from log documents
   * instead of a metrics API. Must hold the same unit as `threshold` (a percentage for disk).
   */
  readonly field?: string;
}

/** The metric name the `low-disk` alert watches: used space of a filesystem, 0–100. */
export const DISK_USED_PERCENT = 'disk_used_percent';

export const DEFAULT_ALERT_IDS = [
  'error-rate',
  'http-5xx',
  'auth-failures',
  'slow-responses',
  'low-disk',
] as const;
export type DefaultAlertId = (typeof DEFAULT_ALERT_IDS)[number];
