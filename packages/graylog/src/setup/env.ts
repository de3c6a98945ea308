/**
 * What `lms-logs setup` reads for Graylog: the REST API's address and credentials, the index set
 * prefix, the notification the event definitions use and the GELF inputs to create.
 */
import {
  envSchemas,
  readAllEnv,
  readEnv,
  readPemFile,
  ConfigurationError,
  type ConfigurationProblem,
  type Env,
  type EnvSpec,
} from '@lms-logging/core';
import { z } from 'zod';
import { DEFAULT_GELF_PORT } from '../config.js';

export type GelfInputProtocol = 'udp' | 'tcp' | 'tls' | 'http';

export interface GelfInputWish {
  readonly protocol: GelfInputProtocol;
  readonly port: number;
}

const INPUT_ITEM = /^(udp|tcp|tls|http)(?::(\d{1,5}))?$/;

/** `udp:12201,tcp:12201,http:12202,tls:12203`; a missing port is 12201. */
export function parseGelfInputs(text: string): GelfInputWish[] | string {
  const wishes: GelfInputWish[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    const match = INPUT_ITEM.exec(item);
    if (!match) return `"${raw.trim()}" is not udp, tcp, tls or http with an optional :port`;
    const port = match[2] === undefined ? DEFAULT_GELF_PORT : Number(match[2]);
    if (port < 1 || port > 65_535) return `port ${port} is out of range`;
    const protocol = match[1] as GelfInputProtocol;
    const clash = wishes.find(
      (w) => w.port === port && (w.protocol === 'udp') === (protocol === 'udp'),
    );
    if (clash) return `${protocol}:${port} and ${clash.protocol}:${port} would share a port`;
    wishes.push({ protocol, port });
  }
  return wishes;
}

const gelfInputs = z.string().transform((text, ctx) => {
  const parsed = parseGelfInputs(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

export const GRAYLOG_SETUP_ENV = {
  GRAYLOG_API_URL: {
    schema: envSchemas.url.refine((v) => /^https?:/i.test(v), 'not an http(s) URL'),
    expected: 'the REST API base, e.g. `https://graylog.example.edu/api`',
    description: 'Graylog REST API that `lms-logs setup` provisions (`/api` is added if missing).',
    required: true,
  },
  GRAYLOG_API_TOKEN: {
    schema: envSchemas.text,
    expected: 'a Graylog access token',
    secret: true,
    description:
      'Access token for the REST API (sent as `<token>:token`). Preferred over a password.',
  },
  GRAYLOG_API_USERNAME: {
    schema: envSchemas.text,
    expected: 'a Graylog user name',
    description: 'User for the REST API when no token is given (with `GRAYLOG_API_PASSWORD`).',
  },
  GRAYLOG_API_PASSWORD: {
    schema: envSchemas.text,
    expected: 'the password of `GRAYLOG_API_USERNAME`',
    secret: true,
    description: 'Password for the REST API.',
  },
  GRAYLOG_API_CA_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM file',
    description: 'CA certificate(s) to trust for an https API.',
    defaultText: 'the system CAs',
  },
  LMS_GRAYLOG_INDEX_PREFIX: {
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_+-]*$/, 'not a Graylog index prefix')
      .max(200),
    expected: 'lower-case letters, digits, _, + and -, starting with a letter or digit',
    description: 'Index prefix of the index set setup creates.',
    defaultText: '`lms-<environment>`',
  },
  LMS_GRAYLOG_SHARDS: {
    schema: envSchemas.positiveInt,
    expected: 'a positive integer',
    description: 'Shards per index of the index set.',
    defaultText: '1',
  },
  LMS_GRAYLOG_REPLICAS: {
    schema: envSchemas.nonNegativeInt,
    expected: 'an integer, 0 or more',
    description: 'Replicas per index of the index set.',
    defaultText: '0',
  },
  LMS_GRAYLOG_NOTIFICATION_ID: {
    schema: z.string().regex(/^[a-f0-9]{24}$/, 'not a Graylog id (24 hex digits)'),
    expected: 'the id of an existing event notification (24 hex digits)',
    description: 'Notification the five alert event definitions send to.',
    defaultText: 'none (events are recorded, nobody is notified)',
  },
  LMS_GRAYLOG_INPUTS: {
    schema: gelfInputs,
    expected: 'a comma-separated list such as `udp:12201,tcp:12201,http:12202,tls:12203`',
    description: 'Global GELF inputs setup creates.',
    defaultText: 'none',
  },
  LMS_GRAYLOG_INPUT_TLS_CERT_FILE: {
    schema: envSchemas.text,
    expected: 'a path on the Graylog server',
    description: 'Certificate of the `tls` GELF input (a path Graylog reads).',
  },
  LMS_GRAYLOG_INPUT_TLS_KEY_FILE: {
    schema: envSchemas.text,
    expected: 'a path on the Graylog server (PKCS#8 PEM)',
    description: 'Private key of the `tls` GELF input (a path Graylog reads).',
  },
  LMS_GRAYLOG_DISK_PATHS: {
    schema: envSchemas.list,
    expected: 'comma-separated paths',
    description:
      'Filesystems `lms-logs task disk-report` measures and ships (`disk_used_percent`) for the low-disk alert.',
    defaultText: '`/`',
  },
} satisfies EnvSpec;

