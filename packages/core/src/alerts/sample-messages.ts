interface Sample {
  readonly at: number;
  readonly message: string;
}

/** Longest sample kept; notifications need a hint, not the record. */
export const MAX_SAMPLE_LENGTH = 300;

/**
 * The newest few messages of matching records, so an alert can show what it counted. Keeps at
 * most `limit` entries, ordered oldest first; newer-by-timestamp replaces older.
 */
export class SampleMessages {
  private readonly samples: Sample[] = [];

  constructor(private readonly limit: number) {}

  add(at: number, message: string): void {
    if (this.samples.length >= this.limit) {
      if (at < this.samples[0].at) return;
      this.samples.shift();
    }
    const text =
      message.length > MAX_SAMPLE_LENGTH ? `${message.slice(0, MAX_SAMPLE_LENGTH - 1)}…` : message;
    const index = this.samples.findIndex((sample) => sample.at > at);
    this.samples.splice(index === -1 ? this.samples.length : index, 0, { at, message: text });
  }

  /** Messages whose time is inside `(from, to]`, oldest first. */
  within(from: number, to: number): string[] {
    return this.samples
      .filter((sample) => sample.at > from && sample.at <= to)
      .map((sample) => sample.message);
  }

  get size(): number {
    return this.samples.length;
  }
}
