// 10,000 hostile records through winston.createLogger({ transports: [new LmsTransport()] }) with
// LMS_LOG_BACKEND=file, read back from the day files the real file backend wrote.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { LmsTransport } from '@lms-logging/winston';

const SECRETS = [
  'hunter2-pw',
  'tok-9f8e7d',
  'sk_live_abcdef',
  'student@uni.example',
  '4111111111111111',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
];
const LEVELS = { fatal: 0, error: 1, audit: 2, warn: 3, info: 4, debug: 5, trace: 6 };
const KINDS = 20;

/** One hostile record per kind; `i` makes each unique. */
function hostile(i: number): { level: string; message: string; [key: string]: unknown } {
  const base = { level: Object.keys(LEVELS)[i % 7], message: `record ${i}`, n: i };
  switch (i % KINDS) {
    case 0: {
      const a: Record<string, unknown> = { name: 'a' };
      a.self = a;
      return { ...base, cycle: a };
    }
    case 1:
      return { ...base, big: BigInt(2) ** BigInt(70) };
    case 2: {
      const error = Object.assign(new Error('db down', { cause: new TypeError('socket closed') }), {
        code: 'ECONNRESET',
        status: 503,
      });
      return { ...base, err: error };
    }
    case 3:
      return {
        ...base,
        payload: Buffer.from('binary \u0000 data'),
        typed: new Uint8Array([1, 2, 3]),
      };
    case 4:
      return {
        ...base,
        map: new Map<unknown, unknown>([
          ['k', 1],
          [{ o: 1 }, 'object key'],
        ]),
        set: new Set([1, 'two']),
      };
    case 5:
      return { ...base, when: new Date(0), bad: new Date('nope') };
    case 6:
      return {
        ...base,
        sym: Symbol('s'),
        fn: () => 1,
        [Symbol('hidden')]: 'x',
        arr: [Symbol('a'), () => 2, undefined],
      };
    case 7:
      return {
        ...base,
        ...(JSON.parse(
          '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
        ) as object),
      };
    case 8:
      return { ...base, message: `lone \ud800 surrogate ${i}`, ['key\udfff']: 'value \udc00' };
    case 9: {
      let deep: Record<string, unknown> = { leaf: true };
      for (let d = 0; d < 60; d++) deep = { d, next: deep };
      return { ...base, deep };
    }
    case 10:
      return { ...base, huge: 'x'.repeat(300_000) };
    case 11:
      return {
        ...base,
        ...Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`f${k}`, 'y'.repeat(20_000)])),
      };
    case 12:
      return {
        ...base,
        password: SECRETS[0],
        token: SECRETS[1],
        headers: { authorization: `Bearer ${SECRETS[1]}`, cookie: 'sid=1' },
        api_key: SECRETS[2],
      };
    case 13:
      return { ...base, message: `login by ${SECRETS[3]} card ${SECRETS[4]} jwt ${SECRETS[5]}` };
    case 14:
      return { ...base, timestamp: '2026-11-28T23:30:00.123+02:00' };
    case 15:
      return { ...base, timestamp: Math.floor(i / KINDS) % 2 === 0 ? 1764460800123 : 1764460800 };
    case 16:
      return {
        ...base,
        timestamp:
          Math.floor(i / KINDS) % 2 === 0 ? new Date(Date.UTC(2026, 10, 29, 12)) : '1764460800123',
      };
    case 17:
      return { ...base, timestamp: 'yesterday-ish' };
    case 18:
      // A pino record passed through winston: numeric level in meta is kept apart by winston's own level.
      return {
        ...base,
        time: 1764460800456,
        msg: 'pino style',
        pid: 42,
        hostname: 'pod-1',
        nan: NaN,
        inf: -Infinity,
        nothing: null,
      };
    default: {
      const throwing = {
        toJSON() {
          throw new Error('toJSON exploded');
        },
      };
      const getter = Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter exploded');
        },
      });
      return { ...base, throwing, getter, environment: 'own-env' };
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lms-hostile-'));
const saved = { ...process.env };
let lines: string[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    LMS_LOG_BACKEND: 'file',
    LMS_LOG_DIR: dir,
    ENVIRONMENT: 'staging',
    LMS_LOG_SELF_LOG: 'false',
  });
  const transport = new LmsTransport();
  // winston's default format is json(), which stringifies in the caller and throws on a throwing
  // getter before any transport sees the record; LmsTransport needs no winston serialization.
  const logger = winston.createLogger({
    levels: LEVELS,
    level: 'trace',
    format: winston.format.timestamp(),
    transports: [transport],
  });
  for (let i = 0; i < 10_000; i++) {
    expect(() => logger.log(hostile(i))).not.toThrow();
    // Requests arrive over time; a tight loop of 1,000 records capped at 256 KiB would hit the
    // 64 MiB memory bound on purpose (drop-oldest), which other tests cover.
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await transport.close();
  expect(transport.stats().dropped).toEqual({});
  expect(transport.stats().deadLettered).toEqual({});
  lines = readdirSync(dir)
    .filter((f) => f.startsWith('lms-'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
}, 120_000);

afterAll(() => {
  process.env = saved;
});

describe('10,000 hostile records through winston + LmsTransport + file backend', () => {
  it('all arrive, one valid JSON line each', () => {
    expect(lines).toHaveLength(10_000);
    const ns = lines.map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('every line has @timestamp (ISO UTC ms), log_level, environment and host.name', () => {
    for (const line of lines) {
      const r = JSON.parse(line) as Record<string, unknown>;
      expect(r['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Object.keys(LEVELS)).toContain(r['log_level']);
      expect(r['environment']).toBe(Number(r['n']) % KINDS === 19 ? 'own-env' : 'staging');
      expect((r['host'] as { name: string }).name).toBeTruthy();
    }
  });

  it('masks every secret and never pollutes prototypes', () => {
    const all = lines.join('\n');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const withKeys = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => Number(r['n']) % KINDS === 12)!;
    expect(withKeys).toMatchObject({
      password: '[REDACTED]',
      token: '[REDACTED]',
      api_key: '[REDACTED]',
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
    });
  });

  const records = (): Record<string, unknown>[] =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('reads every timestamp form, and keeps an unreadable one as timestamp_raw', () => {
    const all = records();
    const byKind = (k: number) => all.filter((r) => Number(r['n']) % KINDS === k);
    expect(new Set(byKind(14).map((r) => r['@timestamp']))).toEqual(
      new Set(['2026-11-28T21:30:00.123Z']),
    );
    expect(new Set(byKind(15).map((r) => r['@timestamp']))).toEqual(
      new Set(['2025-11-30T00:00:00.123Z', '2025-11-30T00:00:00.000Z']),
    );
    expect(new Set(byKind(16).map((r) => r['@timestamp']))).toEqual(
      new Set(['2026-11-29T12:00:00.000Z', '2025-11-30T00:00:00.123Z']),
    );
    expect(byKind(17).every((r) => r['timestamp_raw'] === 'yesterday-ish')).toBe(true);
    // winston's timestamp() set `timestamp`, which wins over a pino-style `time`.
    expect(
      byKind(18).every((r) => r['msg'] === 'pino style' && r['pid'] === 42 && r['nan'] === null),
    ).toBe(true);
  });

  it('caps sizes: huge strings and records are cut and marked truncated', () => {
    for (const line of lines) {
      const r = JSON.parse(line) as Record<string, unknown>;
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(256 * 1024);
      if ([9, 10, 11].includes(Number(r['n']) % KINDS)) expect(r['truncated']).toBe(true);
    }
  });

  it('keeps Error details, binary, maps and sets in readable form', () => {
    const first = (k: number) =>
      JSON.parse(lines.find((l) => Number((JSON.parse(l) as { n: number }).n) === k)!) as Record<
        string,
        unknown
      >;
    expect(first(2)['err']).toMatchObject({
      name: 'Error',
      message: 'db down',
      code: 'ECONNRESET',
      status: 503,
      cause: { name: 'TypeError', message: 'socket closed' },
    });
    expect(first(4)['set']).toEqual([1, 'two']);
    expect(first(8)['message']).toBe('lone \ufffd surrogate 8');
  });
});
