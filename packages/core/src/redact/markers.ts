/** What a value under a sensitive key becomes, whatever its type. */
export const REDACTED = '[REDACTED]';
