/**
 * Settings of the ELK backend: the options type for `createElkBackend` / `connectElk`, the
 * environment spec `ELK_ENV` (the package README's table is written from it), and the
 * validation both paths share, so an error names the variable (env) or the option (code).
 */
import {
  ConfigurationError,
  PEM_CERTIFICATE,
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
import { dataStreamNameProblem, parseIndexPattern } from './encoder.js';
import type { ElkTransport } from './transport.js';

export type ElkFlavor = 'elasticsearch' | 'opensearch';
export const ELK_FLAVORS: readonly ElkFlavor[] = ['elasticsearch', 'opensearch'];

/** Daily indices from each record's UTC `@timestamp` (the seed's Logstash output). */
export const DEFAULT_INDEX = 'lms-logs-%{+YYYY.MM.dd}';
/** Data streams are named `logs-lms-<environment>` unless `index` names one. */
export const DEFAULT_DATA_STREAM_PREFIX = 'logs-lms-';
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Limits of one `_bulk` request. 5 MB is the JS bulk helper's `flushBytes` (Elasticsearch's
 * `http.max_content_length` is 100 MB; small requests spread better over the write pool).
 */
export const DEFAULT_ELK_LIMITS: BackendLimits = {
  maxBatchBytes: 5_000_000,
  maxBatchCount: 5_000,
  maxRecordBytes: 1024 * 1024,
};

/** Credentials for SigV4 signing, as the AWS SDK's providers return them. */
export interface AwsCredentialsLike {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface ElkAuthOptions {
  /** Elasticsearch API key: the base64 `id:key` encoding, or `id:key` (encoded for you). */
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  /** A bearer token (`Authorization: Bearer ...`), e.g. an Elasticsearch service token. */
  readonly bearerToken?: string;
}

export interface ElkTlsOptions {
  /** PEM text of the CA certificate(s) to trust (in addition to nothing: it replaces the system store). */
  readonly ca?: string | readonly string[];
  /**
   * SHA-256 fingerprint (hex, colons optional) of a CA certificate in the server's chain, as
   * Elasticsearch prints it on first start. Requires https URLs. See README: the certificate
   * with that fingerprint is taken from the server's chain and trusted; the chain and host
   * name are still verified against it.
   */
  readonly caFingerprint?: string;
  /** Disables certificate verification (a warning is printed once). Default false. */
  readonly insecure?: boolean;
}

export interface ElkAwsSigv4Options {
  readonly region: string;
  /** `es` for Amazon OpenSearch Service domains, `aoss` for OpenSearch Serverless. Default `es`. */
  readonly service?: 'es' | 'aoss';
  /** Default: the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`). */
  readonly getCredentials?: () => Promise<AwsCredentialsLike>;
}

/** How to reach the cluster; shared by the shipping backend and the setup code. */
export interface ElkConnectionOptions {
  /** One or more node URLs (`https://a:9200`); the client fails over between them. */
  readonly nodes?: readonly string[];
  /** Elastic Cloud id (`name:base64(host$es_uuid$kibana_uuid)`); replaces `nodes`. */
  readonly cloudId?: string;
  readonly auth?: ElkAuthOptions;
  readonly tls?: ElkTlsOptions;
  /** Skip detection (`GET /`) and use this client. Default: detected at start. */
  readonly flavor?: ElkFlavor;
  /** Amazon OpenSearch Service request signing (implies `flavor: 'opensearch'`). */
  readonly awsSigv4?: ElkAwsSigv4Options;
  /** Per-request timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Where warnings go (insecure TLS). Default: stderr. */
  readonly warn?: (line: string) => void;
}

/** Where records go. */
export interface ElkTargetOptions {
  /**
   * Index name or pattern. `%{+FORMAT}` is replaced by the record's UTC `@timestamp` in a
   * Joda-style format (`YYYY`/`yyyy`, `YY`, `MM`, `dd`, `HH`, ISO week `ww` with week-year
   * `xxxx`), like Logstash's `index` setting. Default `lms-logs-%{+YYYY.MM.dd}`. With
   * `dataStream`, a plain data stream name (default `logs-lms-<environment>`).
   */
  readonly index?: string;
  /** Write into a data stream instead of daily indices. Default false. */
  readonly dataStream?: boolean;
  /** For the default data stream name. Default `production`. */
  readonly environment?: string;
  /** Ingest pipeline applied to every record (`?pipeline=`). */
  readonly pipeline?: string;
}

export interface ElkBackendOptions extends ElkConnectionOptions, ElkTargetOptions {
  /** Lower the request limits (they cannot be raised above the defaults' meaning). */
  readonly limits?: Partial<Omit<BackendLimits, 'perRecordOverheadBytes'>>;
  /** Most bulk requests in flight at once. Default: core's (2). */
  readonly maxInFlight?: number;
  /** An already connected transport (shared with setup code, or a test double). */
  readonly transport?: ElkTransport;
}

// ----------------------------------------------------------------------------- env spec

const urlList = z.string().transform((value, ctx) => {
  const urls = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (urls.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'no URL' });
    return z.NEVER;
  }
  for (const url of urls) {
    const problem = nodeUrlProblem(url);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
  }
  return urls;
});

