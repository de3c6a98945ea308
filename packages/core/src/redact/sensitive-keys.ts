/**
 * Keys whose values are replaced by `[REDACTED]` by default. A key matches when, after
 * normalization (lower-cased, everything but a-z and 0-9 removed), it equals or ends with one of
 * these words: `user_password`, `X-Api-Key`, `db_secret`, `refresh_token` and `Set-Cookie` all
 * match, while `token_count`, `secretary` or `password_reset_at` do not. Matching on the suffix
 * only is deliberate: a prefix or substring match would also hide counters and timestamps that
 * operators need (`token_count`, `password_changed_at`). Words that are only sensitive as a
 * prefix (`password_confirmation`, `password_hash`) are listed on their own. `key` alone is not
 * listed, as it would also hide `cache_key` or `idempotency_key`.
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'password_confirmation',
  'password_hash',
  'secret',
  'secrets',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'jwt',
  'authorization',
  'cookie',
  'cookies',
  'set-cookie',
  'api_key',
  'apikey',
  'x-api-key',
  'private_key',
  'secret_key',
  'signing_key',
  'encryption_key',
  'session_id',
  'credential',
  'credentials',
  'connection_string',
  'dsn',
  'otp',
  'ssn',
  'card_number',
  'credit_card',
  'cvv',
  'cvc',
];

/** Lower-cases and drops separators so `X-Api-Key`, `x_api_key` and `xApiKey` compare equal. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Enough for every distinct key of a real application; a cleared cache only costs re-checks.
const MAX_CACHED_KEYS = 2048;

/**
 * Builds the per-key decision function. Decisions are cached by raw key because the same few
 * hundred keys repeat in every record; the cache is bounded so that apps logging unbounded key
 * sets (ids used as keys) cannot grow memory.
 */
export function createKeyMatcher(
  sensitiveKeys: readonly string[],
  allowKeys: readonly string[],
): (key: string) => boolean {
  const words = [...new Set(sensitiveKeys.map(normalizeKey).filter((word) => word !== ''))];
  const allowed = new Set(allowKeys.map(normalizeKey));
  const cache = new Map<string, boolean>();

  const decide = (key: string): boolean => {
    const normalized = normalizeKey(key);
    if (normalized === '' || allowed.has(normalized)) return false;
    for (const word of words) {
      if (normalized.endsWith(word)) return true;
    }
    return false;
  };

  return (key: string): boolean => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const decision = decide(key);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(key, decision);
    return decision;
  };
}
