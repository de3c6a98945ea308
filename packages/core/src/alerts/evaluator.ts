import type { JsonObject } from '../record.js';
import { compileFieldPath } from './field-path.js';
import type { FieldReader } from './field-path.js';
import { compileFilter } from './filter.js';
import type { RecordPredicate } from './filter.js';
import type {
  AlertDefinition,
  AlertSeverity,
  Comparator,
  LogCountAlert,
  MetricAlert,
} from './model.js';
import { SampleMessages } from './sample-messages.js';
import { SeriesWindows } from './series-windows.js';
import { createTimestampParser } from './timestamp.js';

/** The state of one enabled alert at one moment. */
export interface AlertStatus {
  readonly id: string;
  readonly title: string;
  readonly kind: AlertDefinition['kind'];
  readonly severity: AlertSeverity;
  readonly firing: boolean;
  /** Log-count: matching records in the window (highest series). Metric: highest host's maximum. */
  readonly value: number;
  readonly threshold: number;
  readonly windowMinutes: number;
  readonly comparator: Comparator;
  /** The series `value` comes from: `field=value, …` of the group-by, or the host of a metric. */
  readonly group?: string;
  /** Metric alerts: no host reported the metric inside the window (value is then 0). */
  readonly noData?: boolean;
  /** Up to three messages of matching records inside the window, oldest first. */
  readonly sampleMessages?: string[];
}

export interface AlertEvaluatorOptions {
  /** Clock in epoch ms; records without a usable timestamp are placed here. Default `Date.now`. */
  readonly now?: () => number;
  /** Field holding the record time (ISO string or epoch ms). Default `@timestamp`. */
  readonly timestampField?: string;
  /** Most series (group-by combinations or hosts) tracked per alert. Default 100. */
  readonly maxSeriesPerAlert?: number;
}

/** Memory in use, for monitoring and to show it stays bounded. */
export interface AlertEvaluatorStats {
  /** Window buckets allocated over all alerts and series. */
  readonly buckets: number;
  readonly series: number;
  readonly samples: number;
}

/** Its functions are closures, so they can be passed around detached (`stream.on('data', observe)`). */
export interface AlertEvaluator {
  /** Counts one record towards every log-count alert it matches, at its own timestamp. */
  readonly observe: (record: JsonObject) => void;
  /** Records one sample of a per-host metric (e.g. `disk_used_percent`) at `at` (default now). */
  readonly observeMetric: (host: string, metric: string, value: number, at?: number) => void;
  /** The status of every enabled alert for the window ending at `at` (default now). */
  readonly evaluate: (at?: number) => AlertStatus[];
  readonly stats: () => AlertEvaluatorStats;
}

const SAMPLE_LIMIT = 3;
const NO_VALUE = '-';

interface LogCountState {
  readonly definition: LogCountAlert;
  readonly matches: RecordPredicate;
  readonly groupKey: (record: JsonObject) => string;
  readonly readMessage: FieldReader;
  readonly windows: SeriesWindows;
  readonly samples: SampleMessages;
}

interface MetricState {
  readonly definition: MetricAlert;
  readonly windows: SeriesWindows;
}

/**
 * Applies alert definitions to a live record stream, locally: the same meaning the backends'
 * native alerts have, so a demo or a test can show which alerts would fire. Windows are kept
 * in fixed-size bucket arrays, so memory does not grow with the record rate.
 *
 * Time comes from each record's timestamp: records arriving out of order still count while
 * inside the window; records already older than the window (by the clock) are ignored, and
 * records stamped in the future (clock skew between hosts) count as now.
 */
