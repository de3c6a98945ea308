import type { JsonObject, JsonValue } from '../record.js';
import { setOwn } from '../serialize/own-property.js';
import {
  copyRemaining,
  isJsonObject,
  isNonText,
  moveAside,
  nonEmptyString,
  take,
  takeMessage,
  takeTimestamp,
  type MovedFields,
  type RecordContext,
} from './fields.js';
import { normalizeLevel } from './levels.js';

export const ECS_VERSION = '8.11.0';

/**
 * The ECS schema (`LMS_LOG_SCHEMA=ecs`), written as nested objects:
 *
 * | ECS field                     | from                                                      |
 * | ----------------------------- | --------------------------------------------------------- |
 * | `@timestamp`                  | as in the lms schema (`timestamp_raw` when unreadable)    |
 * | `log.level`                   | `level` (else `log.level`), normalized                    |
 * | `message`                     | `message`, else `msg`; non-strings as JSON text           |
 * | `ecs.version`                 | `8.11.0`                                                  |
 * | `service.name`                | `service` (string) or `service.name`, else option         |
 * | `service.environment`         | `environment` (string) or `service.environment`, else opt |
 * | `host.name`                   | `host.name`, else option                                  |
 * | `host.hostname`               | pino's `hostname`                                         |
 * | `process.pid`                 | pino's `pid`                                              |
 * | `http.response.status_code`   | `status_code` (number or numeric string)                  |
 * | `http.request.method`         | `method`                                                  |
 * | `url.original`                | `url` (string)                                            |
 * | `url.path`                    | `path`, else `url` without query and fragment             |
 * | `event.duration`              | `duration_ms` × 1,000,000 (ECS counts nanoseconds)        |
 * | `user.id`                     | `user_id`                                                 |
 * | `error.type`                  | `name` or `type` of `err` / `error`, else the stack's     |
 * |                               | first line (`TypeError: ...`) of a top-level `stack`      |
 * | `error.message`               | `message` of `err` / `error`, a string `error`, else the  |
 * |                               | stack's first line                                        |
 * | `error.stack_trace`           | `stack` of `err` / `error`, else a top-level `stack`      |
 *
 * Other fields of the error object (`code`, `cause`, `status`) stay inside `error`; every other
 * field of the record stays as it is. A field whose name ECS uses for an object but that holds
 * something else (`event: 'login'`, `user: 'bob'`) would make Elasticsearch reject the document,
 * so it is kept as `<name>_raw`.
 */
export function toEcsRecord(source: JsonObject, context: RecordContext): JsonObject {
  const { timestamp, moved: timestampMoved } = takeTimestamp(source, context.now);
  return new EcsBuilder(source, timestampMoved).build(timestamp, context);
}

/** Top-level names that are objects in ECS. */
const ECS_OBJECT_FIELDS = [
  'log',
  'ecs',
  'service',
  'host',
  'http',
  'url',
  'event',
  'user',
  'error',
  'process',
] as const;

const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;
// `TypeError: x`, `Error [ERR_CODE]: x`, `MyError`; the first line of a V8 stack.
const STACK_HEAD = /^([A-Za-z_$][\w$.]*)(?: \[[^\]]*\])?(?::\s?(.*))?$/;

class EcsBuilder {
  private readonly out: JsonObject = {};

  constructor(
    private readonly source: JsonObject,
    private moved: MovedFields,
  ) {}

  build(timestamp: string, context: RecordContext): JsonObject {
    const { source, out } = this;
    out['@timestamp'] = timestamp;
    const log = this.branch('log');
    const level = take(source, 'level');
    log.level = normalizeLevel(level === undefined || level === null ? log.level : level);
    out.message = takeMessage(source);
    this.branch('ecs').version = ECS_VERSION;
    this.mapService(context);
    this.mapHost(context);
    this.mapHttp();
    this.mapUrl();
    this.mapNumber('duration_ms', 'event', 'duration', (ms) => Math.round(ms * 1e6));
    this.mapScalar('user_id', 'user', 'id');
    this.mapError();
    this.mapNumber('pid', 'process', 'pid', (pid) => pid);
    this.finishObjectFields();
    return copyRemaining(out, source, this.moved);
  }

  private mapService(context: RecordContext): void {
    const name = this.source.service;
    if (typeof name === 'string') take(this.source, 'service');
    const environment = take(this.source, 'environment');
    const service = this.branch('service');
    if (nonEmptyString(name)) service.name = name;
    else if (!nonEmptyString(service.name)) service.name = context.service;
    if (nonEmptyString(environment)) service.environment = environment;
    else {
      if (isNonText(environment)) this.moved = moveAside(this.moved, 'environment', environment);
      if (!nonEmptyString(service.environment)) service.environment = context.environment;
    }
  }

  private mapHost(context: RecordContext): void {
    const host = this.branch('host');
    if (!nonEmptyString(host.name)) host.name = context.hostName;
    if (typeof this.source.hostname === 'string' && host.hostname === undefined) {
      host.hostname = take(this.source, 'hostname') as string;
    }
  }

