/**
 * Settings of the Graylog backend: the options type for `createGraylogBackend`, the environment
 * spec `GRAYLOG_ENV` and the GELF limits. The transport is chosen by the URL's scheme:
 * `udp://`, `tcp://`, `tls://`, `http://` or `https://`.
 */
import {
  envSchemas,
  readEnv,
  type BackendEnvContext,
  type Env,
  type EnvSpec,
} from '@lms-logging/core';
import { z } from 'zod';

export type GelfCompression = 'gzip' | 'zlib' | 'none';
export type GelfProtocol = 'udp' | 'tcp' | 'tls' | 'http' | 'https';

/** Chunk size (whole datagram, header included) for a WAN path; Graylog's own default. */
export const DEFAULT_CHUNK_SIZE = 1420;
/** A larger chunk size that fits a LAN's jumbo-free 8192-byte datagrams. */
export const LAN_CHUNK_SIZE = 8154;
/** Bytes of the chunk header: magic (2), message id (8), sequence number (1), count (1). */
export const CHUNK_HEADER_BYTES = 12;
/** Most chunks one GELF message may be split into. */
export const MAX_CHUNKS = 128;
/** Default port of every GELF input. */
export const DEFAULT_GELF_PORT = 12201;

export interface GraylogBackendOptions {
  /** `udp://host:12201`, `tcp://host:12201`, `tls://host:12201` or `http(s)://host:12201/gelf`. */
  readonly url: string;
  /** UDP only. Default `gzip`. */
  readonly compression?: GelfCompression;
  /** UDP only: largest datagram, header included. Default 1420. */
  readonly chunkSize?: number;
  /** HTTP only: newline-separated messages in one request (Graylog 5+). Default false. */
  readonly httpBulk?: boolean;
  /** TLS only: extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer;
  /** TLS/HTTPS only: skip certificate verification (tests). */
  readonly insecure?: boolean;
  /** Milliseconds to wait for a TCP/TLS connection or an HTTP answer. Default 10 000. */
  readonly timeoutMs?: number;
  readonly warn?: (line: string) => void;
}

const GELF_URL = /^(udp|tcp|tls|https?):\/\//i;

export const GRAYLOG_ENV = {
  GRAYLOG_URL: {
    schema: z.string().regex(GELF_URL, 'not a udp://, tcp://, tls:// or http(s):// URL'),
    expected: '`udp://host:12201`, `tcp://host:12201`, `tls://host:12201` or `https://host/gelf`',
    description: 'GELF input the records go to; the scheme picks the transport.',
    required: true,
  },
  GRAYLOG_COMPRESSION: {
    schema: z.enum(['gzip', 'zlib', 'none']),
    expected: '`gzip`, `zlib` or `none`',
    description: 'Compression of UDP datagrams.',
    defaultText: '`gzip`',
  },
  GRAYLOG_CHUNK_SIZE: {
    schema: envSchemas.positiveInt.refine(
      (n) => n > CHUNK_HEADER_BYTES && n <= 65_000,
      'out of range',
    ),
    expected: 'an integer from 13 to 65000',
    description: 'Largest UDP datagram (chunk header included); 8154 suits a LAN.',
    defaultText: '1420',
  },
  GRAYLOG_HTTP_BULK: {
    schema: envSchemas.boolean,
    expected: 'true or false',
    description: 'Send newline-separated messages in one HTTP request (Graylog 5+ bulk mode).',
    defaultText: 'false',
  },
  GRAYLOG_TLS_INSECURE: {
    schema: envSchemas.boolean,
    expected: 'true or false',
    description: 'Skip TLS certificate verification (never in production).',
    defaultText: 'false',
  },
} satisfies EnvSpec;

export function parseGelfUrl(url: string): {
  readonly protocol: GelfProtocol;
  readonly host: string;
  readonly port: number;
  readonly url: URL;
} {
  const parsed = new URL(url);
  const protocol = parsed.protocol.replace(/:$/, '').toLowerCase() as GelfProtocol;
  const defaultPort = protocol === 'https' ? 443 : protocol === 'http' ? 80 : DEFAULT_GELF_PORT;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol, host, port: parsed.port ? Number(parsed.port) : defaultPort, url: parsed };
}

export function readGraylogEnv(
  env: Env,
  context?: Partial<BackendEnvContext>,
): GraylogBackendOptions {
  const v = readEnv(GRAYLOG_ENV, env);
  return {
    url: v.GRAYLOG_URL ?? '',
    compression: v.GRAYLOG_COMPRESSION,
    chunkSize: v.GRAYLOG_CHUNK_SIZE,
    httpBulk: v.GRAYLOG_HTTP_BULK,
    insecure: v.GRAYLOG_TLS_INSECURE,
    warn: context?.warn,
  };
}
