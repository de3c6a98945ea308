/** What pino announces to its destination (or transport worker) when a logger is created. */
export interface PinoConfig {
  readonly levels?: { readonly labels?: Readonly<Record<string, string>> };
  readonly messageKey?: string;
  readonly errorKey?: string;
}

export interface PinoConfigMessage {
  readonly code?: string;
  readonly config?: PinoConfig;
}

/** pino's own level numbers; core already maps these (and any number) to severities. */
const STANDARD_LABELS: Readonly<Record<string, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Makes a pino record readable by core without losing what pino's configuration says: a custom
 * level's number becomes its name (core keeps custom names, while a bare number would only be
 * rounded down to a standard level), and a custom `messageKey` becomes `msg`.
 */
export class PinoRecordNormaliser {
  #labels: Readonly<Record<string, string>> | undefined;
  #messageKey: string | undefined;

  configure(message: PinoConfigMessage | undefined): void {
    if (message?.code !== 'PINO_CONFIG' || !message.config) return;
    this.apply(message.config);
  }

  apply(config: PinoConfig): void {
    this.#labels = config.levels?.labels;
    const key = config.messageKey;
    this.#messageKey = key && key !== 'msg' && key !== 'message' ? key : undefined;
  }

  normalise(record: object): object {
    const labels = this.#labels;
    const messageKey = this.#messageKey;
    if (labels === undefined && messageKey === undefined) return record;
    const fields = record as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;

    const level = fields.level;
    if (labels !== undefined && typeof level === 'number') {
      const label = labels[level];
      if (label !== undefined && STANDARD_LABELS[level] !== label) {
        out = { ...fields, level: label };
      }
    }
    if (messageKey !== undefined && fields.msg === undefined && messageKey in fields) {
      out ??= { ...fields };
      out.msg = out[messageKey];
      delete out[messageKey];
    }
    return out ?? record;
  }
}
