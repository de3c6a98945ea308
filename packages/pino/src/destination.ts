import { Writable } from 'node:stream';
import {
  resolveShipper,
  type Shipper,
  type ShipperSourceOptions,
  type ShipperStats,
} from '@lms-logging/core';
import { LineSplitter, parseLine, unparsedRecord } from './lines.js';
import { PinoRecordNormaliser, type PinoConfigMessage } from './pino-config.js';

export interface LmsDestinationStreamOptions {
  /**
   * How long `close()` waits for the backend before the rest goes to the dead letter with
   * reason `closed`. Default: core's close timeout (10 s).
   */
  readonly closeTimeoutMs?: number;
}

/** `{ shipper }`, ShipperOptions (`{ backend, ... }`), or `{ env?, overrides? }` (the default). */
export type LmsDestinationOptions = LmsDestinationStreamOptions & ShipperSourceOptions;

type WriteCallback = (error?: Error | null) => void;

/**
 * A pino destination (`pino(lmsDestination())`) that ships in-process. pino writes JSON lines;
 * each is parsed and handed to the shipper synchronously. A chunk may hold several lines or a
 * part of one; a line that is not JSON is shipped as a `message` marked `unparsed: true`.
 * Objects written directly (object mode) are shipped as they are.
 */
export class LmsDestination extends Writable {
  readonly #shipper: Shipper;
  readonly #owned: boolean;
  readonly #closeTimeoutMs: number | undefined;
  readonly #normaliser = new PinoRecordNormaliser();
  readonly #lines = new LineSplitter((line) => this.#ship(parseLine(line)));
  #closing: Promise<void> | undefined;
  #ended: Promise<void> | undefined;

  constructor(options: LmsDestinationOptions = {}) {
    super({ objectMode: true, decodeStrings: false });
    const { shipper, owned } = resolveShipper(options, ['closeTimeoutMs']);
    this.#shipper = shipper;
    this.#owned = owned;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    // pino announces its levels and message key to a destination that can listen.
    this.on('message', (message: PinoConfigMessage) => this.#normaliser.configure(message));
  }

  /** The shipper this destination writes to. */
  get shipper(): Shipper {
    return this.#shipper;
  }

  stats(): ShipperStats {
    return this.#shipper.stats();
  }

  /**
   * Like any Writable, but a write after `close()` does not raise an 'error' event into the
   * application: the record reaches the closed shipper, which counts it as dropped (`closed`).
   */
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    if (this.writableEnded || this.destroyed) {
      this.#ingest(chunk);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) process.nextTick(done, null);
      return false;
    }
    return typeof encoding === 'function'
      ? super.write(chunk, encoding)
      : super.write(chunk, encoding ?? 'utf8', callback);
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#ingest(chunk);
    callback();
  }

  override _final(callback: WriteCallback): void {
    this.#lines.end();
    this.#closeShipper().then(
      () => callback(),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#lines.end();
    this.#closeShipper().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /**
   * Resolves when every complete line written so far is acknowledged by the backend (or
   * dead-lettered). pino's `logger.flush(cb)` calls this with a callback.
   */
  flush(callback?: (error?: Error) => void): Promise<void> {
    const flushed = this.#shipper.flush();
    if (callback) {
      flushed.then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }
    return flushed;
  }

  /** Ends the stream (a last line without newline is shipped) and closes the shipper. */
  close(): Promise<void> {
    this.#ended ??= new Promise<void>((resolve) => {
      if (this.writableFinished || this.destroyed) {
        resolve();
        return;
      }
      this.once('finish', resolve);
      this.once('close', resolve);
      if (!this.writableEnded) this.end();
    }).then(() => this.#closeShipper());
    return this.#ended;
  }

  #closeShipper(): Promise<void> {
    this.#closing ??= this.#owned
      ? this.#shipper.close(
          this.#closeTimeoutMs === undefined ? undefined : { timeoutMs: this.#closeTimeoutMs },
        )
      : this.#shipper.flush();
    return this.#closing;
  }

  #ingest(chunk: unknown): void {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
      this.#lines.push(chunk);
    } else if (typeof chunk === 'object' && chunk !== null) {
      this.#ship(chunk);
    } else if (
      typeof chunk === 'number' ||
      typeof chunk === 'boolean' ||
      typeof chunk === 'bigint'
    ) {
      this.#ship(unparsedRecord(String(chunk)));
    }
  }

  #ship(record: object): void {
    this.#shipper.write(this.#normaliser.normalise(record));
  }
}

/** `pino(lmsDestination())`: an in-process destination; see `LmsDestination`. */
export function lmsDestination(options: LmsDestinationOptions = {}): LmsDestination {
  return new LmsDestination(options);
}