export interface GraylogApiSettings {
  /** Base URL ending in `/api`. */
  readonly url: string;
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
  readonly ca?: string;
  readonly insecure?: boolean;
}

export interface GraylogSetupSettings {
  readonly api: GraylogApiSettings;
  readonly indexPrefix?: string;
  readonly shards?: number;
  readonly replicas?: number;
  readonly notificationId?: string;
  readonly inputs: readonly GelfInputWish[];
  readonly inputTls?: { readonly certFile: string; readonly keyFile: string };
  readonly diskPaths: readonly string[];
}

/** The API base with `/api` at its end, however the user wrote it. */
export function apiBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/api$/i.test(trimmed) ? trimmed : `${trimmed}/api`;
}

/** Variables that must come together; checked on the raw text so one error names them all. */
function presenceProblems(env: Env): ConfigurationProblem[] {
  const set = (name: string): boolean => (env[name] ?? '').trim() !== '';
  const problems: ConfigurationProblem[] = [];
  if (!set('GRAYLOG_API_TOKEN') && !(set('GRAYLOG_API_USERNAME') && set('GRAYLOG_API_PASSWORD'))) {
    problems.push({
      variable: set('GRAYLOG_API_USERNAME') ? 'GRAYLOG_API_PASSWORD' : 'GRAYLOG_API_TOKEN',
      problem: 'is not set',
      expected: 'GRAYLOG_API_TOKEN, or GRAYLOG_API_USERNAME and GRAYLOG_API_PASSWORD',
    });
  }
  if (/(^|,)\s*tls\b/i.test(env['LMS_GRAYLOG_INPUTS'] ?? '')) {
    for (const variable of ['LMS_GRAYLOG_INPUT_TLS_CERT_FILE', 'LMS_GRAYLOG_INPUT_TLS_KEY_FILE']) {
      if (!set(variable)) {
        problems.push({
          variable,
          problem: 'is not set but LMS_GRAYLOG_INPUTS asks for a tls input',
          expected: 'a path on the Graylog server',
        });
      }
    }
  }
  return problems;
}

/** Reads `GRAYLOG_SETUP_ENV`; throws one ConfigurationError naming every bad variable. */
export function readGraylogSetupEnv(env: Env): GraylogSetupSettings {
  const [v] = readAllEnv(
    () => readEnv(GRAYLOG_SETUP_ENV, env),
    () => {
      const problems = presenceProblems(env);
      if (problems.length > 0) throw new ConfigurationError(problems);
    },
  );
  const problems: ConfigurationProblem[] = [];
  const ca = readPemFile(problems, 'GRAYLOG_API_CA_FILE', v.GRAYLOG_API_CA_FILE);
  if (problems.length > 0) throw new ConfigurationError(problems);
  const inputs = v.LMS_GRAYLOG_INPUTS ?? [];
  const certFile = v.LMS_GRAYLOG_INPUT_TLS_CERT_FILE;
  const keyFile = v.LMS_GRAYLOG_INPUT_TLS_KEY_FILE;
  const wantsTls = inputs.some((i) => i.protocol === 'tls');
  return {
    api: {
      url: apiBaseUrl(v.GRAYLOG_API_URL ?? ''),
      ...(v.GRAYLOG_API_TOKEN !== undefined
        ? { token: v.GRAYLOG_API_TOKEN }
        : { username: v.GRAYLOG_API_USERNAME, password: v.GRAYLOG_API_PASSWORD }),
      ...(ca !== undefined ? { ca } : {}),
    },
    indexPrefix: v.LMS_GRAYLOG_INDEX_PREFIX,
    shards: v.LMS_GRAYLOG_SHARDS,
    replicas: v.LMS_GRAYLOG_REPLICAS,
    notificationId: v.LMS_GRAYLOG_NOTIFICATION_ID,
    inputs,
    diskPaths: v.LMS_GRAYLOG_DISK_PATHS ?? ['/'],
    ...(wantsTls && certFile !== undefined && keyFile !== undefined
      ? { inputTls: { certFile, keyFile } }
      : {}),
  };
}
