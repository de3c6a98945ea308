/** What the pipeline reports; listeners run synchronously and their exceptions are swallowed. */
export interface ShipperEventMap {
  sent: { readonly count: number; readonly bytes: number };
  retry: {
    readonly count: number;
    readonly reason: string;
    readonly delayMs: number;
    readonly attempt: number;
  };
  drop: { readonly count: number; readonly reason: string };
  'dead-letter': { readonly count: number; readonly reason: string; readonly error: string };
}

export type ShipperEventName = keyof ShipperEventMap;
export type ShipperListener<E extends ShipperEventName> = (event: ShipperEventMap[E]) => void;

/**
 * A tiny emitter. Node's EventEmitter is avoided on purpose: an `error` event without a listener
 * throws there, and a logging library must never throw into the application.
 */
export class ShipperEvents {
  private readonly listeners: { [E in ShipperEventName]?: ShipperListener<E>[] } = {};

  on<E extends ShipperEventName>(name: E, listener: ShipperListener<E>): () => void {
    const list = (this.listeners[name] ??= []) as ShipperListener<E>[];
    list.push(listener);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  emit<E extends ShipperEventName>(name: E, event: ShipperEventMap[E]): void {
    const list = this.listeners[name];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not break delivery.
      }
    }
  }
}
