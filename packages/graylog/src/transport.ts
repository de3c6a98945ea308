/**
 * GELF transports. UDP: one datagram per message, or chunks (`0x1e 0x0f`, 8-byte message id,
 * sequence number, count) when it does not fit; compressed with gzip, zlib or not at all.
 * TCP and TLS: uncompressed messages terminated by a null byte on one persistent connection,
 * reopened on the next send when the server closed it. HTTP: `POST` with keep-alive and gzip,
 * one message per request, or newline-separated in one request in bulk mode.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { deflateSync, gzipSync } from 'node:zlib';
import { CHUNK_HEADER_BYTES, MAX_CHUNKS, type GelfCompression } from './config.js';

export function compress(json: string, compression: GelfCompression): Buffer {
  const raw = Buffer.from(json, 'utf8');
  if (compression === 'gzip') return gzipSync(raw);
  if (compression === 'zlib') return deflateSync(raw);
  return raw;
}

/** Most payload bytes one message may take over UDP with this chunk size. */
export function maxUdpMessageBytes(chunkSize: number): number {
  return (chunkSize - CHUNK_HEADER_BYTES) * MAX_CHUNKS;
}

/** The datagrams of one (compressed) message: itself when it fits, else up to 128 chunks. */
export function chunkMessage(data: Buffer, chunkSize: number, messageId?: Buffer): Buffer[] {
  if (data.length <= chunkSize) return [data];
  const id = messageId ?? randomBytes(8);
  const dataPerChunk = chunkSize - CHUNK_HEADER_BYTES;
  const count = Math.ceil(data.length / dataPerChunk);
  if (count > MAX_CHUNKS) {
    throw new RangeError(`GELF message of ${data.length} bytes needs ${count} chunks (max 128)`);
  }
  const chunks: Buffer[] = [];
  for (let seq = 0; seq < count; seq++) {
    const body = data.subarray(seq * dataPerChunk, (seq + 1) * dataPerChunk);
    const header = Buffer.from([0x1e, 0x0f, ...id, seq, count]);
    chunks.push(Buffer.concat([header, body]));
  }
  return chunks;
}

export interface UdpSender {
  send(datagrams: readonly Buffer[]): Promise<void>;
  close(): Promise<void>;
}

export function createUdpSender(host: string, port: number): UdpSender {
  let socket: UdpSocket | undefined;
  const open = (): UdpSocket => {
    if (socket) return socket;
    const s = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    s.on('error', () => {
      if (socket === s) socket = undefined;
      s.close();
    });
    s.unref();
    socket = s;
    return s;
  };
  return {
    async send(datagrams) {
      const s = open();
      await Promise.all(
        datagrams.map(
          (datagram) =>
            new Promise<void>((resolve, reject) => {
              s.send(datagram, port, host, (error) => (error ? reject(error) : resolve()));
            }),
        ),
      );
    },
    close() {
      const s = socket;
      socket = undefined;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => {
        try {
          s.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}

export interface StreamSenderOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly ca?: string | Buffer;
  readonly insecure?: boolean;
  readonly timeoutMs: number;
}

export interface StreamSender {
  /** Writes null-terminated messages; resolves when the socket accepted all of them. */
  send(frames: Buffer, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** Connections opened so far (tests watch reconnects). */
  readonly connections: number;
}

/** One persistent TCP or TLS connection; a closed or broken one is reopened on the next send. */
export function createStreamSender(options: StreamSenderOptions): StreamSender {
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  let connections = 0;
  const drop = (s: Socket): void => {
    if (socket === s) socket = undefined;
    s.destroy();
  };
  const connect = (signal?: AbortSignal): Promise<Socket> => {
    if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = options.tls
        ? tlsConnect({
            host: options.host,
            port: options.port,
            ca: options.ca,
            rejectUnauthorized: !options.insecure,
            servername: isIP(options.host) ? undefined : options.host,
          })
        : netConnect({ host: options.host, port: options.port });
      const timer = setTimeout(
        () => fail(new Error(`connect timeout after ${options.timeoutMs}ms`)),
        options.timeoutMs,
      );
      const onAbort = (): void => fail(new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      function fail(error: Error): void {
        cleanup();
        s.destroy();
        reject(error);
      }
      s.once(options.tls ? 'secureConnect' : 'connect', () => {
        cleanup();
        s.removeListener('error', fail);
        connections++;
        s.setKeepAlive(true, 30_000);
        s.setNoDelay(true);
        // The server never writes; an end or error means the connection is gone (an idle close
        // by the server is normal) and the next send opens a new one.
        s.on('data', () => undefined);
        s.on('end', () => drop(s));
        s.on('error', () => drop(s));
        s.on('close', () => drop(s));
        socket = s;
        resolve(s);
      });
      s.once('error', fail);
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    get connections() {
      return connections;
    },
    async send(frames, signal) {
      const s = await connect(signal);
      await new Promise<void>((resolve, reject) => {
        const onClose = (): void => reject(new Error('connection closed while writing'));
        s.once('close', onClose);
        s.write(frames, (error) => {
          s.removeListener('close', onClose);
          if (error) {
            drop(s);
            reject(error);
          } else resolve();
        });
      });
    },
    close() {
      const s = socket;
      socket = undefined;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 1000).unref();
      });
    },
  };
}

export interface HttpSenderOptions {
  readonly url: URL;
  readonly insecure?: boolean;
  readonly ca?: string | Buffer;
  readonly timeoutMs: number;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

export interface HttpSender {
  post(body: string, signal?: AbortSignal): Promise<HttpResult>;
  close(): Promise<void>;
}

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const https = options.url.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, ca: options.ca, rejectUnauthorized: !options.insecure })
    : new HttpAgent({ keepAlive: true });
  const auth =
    options.url.username !== ''
      ? `Basic ${Buffer.from(`${decodeURIComponent(options.url.username)}:${decodeURIComponent(options.url.password)}`).toString('base64')}`
      : undefined;
  const target = new URL(options.url.href);
  target.username = '';
  target.password = '';
  if (target.pathname === '/' || target.pathname === '') target.pathname = '/gelf';
  return {
    post(body, signal) {
      const data = gzipSync(Buffer.from(body, 'utf8'));
      return new Promise<HttpResult>((resolve, reject) => {
        const req = (https ? httpsRequest : httpRequest)(
          target,
          {
            method: 'POST',
            agent,
            signal,
            timeout: options.timeoutMs,
            headers: {
              'content-type': 'application/json',
              'content-encoding': 'gzip',
              'content-length': data.length,
              ...(auth ? { authorization: auth } : {}),
            },
          },
          (res: IncomingMessage) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const retryAfter = res.headers['retry-after'];
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(parts).toString('utf8').slice(0, 500),
                ...(retryAfter ? { retryAfter } : {}),
              });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer after ${options.timeoutMs}ms`)));
        req.on('error', reject);
        req.end(data);
      });
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
