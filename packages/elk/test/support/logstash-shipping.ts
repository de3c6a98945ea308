/** Helpers of the Logstash integration tests: a quiet shipper around a backend, and polling. */
import {
  createMemoryDeadLetter,
  createShipper,
  type Backend,
  type Shipper,
  type ShipperOptions,
} from '@lms-logging/core';
import type { FakeLogstashEvent } from './logstash-servers.js';

export const envContext = {
  environment: 'test',
  service: 'lms-backend',
  retentionDays: 30,
  logDir: 'logs',
  warn: (): void => undefined,
};

export type TestShipper = Shipper & {
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
};

/** A shipper with fast flushes and retries, no self-log, no exit hooks, a memory dead letter. */
export function testShipper(backend: Backend, extra: Partial<ShipperOptions> = {}): TestShipper {
  const deadLetter = createMemoryDeadLetter();
  const shipper = createShipper({
    flushIntervalMs: 20,
    backoff: { initialDelayMs: 10, maxDelayMs: 100 },
    selfLog: false,
    exit: false,
    environment: 'staging',
    service: 'lms-api',
    hostName: 'web-1',
    deadLetter,
    ...extra,
    backend,
  });
  return Object.assign(shipper, { deadLetter });
}

/** Polls `check` until it returns true, or throws with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `n` field of each event, in arrival order. */
export function numbersOf(events: readonly FakeLogstashEvent[]): number[] {
  return events.map((event) => event.fields['n']).filter((n): n is number => typeof n === 'number');
}

/** How often each number arrived: missing ones, and extra copies. */
export function tally(
  numbers: readonly number[],
  total: number,
): { missing: number[]; duplicates: number } {
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  const missing: number[] = [];
  let duplicates = 0;
  for (let n = 0; n < total; n++) {
    const count = seen.get(n) ?? 0;
    if (count === 0) missing.push(n);
    else duplicates += count - 1;
  }
  return { missing, duplicates };
}
