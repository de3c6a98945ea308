import {
  resolveShipper,
  type EnvShipperSource,
  type Shipper,
  type ShipperSource,
  type ShipperSourceOptions,
  type ShipperStats,
} from '@lms-logging/core';
import TransportStream from 'winston-transport';

/** The standard winston transport options this transport honours. */
export interface LmsTransportStreamOptions {
  /** Highest level this transport ships; default: the logger's level. */
  readonly level?: string;
  /** A format applied to each info before it is shipped (after the logger's own format). */
  readonly format?: TransportStream.TransportStreamOptions['format'];
  readonly silent?: boolean;
  readonly handleExceptions?: boolean;
  readonly handleRejections?: boolean;
  /**
   * How long `close()` (and `logger.end()`) waits for the backend before the rest goes to the
   * dead letter with reason `closed`. Default: core's close timeout (10 s).
   */
  readonly closeTimeoutMs?: number;
}

/**
 * Ship through a shipper you built yourself; `close()` and `end()` close it unless
 * `closeShipper: false` (for a shipper shared with other loggers, which then only flush it).
 */
export type LmsTransportShipperSource = ShipperSource;

/** Build the shipper from `LMS_*` variables (the default, with `process.env`). */
export type LmsTransportEnvSource = EnvShipperSource;

/** `{ shipper }`, ShipperOptions (`{ backend, ... }`), or `{ env?, overrides? }` (the default). */
export type LmsTransportOptions = LmsTransportStreamOptions & ShipperSourceOptions;

const STREAM_OPTION_KEYS = [
  'level',
  'format',
  'silent',
  'handleExceptions',
  'handleRejections',
  'closeTimeoutMs',
] as const;

/** Winston's `info`: plain fields plus the `Symbol.for('level')`/`('message')`/`('splat')` keys. */
export type WinstonInfo = Record<string | symbol, unknown>;

interface PipeSource {
  readonly exitOnError?: unknown;
  readonly readableLength?: number;
}

const setImmediatePromise = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A winston transport that hands every info to an lms-logging shipper. `log` never waits for
 * I/O: the shipper queues the record and ships it in batches; `flush()` and `close()` resolve
 * once the backend has acknowledged (or the dead letter has taken) what was logged before.
 */
export class LmsTransport extends TransportStream {
  readonly #shipper: Shipper;
  readonly #ownsShipper: boolean;
  readonly #closeTimeoutMs: number | undefined;
  #closing: Promise<void> | undefined;
  #source: PipeSource | undefined;

  constructor(options: LmsTransportOptions = {}) {
    super({
      level: options.level,
      format: options.format,
      silent: options.silent,
      handleExceptions: options.handleExceptions,
      handleRejections: options.handleRejections,
    });
    const { shipper, owned } = resolveShipper(options, STREAM_OPTION_KEYS);
    this.#shipper = shipper;
    this.#ownsShipper = owned;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.on('pipe', (source: PipeSource) => {
      this.#source = source;
    });
    this.on('unpipe', (source: PipeSource) => {
      if (source === this.#source) this.#source = undefined;
    });
  }

  /** The shipper this transport writes to. */
  get shipper(): Shipper {
    return this.#shipper;
  }

  /** A snapshot of the shipper's counters (sent, retried, dropped, dead-lettered, ...). */
  stats(): ShipperStats {
    return this.#shipper.stats();
  }

  override log(info: WinstonInfo, callback: () => void): void {
    // winston's convention; skipped when nobody listens, since each pending callback keeps the
    // info object alive until the next turn, which adds GC work on a busy request path.
    if (this.listenerCount('logged') > 0) setImmediate(() => this.emit('logged', info));
    this.#shipper.write(info);
    if (info.exception === true || info.rejection === true) this.#onCrash();
    callback();
  }

  /**
   * Resolves when everything logged so far has been acknowledged by the backend or
   * dead-lettered. Infos still travelling through winston's pipe are waited for first.
   */
  async flush(): Promise<void> {
    await this.#drainPipe();
    await this.#shipper.flush();
  }

  /**
   * Closes the shipper: stops accepting records, delivers what is queued, dead-letters whatever
   * the backend did not acknowledge within the close timeout. winston calls this (without
   * waiting) from `logger.close()`; the returned promise is the same on every call.
   */
  // winston ignores what close() returns; callers that want to wait get the promise.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override close(): Promise<void> {
    this.#closing ??= this.#drainPipe().then(() =>
      this.#ownsShipper
        ? this.#shipper.close(
            this.#closeTimeoutMs === undefined ? undefined : { timeoutMs: this.#closeTimeoutMs },
          )
        : this.#shipper.flush(),
    );
    return this.#closing;
  }

  /** `end()` (also `logger.end()`): 'finish' is emitted only once the backend has acknowledged. */
  override _final(callback: (error?: Error | null) => void): void {
    this.close().then(
      () => callback(),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * winston's exception/rejection handler marks the transport `_ending`, then waits (up to 3 s)
   * for 'finish' before `process.exit(1)`. Signal it once the crash record is delivered, so the
   * exit does not overtake the shipping. Only when winston will exit anyway: 'finish' unpipes.
   */
  #onCrash(): void {
    const self = this as unknown as { _ending?: boolean };
    if (self._ending !== true || this.#source?.exitOnError !== true) return;
    void this.#shipper.flush().then(() => this.emit('finish'));
  }

  /** Waits (a bounded number of turns) until no info is buffered between winston and us. */
  async #drainPipe(): Promise<void> {
    for (let turn = 0; turn < 100; turn++) {
      const pending = (this.#source?.readableLength ?? 0) + this.writableLength;
      if (pending === 0) return;
      await setImmediatePromise();
    }
  }
}
