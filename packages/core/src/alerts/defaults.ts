import type { Severity } from '../record.js';
import { fieldNamesFor, msToDurationUnit } from './field-names.js';
import type { AlertFieldNames } from './field-names.js';
import type { FieldCondition, Filter } from './filter.js';
import { DISK_USED_PERCENT } from './model.js';
import type {
  AlertDefinition,
  AlertSeverity,
  DefaultAlertId,
  LogCountAlert,
  MetricAlert,
} from './model.js';
import { validateAlertOverrides } from './overrides.js';
import type {
  AlertOverrides,
  LogCountAlertOverride,
  ValidatedAlertOverrides,
} from './overrides.js';

export const DEFAULT_ERROR_LEVELS: readonly Severity[] = ['error', 'fatal'];
export const DEFAULT_AUTH_FAILURE_EVENT = 'auth.failure';
export const DEFAULT_AUTH_FAILURE_PATTERN =
  'authentication failed|login failed|invalid credentials';
export const DEFAULT_SLOW_RESPONSE_MS = 2000;
export const DEFAULT_LOW_DISK_PERCENT = 85;
const DEFAULT_WINDOW_MINUTES = 5;

type Settings<Id extends keyof ValidatedAlertOverrides> = NonNullable<ValidatedAlertOverrides[Id]>;

/**
 * The five default alerts, adjusted by `overrides` (validated first; throws
 * `AlertOverridesError` naming the bad key). Disabled alerts are returned with `enabled: false`
 * so that provisioning can remove them from a backend.
 *
 * Duration limits are configured in milliseconds and written into the filter in the unit of the
 * duration field (`durationUnit`), so `event.duration` (ECS, nanoseconds) gets `gt 2e9` while
 * `duration_ms` gets `gt 2000`. Backends then translate filters literally, with no unit logic.
 */
export function defaultAlertDefinitions(overrides?: AlertOverrides): AlertDefinition[] {
  const settings = validateAlertOverrides(overrides);
  const fields = resolveFieldNames(settings);
  return [
    errorRateAlert(fields, settings['error-rate'] ?? {}),
    http5xxAlert(fields, settings['http-5xx'] ?? {}),
    authFailuresAlert(fields, settings['auth-failures'] ?? {}),
    slowResponsesAlert(fields, settings['slow-responses'] ?? {}),
    lowDiskAlert(fields, settings['low-disk'] ?? {}),
  ];
}

function resolveFieldNames(settings: ValidatedAlertOverrides): AlertFieldNames {
  const base = fieldNamesFor(settings.schema ?? 'lms');
  const given = settings.fields ?? {};
  return {
    timestampField: given.timestampField ?? base.timestampField,
    levelField: given.levelField ?? base.levelField,
    messageField: given.messageField ?? base.messageField,
    statusField: given.statusField ?? base.statusField,
    durationField: given.durationField ?? base.durationField,
    // The schema's unit describes the schema's field; a replaced field is assumed to be in ms.
    durationUnit:
      given.durationUnit ?? (given.durationField === undefined ? base.durationUnit : 'ms'),
    eventField: given.eventField ?? base.eventField,
    hostField: given.hostField ?? base.hostField,
  };
}

function errorRateAlert(fields: AlertFieldNames, settings: Settings<'error-rate'>): LogCountAlert {
  const levels = settings.levels ?? DEFAULT_ERROR_LEVELS;
  return logCountAlert(fields, settings, {
    id: 'error-rate',
    title: 'High error rate',
    severity: 'critical',
    threshold: 50,
    filter: { field: fields.levelField, op: 'in', value: [...levels] },
    describe: (threshold, windowMinutes) =>
      `${threshold} or more ${levels.join('/')} records within ${windowMinutes} min.`,
  });
}

function http5xxAlert(fields: AlertFieldNames, settings: Settings<'http-5xx'>): LogCountAlert {
  const minStatus = settings.minStatus ?? 500;
  return logCountAlert(fields, settings, {
    id: 'http-5xx',
    title: 'HTTP server errors',
    severity: 'critical',
    threshold: 1,
    filter: { field: fields.statusField, op: 'gte', value: minStatus },
    describe: (threshold, windowMinutes) =>
      `${threshold} or more responses with status ${minStatus} or above within ${windowMinutes} min.`,
  });
}

