import type { JsonObject } from '../record.js';
import { REDACTED } from '../redact/markers.js';
import type { Redactor } from '../redact/redactor.js';

/** Binary data is summarized, never copied whole: logs are text and a payload can be megabytes. */
export const BINARY_PREVIEW_BYTES = 32;

/**
 * `{ type, length, base64_preview }`: the class name (`Buffer`, `Uint8Array`, `ArrayBuffer`,
 * `DataView`, ...), the size in bytes and the first 32 bytes in base64. Base64 hides text from
 * the redactor, so when one is given it checks the preview decoded as UTF-8 and withholds the
 * preview if anything in it would have been masked (a request body with an e-mail, a token).
 */
export function describeBinary(
  value: ArrayBufferView | ArrayBufferLike,
  redactor: Redactor | undefined,
): JsonObject {
  const view = ArrayBuffer.isView(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : Buffer.from(value);
  const preview = view.subarray(0, BINARY_PREVIEW_BYTES);
  let base64 = preview.toString('base64');
  if (redactor !== undefined) {
    const text = preview.toString('utf8');
    if (redactor.redactString(text) !== text) base64 = REDACTED;
  }
  return { type: binaryTypeName(value), length: view.byteLength, base64_preview: base64 };
}

function binaryTypeName(value: ArrayBufferView | ArrayBufferLike): string {
  if (Buffer.isBuffer(value)) return 'Buffer';
  // The tag comes from the built-in prototype getter, unlike `constructor.name`, which a class
  // can shadow.
  return Object.prototype.toString.call(value).slice(8, -1);
}
