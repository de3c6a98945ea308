/**
 * In-process servers speaking the protocols of Logstash's `http` and `tcp` inputs. Logstash
 * cannot run here (it is not on Maven Central and has no Debian package), so the tests use
 * these. What they do is taken from the plugins' documentation and sources
 * (logstash-input-http, logstash-input-tcp, logstash-codec-json, logstash-codec-json_lines,
 * org.logstash.Event):
 *
 * http input
 *   - a body over `max_content_length` (default 100 MiB) → 413 (Netty's aggregator, before
 *     anything else); `max_pending_requests` exhausted → 429 with an empty body and no
 *     Retry-After (`busy(n, retryAfter)` makes the next n requests answer 429, with the header
 *     when given, as a proxy in front could); `user`/`password` set and no or another
 *     `Authorization` → 401 (with `WWW-Authenticate` when missing)
 *   - the codec is picked by the mime type of `content-type` in `additional_codecs` (default
 *     `{"application/json" => "json"}`), else the input's `codec` (default `plain`)
 *   - json codec: a top-level array → one event per element, an object → one event (and, in ECS
 *     mode, the body copied to `[event][original]`); not JSON → ONE event with the body in
 *     `message` and tag `_jsonparsefailure` (still 200: the input never answers 400 for bad JSON)
 *   - json_lines codec: one event per `\n`-terminated line, then the rest is flushed
 *   - per event, in ECS mode (Logstash 8's default): `[http][version]`, `[http][method]`,
 *     `[url][domain|port|path]`, `[user_agent][original]`, `[http][request][...]` and the client
 *     address in `[host][ip]` are set; setting `[url][domain]` on an event whose `url` is a
 *     string throws, the input logs it and answers 500 (events decoded before stay queued).
 *     With `ecs_compatibility => disabled` none of those are set; headers go to
 *     `request_headers_target_field` (default `headers`) and the address to
 *     `remote_host_target_field` (default `host`)
 *   - accepted → `response_code` (200) with body `ok`
 * tcp input with json_lines
 *   - per connection: bytes are decoded as UTF-8 and split on `\n`; each line is parsed (bad
 *     JSON → a `_jsonparsefailure` event); when the connection closes, what is left (a partial
 *     line) is flushed through the codec too
 *   - ECS mode puts the client address under `[@metadata][input][tcp][source]`
 *   - `closeAfterLines`: after that many lines, once, the connection is closed mid-stream:
 *     `end` (FIN; what the client already sent is still read, like a draining server) or
 *     `reset` (RST; the rest of what was received is discarded, like a crash)
 * Event creation (both): a top-level `@metadata` object becomes the event's metadata (never
 * output); `@version: "1"` is added; an unreadable `@timestamp` is moved to `_@timestamp` and
 * tagged `_timestampparsefailure`.
 */
import { Buffer } from 'node:buffer';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { createServer as createTlsServer } from 'node:tls';

type Fields = Record<string, unknown>;

export interface FakeLogstashEvent {
  readonly fields: Fields;
  readonly metadata: Fields;
  /** The request (http) or connection (tcp) it came in on, 1-based. */
  readonly source: number;
}

export type CodecName = 'json' | 'json_lines' | 'plain';
export type EcsMode = 'v8' | 'disabled';
export interface CodecSpec {
  readonly name: CodecName;
  /** The codec's own ECS mode (only the json and plain codecs use it). Default `v8`. */
  readonly ecsCompatibility?: EcsMode;
}

export interface FakeTls {
  readonly key: string;
  readonly cert: string;
  /** CAs for client certificates. */
  readonly ca?: string;
  /** `required`: a client certificate signed by `ca` is needed. Default `none`. */
  readonly clientAuthentication?: 'none' | 'required';
}

class InvalidFieldSet extends Error {}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `[a][b]` or `a` to a path. */
function fieldPath(reference: string): string[] {
  if (!reference.startsWith('[')) return [reference];
  return [...reference.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
}

/** `event.set` of Logstash: creates missing maps, throws when a parent is not a map. */
function setField(
  event: { fields: Fields; metadata: Fields },
  reference: string,
  value: unknown,
): void {
  const path = fieldPath(reference);
  let target: Fields = event.fields;
  if (path[0] === '@metadata') {
    target = event.metadata;
    path.shift();
  }
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const next = target[key];
    if (next === undefined || next === null) {
      const created: Fields = {};
      target[key] = created;
      target = created;
    } else if (isObject(next)) {
      target = next;
    } else {
      throw new InvalidFieldSet(
        `Could not set field '${path[i + 1]}' on object '${JSON.stringify(next)}' to value '${JSON.stringify(value)}'`,
      );
    }
  }
  target[path[path.length - 1]] = value;
}

