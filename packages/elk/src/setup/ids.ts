import { createHash } from 'node:crypto';

/**
 * A deterministic UUID (version 4 layout, variant 1) from a name. Kibana's rule and connector
 * APIs take a caller-chosen id only in UUID form (the OpenAPI specs: "A UUID v1 or v4
 * identifier"), and a fixed id per (space, object) is what makes plan/apply idempotent.
 */
export function deterministicUuid(name: string): string {
  const bytes = createHash('sha256').update(`lms-logging:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[14][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
