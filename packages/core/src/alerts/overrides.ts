import { z } from 'zod';
import { SEVERITIES } from '../record.js';
import type { Schema, Severity } from '../record.js';
import { DURATION_UNITS } from './field-names.js';
import type { AlertFieldNames } from './field-names.js';
import { isValidFieldPath } from './field-path.js';
import type { AlertSeverity } from './model.js';
import { regexProblem } from './portable-regex.js';

/** Settings every default alert accepts. */
export interface CommonAlertOverride {
  /** `false` keeps the definition but marks it disabled (same as passing `false` for the alert). */
  readonly enabled?: boolean;
  readonly threshold?: number;
  readonly windowMinutes?: number;
  readonly severity?: AlertSeverity;
}

export interface LogCountAlertOverride extends CommonAlertOverride {
  /** Count per combination of these fields instead of over all records. */
  readonly groupBy?: readonly string[];
}

export interface ErrorRateOverride extends LogCountAlertOverride {
  /** Levels that count as errors; default `['error', 'fatal']`. */
  readonly levels?: readonly Severity[];
}

export interface Http5xxOverride extends LogCountAlertOverride {
  /** Lowest status code that counts; default 500. */
  readonly minStatus?: number;
}

export interface AuthFailuresOverride extends LogCountAlertOverride {
  /** Value of the event field that marks a failed login; `false`: don't match on the event. */
  readonly eventValue?: string | false;
  /** Case-insensitive regex source searched in the message; `false`: don't match messages. */
  readonly messagePattern?: string | false;
}

export interface SlowResponsesOverride extends LogCountAlertOverride {
  /** Responses slower than this many milliseconds count, whatever unit the field uses. */
  readonly slowerThanMs?: number;
}

export interface LowDiskOverride extends CommonAlertOverride {
  /** Record field holding the used percentage, for backends that read it from log documents. */
  readonly field?: string;
}

/**
 * Changes to the default alerts. Each alert takes `false` (disable), `true` (defaults) or an
 * object of settings. Everything is validated by {@link validateAlertOverrides}.
 */
export interface AlertOverrides {
  /** Which schema's field names to start from; default `lms`. */
  readonly schema?: Schema;
  /** Field names replacing the schema's defaults. */
  readonly fields?: Partial<AlertFieldNames>;
  readonly 'error-rate'?: boolean | ErrorRateOverride;
  readonly 'http-5xx'?: boolean | Http5xxOverride;
  readonly 'auth-failures'?: boolean | AuthFailuresOverride;
  readonly 'slow-responses'?: boolean | SlowResponsesOverride;
  readonly 'low-disk'?: boolean | LowDiskOverride;
}

export interface AlertOverrideIssue {
  /** Dotted path of the offending key, e.g. `slow-responses.threshold`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown for invalid overrides; the message names every bad key. */
export class AlertOverridesError extends Error {
  readonly issues: readonly AlertOverrideIssue[];

