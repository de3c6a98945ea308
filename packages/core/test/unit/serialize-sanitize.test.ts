import { describe, it, expect } from 'vitest';
import type { JsonObject, JsonValue } from '../../src/record.js';
import { createRedactor } from '../../src/redact/index.js';
import { sanitize, BINARY_PREVIEW_BYTES, type SanitizeOptions } from '../../src/serialize/index.js';

/** Lets assertions walk into the output without a cast at every step. */
interface Tree {
  readonly [key: string]: Tree;
}

function clean<T = Tree>(value: unknown, options?: SanitizeOptions): T {
  return sanitize(value, options).value as unknown as T;
}

function roundTrips(value: unknown): void {
  const json = JSON.stringify(value);
  expect(typeof json).toBe('string');
  expect(JSON.parse(json)).toEqual(value);
  // Valid UTF-8: nothing changes when the JSON is encoded and decoded.
  expect(Buffer.from(json, 'utf8').toString('utf8')).toBe(json);
}

describe('sanitize: plain JSON', () => {
  it('copies plain data unchanged and reports no truncation', () => {
    const input = { a: 1, b: 'x', c: [true, null, { d: -2.5 }], e: {} };
    const result = sanitize(input);
    expect(result.value).toEqual(input);
    expect(result.value).not.toBe(input);
    expect(result.truncated).toBe(false);
    expect(JSON.stringify(result.value)).toBe(JSON.stringify(input));
  });

  it('returns its own copies, so later mutation by the app changes nothing', () => {
    const input = { user: { roles: ['student'] }, when: new Date('2026-11-29T20:37:14.123Z') };
    const out = clean(input);
    input.user.roles.push('admin');
    input.when.setFullYear(1999);
    expect(out).toEqual({ user: { roles: ['student'] }, when: '2026-11-29T20:37:14.123Z' });
  });

  it('maps NaN and ±Infinity to null and -0 to 0, like JSON', () => {
    const out = clean({ a: NaN, b: Infinity, c: -Infinity, d: -0, e: [NaN] });
    expect(out).toEqual({ a: null, b: null, c: null, d: 0, e: [null] });
    expect(Object.is(out.d, 0)).toBe(true);
  });

  it('maps root values that JSON cannot hold to null', () => {
    expect(clean(undefined)).toBeNull();
    expect(clean(() => 1)).toBeNull();
    expect(clean(Symbol('s'))).toBeNull();
    expect(clean('text')).toBe('text');
    expect(clean(12)).toBe(12);
  });
});

