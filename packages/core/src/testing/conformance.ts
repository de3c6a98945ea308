import { describe, expect, it } from 'vitest';
import type { Backend, QueuedRecord, RetryAction, SendContext, SendOutcome } from '../backend.js';
import { createMemoryDeadLetter } from '../dead-letter/dead-letter.js';
import type { LogRecord } from '../record.js';
import { createShipper, type Shipper, type ShipperOptions } from '../shipper.js';

/** One fresh, empty target per test. */
export interface ConformanceTarget {
  readonly backend: Backend;
  /** Records that landed in the backend, read back from it. */
  readBack(): Promise<readonly LogRecord[]>;
  cleanup?(): Promise<void>;
}

export interface ConformanceHarness {
  create(): Promise<ConformanceTarget>;
  /** True when `readBack` returns records in arrival order (a file, a stream); false for search. */
  readonly ordered: boolean;
  /** Extra shipper options (for example a smaller flush interval). */
  readonly shipperOptions?: Partial<ShipperOptions>;
}

/**
 * Wraps a backend so a test can inject what real networks do: whole-request failures before the
 * real call, and partial delivery (only some records reach the backend, the rest are reported
 * back for retry). Everything that is delivered goes through the real backend.
 */
export function withInjectedFaults(
  inner: Backend,
  faults: { failFirst?: number; partialFirst?: boolean },
): Backend & { readonly encodedBatchSizes: number[]; readonly encodedBatchBytes: number[] } {
  let failuresLeft = faults.failFirst ?? 0;
  let partialLeft = faults.partialFirst ? 1 : 0;
  const encodedBatchSizes: number[] = [];
  const encodedBatchBytes: number[] = [];
  interface Payload {
    readonly inner: unknown;
    readonly sent: readonly number[];
    readonly total: number;
    readonly records: readonly QueuedRecord[];
  }
  return {
    name: inner.name,
    limits: inner.limits,
    maxInFlight: inner.maxInFlight,
    encodedBatchSizes,
    encodedBatchBytes,
    start: inner.start ? () => inner.start!() : undefined,
    close: inner.close ? () => inner.close!() : undefined,
    encode(records): Payload {
      encodedBatchSizes.push(records.length);
      encodedBatchBytes.push(
        records.reduce((n, r) => n + r.bytes + (inner.limits.perRecordOverheadBytes ?? 0), 0),
      );
      let sent = records.map((_, i) => i);
      if (partialLeft > 0 && records.length > 1) {
        partialLeft--;
        sent = sent.filter((i) => i % 2 === 0);
      }
      const subset = sent.map((i) => records[i]);
      return { inner: inner.encode(subset), sent, total: records.length, records: subset };
    },
    async send(payload: unknown, context: SendContext) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' });
      }
      const p = payload as Payload;
      return { payload: p, response: await inner.send(p.inner, context) };
    },
    classify(outcome: SendOutcome<unknown>): RetryAction {
      if (!outcome.ok) return { kind: 'retry', reason: String((outcome.error as Error).message) };
      const { payload, response } = outcome.response as { payload: Payload; response: unknown };
      const action = inner.classify({ ok: true, response }, payload.records);
      const missing: number[] = [];
      for (let i = 0; i < payload.total; i++) if (!payload.sent.includes(i)) missing.push(i);
      if (missing.length === 0) return action;
      if (action.kind !== 'success') return action;
      return { kind: 'partial', retry: missing, drop: [], retryReason: 'injected partial failure' };
    },
  };
}

async function withShipper(
  harness: ConformanceHarness,
  backend: Backend,
  extra: Partial<ShipperOptions>,
  body: (shipper: Shipper) => Promise<void>,
): Promise<void> {
  const shipper = createShipper({
    flushIntervalMs: 50,
    backoff: { initialDelayMs: 10, maxDelayMs: 50 },
    selfLog: false,
    exit: false,
    deadLetter: createMemoryDeadLetter(),
    ...harness.shipperOptions,
    ...extra,
    backend,
  });
  try {
    await body(shipper);
  } finally {
    await shipper.close({ timeoutMs: 5000 });
  }
}

