import { passesLuhn } from './luhn.js';

/** A caller-supplied pattern; a bare RegExp is replaced by `[REDACTED]`. */
export type RedactionPattern = RegExp | { readonly pattern: RegExp; readonly replacement: string };

export interface StringMaskOptions {
  readonly emails: boolean;
  readonly cards: boolean;
  readonly tokens: boolean;
  readonly patterns: readonly RedactionPattern[];
}

// Bounded quantifiers keep every pattern linear: a 32 KiB string of letters with one `@` must not
// make the e-mail pattern backtrack quadratically. 64 and 63 are the RFC 5321/1035 limits.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24})/g;
const BEARER = /\b([Bb]earer)\s+[A-Za-z0-9\-._~+/]{8,}=*/g;
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:@/]{1,256}):([^\s@/]{1,256})@/gi;
// 13 to 19 digits, single spaces or dashes allowed between them, not part of a longer digit run.
const CARD_CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

/**
 * Keeps the domain and hides the local part: the domain tells operators which institution or
 * identity provider a problem concerns, the local part is what identifies the person. No first
 * letter is kept, as on a small domain it narrows the person down for little debugging value.
 */
const EMAIL_REPLACEMENT = '***@$1';

/**
 * A candidate is a card when it starts like one and passes Luhn. Payment card numbers start with
 * 2 to 6 (Mastercard 2/5, Amex 3, Visa 4, Discover/UnionPay/Maestro 6); ruling out 0, 1, 7, 8
 * and 9 keeps epoch-millisecond timestamps (`17...`) and most ids intact, which Luhn alone would
 * mask one time in ten. When the whole run fails, prefixes ending at a separator are tried, so
 * that `4111 1111 1111 1111 123` (card, then CVV) still hides the card.
 */
function maskCardCandidate(candidate: string): string {
  const first = candidate.charCodeAt(0);
  if (first < 50 || first > 54) return candidate;
  let digits = '';
  let bestEnd = -1;
  for (let i = 0; i < candidate.length; i += 1) {
    const code = candidate.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    digits += candidate[i];
    const atGroupEnd = i === candidate.length - 1 || !isDigitCode(candidate.charCodeAt(i + 1));
    if (
      atGroupEnd &&
      digits.length >= MIN_CARD_DIGITS &&
      digits.length <= MAX_CARD_DIGITS &&
      passesLuhn(digits)
    ) {
      bestEnd = i + 1;
    }
  }
  if (bestEnd < 0) return candidate;
  return `[CARD]${candidate.slice(bestEnd)}`;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Cheap pre-check: a card needs 13 digits in one run of digits, spaces and dashes, so the run is
 * at least 13 characters long and covers one of every 13th position. Only those positions are
 * probed, and the run around a hit is measured; most strings are ruled out after length / 13
 * reads instead of one per character.
 */
function hasCardLengthDigitRun(value: string): boolean {
  const length = value.length;
  let probe = MIN_CARD_DIGITS - 1;
  while (probe < length) {
    if (!isCardRunCode(value.charCodeAt(probe))) {
      probe += MIN_CARD_DIGITS;
      continue;
    }
    let end = probe;
    while (end > 0 && isCardRunCode(value.charCodeAt(end - 1))) end -= 1;
    let digits = 0;
    for (; end < length; end += 1) {
      const code = value.charCodeAt(end);
      if (isDigitCode(code)) {
        digits += 1;
        if (digits >= MIN_CARD_DIGITS) return true;
      } else if (code !== 32 && code !== 45) {
        break;
      }
    }
    probe = end + MIN_CARD_DIGITS;
  }
  return false;
}

function isCardRunCode(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 32 || code === 45;
}

interface CompiledPattern {
  readonly pattern: RegExp;
  readonly replacement: string;
}

function compilePattern(entry: RedactionPattern): CompiledPattern {
  const source = entry instanceof RegExp ? entry : entry.pattern;
  const replacement = entry instanceof RegExp ? '[REDACTED]' : entry.replacement;
  // Without the global flag `replace` would only hide the first occurrence.
  const pattern = source.global ? source : new RegExp(source.source, `${source.flags}g`);
  return { pattern, replacement };
}

/**
 * Builds the string masker. Each built-in pattern runs only when a substring it needs is present
 * (`@`, `eyJ`, `earer`, `://` with `@`, a 13-digit run): `includes` is far cheaper than a regex
 * scan, and most log strings (paths, ids, messages) contain none of them.
 */
export function createStringMasker(options: StringMaskOptions): (value: string) => string {
  const extra = options.patterns.map(compilePattern);
  const { emails, cards, tokens } = options;
  if (!emails && !cards && !tokens && extra.length === 0) return (value) => value;

  return (value: string): string => {
    let out = value;
    if (tokens) {
      if (out.includes('earer')) out = out.replace(BEARER, '$1 [REDACTED]');
      if (out.includes('eyJ')) out = out.replace(JWT, '[JWT]');
      // Before e-mails: `user:pass@host` would otherwise be half-masked as an address. Both
      // substrings are checked, as stack traces of ESM apps all contain `file://`.
      if (out.includes('://') && out.includes('@')) {
        out = out.replace(URL_CREDENTIALS, '$1$2:[REDACTED]@');
      }
    }
    if (emails && out.includes('@')) out = out.replace(EMAIL, EMAIL_REPLACEMENT);
    if (cards && hasCardLengthDigitRun(out)) out = out.replace(CARD_CANDIDATE, maskCardCandidate);
    for (const { pattern, replacement } of extra) out = out.replace(pattern, replacement);
    return out;
  };
}
