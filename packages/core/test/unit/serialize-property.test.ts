import { describe, it, expect } from 'vitest';
import { createRecordMapper, PROTECTED_KEYS } from '../../src/mapping/index.js';
import { createRedactor } from '../../src/redact/index.js';
import { fitRecord, sanitize, type SanitizeOptions } from '../../src/serialize/index.js';

/** mulberry32: a small seeded PRNG so that a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Gives a generated error a fixed stack. Under vitest every first read of `stack` is
 * source-mapped (a fraction of a millisecond each), which would dominate this test's time.
 */
function withStack<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}\n    at generated (hostile.js:1:1)`;
  return error;
}

/** Generates nested values salted with every kind of member sanitize must survive. */
class HostileValues {
  constructor(private readonly next: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  private int(max: number): number {
    return Math.floor(this.next() * max);
  }

  text(): string {
    const pieces = [
      'a',
      'é',
      '😀',
      '\ud800',
      '\udc00',
      '"',
      '\\',
      '\n',
      '\u0000',
      ' ',
      'jane@uni.edu',
    ];
    let out = '';
    const length = this.int(12);
    while (out.length < length) out += this.pick(pieces);
    // Now and then one past the default 32 KiB limit, so cutting is exercised too.
    return this.next() < 0.005 ? out + this.pick(pieces).repeat(40_000) : out;
  }

  key(): string {
    return this.pick([
      'a',
      'b',
      '__proto__',
      'constructor',
      'prototype',
      'password',
      'toJSON',
      'k\ud800',
      this.text(),
    ]);
  }

  leaf(): unknown {
    switch (this.int(24)) {
      case 0:
        return 10n ** BigInt(this.int(40));
      case 1:
        return Symbol('s');
      case 2:
        return () => 1;
      case 3:
        return undefined;
      case 4:
        return this.pick([NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, 5e-324]);
      case 5:
        return new Date(this.pick([0, Date.now(), NaN, 8.64e15]));
      case 6:
        return Buffer.from(this.text());
      case 7:
        return new Float32Array(this.int(20));
      case 8:
        return new ArrayBuffer(this.int(64));
      case 9:
        return Object(this.pick<unknown>(['boxed', 1, true, 2n]));
      case 10: {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      }
      case 11:
        return new Proxy(
          { a: 1 },
          {
            [this.pick(['get', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor'])]() {
              throw new Error('trap');
            },
          },
        );
      case 12: {
        const thrown: unknown = this.next() < 0.5 ? new Error('getter') : 'a thrown string';
        return {
          get boom(): never {
            // Apps throw non-Errors too; sanitize must describe those as well.

            throw thrown;
          },
        };
      }
      case 13:
        return {
          toJSON: () => {
            throw new Error('toJSON');
          },
        };
      case 14:
        return Object.assign(
          withStack(new Error(this.text(), { cause: withStack(new RangeError('inner')) })),
          {
            code: this.int(600),
          },
        );
      case 15:
        return Object.create(null) as unknown;
      case 16:
        return new Array(this.int(3000));
      case 17:
        return this.next() < 0.5 ? null : this.next() < 0.5;
      default:
        return this.next() < 0.5 ? this.text() : this.next() * 1e6 - 5e5;
    }
  }

  value(depth: number, ancestors: object[]): unknown {
    const roll = this.next();
    // Containers get rarer with depth, so that trees stay small but reach past maxDepth at times.
    if (depth > 14 || roll < 0.3 + depth * 0.06) return this.leaf();
    if (roll < 0.4 && ancestors.length > 0) return this.pick(ancestors);
    const container = this.containerOf(this.int(6));
    const children = this.int(6);
    const lineage = [...ancestors, container];
    for (let i = 0; i < children; i += 1) {
      const child = this.value(depth + 1, lineage);
      if (Array.isArray(container)) container.push(child);
      else if (container instanceof Map) container.set(this.next() < 0.3 ? {} : this.key(), child);
      else if (container instanceof Set) container.add(child);
      // defineProperty, not assignment: a `__proto__` key must stay data here as well.
      else {
        Object.defineProperty(container, this.key(), {
          value: child,
          enumerable: true,
          configurable: true,
        });
      }
    }
    return container;
  }

  private containerOf(kind: number): object {
    switch (kind) {
      case 0:
        return [];
      case 1:
        return new Map();
      case 2:
        return new Set();
      case 3: {
        const error = withStack(new AggregateError([withStack(new Error('first'))], 'several'));
        (error as { cause?: unknown }).cause = error;
        return error;
      }
      case 4:
        return Object.create(null) as object;
      default:
        return {};
    }
  }
}

/**
 * True when a value is made of JSON data only: what JSON.parse could have produced. Anything
 * else (undefined, -0, NaN, a Date, a class instance, a prototype other than Object's, a
 * non-enumerable or symbol key, a lone surrogate) is a sanitize bug.
 */
function isJsonData(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        return Object.getPrototypeOf(value) === Array.prototype && value.every(isJsonData);
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      const names = Object.getOwnPropertyNames(value);
      return names.every((name) => {
        const descriptor = Object.getOwnPropertyDescriptor(value, name)!;
        return (
          descriptor.enumerable === true && 'value' in descriptor && isJsonData(descriptor.value)
        );
      });
    }
    default:
      return false;
  }
}

describe('sanitize: property check', () => {
  it('never throws and always yields JSON that round-trips, for 2000 hostile values', () => {
    const generator = new HostileValues(random(42));
    const redactor = createRedactor();
    const optionSets: SanitizeOptions[] = [
      {},
      { redactor },
      { redactor, maxDepth: 3, maxStringLength: 50, maxArrayLength: 3, maxKeys: 2 },
      { maxNodes: 20 },
    ];
    const mappers = (['lms', 'ecs'] as const).map((schema) => ({
      schema,
      map: createRecordMapper({
        schema,
        environment: 'test',
        service: 'lms-backend',
        hostName: 'host',
        redactor,
      }),
    }));

    for (let round = 0; round < 2000; round += 1) {
      const input = generator.value(0, []);
      const options = optionSets[round % optionSets.length];
      let result: ReturnType<typeof sanitize> | undefined;
      expect(() => {
        result = sanitize(input, options);
      }, `round ${round}`).not.toThrow();
      const value = result!.value;
      expect(isJsonData(value), `round ${round}`).toBe(true);
      const json = JSON.stringify(value);
      expect(typeof json, `round ${round}`).toBe('string');
      expect(Buffer.from(json, 'utf8').toString('utf8'), `round ${round}`).toBe(json);
      expect(JSON.stringify(JSON.parse(json)), `round ${round}`).toBe(json);
      // The deep comparison is slow on large trees; a sample of rounds is enough on top.
      if (round % 20 === 0) expect(JSON.parse(json), `round ${round}`).toEqual(value);

      const { schema, map } = mappers[round % 2];
      const { record } = map(input);
      expect(isJsonData(record), `round ${round}`).toBe(true);
      const fitted = fitRecord(record, 4096, PROTECTED_KEYS[schema]);
      expect(fitted.bytes, `round ${round}`).toBeLessThanOrEqual(4096);
      expect(fitted.json, `round ${round}`).toBe(JSON.stringify(fitted.record));
      for (const key of PROTECTED_KEYS[schema]) {
        expect(fitted.record[key], `round ${round}: ${key}`).toBeDefined();
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
