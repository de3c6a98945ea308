import { StringDecoder } from 'node:string_decoder';

/** A line longer than this without a newline is shipped as it is rather than held forever. */
export const MAX_PENDING_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Splits a stream of text into lines: a chunk may hold several lines, a part of one, or end in
 * the middle of a multi-byte character. `\r\n` endings are accepted; empty lines are skipped.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Characters held back because their line is not complete yet. */
  get pendingLength(): number {
    return this.#pending.length;
  }

  push(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline === -1) {
      this.#pending += text;
      if (this.#pending.length > MAX_PENDING_LINE_CHARS) this.#emit(this.#take());
      return;
    }
    if (this.#pending !== '') {
      this.#emit(this.#pending + text.slice(0, newline));
      this.#pending = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      this.#emit(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#pending = text.slice(start);
  }

  /** Emits whatever is left (a last line without its newline). */
  end(): void {
    this.#pending += this.#decoder.end();
    if (this.#pending !== '') this.#emit(this.#take());
  }

  #take(): string {
    const rest = this.#pending;
    this.#pending = '';
    return rest;
  }

  #emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') this.onLine(line);
  }
}

/** A parsed line as a record; anything that is not a JSON object becomes a message. */
export function parseLine(line: string): object {
  try {
    const value: unknown = JSON.parse(line);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // Not JSON: shipped as text below.
  }
  return unparsedRecord(line);
}

/** How a line that is not a JSON object is shipped: never dropped, marked so it can be found. */
export function unparsedRecord(line: string): object {
  return { message: line, unparsed: true };
}