  constructor(issues: readonly AlertOverrideIssue[]) {
    super(
      `invalid alert overrides: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
    );
    this.name = 'AlertOverridesError';
    this.issues = issues;
  }
}

const fieldPath = z
  .string({ error: 'must be a string' })
  .trim()
  .refine(isValidFieldPath, { error: 'must be a field name or a dotted path such as host.name' });

const common = {
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  threshold: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .optional(),
  // Capped at a day: longer log-alert windows are rare and backends limit them (a CloudWatch
  // alarm, for one, looks back at most a day).
  windowMinutes: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number of minutes' })
    .min(1, { error: 'must be at least 1' })
    .max(1440, { error: 'must be at most 1440 (one day)' })
    .optional(),
  severity: z
    .enum(['critical', 'warning'], { error: 'must be "critical" or "warning"' })
    .optional(),
};

const logCountCommon = {
  ...common,
  groupBy: z.array(fieldPath, { error: 'must be a list of field names' }).optional(),
};

const portableRegex = z
  .string({ error: 'must be a string or false' })
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', message: `is not usable: ${problem}` });
  });

const errorRateShape = {
  ...logCountCommon,
  levels: z
    .array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }), {
      error: 'must be a list of levels',
    })
    .min(1, { error: 'must name at least one level' })
    .optional(),
};

const http5xxShape = {
  ...logCountCommon,
  minStatus: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(100, { error: 'must be an HTTP status (100-599)' })
    .max(599, { error: 'must be an HTTP status (100-599)' })
    .optional(),
};

const authFailuresShape = {
  ...logCountCommon,
  eventValue: z
    .union([z.literal(false), z.string().trim().min(1, { error: 'must not be empty' })], {
      error: 'must be a non-empty string or false',
    })
    .optional(),
  messagePattern: z
    .union([z.literal(false), portableRegex], { error: 'must be a regex source string or false' })
    .optional(),
};

const slowResponsesShape = {
  ...logCountCommon,
  slowerThanMs: z
    .number({ error: 'must be a number' })
    .positive({ error: 'must be greater than 0' })
    .optional(),
};

const lowDiskShape = {
  ...common,
  // Disk usage is a percentage, so the count rules of `common` do not apply.
  threshold: z
    .number({ error: 'must be a number' })
    .gt(0, { error: 'must be a percentage between 0 and 100' })
    .lt(100, { error: 'must be a percentage between 0 and 100' })
    .optional(),
  field: fieldPath.optional(),
};

const fieldsShape = {
  timestampField: fieldPath.optional(),
  levelField: fieldPath.optional(),
  messageField: fieldPath.optional(),
  statusField: fieldPath.optional(),
  durationField: fieldPath.optional(),
  durationUnit: z
    .enum(DURATION_UNITS, { error: `must be one of ${DURATION_UNITS.join(', ')}` })
    .optional(),
  eventField: fieldPath.optional(),
  hostField: fieldPath.optional(),
};

/** `true`/`false` are shorthands for `{ enabled }`, so each alert has a single object schema. */
function toggleable<Shape extends z.ZodRawShape>(shape: Shape) {
  const object = z.strictObject(shape, { error: 'must be true, false or an object' });
  return z.preprocess((value) => (typeof value === 'boolean' ? { enabled: value } : value), object);
}

const overridesShape = {
  schema: z.enum(['lms', 'ecs'], { error: 'must be "lms" or "ecs"' }).optional(),
  fields: z.strictObject(fieldsShape, { error: 'must be an object' }).optional(),
  'error-rate': toggleable(errorRateShape).optional(),
  'http-5xx': toggleable(http5xxShape).optional(),
  'auth-failures': toggleable(authFailuresShape)
    .refine((value) => !(value.eventValue === false && value.messagePattern === false), {
      error: 'needs eventValue or messagePattern (disable the alert with false instead)',
    })
    .optional(),
  'slow-responses': toggleable(slowResponsesShape).optional(),
  'low-disk': toggleable(lowDiskShape).optional(),
};

const overridesSchema = z.strictObject(overridesShape, { error: 'must be an object' });

/** Overrides after validation: every alert entry is an object (booleans became `{ enabled }`). */
export type ValidatedAlertOverrides = z.output<typeof overridesSchema>;

// For "unknown key" errors: the keys that are allowed at each path.
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(overridesShape),
  fields: Object.keys(fieldsShape),
  'error-rate': Object.keys(errorRateShape),
  'http-5xx': Object.keys(http5xxShape),
  'auth-failures': Object.keys(authFailuresShape),
  'slow-responses': Object.keys(slowResponsesShape),
  'low-disk': Object.keys(lowDiskShape),
};

/**
 * Checks user-provided overrides (often parsed from JSON or env, hence `unknown`) and returns
 * them normalised. Throws {@link AlertOverridesError} naming every bad key.
 */
export function validateAlertOverrides(input: unknown): ValidatedAlertOverrides {
  const result = overridesSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw new AlertOverridesError(result.error.issues.flatMap(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): AlertOverrideIssue[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[path];
    const hint = known === undefined ? '' : ` (known keys: ${known.join(', ')})`;
    return issue.keys.map((key) => ({
      path: path === '' ? key : `${path}.${key}`,
      message: `is not a known key${hint}`,
    }));
  }
  const got = issue.input === undefined ? '' : ` (got ${preview(issue.input)})`;
  return [{ path: path === '' ? '(overrides)' : path, message: `${issue.message}${got}` }];
}

function preview(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
