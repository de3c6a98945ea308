// Native since Node 20 (V8 11.3), which `engines` requires; ES2023 typings do not declare them.
interface WellFormedStringMethods {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD. JSON.stringify escapes them as `\udXXX`, which
 * strict parsers (Elasticsearch, Go, Java) reject, and Buffer.from turns them into U+FFFD
 * anyway, so a record would not survive the trip to its backend unchanged.
 */
export function toWellFormed(value: string): string {
  const methods = value as unknown as WellFormedStringMethods;
  return methods.isWellFormed() ? value : methods.toWellFormed();
}

/**
 * Keeps the first `maxChars` UTF-16 units (one fewer when that would split a surrogate pair)
 * and appends `…[truncated N chars]`, N counting every unit left out plus `alsoDropped` units
 * removed earlier. The suffix makes the cut visible to whoever reads the record.
 */
export function cutString(value: string, maxChars: number, alsoDropped = 0): string {
  let keep = Math.max(0, Math.min(maxChars, value.length));
  if (keep > 0 && keep < value.length && isHighSurrogate(value.charCodeAt(keep - 1))) keep -= 1;
  const dropped = value.length - keep + alsoDropped;
  return `${value.slice(0, keep)}…[truncated ${dropped} chars]`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** UTF-8 bytes of a string, which is what every backend's size limit counts. */
export function utf8ByteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
