import { ConfigurationError, CORE_ENV, readEnv, type Env } from '@lms-logging/core';
import winston from 'winston';
import { LmsTransport, type LmsTransportOptions } from './transport.js';

export interface CreateLmsLoggerOptions {
  /** Default: `LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /** Level set; default winston's npm levels. `winston.config.syslog.levels` and custom sets work. */
  readonly levels?: winston.config.AbstractConfigSetLevels;
  /** Variables to read instead of `process.env` (`LOG_LEVEL`, `LMS_STRUCTURED_LOGGING`, `LMS_*`). */
  readonly env?: Env;
  /**
   * Options of the `LmsTransport`; default: the shipper is built from `env`. With neither
   * `shipper` nor `backend` here, `env` is used for the shipper too.
   */
  readonly transport?: LmsTransportOptions;
  /** Fields added to every record (`{ service: 'grading' }`, ...). */
  readonly defaultMeta?: object;
  /**
   * Also log to the console. Default: as the LMS backend does, when `LMS_STRUCTURED_LOGGING` is
   * true (JSON lines, or text lines when `LMS_STRUCTURED_LOG_FORMAT=text`).
   */
  readonly console?: boolean;
  /** Passed to winston; default `true` (winston's default). */
  readonly exitOnError?: boolean;
}

/** What `flush` and `close` add to a winston logger; `close` resolves after acknowledgement. */
export interface LmsLoggerExtras {
  /** The transport that ships to the backend. */
  readonly lmsTransport: LmsTransport;
  /** Resolves when everything logged so far is acknowledged by the backend (or dead-lettered). */
  flush(): Promise<void>;
  /** Closes winston's transports and the shipper; resolves after the backend acknowledged. */
  close(): Promise<void>;
}

/** A winston logger whose `close()` returns a promise. */
export type LmsLogger = LmsLoggerExtras & winston.Logger;

/** One text line per record: `2024-05-01T10:00:00.000Z info: message {"userId":"u1"}`. */
const textLine = winston.format.printf((info) => {
  const { timestamp, level, message, stack, ...rest } = info;
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const trace = typeof stack === 'string' ? `\n${stack}` : '';
  return `${String(timestamp)} ${level}: ${String(message)}${meta}${trace}`;
});

/**
 * A winston logger as the LMS backend builds it (ISO timestamp, errors with stack, JSON),
 * shipping through an `LmsTransport`, plus a console transport when `LMS_STRUCTURED_LOGGING=true`.
 * Throws `ConfigurationError` for bad variables.
 */
export function createLmsLogger(options: CreateLmsLoggerOptions = {}): LmsLogger {
  const env = options.env ?? process.env;
  const vars = readEnv(CORE_ENV, env);
  const levels = options.levels ?? winston.config.npm.levels;
  const level = options.level ?? (env.LOG_LEVEL?.trim() || 'info');
  if (!(level in levels)) {
    throw new ConfigurationError([
      {
        variable: options.level === undefined ? 'LOG_LEVEL' : 'level',
        problem: `${JSON.stringify(level)} is not a level of this logger`,
        expected: `one of ${Object.keys(levels).join(', ')}`,
      },
    ]);
  }

  const transportOptions: LmsTransportOptions = options.transport ?? { env };
  const hasSource =
    ('shipper' in transportOptions && transportOptions.shipper !== undefined) ||
    ('backend' in transportOptions && transportOptions.backend !== undefined) ||
    ('env' in transportOptions && transportOptions.env !== undefined);
  const lmsTransport = new LmsTransport(
    hasSource ? transportOptions : { ...transportOptions, env },
  );

  const transports: winston.transport[] = [lmsTransport];
  const withConsole = options.console ?? vars.LMS_STRUCTURED_LOGGING ?? false;
  if (withConsole) {
    transports.push(
      new winston.transports.Console(
        (vars.LMS_STRUCTURED_LOG_FORMAT ?? 'json') === 'json'
          ? { format: winston.format.json() }
          : { format: textLine },
      ),
    );
  }

  const logger = winston.createLogger({
    level,
    levels,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      // No json() here: LmsTransport serializes off the request path with core's safe
      // serializer; winston's json() would stringify on every call, and throw on a throwing getter.
    ),
    defaultMeta: options.defaultMeta,
    exitOnError: options.exitOnError ?? true,
    transports,
  });

  const closeWinston = logger.close.bind(logger);
  const extras: LmsLoggerExtras = {
    lmsTransport,
    flush: () => lmsTransport.flush(),
    close: () => {
      // winston's close unpipes every transport, which starts LmsTransport.close().
      closeWinston();
      return lmsTransport.close();
    },
  };
  return Object.assign(logger, extras);
}
