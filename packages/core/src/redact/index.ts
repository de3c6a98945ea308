export { createRedactor, type Redactor, type RedactionOptions } from './redactor.js';
export { DEFAULT_SENSITIVE_KEYS, normalizeKey } from './sensitive-keys.js';
export type { RedactionPattern } from './string-masks.js';
export { passesLuhn } from './luhn.js';
export { REDACTED } from './markers.js';