describe('sanitize: hostile values', () => {
  it('replaces cycles with [Circular] but copies shared references', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const list: unknown[] = [1];
    list.push(list);
    const shared = { v: 1 };
    const out = clean({ a, list, left: shared, right: shared, deep: { x: { y: a } } });
    expect(out.a).toEqual({ name: 'a', self: '[Circular]' });
    expect(out.list).toEqual([1, '[Circular]']);
    expect(out.left).toEqual({ v: 1 });
    expect(out.right).toEqual({ v: 1 });
    expect(out.deep.x.y).toEqual({ name: 'a', self: '[Circular]' });
    roundTrips(out);
  });

  it('writes BigInt as a decimal string', () => {
    expect(clean({ n: 12345678901234567890n, list: [-5n] })).toEqual({
      n: '12345678901234567890',
      list: ['-5'],
    });
    expect(clean(7n)).toBe('7');
  });

  it('copies an Error with name, message, stack, own fields and a recursive cause', () => {
    const root = new TypeError('socket closed');
    const error = Object.assign(new Error('save failed', { cause: root }), {
      code: 'E_SAVE',
      status: 503,
    });
    const out = clean({ err: error }).err;
    expect(out.name).toBe('Error');
    expect(out.message).toBe('save failed');
    expect(out.stack).toContain('save failed');
    expect(out.code).toBe('E_SAVE');
    expect(out.status).toBe(503);
    expect(out.cause.name).toBe('TypeError');
    expect(out.cause.message).toBe('socket closed');
    expect(typeof out.cause.stack).toBe('string');
    expect(Object.keys(out)).toEqual(['name', 'message', 'stack', 'code', 'status', 'cause']);
    roundTrips(out);
  });

  it('keeps AggregateError.errors, custom Error names and cyclic causes', () => {
    class QuizError extends Error {
      override name = 'QuizError';
    }
    const looping = new Error('loop');
    (looping as { cause?: unknown }).cause = looping;
    const out = clean(new AggregateError([new QuizError('q1'), looping], 'several'));
    expect(out.name).toBe('AggregateError');
    expect(out.message).toBe('several');
    expect(out.errors[0].name).toBe('QuizError');
    expect(out.errors[0].message).toBe('q1');
    expect(out.errors[1].cause).toBe('[Circular]');
  });

  it('summarizes Buffers, typed arrays, ArrayBuffers and DataViews', () => {
    const bytes = Buffer.from('hello world');
    const big = Buffer.alloc(100, 1);
    const out = clean({
      bytes,
      big,
      floats: new Float64Array([1, 2]),
      raw: new Uint8Array([1, 2, 3]).buffer,
      view: new DataView(new ArrayBuffer(4)),
    });
    expect(out.bytes).toEqual({
      type: 'Buffer',
      length: 11,
      base64_preview: bytes.toString('base64'),
    });
    expect(out.big.length).toBe(100);
    const preview = (out.big as unknown as { base64_preview: string }).base64_preview;
    expect(Buffer.from(preview, 'base64').length).toBe(BINARY_PREVIEW_BYTES);
    expect(out.floats).toEqual({
      type: 'Float64Array',
      length: 16,
      base64_preview: Buffer.from(new Float64Array([1, 2]).buffer).toString('base64'),
    });
    expect(out.raw).toEqual({ type: 'ArrayBuffer', length: 3, base64_preview: 'AQID' });
    expect(out.view.type).toBe('DataView');
  });

  it('withholds a binary preview that contains something the redactor masks', () => {
    const redactor = createRedactor();
    const out = clean({ body: Buffer.from('{"email":"jane@uni.edu"}') }, { redactor });
    expect(out.body.base64_preview).toBe('[REDACTED]');
    const plain = clean({ body: Buffer.from('hello') }, { redactor });
    expect(plain.body.base64_preview).toBe(Buffer.from('hello').toString('base64'));
  });

  it('turns Maps into objects with string keys and Sets into arrays', () => {
    const out = clean({
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        [{ k: 1 }, 'object key'],
        [Symbol('s'), true],
        [null, new Set([1, 1, 2])],
      ]),
      set: new Set(['x', { y: 1 }]),
    });
    expect(out.map).toEqual({
      a: 1,
      '2': 'two',
      '[object Object]': 'object key',
      'Symbol(s)': true,
      null: [1, 2],
    });
    expect(out.set).toEqual(['x', { y: 1 }]);
  });

  it('writes Dates as ISO strings and invalid Dates as "Invalid Date"', () => {
    expect(clean({ at: new Date(Date.UTC(2026, 10, 29, 20, 37, 14, 123)) })).toEqual({
      at: '2026-11-29T20:37:14.123Z',
    });
    expect(clean({ at: new Date('nonsense') })).toEqual({ at: 'Invalid Date' });
  });

  it('drops symbols, functions and undefined in objects and writes null in arrays', () => {
    const info: Record<string | symbol, unknown> = {
      level: 'info',
      message: 'hello',
      fn: () => 1,
      sym: Symbol('x'),
      nothing: undefined,
      list: [undefined, () => 1, Symbol('y'), 1],
    };
    // winston keeps its internal copies under symbol keys.
    info[Symbol.for('level')] = 'info';
    info[Symbol.for('message')] = '{"level":"info"}';
    info[Symbol.for('splat')] = [{ secret: 1 }];
    expect(clean(info)).toEqual({
      level: 'info',
      message: 'hello',
      list: [null, null, null, 1],
    });
  });

  it('calls toJSON with its key, guarded, and never loops', () => {
    const seen: string[] = [];
    const withKey = {
      toJSON(key: string) {
        seen.push(key);
        return { wrapped: true };
      },
    };
    const throwing = {
      toJSON() {
        throw new Error('no json today');
      },
    };
    const selfish = {
      a: 1,
      toJSON() {
        return this;
      },
    };
    const endlessToJSON = (): unknown => ({ toJSON: endlessToJSON, level: 1 });
    const endless = { toJSON: endlessToJSON };
    const out = clean({ withKey, throwing, selfish, endless, url: new URL('https://lms.test/a') });
    expect(out.withKey).toEqual({ wrapped: true });
    expect(seen).toEqual(['withKey']);
    expect(out.throwing).toBe('[Unserializable: no json today]');
    expect(out.selfish).toEqual({ a: 1 });
    expect(out.url).toBe('https://lms.test/a');
    expect(JSON.stringify(out.endless)).toContain('[Truncated: depth]');
  });

  it('describes thrown values that are not Errors, or whose message misbehaves', () => {
    const thrower = (thrown: unknown) => ({
      get value(): never {
        throw thrown;
      },
    });
    const weird = new Error('x');
    Object.defineProperty(weird, 'message', {
      get(): string {
        throw new Error('again');
      },
    });
    const hostileMessage = new Error();
    Object.defineProperty(hostileMessage, 'message', {
      value: {
        toString() {
          throw new Error('no text');
        },
      },
    });
    expect(
      clean({ a: thrower('plain text'), b: thrower(weird), c: thrower(hostileMessage) }),
    ).toEqual({
      a: { value: '[Unserializable: plain text]' },
      b: { value: '[Unserializable: unknown error]' },
      c: { value: '[Unserializable: unknown error]' },
    });
  });

  it('never throws, even with a redactor that does', () => {
    const redactor = {
      redactKey: () => false,
      redactString: (): string => {
        throw new Error('bad redactor');
      },
    };
    expect(sanitize({ a: 'x' }, { redactor })).toEqual({
      value: '[Unserializable: redaction failed]',
      truncated: true,
    });
  });

  it('catches getters that throw', () => {
    const input = {
      ok: 1,
      get broken(): number {
        throw new Error('getter exploded');
      },
    };
    expect(clean(input)).toEqual({ ok: 1, broken: '[Unserializable: getter exploded]' });
  });

  it('catches Proxies whose traps throw, and revoked Proxies', () => {
    const hostileKeys = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const hostileGet = new Proxy(
      { a: 1, b: 2 },
      {
        get(_target, key) {
          if (key === 'b') throw new Error('no b');
          return 1;
        },
      },
    );
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const arrayProxy = new Proxy([1, 2, 3], {});
    const out = clean({ hostileKeys, hostileGet, revoked, arrayProxy });
    expect(out.hostileKeys).toBe('[Unserializable: no keys]');
    expect(out.hostileGet).toEqual({ a: 1, b: '[Unserializable: no b]' });
    expect(out.revoked).toMatch(/^\[Unserializable: .*revoked/);
    expect(out.arrayProxy).toEqual([1, 2, 3]);
  });

  it('copies __proto__, constructor and prototype keys as data without polluting', () => {
    const hostile = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":3}',
    ) as unknown;
    const out = clean<JsonObject>({ nested: hostile, ...(hostile as object) });
    const nested = out.nested as JsonObject;

    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.keys(nested)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getOwnPropertyDescriptor(nested, '__proto__')?.value).toEqual({ polluted: 1 });
    const json = JSON.stringify(out);
    expect(json).toContain('"__proto__":{"polluted":1}');
    const parsed = JSON.parse(json) as JsonObject;
    expect(Object.getOwnPropertyDescriptor(parsed.nested, '__proto__')?.value).toEqual({
      polluted: 1,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((nested as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces lone surrogates in strings and keys with U+FFFD', () => {
    const input = {
      lone: 'a\ud800b',
      trailing: 'x\udfff',
      emoji: 'ok 😀',
      ['key\udc00']: 'value',
      list: ['\ud83d'],
    };
    const out = clean(input);
    expect(out).toEqual({
      lone: 'a\ufffdb',
      trailing: 'x\ufffd',
      emoji: 'ok 😀',
      'key\ufffd': 'value',
      list: ['\ufffd'],
    });
    roundTrips(out);
  });

  it('cuts containers below maxDepth with [Truncated: depth]', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 15; i += 1) deep = { next: deep };
    const result = sanitize(deep);
    expect(result.truncated).toBe(true);
    let node = result.value as JsonObject;
    for (let depth = 0; depth < 10; depth += 1) node = node.next as JsonObject;
    expect(node.next).toBe('[Truncated: depth]');

    const shallow = sanitize({ a: { b: { c: 1 } }, x: 1 }, { maxDepth: 1 });
    expect(shallow.value).toEqual({ a: { b: '[Truncated: depth]' }, x: 1 });
    expect(sanitize({ a: { b: 1 } }, { maxDepth: 1 }).truncated).toBe(false);
  });

  it('cuts long strings with a suffix naming the cut length', () => {
    const result = sanitize({ body: 'x'.repeat(40_000) });
    const body = (result.value as JsonObject).body as string;
    expect(result.truncated).toBe(true);
    expect(body).toBe(`${'x'.repeat(32_768)}…[truncated 7232 chars]`);

    const huge = sanitize('y'.repeat(1_000_000), { maxStringLength: 10 });
    expect(huge.value).toBe('yyyyyyyyyy…[truncated 999990 chars]');
  });

  it('never splits a surrogate pair when cutting', () => {
    const value = clean<string>('ab😀cd', { maxStringLength: 3 });
    expect(value).toBe('ab…[truncated 4 chars]');
    roundTrips(value);
  });

  it('summarizes arrays beyond maxArrayLength and objects beyond maxKeys', () => {
    const list = Array.from({ length: 1500 }, (_, i) => i);
    const wide = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i]));
    const result = sanitize({ list, wide });
    const out = result.value as JsonObject;
    expect(result.truncated).toBe(true);
    expect((out.list as JsonValue[]).length).toBe(1001);
    expect((out.list as JsonValue[])[1000]).toBe('[Truncated: 500 more items]');
    expect(Object.keys(out.wide as JsonObject).length).toBe(1001);
    expect((out.wide as JsonObject)['[Truncated]']).toBe('200 more keys');
    expect(clean(new Set([1, 2, 3]), { maxArrayLength: 2 })).toEqual([
      1,
      2,
      '[Truncated: 1 more items]',
    ]);
  });

  it('stops graphs that expand exponentially through shared references', () => {
    let node: unknown = 'leaf';
    for (let i = 0; i < 30; i += 1) node = [node, node];
    const started = performance.now();
    const result = sanitize(node, { maxDepth: 40 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.truncated).toBe(true);
    expect(JSON.stringify(result.value)).toContain('[Truncated: size]');
  });

  it('unwraps boxed primitives and copies class instances by own fields', () => {
    class Course {
      readonly id = 7;
      #secret = 'hidden';
      title = 'Algebra';
      reveal(): string {
        return this.#secret;
      }
    }
    expect(clean({ s: Object('x'), n: Object(2), b: Object(false), c: new Course() })).toEqual({
      s: 'x',
      n: 2,
      b: false,
      c: { id: 7, title: 'Algebra' },
    });
  });
});

