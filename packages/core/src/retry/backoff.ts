/** Exponential backoff with full jitter (AWS architecture blog's "full jitter" variant). */
export interface BackoffOptions {
  /** First delay's upper bound. Default 200 ms. */
  readonly initialDelayMs?: number;
  /** Cap on any single delay. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Growth factor per attempt. Default 2. */
  readonly multiplier?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  multiplier: 2,
};

const MAX_SERVER_DELAY_MS = 10 * 60 * 1000;

/**
 * Delay before retry number `attempt` (1-based). A server's own delay (`Retry-After`) wins over
 * the computed one, because the server knows its recovery time and a shorter wait is wasted load.
 */
export function backoffDelay(
  attempt: number,
  options: Required<BackoffOptions>,
  serverDelayMs?: number,
  random: () => number = Math.random,
): number {
  if (serverDelayMs !== undefined && Number.isFinite(serverDelayMs) && serverDelayMs >= 0) {
    // Our own cap does not apply: the record deadline bounds a server's long delay instead.
    return Math.min(serverDelayMs, MAX_SERVER_DELAY_MS);
  }
  const ceiling = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * options.multiplier ** Math.max(0, attempt - 1),
  );
  return Math.floor(random() * ceiling);
}

/** Parses an HTTP `Retry-After` header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
