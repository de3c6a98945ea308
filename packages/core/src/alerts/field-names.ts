import type { Schema } from '../record.js';

/** Units a duration field can be stored in. */
export const DURATION_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** The record fields the default alerts read; dotted names resolve nested or literal keys. */
export interface AlertFieldNames {
  readonly timestampField: string;
  readonly levelField: string;
  readonly messageField: string;
  readonly statusField: string;
  readonly durationField: string;
  /**
   * Unit of `durationField`; slow-response limits are given in ms and converted to this. When an
   * override replaces `durationField` without saying its unit, the unit is taken to be `ms`.
   */
  readonly durationUnit: DurationUnit;
  readonly eventField: string;
  readonly hostField: string;
}

const LMS_FIELDS: AlertFieldNames = {
  timestampField: '@timestamp',
  levelField: 'log_level',
  messageField: 'message',
  statusField: 'status_code',
  durationField: 'duration_ms',
  durationUnit: 'ms',
  eventField: 'event',
  hostField: 'host.name',
};

const ECS_FIELDS: AlertFieldNames = {
  timestampField: '@timestamp',
  levelField: 'log.level',
  messageField: 'message',
  statusField: 'http.response.status_code',
  // ECS stores event.duration in nanoseconds.
  durationField: 'event.duration',
  durationUnit: 'ns',
  eventField: 'event.action',
  hostField: 'host.name',
};

/** The default alert field names of a record schema. */
export function fieldNamesFor(schema: Schema): AlertFieldNames {
  return schema === 'ecs' ? ECS_FIELDS : LMS_FIELDS;
}

/**
 * Converts a limit in milliseconds to the unit a duration field is stored in (2000 ms → 2e9 ns).
 * Micro- and nanoseconds are rounded to whole units so that float noise (0.1 ms × 1e6 =
 * 100000.00000000001) cannot shift a comparison.
 */
export function msToDurationUnit(ms: number, unit: DurationUnit): number {
  switch (unit) {
    case 's':
      return ms / 1000;
    case 'ms':
      return ms;
    case 'us':
      return Math.round(ms * 1e3);
    case 'ns':
      return Math.round(ms * 1e6);
  }
}
