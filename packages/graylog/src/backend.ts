/**
 * The Graylog shipping backend: records as GELF 1.1 messages to a GELF input over UDP, TCP, TLS
 * or HTTP, picked by the URL's scheme. Core owns batching, backoff, deadlines and the dead
 * letter; this file wires the encoder to the transport.
 */
import type { Backend, BackendFromEnv, BackendLimits, QueuedRecord } from '@lms-logging/core';
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNKS,
  parseGelfUrl,
  readGraylogEnv,
  type GelfCompression,
  type GelfProtocol,
  type GraylogBackendOptions,
} from './config.js';
import { queuedToGelf, shrinkGelf } from './encoder.js';
import { classifyGraylogOutcome, type GraylogResponse } from './retry.js';
import {
  chunkMessage,
  compress,
  createHttpSender,
  createStreamSender,
  createUdpSender,
  maxUdpMessageBytes,
  type HttpResult,
  type StreamSender,
} from './transport.js';

/** One encoded batch: a wire form per message (datagrams, frames or request bodies). */
export type GraylogPayload =
  | { readonly protocol: 'udp'; readonly messages: readonly (readonly Buffer[])[] }
  | { readonly protocol: 'tcp' | 'tls'; readonly frames: Buffer; readonly count: number }
  | {
      readonly protocol: 'http' | 'https';
      readonly bodies: readonly string[];
      readonly count: number;
    };

export interface GraylogBackend extends Backend<GraylogPayload, GraylogResponse> {
  readonly protocol: GelfProtocol;
  /** TCP/TLS: connections opened so far. */
  readonly connections: number;
}

/** Bytes below the UDP limit under which a message surely fits once compressed. */
const COMPRESSION_SLACK_BYTES = 1024;

/** Core cuts batches to these; one GELF message is at most 1 MiB of JSON. */
export const GRAYLOG_LIMITS: BackendLimits = {
  maxBatchBytes: 4 * 1024 * 1024,
  maxBatchCount: 1000,
  maxRecordBytes: 1024 * 1024,
  perRecordOverheadBytes: 200,
};

export function createGraylogBackend(options: GraylogBackendOptions): GraylogBackend {
  const { protocol, host, port, url } = parseGelfUrl(options.url);
  const compression: GelfCompression = options.compression ?? 'gzip';
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const bulk = options.httpBulk ?? false;

  const encodeUdp = (records: readonly QueuedRecord[]): GraylogPayload => {
    const max = maxUdpMessageBytes(chunkSize);
    const messages = records.map((q) => {
      const message = queuedToGelf(q);
      const json = JSON.stringify(message);
      // Compression can grow a message only by its header and a few bytes per 16 KiB block:
      // anything this far below the limit fits, and is compressed once, not measured first.
      if (Buffer.byteLength(json, 'utf8') + COMPRESSION_SLACK_BYTES <= max) {
        return chunkMessage(compress(json, compression), chunkSize);
      }
      let measured: { readonly json: string; readonly bytes: Buffer } | undefined;
      const shrunk = shrinkGelf(message, (candidate) => {
        measured = { json: candidate, bytes: compress(candidate, compression) };
        return measured.bytes.length <= max;
      });
      if (shrunk.truncated) {
        options.warn?.(`graylog: record ${q.id} truncated to fit ${MAX_CHUNKS} UDP chunks`);
      }
      const bytes =
        measured?.json === shrunk.json ? measured.bytes : compress(shrunk.json, compression);
      return chunkMessage(bytes, chunkSize);
    });
    return { protocol: 'udp', messages };
  };

  const streamSender: StreamSender | undefined =
    protocol === 'tcp' || protocol === 'tls'
      ? createStreamSender({
          host,
          port,
          tls: protocol === 'tls',
          ca: options.ca,
          insecure: options.insecure,
          timeoutMs,
        })
      : undefined;
  const udpSender = protocol === 'udp' ? createUdpSender(host, port) : undefined;
  const httpSender =
    protocol === 'http' || protocol === 'https'
      ? createHttpSender({ url, insecure: options.insecure, ca: options.ca, timeoutMs })
      : undefined;

  return {
    name: 'graylog',
    protocol,
    get connections() {
      return streamSender?.connections ?? 0;
    },
    limits: GRAYLOG_LIMITS,
    // A stream has no acknowledgements: one batch at a time keeps order and bounds what a broken
    // connection can take with it.
    maxInFlight: protocol === 'tcp' || protocol === 'tls' ? 1 : 2,
    encode(records): GraylogPayload {
      if (protocol === 'udp') return encodeUdp(records);
      const jsons = records.map((q) => JSON.stringify(queuedToGelf(q)));
      if (protocol === 'tcp' || protocol === 'tls') {
        // Null bytes terminate frames, so none may appear inside one (JSON escapes them anyway).
        return {
          protocol,
          frames: Buffer.from(jsons.map((j) => `${j}\0`).join(''), 'utf8'),
          count: records.length,
        };
      }
      return { protocol, bodies: bulk ? [jsons.join('\n')] : jsons, count: records.length };
    },
    async send(payload, context): Promise<GraylogResponse> {
      if (payload.protocol === 'udp') {
        // Datagrams are not acknowledged and may arrive in any order anyway: send the whole
        // batch at once rather than waiting for each send callback in turn.
        const results = await Promise.allSettled(
          payload.messages.map((datagrams) => udpSender!.send(datagrams)),
        );
        const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
        const total = payload.messages.length;
        const firstError = results.find((r) => r.status === 'rejected');
        if (firstError === undefined) return { delivered: total, total };
        return {
          delivered: total - failed.length,
          total,
          failed,
          error: firstError.reason as unknown,
        };
      }
      if ('frames' in payload) {
        if (payload.count === 0) return { delivered: 0, total: 0 };
        await streamSender!.send(payload.frames, context.signal);
        return { delivered: payload.count, total: payload.count };
      }
      let delivered = 0;
      for (const body of payload.bodies) {
        let result: HttpResult;
        try {
          result = await httpSender!.post(body, context.signal);
        } catch (error) {
          if (delivered === 0) throw error;
          return { delivered, total: payload.count, error };
        }
        if (result.status < 200 || result.status >= 300) {
          return { delivered, total: payload.count, ...result };
        }
        delivered += bulk ? payload.count : 1;
      }
      return { delivered, total: payload.count };
    },
    classify: classifyGraylogOutcome,
    async close() {
      await Promise.all([streamSender?.close(), udpSender?.close(), httpSender?.close()]);
    },
  };
}

/** `LMS_LOG_BACKEND=graylog`: GELF to `GRAYLOG_URL`. */
export const createBackendFromEnv: BackendFromEnv = (env, context) =>
  createGraylogBackend(readGraylogEnv(env, context));
