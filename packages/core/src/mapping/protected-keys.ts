import type { Schema } from '../record.js';

/**
 * Top-level fields `fitRecord` never drops when shrinking a record: without them a record cannot
 * be indexed (`@timestamp`), searched by level or service, or read at all (`message`, which is
 * cut last instead).
 */
export const PROTECTED_KEYS: Readonly<Record<Schema, readonly string[]>> = {
  lms: ['@timestamp', 'log_level', 'message', 'environment', 'service', 'host'],
  ecs: ['@timestamp', 'log', 'message', 'ecs', 'service', 'host'],
};
