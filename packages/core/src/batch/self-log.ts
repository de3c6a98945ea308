import type { ShipperEvents } from './events.js';

export type SelfLogSink = (line: string) => void;

/** One line per reason per window: a backend outage must not flood stderr. */
const WINDOW_MS = 30_000;

/**
 * Reports shipping problems on stderr (or a given sink), never through the application's own
 * logger: logging a shipping failure through the logger being shipped would recurse.
 */
export function attachSelfLog(
  events: ShipperEvents,
  backend: string,
  sink: SelfLogSink,
): () => void {
  const lastSaid = new Map<string, number>();
  const say = (key: string, line: string): void => {
    const now = Date.now();
    if (now - (lastSaid.get(key) ?? -Infinity) < WINDOW_MS) return;
    lastSaid.set(key, now);
    try {
      sink(`[lms-logging] ${backend}: ${line}`);
    } catch {
      // stderr closed: nothing better to do.
    }
  };
  const offs = [
    events.on('retry', (e) =>
      say(`retry:${e.reason}`, `retrying ${e.count} records in ${e.delayMs} ms: ${e.reason}`),
    ),
    events.on('drop', (e) => say(`drop:${e.reason}`, `dropped ${e.count} records: ${e.reason}`)),
    events.on('dead-letter', (e) =>
      say(
        `dl:${e.reason}`,
        `dead-lettered ${e.count} records (${e.reason}): ${e.error.slice(0, 300)}`,
      ),
    ),
  ];
  return () => offs.forEach((off) => off());
}

export const stderrSink: SelfLogSink = (line) => {
  process.stderr.write(`${line}\n`);
};