const cloudId = z.string().refine((v) => cloudIdProblem(v) === undefined, {
  error: (issue) => cloudIdProblem(String(issue.input)) ?? 'not a cloud id',
});

const fingerprint = z
  .string()
  .refine((v) => /^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/i.test(v), 'not a SHA-256 fingerprint')
  .transform((v) => v.replace(/:/g, '').toLowerCase());

/**
 * The backend's variables. `LMS_LOG_BACKEND=elk` (core) selects this backend; `KIBANA_*` belong
 * to the setup part and are described there.
 */
export const ELK_ENV = {
  ELASTICSEARCH_URL: {
    schema: urlList,
    expected: 'comma-separated http(s) URLs such as https://es1:9200,https://es2:9200',
    // URLs may carry user:password; their values are never echoed in errors.
    secret: true,
    description:
      'Node URL(s) of Elasticsearch or OpenSearch; with several, requests fail over between them.',
    defaultText: 'required unless `ELASTICSEARCH_CLOUD_ID` is set',
  },
  ELASTICSEARCH_CLOUD_ID: {
    schema: cloudId,
    expected: 'an Elastic Cloud id (name:base64)',
    description: 'Elastic Cloud deployment id; replaces `ELASTICSEARCH_URL`.',
    defaultText: 'none',
  },
  ELASTICSEARCH_API_KEY: {
    schema: envSchemas.text,
    expected: 'an API key (base64 of id:key, or id:key)',
    secret: true,
    description: 'API key auth (`Authorization: ApiKey ...`).',
    defaultText: 'none',
  },
  ELASTICSEARCH_USERNAME: {
    schema: envSchemas.text,
    expected: 'a user name',
    description: 'Basic auth user (with `ELASTICSEARCH_PASSWORD`).',
    defaultText: 'none',
  },
  ELASTICSEARCH_PASSWORD: {
    schema: envSchemas.text,
    expected: 'a password',
    secret: true,
    description: 'Basic auth password.',
    defaultText: 'none',
  },
  ELASTICSEARCH_BEARER_TOKEN: {
    schema: envSchemas.text,
    expected: 'a token',
    secret: true,
    description: 'Bearer token auth (`Authorization: Bearer ...`), e.g. a service account token.',
    defaultText: 'none',
  },
  ELASTICSEARCH_CA_FILE: {
    schema: envSchemas.text,
    expected: 'a path to a PEM file',
    description: 'CA certificate(s) to trust for https, read at start-up.',
    defaultText: 'the system CAs',
  },
  ELASTICSEARCH_CA_FINGERPRINT: {
    schema: fingerprint,
    expected: 'a SHA-256 fingerprint in hex (colons optional)',
    description:
      "Trust the CA in the server's chain with this SHA-256 fingerprint (as Elasticsearch prints it); chain and host name are still verified.",
    defaultText: 'none',
  },
  ELASTICSEARCH_TLS_INSECURE: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description: 'Disable certificate verification (prints a warning). For local tests only.',
    defaultText: '`false`',
  },
  ELASTICSEARCH_INDEX: {
    schema: envSchemas.text,
    expected: 'an index name, optionally with a %{+YYYY.MM.dd} date pattern',
    description:
      "Target index; `%{+FORMAT}` takes each record's UTC `@timestamp` (Logstash style). With data streams: the stream's name.",
    defaultText: '`lms-logs-%{+YYYY.MM.dd}`',
  },
  ELASTICSEARCH_DATA_STREAM: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description:
      'Write to a data stream (`logs-lms-<ENVIRONMENT>` unless `ELASTICSEARCH_INDEX` names one).',
    defaultText: '`false`',
  },
  ELASTICSEARCH_FLAVOR: {
    schema: z.enum(['elasticsearch', 'opensearch']),
    expected: '`elasticsearch` or `opensearch`',
    description: 'Skip server detection (`GET /`) and use this client.',
    defaultText: 'detected',
  },
  ELASTICSEARCH_AWS_SIGV4: {
    schema: envSchemas.boolean,
    expected: '`true` or `false`',
    description:
      'Sign requests for Amazon OpenSearch Service (credentials from the AWS SDK default chain; needs `AWS_REGION`).',
    defaultText: '`false`',
  },
  ELASTICSEARCH_AWS_SERVICE: {
    schema: z.enum(['es', 'aoss']),
    expected: '`es` (managed domains) or `aoss` (Serverless)',
    description: 'SigV4 service name.',
    defaultText: '`es`',
  },
  AWS_REGION: {
    schema: envSchemas.text,
    expected: 'an AWS region such as eu-west-1',
    description: 'Region for SigV4 signing (only read with `ELASTICSEARCH_AWS_SIGV4=true`).',
    defaultText: 'none',
  },
  ELASTICSEARCH_REQUEST_TIMEOUT_MS: {
    schema: envSchemas.positiveInt,
    expected: 'milliseconds, a positive integer',
    description: 'Timeout of one request; a timed-out bulk is retried (ids make it idempotent).',
    defaultText: '`30000`',
  },
  ELASTICSEARCH_PIPELINE: {
    schema: envSchemas.text,
    expected: 'an ingest pipeline id',
    description: 'Ingest pipeline run on every record.',
    defaultText: 'none',
  },
} satisfies EnvSpec;

