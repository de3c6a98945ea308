/**
 * Settings of the Logstash path: the options of `createLogstashBackend`, the environment spec
 * `LOGSTASH_ENV`, and the validation both share, so an error names the variable (env) or the
 * option (code). Secrets are never echoed.
 *
 * `LOGSTASH_URL` picks the Logstash input:
 *   http://host:8080, https://host:8080 → the `http` input (batches POSTed, 200 = accepted)
 *   tcp://host:5000, tls://host:5000    → the `tcp` input with `codec => json_lines`
 */
import {
  ConfigurationError,
  PEM_CERTIFICATE,
  PEM_PRIVATE_KEY,
  envSchemas,
  readEnv,
  readPemFile,
  type BackendEnvContext,
  type BackendLimits,
  type ConfigurationProblem,
  type Env,
  type EnvSpec,
} from '@lms-logging/core';
import { z } from 'zod';

export type LogstashProtocol = 'http' | 'tcp';

/**
 * Body of one http request:
 * - `json-array`: `[record,record,...]` with `content-type: application/json`. The http input's
 *   default `additional_codecs` maps that type to the `json` codec, which makes one event per
 *   array element: works with an unconfigured http input.
 * - `ndjson`: one record per line with `content-type: application/x-ndjson`. Needs
 *   `additional_codecs => { "application/x-ndjson" => "json_lines" }` on the input (without it
 *   the body becomes ONE event with the whole text in `message`).
 */
export type LogstashHttpFormat = 'json-array' | 'ndjson';
export const LOGSTASH_HTTP_FORMATS: readonly LogstashHttpFormat[] = ['json-array', 'ndjson'];

export const DEFAULT_LOGSTASH_HTTP_FORMAT: LogstashHttpFormat = 'json-array';
export const DEFAULT_LOGSTASH_TIMEOUT_MS = 30_000;
/** Content type of each format (the http input picks its codec by it). */
export const LOGSTASH_CONTENT_TYPES: Readonly<Record<LogstashHttpFormat, string>> = {
  'json-array': 'application/json',
  ndjson: 'application/x-ndjson',
};

/**
 * One http request. 5 MB is our choice: the http input's `max_content_length` default is
 * 100 MB, but small requests keep a 429 or a retry cheap and spread over the input's threads.
 */
export const DEFAULT_LOGSTASH_HTTP_LIMITS: BackendLimits = {
  maxBatchBytes: 5_000_000,
  maxBatchCount: 5_000,
  maxRecordBytes: 1024 * 1024,
};

/**
 * One write on the tcp socket. Smaller than http: TCP has no acknowledgement, so a batch is
 * what may be written twice when the connection breaks during its write.
 */
export const DEFAULT_LOGSTASH_TCP_LIMITS: BackendLimits = {
  maxBatchBytes: 1_000_000,
  maxBatchCount: 1_000,
  maxRecordBytes: 1024 * 1024,
};

export interface LogstashTlsOptions {
  /** PEM text of the CA certificate(s) to trust; replaces the system store. */
  readonly ca?: string | readonly string[];
  /** Client certificate (PEM) for inputs with `ssl_client_authentication => required`. */
  readonly clientCert?: string;
  /** Private key (PEM) of `clientCert`. */
  readonly clientKey?: string;
  /** Disables certificate verification (a warning is printed once). Default false. */
  readonly insecure?: boolean;
}

export interface LogstashBackendOptions {
  /** `http(s)://host:port[/path]`, `tcp://host:port` or `tls://host:port`. */
  readonly url: string;
  /** http only. Default `json-array`. */
  readonly httpFormat?: LogstashHttpFormat;
  /** http only: the http input's `user` / `password` (basic auth). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** https and tls only. Verification is on unless `insecure`. */
  readonly tls?: LogstashTlsOptions;
  /**
   * http: timeout of one request. tcp: timeout of connecting, and of one write (a Logstash that
   * stops reading fills the socket buffers; the connection is then dropped and the batch
   * retried). Default 30 s.
   */
  readonly timeoutMs?: number;
  /**
   * Adds `"@metadata":{"_id":"<record id>"}` to each record. Logstash moves `@metadata` out of
   * the event (outputs never write it); `examples/elk/logstash/lms.conf` uses it as the
   * document id with `action => "create"`, which makes a re-sent record a no-op in
   * Elasticsearch. Off by default: records are sent exactly as serialized.
   */
  readonly documentId?: boolean;
  /** Lower the request limits. */
  readonly limits?: Partial<Omit<BackendLimits, 'perRecordOverheadBytes'>>;
  /** http only: most requests in flight at once (tcp always uses 1, to keep the order). */
  readonly maxInFlight?: number;
  /** http only: extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Where warnings go (insecure TLS, credentials over plain http). Default: stderr. */
  readonly warn?: (line: string) => void;
}

