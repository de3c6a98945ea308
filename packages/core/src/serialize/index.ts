export {
  sanitize,
  SANITIZE_DEFAULTS,
  type SanitizeOptions,
  type SanitizeResult,
} from './sanitize.js';
export {
  fitRecord,
  TRUNCATED_FIELDS_KEY,
  TRUNCATED_FLAG_KEY,
  type FittedRecord,
} from './fit-record.js';
export { utf8ByteLength, toWellFormed, cutString } from './strings.js';
export { BINARY_PREVIEW_BYTES } from './binary.js';
export { CIRCULAR, TRUNCATED_DEPTH, TRUNCATED_SIZE, TRUNCATED_KEYS_KEY } from './markers.js';