/** Which name each option has in errors: the variable (env) or the option path (code). */
interface OptionNames {
  readonly nodes: string;
  readonly cloudId: string;
  readonly apiKey: string;
  readonly username: string;
  readonly password: string;
  readonly bearerToken: string;
  readonly ca: string;
  readonly caFingerprint: string;
  readonly insecure: string;
  readonly index: string;
  readonly dataStream: string;
  readonly environment: string;
  readonly flavor: string;
  readonly awsSigv4: string;
  readonly region: string;
  readonly requestTimeoutMs: string;
  readonly pipeline: string;
}

const ENV_NAMES: OptionNames = {
  nodes: 'ELASTICSEARCH_URL',
  cloudId: 'ELASTICSEARCH_CLOUD_ID',
  apiKey: 'ELASTICSEARCH_API_KEY',
  username: 'ELASTICSEARCH_USERNAME',
  password: 'ELASTICSEARCH_PASSWORD',
  bearerToken: 'ELASTICSEARCH_BEARER_TOKEN',
  ca: 'ELASTICSEARCH_CA_FILE',
  caFingerprint: 'ELASTICSEARCH_CA_FINGERPRINT',
  insecure: 'ELASTICSEARCH_TLS_INSECURE',
  index: 'ELASTICSEARCH_INDEX',
  dataStream: 'ELASTICSEARCH_DATA_STREAM',
  environment: 'ENVIRONMENT',
  flavor: 'ELASTICSEARCH_FLAVOR',
  awsSigv4: 'ELASTICSEARCH_AWS_SIGV4',
  region: 'AWS_REGION',
  requestTimeoutMs: 'ELASTICSEARCH_REQUEST_TIMEOUT_MS',
  pipeline: 'ELASTICSEARCH_PIPELINE',
};

const OPTION_NAMES: OptionNames = {
  nodes: 'nodes',
  cloudId: 'cloudId',
  apiKey: 'auth.apiKey',
  username: 'auth.username',
  password: 'auth.password',
  bearerToken: 'auth.bearerToken',
  ca: 'tls.ca',
  caFingerprint: 'tls.caFingerprint',
  insecure: 'tls.insecure',
  index: 'index',
  dataStream: 'dataStream',
  environment: 'environment',
  flavor: 'flavor',
  awsSigv4: 'awsSigv4',
  region: 'awsSigv4.region',
  requestTimeoutMs: 'requestTimeoutMs',
  pipeline: 'pipeline',
};

/**
 * Reads `ELK_ENV` from `env` into backend options. Throws one `ConfigurationError` listing every
 * problem, each naming its variable; secrets are never echoed. The CA file is read here.
 */