  private mapHttp(): void {
    this.mapNumber('status_code', 'http', 'status_code', (code) => code, 'response');
    if (typeof this.source.method === 'string') {
      const method = take(this.source, 'method') as string;
      child(this.branch('http'), 'request').method = method;
    }
  }

  private mapUrl(): void {
    const original = this.source.url;
    const path = this.source.path;
    if (typeof original !== 'string' && typeof path !== 'string') return;
    if (typeof original === 'string') take(this.source, 'url');
    if (typeof path === 'string') take(this.source, 'path');
    const url = this.branch('url');
    if (typeof original === 'string') url.original = original;
    const urlPath = typeof path === 'string' ? path : pathOf(original as string);
    if (urlPath !== undefined) url.path = urlPath;
  }

  private mapScalar(from: string, branch: string, field: string): void {
    const value = this.source[from];
    if (typeof value !== 'string' && typeof value !== 'number') return;
    take(this.source, from);
    this.branch(branch)[field] = value;
  }

  /** Numbers and numeric strings only; anything else stays where it was. */
  private mapNumber(
    from: string,
    branch: string,
    field: string,
    convert: (value: number) => number,
    nested?: string,
  ): void {
    const value = this.source[from];
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && NUMERIC.test(value)
          ? Number(value)
          : undefined;
    if (number === undefined) return;
    take(this.source, from);
    const target = nested === undefined ? this.branch(branch) : child(this.branch(branch), nested);
    target[field] = convert(number);
  }

  private mapError(): void {
    const { source } = this;
    if (isJsonObject(source.err)) {
      const err = take(source, 'err') as JsonObject;
      // An ECS-shaped `error` next to `err` is merged, `err` winning.
      mergeInto(this.branch('error'), toEcsError(err));
      return;
    }
    if (isJsonObject(source.error)) {
      const error = take(source, 'error') as JsonObject;
      this.out.error = toEcsError(error);
      return;
    }
    if (typeof source.error === 'string') {
      const message = take(source, 'error') as string;
      this.branch('error').message = message;
      return;
    }
    if (typeof source.stack === 'string') {
      const stack = take(source, 'stack') as string;
      const head = STACK_HEAD.exec(stack.slice(0, firstLineEnd(stack)));
      const error = this.branch('error');
      const name = source.name;
      if (typeof name === 'string') error.type = take(source, 'name') as string;
      else if (head?.[1] !== undefined) error.type = head[1];
      if (head?.[2] !== undefined) error.message = head[2];
      error.stack_trace = stack;
    }
  }

  /**
   * The object for an ECS field set: already in the output, else the record's own object
   * (mapped fields are added to it), else a new one.
   */
  private branch(key: string): JsonObject {
    const existing = this.out[key];
    if (isJsonObject(existing)) return existing;
    const own = take(this.source, key);
    const target: JsonObject = isJsonObject(own) ? own : {};
    if (own !== undefined && own !== null && !isJsonObject(own)) {
      this.moved = moveAside(this.moved, key, own);
    }
    this.out[key] = target;
    return target;
  }

  /** ECS object names the record still holds: objects are kept, anything else moved aside. */
  private finishObjectFields(): void {
    for (const key of ECS_OBJECT_FIELDS) {
      if (this.source[key] === undefined) continue;
      const value = take(this.source, key) as JsonValue;
      if (isJsonObject(value)) this.out[key] = value;
      else if (value !== null) this.moved = moveAside(this.moved, key, value);
    }
  }
}

/**
 * `{ name|type, message, stack }` of a sanitized Error (or pino's serialized `err`) to ECS
 * `{ type, message, stack_trace }`; its other fields are kept, a clash moved to `<name>_raw`.
 */
function toEcsError(error: JsonObject): JsonObject {
  const out: JsonObject = {};
  const typeKey = typeof error.name === 'string' ? 'name' : 'type';
  const stackKey = typeof error.stack === 'string' ? 'stack' : 'stack_trace';
  const type = error[typeKey];
  const stack = error[stackKey];
  const message = error.message;
  if (typeof type === 'string') out.type = type;
  if (message !== undefined && message !== null) {
    out.message = typeof message === 'string' ? message : JSON.stringify(message);
  }
  if (typeof stack === 'string') out.stack_trace = stack;
  for (const key of Object.keys(error)) {
    if (key === typeKey || key === stackKey || key === 'message') continue;
    setOwn(out, Object.hasOwn(out, key) ? `${key}_raw` : key, error[key]);
  }
  return out;
}

function mergeInto(target: JsonObject, fields: JsonObject): void {
  for (const key of Object.keys(fields)) setOwn(target, key, fields[key]);
}

function child(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  if (existing !== undefined && existing !== null) parent[`${key}_raw`] = existing;
  parent[key] = created;
  return created;
}

/** The path of a URL or of a request target (`/courses/12?tab=grades` → `/courses/12`). */
function pathOf(url: string): string | undefined {
  if (url.startsWith('/')) {
    const end = url.search(/[?#]/);
    return end < 0 ? url : url.slice(0, end);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

function firstLineEnd(text: string): number {
  const end = text.indexOf('\n');
  return end < 0 ? text.length : end;
}
