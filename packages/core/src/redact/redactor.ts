import { createKeyMatcher, DEFAULT_SENSITIVE_KEYS } from './sensitive-keys.js';
import { createStringMasker, type RedactionPattern } from './string-masks.js';

/**
 * What `sanitize` consults on every key and string of a record, in the same walk. Declared as
 * function properties (no `this`), so the functions can be passed around on their own.
 */
export interface Redactor {
  /** True when the value under this key must become `[REDACTED]`, whatever its type. */
  readonly redactKey: (key: string) => boolean;
  /** Returns the string with e-mails, tokens, cards and custom patterns masked. */
  readonly redactString: (value: string) => string;
}

export interface RedactionOptions {
  /** Default true; false turns every kind of redaction off. */
  readonly enabled?: boolean;
  /** Sensitive keys added to `DEFAULT_SENSITIVE_KEYS` (same suffix matching). */
  readonly keys?: readonly string[];
  /** Extra string patterns; a bare RegExp is replaced by `[REDACTED]`. */
  readonly patterns?: readonly RedactionPattern[];
  /** Keys never redacted, compared after normalization; wins over `keys` and the defaults. */
  readonly allowKeys?: readonly string[];
  /** Default true: `jane.doe@uni.edu` becomes `***@uni.edu`. */
  readonly maskEmails?: boolean;
  /** Default true: Luhn-valid card numbers become `[CARD]`. */
  readonly maskCards?: boolean;
  /** Default true: `Bearer x` → `Bearer [REDACTED]`, JWTs → `[JWT]`, URL passwords hidden. */
  readonly maskTokens?: boolean;
}

/** Redaction is on unless `enabled: false`; then there is no redactor at all (no cost). */
export function createRedactor(options: RedactionOptions = {}): Redactor | undefined {
  if (options.enabled === false) return undefined;
  const redactKey = createKeyMatcher(
    [...DEFAULT_SENSITIVE_KEYS, ...(options.keys ?? [])],
    options.allowKeys ?? [],
  );
  const redactString = createStringMasker({
    emails: options.maskEmails ?? true,
    cards: options.maskCards ?? true,
    tokens: options.maskTokens ?? true,
    patterns: options.patterns ?? [],
  });
  return { redactKey, redactString };
}
