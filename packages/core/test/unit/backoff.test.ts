import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter } from '../../src/retry/backoff.js';

describe('backoff', () => {
  it('grows exponentially under full jitter and stays under the cap', () => {
    const top = (attempt: number): number =>
      backoffDelay(attempt, DEFAULT_BACKOFF, undefined, () => 0.999999);
    expect(top(1)).toBe(199);
    expect(top(2)).toBe(399);
    expect(top(3)).toBe(799);
    expect(top(20)).toBe(29_999);
    expect(backoffDelay(5, DEFAULT_BACKOFF, undefined, () => 0)).toBe(0);
  });

  it("prefers the server's delay, even above the backoff cap", () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, 45_000)).toBe(45_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF, 0)).toBe(0);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