/** The URL taken apart. */
export interface LogstashEndpoint {
  readonly protocol: LogstashProtocol;
  readonly secure: boolean;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** http only: the URL to POST to (no credentials). */
  readonly href: string;
}

// ----------------------------------------------------------------------------- env spec

const logstashUrl = z.string().refine((v) => logstashUrlProblem(v) === undefined, {
  error: (issue) => logstashUrlProblem(String(issue.input)) ?? 'not a Logstash URL',
});

/**
 * The variables of the Logstash path. `LOGSTASH_URL` being set is what makes `LMS_LOG_BACKEND=elk`
 * ship to Logstash instead of Elasticsearch; `ENVIRONMENT` and the other mapping settings are
 * core's and already applied to every record.
 */
export const LOGSTASH_ENV = {
  LOGSTASH_URL: {
    schema: logstashUrl,
    expected:
      'http(s)://host:port for the http input, or tcp://host:port / tls://host:port for the tcp input',
    // Never echoed: a URL may carry user:password.
    secret: true,
    description:
      'Logstash input to ship to: `http(s)://` the `http` input, `tcp://`/`tls://` the `tcp` input with `codec => json_lines`. When set, `LMS_LOG_BACKEND=elk` ships here instead of Elasticsearch.',
    defaultText: 'none (ship to Elasticsearch)',
  },
  LOGSTASH_HTTP_FORMAT: {
    schema: z.enum(['json-array', 'ndjson']),
    expected: '`json-array` or `ndjson`',
    description:
      "http body: a JSON array (`application/json`, the json codec makes one event per element) or NDJSON (`application/x-ndjson`; map it to `json_lines` in the input's `additional_codecs`).",
    defaultText: '`json-array`',
  },
  LOGSTASH_USERNAME: {
    schema: envSchemas.text,
    expected: 'a user name',
    description: 'http input basic auth: its `user` (with `LOGSTASH_PASSWORD`).',
    defaultText: 'none',
  },
  LOGSTASH_PASSWORD: {
    schema: envSchemas.text,
    expected: 'a password',
    secret: true,
    description: 'http input basic auth: its `password`.',
    defaultText: 'none',
  },
  LOGSTASH_CA_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM file',
    description: "CA certificate(s) that signed Logstash's certificate (https:// and tls://).",
    defaultText: 'the system CAs',
  },
  LOGSTASH_TLS_INSECURE: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description: 'Disable certificate verification (prints a warning). For local tests only.',
    defaultText: '`false`',
  },
  LOGSTASH_CLIENT_CERT_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM certificate',
    description:
      'Client certificate, for inputs with `ssl_client_authentication => "required"` (with `LOGSTASH_CLIENT_KEY_FILE`).',
    defaultText: 'none',
  },
  LOGSTASH_CLIENT_KEY_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM private key',
    description: 'Private key of `LOGSTASH_CLIENT_CERT_FILE`.',
    defaultText: 'none',
  },
  LOGSTASH_TIMEOUT_MS: {
    schema: envSchemas.positiveInt,
    expected: 'milliseconds, a positive integer',
    description:
      'http: timeout of one request. tcp: timeout of connecting and of one write (then the connection is dropped and the batch retried).',
    defaultText: '`30000`',
  },
  LOGSTASH_DOCUMENT_ID: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description:
      'Send each record\'s id as `[@metadata][_id]` (never stored by Logstash) so the pipeline can index with `document_id` and `action => "create"`: re-sent records are then not duplicated.',
    defaultText: '`false`',
  },
} satisfies EnvSpec;

/** True when `LOGSTASH_URL` is set (not blank): the elk backend then ships to Logstash. */
export function logstashConfigured(env: Env): boolean {
  const url = env['LOGSTASH_URL'];
  return url !== undefined && url.trim() !== '';
}

interface OptionNames {
  readonly url: string;
  readonly httpFormat: string;
  readonly username: string;
  readonly password: string;
  readonly ca: string;
  readonly insecure: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly timeoutMs: string;
  readonly maxInFlight: string;
}