export function readElkEnv(env: Env, context?: Partial<BackendEnvContext>): ElkBackendOptions {
  const v = readEnv(ELK_ENV, env);
  const problems: ConfigurationProblem[] = [];
  const ca = readPemFile(problems, ENV_NAMES.ca, v.ELASTICSEARCH_CA_FILE, {
    marker: PEM_CERTIFICATE,
    what: 'certificate',
    expected: 'a PEM file (-----BEGIN CERTIFICATE-----)',
  });
  const region = v.ELASTICSEARCH_AWS_SIGV4 ? v.AWS_REGION : undefined;
  if (v.ELASTICSEARCH_AWS_SIGV4 && region === undefined) {
    problems.push({
      variable: ENV_NAMES.region,
      problem: 'is not set but ELASTICSEARCH_AWS_SIGV4=true',
      expected: 'an AWS region such as eu-west-1',
    });
  }
  const options: ElkBackendOptions = {
    nodes: v.ELASTICSEARCH_URL,
    cloudId: v.ELASTICSEARCH_CLOUD_ID,
    auth: {
      apiKey: v.ELASTICSEARCH_API_KEY,
      username: v.ELASTICSEARCH_USERNAME,
      password: v.ELASTICSEARCH_PASSWORD,
      bearerToken: v.ELASTICSEARCH_BEARER_TOKEN,
    },
    tls: {
      ca,
      caFingerprint: v.ELASTICSEARCH_CA_FINGERPRINT,
      insecure: v.ELASTICSEARCH_TLS_INSECURE ?? false,
    },
    flavor: v.ELASTICSEARCH_FLAVOR,
    awsSigv4:
      v.ELASTICSEARCH_AWS_SIGV4 && region !== undefined
        ? { region, service: v.ELASTICSEARCH_AWS_SERVICE ?? 'es' }
        : undefined,
    requestTimeoutMs: v.ELASTICSEARCH_REQUEST_TIMEOUT_MS,
    index: v.ELASTICSEARCH_INDEX,
    dataStream: v.ELASTICSEARCH_DATA_STREAM ?? false,
    environment: context?.environment,
    pipeline: v.ELASTICSEARCH_PIPELINE,
    warn: context?.warn,
  };
  problems.push(...elkOptionProblems(options, ENV_NAMES));
  if (problems.length > 0) throw new ConfigurationError(problems);
  return options;
}

/** Throws a `ConfigurationError` (naming options) when `options` cannot work. */
export function validateElkOptions(options: ElkBackendOptions): void {
  const problems = elkOptionProblems(options, OPTION_NAMES);
  if (problems.length > 0) throw new ConfigurationError(problems);
}

