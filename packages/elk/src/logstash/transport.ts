/**
 * The two ways to reach Logstash, both on Node built-ins:
 *
 * - http: `node:http`/`node:https` with a keep-alive Agent (custom CA, client certificate and
 *   verification need an Agent; global `fetch` cannot take a CA without the `undici` package).
 *   Every HTTP status resolves; only "no answer" (refused, reset, TLS, timeout, abort) rejects.
 * - tcp: one persistent `node:net`/`node:tls` connection. A write counts as done when its write
 *   callback reports success: the bytes are in the kernel's send buffer. TCP gives no
 *   application-level acknowledgement, so that is all a client can know: a batch written just
 *   before Logstash reset the connection can be lost, and a batch whose write failed is re-sent
 *   whole (lines of it that did arrive are then duplicated). A closed or broken connection is
 *   dropped and the next write opens a new one; the delay between failed attempts is core's
 *   backoff, since a failed write is a retried batch. An idle close by the server (a load
 *   balancer's idle timeout, a Logstash restart) is normal: the next batch reconnects.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { LogstashEndpoint, LogstashTlsOptions } from './config.js';

/** Longest piece of a response body kept (for error messages). */
const MAX_RESPONSE_CHARS = 4096;

export interface LogstashHttpResponse {
  readonly statusCode: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The response text, cut at 4 KiB (the http input answers `ok`, or nothing on errors). */
  readonly body: string;
}