const numbers = (records: readonly LogRecord[]): number[] =>
  records.map((r) => Number(r['n'])).filter((n) => Number.isFinite(n));

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/** The behaviour every backend must show behind core's pipeline. */
export function describeBackendConformance(name: string, harness: ConformanceHarness): void {
  describe(`${name}: backend conformance`, () => {
    it('delivers every record once, in write order within a stream', async () => {
      const target = await harness.create();
      try {
        await withShipper(harness, target.backend, { maxInFlight: 1 }, async (shipper) => {
          for (const n of range(500)) shipper.write({ level: 'info', message: `m${n}`, n });
          await shipper.flush();
          expect(shipper.stats().sent).toBe(500);
        });
        const got = numbers(await target.readBack());
        if (harness.ordered) expect(got).toEqual(range(500));
        else expect(sorted(got)).toEqual(range(500));
      } finally {
        await target.cleanup?.();
      }
    });

    it('never sends a batch over the configured count and byte limits', async () => {
      const target = await harness.create();
      const spy = withInjectedFaults(target.backend, {});
      const maxBatchBytes = 4096;
      try {
        await withShipper(harness, spy, { maxBatchCount: 7, maxBatchBytes }, async (shipper) => {
          for (const n of range(200)) shipper.write({ message: 'x'.repeat(n * 3), n });
          await shipper.flush();
        });
        expect(Math.max(...spy.encodedBatchSizes)).toBeLessThanOrEqual(7);
        expect(Math.max(...spy.encodedBatchBytes)).toBeLessThanOrEqual(maxBatchBytes);
        expect(sorted(numbers(await target.readBack()))).toEqual(range(200));
      } finally {
        await target.cleanup?.();
      }
    });

    it('retries a transient failure and loses nothing', async () => {
      const target = await harness.create();
      const faulty = withInjectedFaults(target.backend, { failFirst: 2 });
      try {
        await withShipper(harness, faulty, {}, async (shipper) => {
          for (const n of range(50)) shipper.write({ message: `m${n}`, n });
          await shipper.flush();
          const stats = shipper.stats();
          expect(stats.sent).toBe(50);
          expect(stats.retried).toBeGreaterThan(0);
          expect(stats.deadLettered).toEqual({});
        });
        expect(sorted(numbers(await target.readBack()))).toEqual(range(50));
      } finally {
        await target.cleanup?.();
      }
    });

    it('re-sends only the failed part of a partially delivered batch', async () => {
      const target = await harness.create();
      const faulty = withInjectedFaults(target.backend, { partialFirst: true });
      try {
        await withShipper(harness, faulty, { maxInFlight: 1 }, async (shipper) => {
          for (const n of range(40)) shipper.write({ message: `m${n}`, n });
          await shipper.flush();
          expect(shipper.stats().sent).toBe(40);
        });
        expect(sorted(numbers(await target.readBack()))).toEqual(range(40));
      } finally {
        await target.cleanup?.();
      }
    });

    it('flush resolves after delivery; close is idempotent and later writes are counted, not sent', async () => {
      const target = await harness.create();
      try {
        const shipper = createShipper({
          flushIntervalMs: 60_000,
          selfLog: false,
          exit: false,
          deadLetter: createMemoryDeadLetter(),
          ...harness.shipperOptions,
          backend: target.backend,
        });
        for (const n of range(25)) shipper.write({ message: `m${n}`, n });
        await shipper.flush();
        expect(sorted(numbers(await target.readBack()))).toEqual(range(25));
        const first = shipper.close();
        expect(shipper.close()).toBe(first);
        await first;
        shipper.write({ message: 'late', n: 999 });
        expect(shipper.stats().dropped).toEqual({ closed: 1 });
        expect(numbers(await target.readBack())).not.toContain(999);
      } finally {
        await target.cleanup?.();
      }
    });
  });
}