/** `new org.logstash.Event(map)`. */
function newEvent(
  data: Fields,
  source: number,
): { fields: Fields; metadata: Fields; source: number } {
  const fields: Fields = { ...data };
  let metadata: Fields = {};
  if ('@metadata' in fields) {
    const m = fields['@metadata'];
    delete fields['@metadata'];
    if (isObject(m)) metadata = { ...m };
  }
  fields['@version'] ??= '1';
  const timestamp = fields['@timestamp'];
  if (timestamp === undefined) {
    fields['@timestamp'] = new Date().toISOString();
  } else if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    fields['_@timestamp'] = timestamp;
    fields['@timestamp'] = new Date().toISOString();
    fields['tags'] = [
      ...(Array.isArray(fields['tags']) ? fields['tags'] : []),
      '_timestampparsefailure',
    ];
  }
  return { fields, metadata, source };
}

/** The FromJsonHelper: nothing for `null`, one event per array element, one for an object. */
function eventsFromJson(text: string, source: number): ReturnType<typeof newEvent>[] {
  if (text.trim() === '') return [];
  const data: unknown = JSON.parse(text);
  if (data === null) return [];
  if (Array.isArray(data)) {
    return data.map((element) => {
      if (!isObject(element)) throw new Error('JSON array elements must be objects');
      return newEvent(element, source);
    });
  }
  if (isObject(data)) return [newEvent(data, source)];
  throw new Error('JSON must contain an array or an object');
}

function parseFailure(text: string, source: number): ReturnType<typeof newEvent> {
  return newEvent({ message: text, tags: ['_jsonparsefailure'] }, source);
}

/** The json codec's decode. */
function jsonDecode(text: string, ecs: EcsMode, source: number): ReturnType<typeof newEvent>[] {
  try {
    const events = eventsFromJson(text, source);
    if (events.length === 1 && ecs !== 'disabled') {
      const event = events[0];
      const inner = event.fields['event'];
      if (inner === undefined || (isObject(inner) && inner['original'] === undefined)) {
        setField(event, '[event][original]', text);
      }
    }
    return events;
  } catch {
    return [parseFailure(text, source)];
  }
}

function jsonLine(line: string, source: number): ReturnType<typeof newEvent>[] {
  try {
    return eventsFromJson(line, source);
  } catch {
    return [parseFailure(line, source)];
  }
}

/** The json_lines codec: a line tokenizer over a stream, flushed at the end. */
class JsonLinesDecoder {
  private buffer = '';
  constructor(private readonly source: number) {}

  /** Complete lines in `text`, decoded. */
  lines(text: string): string[] {
    this.buffer += text;
    const parts = this.buffer.split('\n');
    this.buffer = parts.pop()!;
    return parts;
  }

  decode(line: string): ReturnType<typeof newEvent>[] {
    return jsonLine(line, this.source);
  }

  flush(): ReturnType<typeof newEvent>[] {
    const rest = this.buffer;
    this.buffer = '';
    return rest === '' ? [] : jsonLine(rest, this.source);
  }
}

function listenAddress(server: Server | HttpServer): number {
  return (server.address() as AddressInfo).port;
}

// ----------------------------------------------------------------------------- http input

export interface FakeHttpInputOptions {
  readonly user?: string;
  readonly password?: string;
  /** Default 100 MiB, like the input. */
  readonly maxContentLength?: number;
  /** The input's `codec`. Default `plain`. */
  readonly codec?: CodecName | CodecSpec;
  /** Default `{ 'application/json': 'json' }`. */
  readonly additionalCodecs?: Readonly<Record<string, CodecName>>;
  /** The input's `ecs_compatibility`. Default `v8` (Logstash 8). */
  readonly ecsCompatibility?: EcsMode;
  readonly remoteHostTargetField?: string;
  readonly requestHeadersTargetField?: string;
  readonly responseCode?: number;
  readonly tls?: FakeTls;
}

export interface HttpRequestLog {
  readonly status: number;
  readonly bytes: number;
  readonly contentType: string;
  readonly at: number;
}