describe('sanitize: redaction hook', () => {
  const redactor = {
    redactKey: (key: string) => key === 'password' || key === 'token',
    redactString: (value: string) => value.replaceAll('secret', '******'),
  };

  it('replaces values under redacted keys whatever their type', () => {
    const out = clean(
      { password: { nested: 'x' }, token: 123, user: { password: ['a'] }, keep: 'a secret' },
      { redactor },
    );
    expect(out).toEqual({
      password: '[REDACTED]',
      token: '[REDACTED]',
      user: { password: '[REDACTED]' },
      keep: 'a ******',
    });
  });

  it('passes every string through redactString: nested, in arrays, errors, Map keys', () => {
    const out = clean(
      {
        list: ['secret one'],
        error: new Error('secret failure'),
        map: new Map([['secret-key', 'secret value']]),
      },
      { redactor },
    );
    expect(out.list).toEqual(['****** one']);
    expect(out.error.message).toBe('****** failure');
    expect(out.error.stack).not.toContain('secret');
    expect(out.map).toEqual({ '******-key': '****** value' });
  });

  it('does not run the getter of a redacted key', () => {
    let reads = 0;
    const input = {
      get password(): string {
        reads += 1;
        return 'hunter2';
      },
    };
    expect(clean(input, { redactor })).toEqual({ password: '[REDACTED]' });
    expect(reads).toBe(0);
  });

  it('cuts a long key even after it was seen clean under a larger limit', () => {
    const redactor = createRedactor();
    const key = 'k'.repeat(20);
    expect(clean({ [key]: 1 }, { redactor })).toEqual({ [key]: 1 });
    expect(clean({ [key]: 1 }, { redactor, maxStringLength: 5 })).toEqual({
      'kkkkk…[truncated 15 chars]': 1,
    });
  });

  it('redacts a secret straddling the string limit before cutting it', () => {
    const text = `${'a'.repeat(95)} jane.doe@example.com ${'b'.repeat(2000)}`;
    const value = clean<string>(text, { redactor: createRedactor(), maxStringLength: 100 });
    expect(value).not.toContain('jane');
    expect(value.startsWith(`${'a'.repeat(95)} ***@`)).toBe(true);
    expect(value).toMatch(/…\[truncated \d+ chars\]$/);
  });
});