const ENV_NAMES: OptionNames = {
  url: 'LOGSTASH_URL',
  httpFormat: 'LOGSTASH_HTTP_FORMAT',
  username: 'LOGSTASH_USERNAME',
  password: 'LOGSTASH_PASSWORD',
  ca: 'LOGSTASH_CA_FILE',
  insecure: 'LOGSTASH_TLS_INSECURE',
  clientCert: 'LOGSTASH_CLIENT_CERT_FILE',
  clientKey: 'LOGSTASH_CLIENT_KEY_FILE',
  timeoutMs: 'LOGSTASH_TIMEOUT_MS',
  maxInFlight: 'LMS_LOG_MAX_IN_FLIGHT',
};

const OPTION_NAMES: OptionNames = {
  url: 'url',
  httpFormat: 'httpFormat',
  username: 'auth.username',
  password: 'auth.password',
  ca: 'tls.ca',
  insecure: 'tls.insecure',
  clientCert: 'tls.clientCert',
  clientKey: 'tls.clientKey',
  timeoutMs: 'timeoutMs',
  maxInFlight: 'maxInFlight',
};

/**
 * Reads `LOGSTASH_ENV` into backend options. Throws one `ConfigurationError` listing every
 * problem, each naming its variable. Certificate files are read here.
 */
export function readLogstashEnv(
  env: Env,
  context?: Partial<BackendEnvContext>,
): LogstashBackendOptions {
  const v = readEnv(LOGSTASH_ENV, env);
  const problems: ConfigurationProblem[] = [];
  const certificate = { marker: PEM_CERTIFICATE, what: 'certificate' };
  const ca = readPemFile(problems, ENV_NAMES.ca, v.LOGSTASH_CA_FILE, certificate);
  const clientCert = readPemFile(
    problems,
    ENV_NAMES.clientCert,
    v.LOGSTASH_CLIENT_CERT_FILE,
    certificate,
  );
  const clientKey = readPemFile(problems, ENV_NAMES.clientKey, v.LOGSTASH_CLIENT_KEY_FILE, {
    marker: PEM_PRIVATE_KEY,
    what: 'private key',
  });

  if (v.LOGSTASH_URL === undefined) {
    problems.push({
      variable: ENV_NAMES.url,
      problem: 'is not set',
      expected: LOGSTASH_ENV.LOGSTASH_URL.expected,
    });
  }
  if ((v.LOGSTASH_USERNAME === undefined) !== (v.LOGSTASH_PASSWORD === undefined)) {
    const missing = v.LOGSTASH_USERNAME === undefined ? ENV_NAMES.username : ENV_NAMES.password;
    const present = missing === ENV_NAMES.username ? ENV_NAMES.password : ENV_NAMES.username;
    problems.push({
      variable: missing,
      problem: `is not set but ${present} is`,
      expected: 'both or neither',
    });
  }
  if ((v.LOGSTASH_CLIENT_CERT_FILE === undefined) !== (v.LOGSTASH_CLIENT_KEY_FILE === undefined)) {
    const missing =
      v.LOGSTASH_CLIENT_CERT_FILE === undefined ? ENV_NAMES.clientCert : ENV_NAMES.clientKey;
    const present = missing === ENV_NAMES.clientCert ? ENV_NAMES.clientKey : ENV_NAMES.clientCert;
    problems.push({
      variable: missing,
      problem: `is not set but ${present} is`,
      expected: 'both or neither',
    });
  }
  if (problems.length > 0) throw new ConfigurationError(problems);

  const options: LogstashBackendOptions = {
    url: v.LOGSTASH_URL ?? '',
    httpFormat: v.LOGSTASH_HTTP_FORMAT,
    auth:
      v.LOGSTASH_USERNAME !== undefined && v.LOGSTASH_PASSWORD !== undefined
        ? { username: v.LOGSTASH_USERNAME, password: v.LOGSTASH_PASSWORD }
        : undefined,
    tls: { ca, clientCert, clientKey, insecure: v.LOGSTASH_TLS_INSECURE ?? false },
    timeoutMs: v.LOGSTASH_TIMEOUT_MS,
    documentId: v.LOGSTASH_DOCUMENT_ID ?? false,
    warn: context?.warn,
  };
  const rest = logstashOptionProblems(options, ENV_NAMES);
  if (rest.length > 0) throw new ConfigurationError(rest);
  return options;
}

