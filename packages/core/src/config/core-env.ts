import { z } from 'zod';
import { envSchemas, type EnvSpec } from './env-spec.js';

export const BACKEND_NAMES = [
  'file',
  'console',
  'elk',
  'cloudwatch',
  'gcp',
  'azure',
  'graylog',
  'papertrail',
  'loggly',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Variables core reads; each backend package documents its own beside these. */
export const CORE_ENV = {
  LMS_LOG_BACKEND: {
    schema: z.enum(BACKEND_NAMES, { message: 'unknown backend' }),
    expected: `one of ${BACKEND_NAMES.join(', ')}`,
    description: 'Where logs go. Backends other than file and console load their package.',
    defaultText: '`file`',
  },
  ENVIRONMENT: {
    schema: envSchemas.text,
    expected: 'a name such as production or staging',
    description: "`environment` of records that don't carry their own.",
    defaultText: '`production`',
  },
  LMS_SERVICE_NAME: {
    schema: envSchemas.text,
    expected: 'a service name',
    description: '`service` of every record.',
    defaultText: '`lms-backend`',
  },
  LMS_LOG_SCHEMA: {
    schema: z.enum(['lms', 'ecs']),
    expected: '`lms` or `ecs`',
    description: 'Field names: the seed mapping (`log_level`, ...) or ECS (`log.level`, ...).',
    defaultText: '`lms`',
  },
  LMS_LOG_DIR: {
    schema: envSchemas.text,
    expected: 'a directory path',
    description: 'Directory of the file backend and of the dead letter.',
    defaultText: '`./logs`',
  },
  LMS_LOG_DEAD_LETTER: {
    schema: envSchemas.text,
    expected: 'a file path',
    description: 'NDJSON file for rejected and expired records, with reasons.',
    defaultText: '`$LMS_LOG_DIR/dead-letter.ndjson`',
  },
  LMS_LOG_REDACT: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description: 'Mask secrets and PII before anything leaves the process.',
    defaultText: '`true`',
  },
  LMS_LOG_REDACT_KEYS: {
    schema: envSchemas.list,
    expected: 'comma-separated field names',
    description: 'Extra field names whose values are replaced by `[REDACTED]`.',
  },
  LMS_LOG_REDACT_ALLOW: {
    schema: envSchemas.list,
    expected: 'comma-separated field names',
    description: 'Field names never redacted (an allow-list wins over the key list).',
  },
  LMS_LOG_BUFFER_BYTES: {
    schema: envSchemas.bytes,
    expected: 'a byte size such as 67108864 or 64MiB',
    description: 'Memory bound on queued and in-flight records.',
    defaultText: '`64MiB`',
  },
  LMS_LOG_QUEUE_MAX_RECORDS: {
    schema: envSchemas.positiveInt,
    expected: 'a positive integer',
    description: 'Bound on queued records.',
    defaultText: '`1000000`',
  },
  LMS_LOG_OVERFLOW: {
    schema: z.enum(['drop-oldest', 'drop-newest']),
    expected: '`drop-oldest` or `drop-newest`',
    description: 'Which record is dropped (and counted) when the bound is hit.',
    defaultText: '`drop-oldest`',
  },
  LMS_LOG_FLUSH_INTERVAL_MS: {
    schema: envSchemas.positiveInt,
    expected: 'milliseconds, a positive integer',
    description: 'A partial batch is sent once its oldest record waited this long.',
    defaultText: '`1000`',
  },
  LMS_LOG_BATCH_MAX_RECORDS: {
    schema: envSchemas.positiveInt,
    expected: 'a positive integer',
    description: "Records per request (never above the backend's limit).",
    defaultText: "the backend's limit",
  },
  LMS_LOG_BATCH_MAX_BYTES: {
    schema: envSchemas.bytes,
    expected: 'a byte size',
    description: "Bytes per request (never above the backend's limit).",
    defaultText: "the backend's limit",
  },
  LMS_LOG_MAX_IN_FLIGHT: {
    schema: envSchemas.positiveInt,
    expected: 'a positive integer',
    description: 'Requests in flight at once.',
    defaultText: '`2`',
  },
  LMS_LOG_RECORD_DEADLINE_MS: {
    schema: envSchemas.positiveInt,
    expected: 'milliseconds, a positive integer',
    description: 'A record undelivered this long after it was written is dead-lettered.',
    defaultText: '`600000`',
  },
  LMS_LOG_MAX_RECORD_BYTES: {
    schema: envSchemas.bytes,
    expected: 'a byte size',
    description:
      "Records above this are shrunk (marked `truncated: true`); capped by the backend's limit.",
    defaultText: '`256KiB`',
  },
  LMS_LOG_RETENTION_DAYS: {
    schema: envSchemas.positiveInt,
    expected: 'days, a positive integer',
    description: "Retention: old daily files (file backend) or the backend's retention setting.",
    defaultText: '`30`',
  },
  LMS_LOG_FILE_MAX_BYTES: {
    schema: envSchemas.bytes,
    expected: 'a byte size',
    description: 'File backend: a day file that grows past this continues in `lms-DATE.N.log`.',
    defaultText: '`100MiB`',
  },
  LMS_LOG_HANDLE_SIGNALS: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description: 'Flush on SIGTERM/SIGINT, then exit as the signal would.',
    defaultText: '`false`',
  },
  LMS_LOG_SELF_LOG: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description:
      "Print shipping problems (rate-limited) to stderr; never through the app's logger.",
    defaultText: '`true`',
  },
  LMS_STRUCTURED_LOGGING: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description: "The LMS backend's switch: with `createLmsLogger`, also log to the console.",
    defaultText: '`false`',
  },
  LMS_STRUCTURED_LOG_FORMAT: {
    schema: z.enum(['json', 'text']),
    expected: '`json` or `text`',
    description:
      'Console format when `LMS_STRUCTURED_LOGGING=true` (`json`: one JSON record a line).',
    defaultText: '`json`',
  },
} satisfies EnvSpec;