function elkOptionProblems(o: ElkBackendOptions, names: OptionNames): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const add = (variable: string, problem: string, expected: string): void => {
    problems.push({ variable, problem, expected });
  };
  const nodes = o.nodes ?? [];
  if (o.transport === undefined) {
    if (nodes.length === 0 && o.cloudId === undefined) {
      add(names.nodes, 'is not set', `the node URL(s), or ${names.cloudId} for Elastic Cloud`);
    }
    if (nodes.length > 0 && o.cloudId !== undefined) {
      add(names.nodes, `is set together with ${names.cloudId}`, 'only one of the two');
    }
    for (const url of nodes) {
      const problem = nodeUrlProblem(url);
      if (problem) add(names.nodes, problem, 'http(s) URLs');
    }
    if (o.cloudId !== undefined) {
      const problem = cloudIdProblem(o.cloudId);
      if (problem) add(names.cloudId, problem, 'an Elastic Cloud id (name:base64)');
    }
  }
  const auth = o.auth ?? {};
  if (auth.username !== undefined && auth.password === undefined) {
    add(names.password, `is not set but ${names.username} is`, 'the password of that user');
  }
  if (auth.password !== undefined && auth.username === undefined) {
    add(names.username, `is not set but ${names.password} is`, 'a user name');
  }
  const methods = [
    auth.apiKey !== undefined ? names.apiKey : undefined,
    auth.username !== undefined || auth.password !== undefined ? names.username : undefined,
    auth.bearerToken !== undefined ? names.bearerToken : undefined,
    o.awsSigv4 !== undefined ? names.awsSigv4 : undefined,
  ].filter((m): m is string => m !== undefined);
  if (methods.length > 1) {
    add(methods[1], `is set together with ${methods[0]}`, 'one way to authenticate');
  }
  const tls = o.tls ?? {};
  if (tls.caFingerprint !== undefined) {
    if (!/^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/i.test(tls.caFingerprint)) {
      add(names.caFingerprint, 'is not a SHA-256 fingerprint', '64 hex digits (colons optional)');
    }
    if (nodes.some((url) => url.startsWith('http:'))) {
      add(names.caFingerprint, `is set but ${names.nodes} has http:// URLs`, 'https URLs');
    }
    if (tls.insecure) {
      add(names.insecure, `disables verification but ${names.caFingerprint} is set`, 'only one');
    }
  }
  if (o.awsSigv4 !== undefined) {
    if (o.flavor === 'elasticsearch') {
      add(
        names.flavor,
        `is elasticsearch but ${names.awsSigv4} signs for OpenSearch`,
        'opensearch',
      );
    }
    if (o.awsSigv4.region === '') add(names.region, 'is empty', 'an AWS region');
  }
  if (o.requestTimeoutMs !== undefined && !(o.requestTimeoutMs > 0)) {
    add(names.requestTimeoutMs, 'is not positive', 'milliseconds, a positive integer');
  }
  if (o.pipeline !== undefined && (o.pipeline === '' || /[\s/?#&]/.test(o.pipeline))) {
    add(names.pipeline, 'is not a pipeline id', 'an ingest pipeline id');
  }
  problems.push(...targetProblems(o, names));
  return problems;
}

function targetProblems(o: ElkTargetOptions, names: OptionNames): ConfigurationProblem[] {
  if (o.dataStream) {
    const explicit = o.index !== undefined;
    const name = dataStreamName(o);
    if (explicit && name.includes('%{')) {
      return [
        {
          variable: names.index,
          problem: `"${name}" has a date pattern but ${names.dataStream} is on`,
          expected: 'a plain data stream name (the data stream rolls over by itself)',
        },
      ];
    }
    const problem = dataStreamNameProblem(name);
    if (!problem) return [];
    return [
      {
        variable: explicit ? names.index : names.environment,
        problem: explicit
          ? `"${name}" is not a valid data stream name: ${problem}`
          : `gives the data stream name "${name}", which is not valid: ${problem}`,
        expected: explicit
          ? 'a data stream name: lowercase, no \\ / * ? " < > | , # : or space, not starting with - _ + or .ds-'
          : `an environment name usable in a data stream name, or ${names.index}`,
      },
    ];
  }
  try {
    parseIndexPattern(o.index ?? DEFAULT_INDEX);
    return [];
  } catch (error) {
    return [
      {
        variable: names.index,
        problem: `"${o.index ?? DEFAULT_INDEX}" ${(error as Error).message}`,
        expected: 'a lowercase index name, optionally with %{+YYYY.MM.dd}',
      },
    ];
  }
}

/** The data stream written to when `dataStream` is on. */
export function dataStreamName(o: ElkTargetOptions): string {
  return o.index ?? `${DEFAULT_DATA_STREAM_PREFIX}${(o.environment ?? 'production').toLowerCase()}`;
}

/** Why `url` cannot be a node URL (credentials are not repeated), or undefined. */
export function nodeUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'a value is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `${parsed.protocol}// is not http or https`;
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    return `${parsed.host}: a node URL has no query or fragment`;
  }
  return undefined;
}

export interface DecodedCloudId {
  readonly name: string;
  /** `https://<es_uuid>.<host>`, what the Elasticsearch client connects to. */
  readonly elasticsearchUrl: string;
  readonly kibanaUrl?: string;
}

/**
 * Decodes an Elastic Cloud id, `name:base64("host[:port]$es_uuid$kibana_uuid")`. The host may
 * carry a port (`us-east-1.aws.found.io:443`); it is kept as given.
 */
export function decodeCloudId(id: string): DecodedCloudId {
  const problem = cloudIdProblem(id);
  if (problem) throw new ConfigurationError(problem);
  const at = id.indexOf(':');
  const [host, esId, kibanaId] = Buffer.from(id.slice(at + 1), 'base64')
    .toString('utf8')
    .split('$');
  return {
    name: id.slice(0, at),
    elasticsearchUrl: `https://${esId}.${host}`,
    kibanaUrl: kibanaId ? `https://${kibanaId}.${host}` : undefined,
  };
}

function cloudIdProblem(id: string): string | undefined {
  const at = id.indexOf(':');
  if (at < 0 || at === id.length - 1) return 'not in the form name:base64';
  const encoded = id.slice(at + 1);
  if (!/^[A-Za-z0-9+/=_-]+$/.test(encoded)) return 'the part after ":" is not base64';
  const parts = Buffer.from(encoded, 'base64').toString('utf8').split('$');
  if (parts.length < 2 || parts[0] === '' || parts[1] === '') {
    return 'the decoded part is not host$es_uuid[$kibana_uuid]';
  }
  return undefined;
}
