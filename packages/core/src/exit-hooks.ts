import type { BatchProcessor } from './batch/batch-processor.js';
import type { Shipper } from './shipper.js';

export interface ExitHookOptions {
  /** Deliver what is left when the event loop runs dry. Default true. */
  readonly beforeExit?: boolean;
  /**
   * Flush, then exit as the signal would (unless the app has its own handler for it).
   * Default false: installing a signal handler changes how a process ends, so it is opt-in.
   */
  readonly signals?: boolean | readonly NodeJS.Signals[];
  /** How long the exit path waits for the backend. Default 5 s. */
  readonly timeoutMs?: number;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGINT: 2,
  SIGTERM: 15,
  SIGHUP: 1,
};

/**
 * Wires the process exit paths. Whatever cannot be delivered in time is written to the dead
 * letter synchronously on `exit`, so a dying process loses nothing silently.
 */
export function installExitHooks(
  shipper: Shipper,
  processor: BatchProcessor,
  options: ExitHookOptions,
): () => void {
  const timeoutMs = options.timeoutMs ?? 5000;
  const removers: (() => void)[] = [];

  const onExit = (): void => {
    if (processor.unsettled > 0) processor.abandonSync('exit');
  };
  process.on('exit', onExit);
  removers.push(() => process.off('exit', onExit));

  if (options.beforeExit !== false) {
    let waiting = false;
    const onBeforeExit = (): void => {
      if (waiting || processor.unsettled === 0) return;
      waiting = true;
      // A referenced timer keeps the loop alive while we wait; retry sleeps are unref'd.
      const timer = setTimeout(() => {
        processor.abandonSync('exit-timeout');
      }, timeoutMs);
      void shipper.flush().then(() => {
        clearTimeout(timer);
        waiting = false;
      });
    };
    process.on('beforeExit', onBeforeExit);
    removers.push(() => process.off('beforeExit', onBeforeExit));
  }

  const signals =
    options.signals === true
      ? (['SIGTERM', 'SIGINT'] as const)
      : Array.isArray(options.signals)
        ? (options.signals as readonly NodeJS.Signals[])
        : [];
  for (const signal of signals) {
    const onSignal = (): void => {
      process.off(signal, onSignal);
      void shipper.close({ timeoutMs }).finally(() => {
        // Only re-raise when nobody else handles the signal; otherwise the app decides when to end.
        if (process.listenerCount(signal) === 0) {
          process.exitCode = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
          process.kill(process.pid, signal);
        }
      });
    };
    process.on(signal, onSignal);
    removers.push(() => process.off(signal, onSignal));
  }
  return () => removers.forEach((remove) => remove());
}