function authFailuresAlert(
  fields: AlertFieldNames,
  settings: Settings<'auth-failures'>,
): LogCountAlert {
  const eventValue = settings.eventValue ?? DEFAULT_AUTH_FAILURE_EVENT;
  const pattern = settings.messagePattern ?? DEFAULT_AUTH_FAILURE_PATTERN;
  const forms: FieldCondition[] = [];
  if (eventValue !== false) forms.push({ field: fields.eventField, op: 'eq', value: eventValue });
  if (pattern !== false) forms.push({ field: fields.messageField, op: 'matches', value: pattern });
  // One `any` over both forms: a record that matches both is still counted once.
  const filter: Filter = forms.length === 1 ? forms[0] : { op: 'any', of: forms };
  return logCountAlert(fields, settings, {
    id: 'auth-failures',
    title: 'Repeated authentication failures',
    severity: 'warning',
    threshold: 10,
    filter,
    describe: (threshold, windowMinutes) =>
      `${threshold} or more failed logins within ${windowMinutes} min (possible credential stuffing).`,
  });
}

function slowResponsesAlert(
  fields: AlertFieldNames,
  settings: Settings<'slow-responses'>,
): LogCountAlert {
  const slowerThanMs = settings.slowerThanMs ?? DEFAULT_SLOW_RESPONSE_MS;
  const limit = msToDurationUnit(slowerThanMs, fields.durationUnit);
  return logCountAlert(fields, settings, {
    id: 'slow-responses',
    title: 'Slow responses',
    severity: 'warning',
    threshold: 10,
    filter: { field: fields.durationField, op: 'gt', value: limit },
    describe: (threshold, windowMinutes) =>
      `${threshold} or more responses slower than ${slowerThanMs} ms within ${windowMinutes} min` +
      ` (${fields.durationField} is in ${fields.durationUnit}).`,
  });
}

/** What one default log-count alert has of its own (settings may override the defaults). */
interface LogCountDefaults {
  readonly id: DefaultAlertId;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly threshold: number;
  readonly filter: Filter;
  describe(threshold: number, windowMinutes: number): string;
}

/**
 * A default log-count alert: fires when `threshold` or more records match `filter` within the
 * window, with the settings' overrides of threshold, window, severity, `enabled` and `groupBy`.
 */
function logCountAlert(
  fields: AlertFieldNames,
  settings: LogCountAlertOverride,
  defaults: LogCountDefaults,
): LogCountAlert {
  const threshold = settings.threshold ?? defaults.threshold;
  const windowMinutes = settings.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  return {
    id: defaults.id,
    kind: 'log-count',
    title: defaults.title,
    description: defaults.describe(threshold, windowMinutes),
    severity: settings.severity ?? defaults.severity,
    enabled: settings.enabled ?? true,
    filter: defaults.filter,
    comparator: '>=',
    threshold,
    windowMinutes,
    messageField: fields.messageField,
    ...groupByOf(settings.groupBy),
  };
}

function lowDiskAlert(fields: AlertFieldNames, settings: Settings<'low-disk'>): MetricAlert {
  const threshold = settings.threshold ?? DEFAULT_LOW_DISK_PERCENT;
  const windowMinutes = settings.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  return {
    id: 'low-disk',
    kind: 'metric',
    title: 'Low disk space on a logging host',
    description: `Disk usage above ${threshold} % on any host within ${windowMinutes} min.`,
    severity: settings.severity ?? 'critical',
    enabled: settings.enabled ?? true,
    metric: DISK_USED_PERCENT,
    comparator: '>',
    threshold,
    windowMinutes,
    groupBy: [fields.hostField],
    ...(settings.field === undefined ? {} : { field: settings.field }),
  };
}

function groupByOf(groupBy: readonly string[] | undefined): { groupBy?: readonly string[] } {
  return groupBy === undefined || groupBy.length === 0 ? {} : { groupBy: [...groupBy] };
}
