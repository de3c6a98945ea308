import type { Severity } from '../record.js';

/**
 * Level names of winston's npm, syslog and cli sets and pino's labels, to the six severities.
 * Names of several sets mean the same everywhere (`error`, `info`, `debug`).
 *
 * | source level                                   | severity |
 * | ---------------------------------------------- | -------- |
 * | emerg, alert, crit (syslog), fatal (pino)      | fatal    |
 * | error                                          | error    |
 * | warn, warning (syslog)                         | warn     |
 * | info, notice (syslog), http (npm)              | info     |
 * | help, data (cli: ranked between warn and info) | info     |
 * | debug, verbose (npm, cli)                      | debug    |
 * | prompt, input (cli: ranked below debug)        | debug    |
 * | silly (npm, cli), trace (pino)                 | trace    |
 *
 * A few common spellings of other loggers are read too (critical, emergency, err, information).
 */
const LEVELS: ReadonlyMap<string, Severity> = new Map<string, Severity>([
  ['fatal', 'fatal'],
  ['emerg', 'fatal'],
  ['emergency', 'fatal'],
  ['alert', 'fatal'],
  ['crit', 'fatal'],
  ['critical', 'fatal'],
  ['error', 'error'],
  ['err', 'error'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['info', 'info'],
  ['information', 'info'],
  ['notice', 'info'],
  ['http', 'info'],
  ['help', 'info'],
  ['data', 'info'],
  ['debug', 'debug'],
  ['verbose', 'debug'],
  ['prompt', 'debug'],
  ['input', 'debug'],
  ['trace', 'trace'],
  ['silly', 'trace'],
]);

// winston's colorize format wraps the level in SGR sequences such as `\u001b[31m`.
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;
const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * Normalizes any logger's level to trace, debug, info, warn, error or fatal (table above).
 * Pino's numbers map to the nearest standard level at or below them (10 trace, 20 debug,
 * 30 info, 40 warn, 50 error, 60 fatal; 35 → info, 70 → fatal, 5 → trace), numeric strings too.
 * Custom level names pass through trimmed and lower-cased, so that a level a team invented is
 * still searchable; a missing or non-text level is `info`.
 */
export function normalizeLevel(level: unknown): string {
  if (typeof level === 'number') return fromPinoNumber(level);
  if (typeof level !== 'string') return 'info';
  const known = LEVELS.get(level);
  if (known !== undefined) return known;
  const text = (level.includes('\u001b') ? level.replace(ANSI_ESCAPE, '') : level)
    .trim()
    .toLowerCase();
  if (text === '') return 'info';
  if (NUMERIC.test(text)) return fromPinoNumber(Number(text));
  return LEVELS.get(text) ?? text;
}

function fromPinoNumber(level: number): Severity {
  if (Number.isNaN(level)) return 'info';
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}

const SYSLOG_SEVERITY: Readonly<Record<Severity, number>> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/**
 * The syslog severity (RFC 5424) of a normalized level, for GELF and syslog-based backends:
 * fatal 2 (critical), error 3, warn 4, info 6, debug and trace 7. Custom levels count as info.
 */
export function severityNumber(level: string): number {
  return isSeverity(level) ? SYSLOG_SEVERITY[level] : 6;
}

export function isSeverity(level: string): level is Severity {
  return Object.hasOwn(SYSLOG_SEVERITY, level);
}