export interface LogstashHttpTransport {
  post(
    body: string,
    headers: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<LogstashHttpResponse>;
  close(): Promise<void>;
}

export interface LogstashTcpTransport {
  /** Opens the connection now (also done by the first write). */
  connect(signal?: AbortSignal): Promise<void>;
  /** Resolves when the socket accepted every byte (its write callback), rejects otherwise. */
  write(data: string, signal?: AbortSignal): Promise<void>;
  /** Connections opened so far, bytes whose write completed, and whether one is open now. */
  stats(): LogstashTcpStats;
  close(): Promise<void>;
}

export interface LogstashTcpStats {
  readonly connections: number;
  readonly bytesWritten: number;
  readonly connected: boolean;
  /** Open connections that failed (reset, broken pipe) rather than closed. */
  readonly connectionsLost: number;
}

export interface LogstashTransportOptions {
  readonly endpoint: LogstashEndpoint;
  readonly tls?: LogstashTlsOptions;
  readonly timeoutMs: number;
  /** http: sockets kept per host. Default 4. */
  readonly maxSockets?: number;
  /**
   * tcp: called when an open connection fails (reset, broken pipe), as opposed to a close by
   * the server (FIN) or by us. What was written on it shortly before may not have been read.
   */
  readonly onConnectionLost?: (error: Error) => void;
}

/** The `node:tls` options of these settings (exported for tests). */
export function tlsConnectionOptions(
  endpoint: LogstashEndpoint,
  tls: LogstashTlsOptions = {},
): ConnectionOptions {
  const ca = tls.ca === undefined ? undefined : typeof tls.ca === 'string' ? [tls.ca] : [...tls.ca];
  return {
    rejectUnauthorized: tls.insecure !== true,
    ...(ca ? { ca } : {}),
    ...(tls.clientCert !== undefined ? { cert: tls.clientCert } : {}),
    ...(tls.clientKey !== undefined ? { key: tls.clientKey } : {}),
    // SNI carries host names only (RFC 6066); the certificate is still checked against an IP.
    ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
  };
}

/** An error with a `code`, the way Node's own errors carry one. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function joinHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

// ----------------------------------------------------------------------------- http

export function createLogstashHttpTransport(
  options: LogstashTransportOptions,
): LogstashHttpTransport {
  const { endpoint, timeoutMs } = options;
  const maxSockets = options.maxSockets ?? 4;
  const agent = endpoint.secure
    ? new HttpsAgent({
        keepAlive: true,
        maxSockets,
        ...tlsConnectionOptions(endpoint, options.tls),
      })
    : new HttpAgent({ keepAlive: true, maxSockets });
  const send = endpoint.secure ? httpsRequest : httpRequest;
  const url = new URL(endpoint.href);

  return {
    post(body, headers, signal) {
      return new Promise<LogstashHttpResponse>((resolve, reject) => {
        const data = Buffer.from(body, 'utf8');
        const req = send(url, {
          method: 'POST',
          agent,
          signal,
          headers: { ...headers, 'content-length': String(data.length) },
        });
        req.setTimeout(timeoutMs, () => {
          req.destroy(codedError(`no answer from Logstash within ${timeoutMs} ms`, 'ETIMEDOUT'));
        });
        req.on('error', reject);
        req.once('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < MAX_RESPONSE_CHARS) text += chunk;
          });
          res.on('error', reject);
          res.once('end', () => {
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: joinHeaders(res.headers),
              body: text.length > MAX_RESPONSE_CHARS ? text.slice(0, MAX_RESPONSE_CHARS) : text,
            });
          });
        });
        req.end(data);
      });
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}

// ----------------------------------------------------------------------------- tcp

/** Longest wait for a TLS 1.3 server to confirm the handshake (see `confirmTls13`). */
const TLS13_CONFIRM_MS = 1000;

/**
 * In TLS 1.3 the client's handshake is done before the server has checked the client's
 * certificate: a server that requires one and rejects it (or gets none) answers with an alert
 * a round trip later. A batch written in between would count as delivered and be lost, on every
 * reconnect. So the connection is only used once the server sent its first session ticket
 * (OpenSSL and the JDK send them right after accepting the handshake) or, failing that, once
 * `waitMs` passed without an alert.
 */
function confirmTls13(
  socket: TLSSocket,
  sessionSeen: boolean,
  waitMs: number,
  signal?: AbortSignal,
): Promise<void> {
  if (sessionSeen) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let finished = false;
    const done = (error?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.off('session', onSession);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    // 'session' is emitted from inside OpenSSL's read of the ticket; writing before that read
    // has returned corrupts the TLS stream (the server sees a bad record MAC), so continue on
    // the next turn of the event loop.
    const onSession = (): void => {
      setImmediate(() => done());
    };
    const onError = (error: Error): void => done(error);
    const onClose = (): void =>
      done(
        codedError('Logstash closed the connection right after the TLS handshake', 'ECONNRESET'),
      );
    const onAbort = (): void =>
      done(codedError('aborted while connecting to Logstash', 'ABORT_ERR'));
    const timer = setTimeout(() => done(), waitMs);
    socket.once('session', onSession);
    socket.once('error', onError);
    socket.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Connection {
  readonly socket: Socket;
  /** False once the server ended or the socket failed: the next write reconnects. */
  usable: boolean;
}

export function createLogstashTcpTransport(
  options: LogstashTransportOptions,
): LogstashTcpTransport {
  const { endpoint, timeoutMs } = options;
  let current: Connection | undefined;
  let connecting: Promise<Connection> | undefined;
  let connections = 0;
  let bytesWritten = 0;
  let connectionsLost = 0;
  let closed = false;

  const open = (signal?: AbortSignal): Promise<Connection> =>
    new Promise<Connection>((resolve, reject) => {
      if (signal?.aborted) {
        reject(codedError('aborted before connecting to Logstash', 'ABORT_ERR'));
        return;
      }
      const socket = endpoint.secure
        ? tlsConnect({
            host: endpoint.host,
            port: endpoint.port,
            ...tlsConnectionOptions(endpoint, options.tls),
          })
        : netConnect({ host: endpoint.host, port: endpoint.port });
      const readyEvent = endpoint.secure ? 'secureConnect' : 'connect';
      // Listening from the start enables Node's session callbacks before any ticket arrives.
      let sessionSeen = false;
      if (endpoint.secure) {
        socket.once('session', () => {
          sessionSeen = true;
        });
      }
      const timer = setTimeout(() => {
        socket.destroy(
          codedError(
            `could not connect to ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`,
            'ETIMEDOUT',
          ),
        );
      }, timeoutMs);
      const onAbort = (): void => {
        socket.destroy(codedError('aborted while connecting to Logstash', 'ABORT_ERR'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        socket.off(readyEvent, onReady);
      };
      const onError = (error: Error): void => {
        settle();
        reject(error);
      };
      const onReady = (): void => {
        settle();
        if (endpoint.secure && (socket as TLSSocket).getProtocol?.() === 'TLSv1.3') {
          const waitMs = Math.min(TLS13_CONFIRM_MS, timeoutMs);
          confirmTls13(socket as TLSSocket, sessionSeen, waitMs, signal).then(
            () => resolve(usable(socket)),
            reject,
          );
        } else {
          resolve(usable(socket));
        }
      };
      socket.once('error', onError);
      socket.once(readyEvent, onReady);
    });

  const usable = (socket: Socket): Connection => {
    const connection: Connection = { socket, usable: true };
    // Logstash sends nothing back on the tcp input; reading keeps 'end' (the server's
    // close) observable. Anything received is discarded.
    socket.on('data', () => undefined);
    const unusable = (): void => {
      connection.usable = false;
      if (current === connection) current = undefined;
    };
    socket.on('end', unusable);
    socket.on('close', unusable);
    // A write's own failure reaches its caller; this also catches a reset while idle, which
    // no write reports (and keeps the error from being unhandled).
    socket.on('error', (error: Error) => {
      const wasUsable = connection.usable;
      unusable();
      if (wasUsable && !closed) {
        connectionsLost++;
        options.onConnectionLost?.(error);
      }
    });
    socket.setNoDelay(true);
    // Detects a peer that vanished without a FIN/RST (a NAT or load balancer dropped it).
    socket.setKeepAlive(true, 30_000);
    connections++;
    return connection;
  };

  const connection = async (signal?: AbortSignal): Promise<Connection> => {
    if (closed) throw codedError('the Logstash connection is closed', 'ERR_CLOSED');
    if (current?.usable) return current;
    connecting ??= open(signal).then(
      (c) => {
        connecting = undefined;
        if (closed) {
          c.socket.destroy();
          throw codedError('the Logstash connection is closed', 'ERR_CLOSED');
        }
        current = c;
        return c;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };

  const writeOn = (c: Connection, data: string, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const socket = c.socket;
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('close', onClose);
        if (error) {
          // A write that did not complete leaves the stream in an unknown state (maybe half a
          // line): never write on this connection again.
          c.usable = false;
          if (current === c) current = undefined;
          socket.destroy();
          reject(error);
        } else {
          bytesWritten += Buffer.byteLength(data, 'utf8');
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish(
          codedError(
            `Logstash did not take the data within ${timeoutMs} ms (its pipeline is backed up, or the connection is dead)`,
            'ETIMEDOUT',
          ),
        );
      }, timeoutMs);
      const onAbort = (): void => finish(codedError('write aborted', 'ABORT_ERR'));
      const onClose = (): void =>
        finish(codedError('the connection closed before the write completed', 'ECONNRESET'));
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('close', onClose);
      socket.write(data, 'utf8', (error) => finish(error ?? undefined));
    });

  return {
    async connect(signal) {
      await connection(signal);
    },
    async write(data, signal) {
      const c = await connection(signal);
      await writeOn(c, data, signal);
    },
    stats() {
      return { connections, bytesWritten, connected: current?.usable === true, connectionsLost };
    },
    async close() {
      closed = true;
      const c = current;
      current = undefined;
      if (!c || c.socket.destroyed) return;
      // A graceful end (FIN after the last byte), then wait for the close a little.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          c.socket.destroy();
          resolve();
        }, 2000);
        c.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        c.socket.end();
      });
    },
  };
}