export function createAlertEvaluator(
  definitions: readonly AlertDefinition[],
  options: AlertEvaluatorOptions = {},
): AlertEvaluator {
  checkDefinitions(definitions);
  const now = options.now ?? Date.now;
  const readTimestamp = compileFieldPath(options.timestampField ?? '@timestamp');
  const timestampOf = createTimestampParser();
  const maxSeries = options.maxSeriesPerAlert ?? 100;

  const logCounts: LogCountState[] = [];
  const metrics: MetricState[] = [];
  // One status reader per enabled definition, in definition order.
  const readers: ((at: number) => AlertStatus)[] = [];
  for (const definition of definitions) {
    if (!definition.enabled) continue;
    const windows = new SeriesWindows(
      windowMs(definition),
      definition.kind === 'log-count' ? 'sum' : 'max',
      maxSeries,
    );
    if (definition.kind === 'log-count') {
      const state: LogCountState = {
        definition,
        matches: compileFilter(definition.filter),
        groupKey: compileGroupKey(definition.groupBy ?? []),
        readMessage: compileFieldPath(definition.messageField),
        windows,
        samples: new SampleMessages(SAMPLE_LIMIT),
      };
      logCounts.push(state);
      readers.push((at) => logCountStatus(state, at));
    } else {
      const state: MetricState = { definition, windows };
      metrics.push(state);
      readers.push((at) => metricStatus(state, at));
    }
  }

  const observe = (record: JsonObject): void => {
    const current = now();
    const at = Math.min(timestampOf(readTimestamp(record)) ?? current, current);
    for (const state of logCounts) {
      if (!state.matches(record)) continue;
      const kept = state.windows.add(state.groupKey(record), at, 1, current);
      const message = state.readMessage(record);
      if (kept && typeof message === 'string') state.samples.add(at, message);
    }
  };

  const observeMetric = (host: string, metric: string, value: number, at?: number): void => {
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `metric ${metric} of host ${host} must be a finite number, got ${value}`,
      );
    }
    const current = now();
    const time = Math.min(at ?? current, current);
    for (const state of metrics) {
      if (state.definition.metric === metric) state.windows.add(host, time, value, current);
    }
  };

  const evaluate = (at: number = now()): AlertStatus[] => readers.map((read) => read(at));

  const stats = (): AlertEvaluatorStats => {
    const all = [...logCounts, ...metrics];
    return {
      buckets: all.reduce((total, state) => total + state.windows.bucketCount, 0),
      series: all.reduce((total, state) => total + state.windows.seriesCount, 0),
      samples: logCounts.reduce((total, state) => total + state.samples.size, 0),
    };
  };

  return { observe, observeMetric, evaluate, stats };
}

function logCountStatus(state: LogCountState, at: number): AlertStatus {
  const { definition } = state;
  const highest = state.windows.highest(at);
  const value = highest?.value ?? 0;
  const samples = state.samples.within(at - windowMs(definition), at);
  return {
    ...statusBase(definition, value),
    ...(definition.groupBy?.length && highest !== undefined ? { group: highest.series } : {}),
    ...(samples.length > 0 ? { sampleMessages: samples } : {}),
  };
}

function metricStatus(state: MetricState, at: number): AlertStatus {
  const highest = state.windows.highest(at);
  if (highest === undefined) {
    return { ...statusBase(state.definition, 0), firing: false, noData: true };
  }
  return { ...statusBase(state.definition, highest.value), group: highest.series };
}

function statusBase(definition: AlertDefinition, value: number): AlertStatus {
  return {
    id: definition.id,
    title: definition.title,
    kind: definition.kind,
    severity: definition.severity,
    firing: compare(value, definition.comparator, definition.threshold),
    value,
    threshold: definition.threshold,
    windowMinutes: definition.windowMinutes,
    comparator: definition.comparator,
  };
}

function compare(value: number, comparator: Comparator, threshold: number): boolean {
  return comparator === '>=' ? value >= threshold : value > threshold;
}

function windowMs(definition: AlertDefinition): number {
  return definition.windowMinutes * 60_000;
}

function compileGroupKey(fields: readonly string[]): (record: JsonObject) => string {
  if (fields.length === 0) return () => '';
  const readers = fields.map((field) => ({ field, read: compileFieldPath(field) }));
  return (record) =>
    readers
      .map(({ field, read }) => {
        const value = read(record);
        const text =
          value === undefined
            ? NO_VALUE
            : typeof value === 'string'
              ? value
              : JSON.stringify(value);
        return `${field}=${text}`;
      })
      .join(', ');
}

/** Fails fast on definitions the evaluator could not apply meaningfully. */
function checkDefinitions(definitions: readonly AlertDefinition[]): void {
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (seen.has(definition.id)) throw new TypeError(`duplicate alert id "${definition.id}"`);
    seen.add(definition.id);
    if (!Number.isFinite(definition.windowMinutes) || definition.windowMinutes <= 0) {
      throw new RangeError(`alert "${definition.id}": windowMinutes must be positive`);
    }
    if (!Number.isFinite(definition.threshold)) {
      throw new RangeError(`alert "${definition.id}": threshold must be a finite number`);
    }
  }
}