/** Throws a `ConfigurationError` (naming options) when `options` cannot work. */
export function validateLogstashOptions(options: LogstashBackendOptions): void {
  const problems = logstashOptionProblems(options, OPTION_NAMES);
  if (problems.length > 0) throw new ConfigurationError(problems);
}

function logstashOptionProblems(
  o: LogstashBackendOptions,
  names: OptionNames,
): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const add = (variable: string, problem: string, expected: string): void => {
    problems.push({ variable, problem, expected });
  };
  const urlProblem = logstashUrlProblem(o.url);
  if (urlProblem) {
    add(names.url, urlProblem, LOGSTASH_ENV.LOGSTASH_URL.expected);
    return problems;
  }
  const endpoint = parseLogstashUrl(o.url);
  if (o.httpFormat !== undefined && !LOGSTASH_HTTP_FORMATS.includes(o.httpFormat)) {
    add(names.httpFormat, `"${String(o.httpFormat)}" is not a format`, '`json-array` or `ndjson`');
  }
  if (o.auth !== undefined) {
    if (endpoint.protocol === 'tcp') {
      add(
        names.username,
        `is set but ${names.url} is a ${endpoint.secure ? 'tls' : 'tcp'}:// URL (the tcp input has no authentication)`,
        'an http(s):// URL, or no credentials (use a client certificate with tls://)',
      );
    }
    if (o.auth.username === '' || o.auth.username.includes(':')) {
      add(names.username, 'is empty or contains ":"', 'a user name (basic auth cannot carry ":")');
    }
    if (o.auth.password === '') add(names.password, 'is empty', 'a password');
  }
  const tls = o.tls ?? {};
  const usesTls = tls.ca !== undefined || tls.clientCert !== undefined || tls.insecure === true;
  if (usesTls && !endpoint.secure) {
    const which =
      tls.ca !== undefined
        ? names.ca
        : tls.clientCert !== undefined
          ? names.clientCert
          : names.insecure;
    add(
      which,
      `is set but ${names.url} is not encrypted (${endpoint.protocol === 'http' ? 'http' : 'tcp'}://)`,
      `an ${endpoint.protocol === 'http' ? 'https' : 'tls'}:// URL`,
    );
  }
  if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    add(
      tls.clientCert === undefined ? names.clientCert : names.clientKey,
      `is not set but ${tls.clientCert === undefined ? names.clientKey : names.clientCert} is`,
      'both or neither',
    );
  }
  if (tls.insecure && tls.ca !== undefined) {
    add(names.insecure, `disables verification but ${names.ca} is set`, 'only one of the two');
  }
  if (o.timeoutMs !== undefined && !(Number.isInteger(o.timeoutMs) && o.timeoutMs > 0)) {
    add(names.timeoutMs, 'is not a positive integer', 'milliseconds, a positive integer');
  }
  if (o.maxInFlight !== undefined && !(Number.isInteger(o.maxInFlight) && o.maxInFlight > 0)) {
    add(names.maxInFlight, 'is not a positive integer', 'a positive integer');
  }
  return problems;
}

/** Why `url` cannot be a Logstash URL (credentials are never repeated), or undefined. */
export function logstashUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const protocol = parsed.protocol;
  if (!['http:', 'https:', 'tcp:', 'tls:'].includes(protocol)) {
    return `${protocol}// is not http, https, tcp or tls`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'carries credentials: set LOGSTASH_USERNAME and LOGSTASH_PASSWORD instead';
  }
  if (parsed.hostname === '') return 'has no host';
  if (protocol === 'tcp:' || protocol === 'tls:') {
    if (parsed.port === '') return `${protocol}// needs a port (the tcp input has no default)`;
    if (
      (parsed.pathname !== '' && parsed.pathname !== '/') ||
      parsed.search !== '' ||
      parsed.hash !== ''
    ) {
      return `a ${protocol}// URL is only host:port`;
    }
  } else if (parsed.hash !== '') {
    return 'has a #fragment';
  }
  return undefined;
}

/** Takes a valid URL apart (call `logstashUrlProblem` first). */
export function parseLogstashUrl(url: string): LogstashEndpoint {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'tls:';
  const protocol: LogstashProtocol =
    parsed.protocol === 'http:' || parsed.protocol === 'https:' ? 'http' : 'tcp';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { protocol, secure, host, port, href: parsed.href };
}
