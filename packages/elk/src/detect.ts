/**
 * Which server answers: `GET /` tells Elasticsearch (`x-elastic-product: Elasticsearch`, or the
 * `You Know, for Search` tagline) from OpenSearch (`version.distribution: "opensearch"`).
 * `ELASTICSEARCH_FLAVOR` skips the request; SigV4 implies OpenSearch (Amazon OpenSearch
 * Serverless does not serve `GET /`), a Cloud id implies Elasticsearch.
 *
 * `connectElk` / `elkConnectionFromEnv` return a connected, flavor-detected `ElkTransport`
 * (see transport.ts for the request interface). The probe uses the OpenSearch client because it
 * has no product check; when the server is Elasticsearch the probe is closed and the
 * Elasticsearch client takes over with the same auth, TLS and nodes.
 */
import type { BackendEnvContext, Env } from '@lms-logging/core';
import {
  readElkEnv,
  validateElkOptions,
  type ElkConnectionOptions,
  type ElkFlavor,
} from './config.js';
import {
  createElasticsearchTransport,
  createOpenSearchTransport,
  resolveTls,
  type ElkResponse,
  type ElkTransport,
} from './transport.js';

export interface ServerInfo {
  readonly flavor: ElkFlavor;
  /** `version.number`, e.g. `8.19.2` or `2.19.3`. */
  readonly version: string;
  readonly major: number;
  /** `elasticsearch` or `opensearch`. */
  readonly distribution: string;
  readonly clusterName?: string;
  /** Elasticsearch's `version.build_flavor` (`default`, `serverless`). */
  readonly buildFlavor?: string;
}

/** Thrown when `GET /` does not tell which server this is; core retries `start()`. */
export class ServerDetectionError extends Error {
  override readonly name = 'ServerDetectionError';
}

const SUPPORTED_ES_MAJORS = [8, 9];

interface RootBody {
  readonly name?: unknown;
  readonly cluster_name?: unknown;
  readonly tagline?: unknown;
  readonly version?: {
    readonly number?: unknown;
    readonly distribution?: unknown;
    readonly build_flavor?: unknown;
  };
}

/** Reads the answer to `GET /`. Throws `ServerDetectionError` with what to do. */
export function identifyServer(response: ElkResponse): ServerInfo {
  const body = (
    typeof response.body === 'object' && response.body !== null ? response.body : {}
  ) as RootBody;
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  const product = response.headers['x-elastic-product'];
  const versionNumber = typeof body.version?.number === 'string' ? body.version.number : '';
  const major = Number.parseInt(versionNumber, 10);
  const clusterName = typeof body.cluster_name === 'string' ? body.cluster_name : undefined;
  const tagline = typeof body.tagline === 'string' ? body.tagline : '';

  if (ok && (body.version?.distribution === 'opensearch' || /opensearch/i.test(tagline))) {
    return {
      flavor: 'opensearch',
      version: versionNumber,
      major: Number.isFinite(major) ? major : 0,
      distribution: 'opensearch',
      clusterName,
    };
  }
  if (product === 'Elasticsearch' || (ok && tagline === 'You Know, for Search')) {
    if (ok && Number.isFinite(major) && !SUPPORTED_ES_MAJORS.includes(major)) {
      throw new ServerDetectionError(
        `Elasticsearch ${versionNumber} is not supported: this backend uses the 8.x client (Elasticsearch 8 and 9)`,
      );
    }
    return {
      flavor: 'elasticsearch',
      version: versionNumber,
      major: Number.isFinite(major) ? major : 0,
      distribution: 'elasticsearch',
      clusterName,
      buildFlavor:
        typeof body.version?.build_flavor === 'string' ? body.version.build_flavor : undefined,
    };
  }
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new ServerDetectionError(
      `GET / answered ${response.statusCode} (${response.statusCode === 401 ? 'authentication failed' : 'not allowed'}): check ELASTICSEARCH_API_KEY / ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD / ELASTICSEARCH_BEARER_TOKEN, or set ELASTICSEARCH_FLAVOR to skip detection (credentials that may only write need it)`,
    );
  }
  throw new ServerDetectionError(
    `cannot tell Elasticsearch from OpenSearch: GET / answered ${response.statusCode} without x-elastic-product or version.distribution; set ELASTICSEARCH_FLAVOR=elasticsearch or opensearch`,
  );
}

const insecureWarned = new WeakSet<object>();

/** Warns once per options object that certificate verification is off. */
export function warnIfInsecure(options: ElkConnectionOptions): void {
  if (!options.tls?.insecure || insecureWarned.has(options)) return;
  insecureWarned.add(options);
  const warn = options.warn ?? ((line: string) => process.stderr.write(`[lms-logging] ${line}\n`));
  warn(
    'elk: TLS certificate verification is OFF (ELASTICSEARCH_TLS_INSECURE=true); anyone on the network path can read and change what is sent. Use ELASTICSEARCH_CA_FILE or ELASTICSEARCH_CA_FINGERPRINT instead.',
  );
}

/** The flavor known without asking the server, if any. */
export function configuredFlavor(options: ElkConnectionOptions): ElkFlavor | undefined {
  if (options.flavor) return options.flavor;
  if (options.awsSigv4) return 'opensearch';
  if (options.cloudId !== undefined) return 'elasticsearch';
  return undefined;
}

/**
 * Connects and detects the server (unless the flavor is known). Rejects when the server cannot
 * be reached or identified; nothing is left open then.
 */
export async function connectElk(options: ElkConnectionOptions): Promise<ElkTransport> {
  validateElkOptions(options);
  warnIfInsecure(options);
  const tls = await resolveTls(options);
  const known = configuredFlavor(options);
  if (known === 'elasticsearch') return createElasticsearchTransport(options, tls);
  if (known === 'opensearch') return createOpenSearchTransport(options, tls);

  const probe = await createOpenSearchTransport(options, tls);
  let server: ServerInfo;
  try {
    server = identifyServer(await probe.request({ method: 'GET', path: '/' }));
  } catch (error) {
    await probe.close();
    throw error;
  }
  if (server.flavor === 'opensearch') return { ...probe, server };
  await probe.close();
  return createElasticsearchTransport(options, tls, server);
}

/**
 * `ELK_ENV` from `env` to a connected transport: what the setup code uses. Throws a
 * `ConfigurationError` naming the variables for bad settings.
 */
export async function elkConnectionFromEnv(
  env: Env,
  context?: Partial<BackendEnvContext>,
): Promise<ElkTransport> {
  return connectElk(readElkEnv(env, context));
}