export interface FakeHttpInput {
  readonly url: string;
  readonly events: FakeLogstashEvent[];
  readonly requests: HttpRequestLog[];
  /** The next `count` requests answer 429 (with `Retry-After: retryAfter` when given). */
  busy(count: number, retryAfter?: string): void;
  /** The next request answers `status` with `body`. */
  failNext(status: number, body?: string): void;
  setCredentials(user: string | undefined, password: string | undefined): void;
  close(): Promise<void>;
}

export async function startFakeHttpInput(
  options: FakeHttpInputOptions = {},
): Promise<FakeHttpInput> {
  const events: FakeLogstashEvent[] = [];
  const requests: HttpRequestLog[] = [];
  const maxContentLength = options.maxContentLength ?? 100 * 1024 * 1024;
  const ecs = options.ecsCompatibility ?? 'v8';
  const codecSpec = (c: CodecName | CodecSpec): CodecSpec =>
    typeof c === 'string' ? { name: c } : c;
  const defaultCodec = codecSpec(options.codec ?? 'plain');
  const additional = options.additionalCodecs ?? { 'application/json': 'json' };
  const remoteHostField =
    options.remoteHostTargetField ?? (ecs === 'disabled' ? 'host' : '[host][ip]');
  const headersField =
    options.requestHeadersTargetField ??
    (ecs === 'disabled' ? 'headers' : '[@metadata][input][http][request][headers]');
  let user = options.user;
  let password = options.password;
  let busyLeft = 0;
  let busyRetryAfter: string | undefined;
  const failures: { status: number; body: string }[] = [];
  let requestNumber = 0;

  const answer = (
    res: ServerResponse,
    status: number,
    body = '',
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxContentLength) chunks.push(chunk);
    });
    req.on('end', () => {
      requestNumber++;
      const source = requestNumber;
      const contentType = req.headers['content-type'] ?? '';
      const log = (status: number): void => {
        requests.push({ status, bytes, contentType, at: Date.now() });
      };
      if (bytes > maxContentLength) {
        log(413);
        answer(res, 413, '', { connection: 'close' });
        return;
      }
      if (busyLeft > 0) {
        busyLeft--;
        log(429);
        answer(res, 429, '', busyRetryAfter !== undefined ? { 'retry-after': busyRetryAfter } : {});
        return;
      }
      if (user !== undefined && password !== undefined) {
        const authorization = req.headers.authorization;
        if (authorization === undefined) {
          log(401);
          answer(res, 401, '', { 'www-authenticate': 'Basic realm="Logstash HTTP Input"' });
          return;
        }
        const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        if (authorization !== expected) {
          log(401);
          answer(res, 401);
          return;
        }
      }
      const failure = failures.shift();
      if (failure) {
        log(failure.status);
        answer(res, failure.status, failure.body);
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const mime = contentType.split(';')[0].trim().toLowerCase();
      const name = additional[mime];
      const codec: CodecSpec = name !== undefined ? { name } : defaultCodec;
      let decoded: ReturnType<typeof newEvent>[];
      if (codec.name === 'json') {
        decoded = jsonDecode(body, codec.ecsCompatibility ?? 'v8', source);
      } else if (codec.name === 'json_lines') {
        const lines = new JsonLinesDecoder(source);
        decoded = lines.lines(body).flatMap((line) => lines.decode(line));
        decoded.push(...lines.flush());
      } else {
        decoded = [newEvent({ message: body }, source)];
        if ((codec.ecsCompatibility ?? 'v8') !== 'disabled') {
          setField(decoded[0], '[event][original]', body);
        }
      }
      const headers: Fields = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (key !== 'authorization') headers[key.replace(/-/g, '_')] = value;
      }
      try {
        for (const event of decoded) {
          if (ecs !== 'disabled') {
            setField(event, '[http][version]', req.httpVersion);
            if (req.headers['user-agent']) {
              setField(event, '[user_agent][original]', req.headers['user-agent']);
            }
            const [domain, port] = (req.headers.host ?? '').split(':');
            if (domain) setField(event, '[url][domain]', domain);
            if (port) setField(event, '[url][port]', Number(port));
            setField(event, '[http][method]', req.method);
            setField(event, '[url][path]', req.url);
            setField(event, '[http][request][body][bytes]', req.headers['content-length']);
            setField(event, '[http][request][mime_type]', contentType);
          }
          setField(event, headersField, headers);
          setField(event, remoteHostField, req.socket.remoteAddress);
          events.push(event);
        }
      } catch {
        // The input logs "unable to process event" and answers 500 with an empty body.
        log(500);
        answer(res, 500);
        return;
      }
      const status = options.responseCode ?? 200;
      log(status);
      answer(res, status, status === 204 ? '' : 'ok', { 'content-type': 'text/plain' });
    });
  };

  const server: HttpServer = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.ca !== undefined ? { ca: options.tls.ca } : {}),
          requestCert: options.tls.clientAuthentication === 'required',
          rejectUnauthorized: options.tls.clientAuthentication === 'required',
        },
        handle,
      )
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${listenAddress(server)}`,
    events,
    requests,
    busy(count, retryAfter) {
      busyLeft = count;
      busyRetryAfter = retryAfter;
    },
    failNext(status, body = '') {
      failures.push({ status, body });
    },
    setCredentials(u, p) {
      user = u;
      password = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ----------------------------------------------------------------------------- tcp input

export interface FakeTcpInputOptions {
  readonly tls?: FakeTls;
  /** After this many lines (over all connections), close that connection, once. */
  readonly closeAfterLines?: number;
  /** `end`: FIN, keep reading what the client already sent. `reset`: RST, discard. */
  readonly closeMode?: 'end' | 'reset';
  /** Default: any free port. */
  readonly port?: number;
}

export interface FakeTcpInput {
  readonly url: string;
  readonly events: FakeLogstashEvent[];
  /** Connections accepted (after the TLS handshake, for tls). */
  connections(): number;
  /** Bytes received, including bytes discarded by a reset. */
  bytesReceived(): number;
  /** TLS handshakes that failed, with the server-side error. */
  readonly tlsErrors: string[];
  /** Closes every open connection gracefully (FIN), as an idle timeout would. */
  endConnections(): void;
  /** Resolves once at least `bytes` were received (or rejects after `timeoutMs`). */
  waitForBytes(bytes: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeTcpInput(options: FakeTcpInputOptions = {}): Promise<FakeTcpInput> {
  const events: FakeLogstashEvent[] = [];
  const tlsErrors: string[] = [];
  const open = new Set<Socket>();
  let connectionCount = 0;
  let received = 0;
  let lines = 0;
  let closedOnce = false;
  const waiters: { bytes: number; resolve: () => void }[] = [];
  const notify = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (received >= waiters[i].bytes) waiters.splice(i, 1)[0].resolve();
    }
  };

  const onConnection = (socket: Socket): void => {
    connectionCount++;
    const source = connectionCount;
    open.add(socket);
    const text = new StringDecoder('utf8');
    const codec = new JsonLinesDecoder(source);
    let discarding = false;
    const push = (decoded: ReturnType<typeof newEvent>[]): void => {
      for (const event of decoded) {
        setField(event, '[@metadata][input][tcp][source][ip]', socket.remoteAddress);
        setField(event, '[@metadata][input][tcp][source][port]', socket.remotePort);
        events.push(event);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!discarding) {
        for (const line of codec.lines(text.write(chunk))) {
          push(codec.decode(line));
          lines++;
          if (
            !closedOnce &&
            options.closeAfterLines !== undefined &&
            lines >= options.closeAfterLines
          ) {
            closedOnce = true;
            if ((options.closeMode ?? 'end') === 'end') {
              socket.end();
            } else {
              discarding = true;
              socket.resetAndDestroy();
              break;
            }
          }
        }
      }
      notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open.delete(socket);
      // The tcp input flushes the codec when a connection closes: a partial line becomes an
      // event (a `_jsonparsefailure` one, unless the part happens to be valid JSON).
      if (!discarding) push(codec.flush());
    });
  };

  let server: Server;
  if (options.tls) {
    const tls = options.tls;
    server = createTlsServer(
      {
        key: tls.key,
        cert: tls.cert,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        requestCert: tls.clientAuthentication === 'required',
        rejectUnauthorized: tls.clientAuthentication === 'required',
      },
      onConnection,
    );
    server.on('tlsClientError', (error: Error) => tlsErrors.push(error.message));
  } else {
    server = createNetServer(onConnection);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const scheme = options.tls ? 'tls' : 'tcp';
  return {
    url: `${scheme}://127.0.0.1:${listenAddress(server)}`,
    events,
    tlsErrors,
    connections: () => connectionCount,
    bytesReceived: () => received,
    endConnections() {
      for (const socket of open) socket.end();
    },
    waitForBytes(bytes, timeoutMs = 5000) {
      if (received >= bytes) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the fake tcp input received ${received} of ${bytes} bytes`));
        }, timeoutMs);
        waiters.push({
          bytes,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
