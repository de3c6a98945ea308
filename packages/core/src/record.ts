/** Severity names every logger's level is normalised to. */
export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * The shared record in the default ("lms") schema: the fields an ops team's Logstash filter
 * would produce from the LMS backend's winston JSON. Every other field of the source record is
 * kept beside these. In ECS mode (`LMS_LOG_SCHEMA=ecs`) the same data uses ECS names instead.
 */
export interface LmsRecord extends JsonObject {
  '@timestamp': string;
  log_level: string;
  message: string;
  environment: string;
  service: string;
  host: { name: string };
}

/** What a backend receives: a JSON-safe, redacted, size-bounded object (either schema). */
export type LogRecord = JsonObject;

export type Schema = 'lms' | 'ecs';
