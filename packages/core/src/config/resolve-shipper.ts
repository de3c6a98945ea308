import { createShipper, type Shipper, type ShipperOptions } from '../shipper.js';
import type { Env } from './env-spec.js';
import { createShipperFromEnv, type ShipperOverrides } from './from-env.js';

/** Ship through a shipper you built yourself. */
export interface ShipperSource {
  readonly shipper: Shipper;
  /**
   * Whether closing the adapter (destination, transport) closes this shipper too. Default
   * `true`; set `false` when the shipper is shared with other loggers (they then only flush it).
   */
  readonly closeShipper?: boolean;
}

/** Build the shipper from `LMS_*` variables (the default, with `process.env`). */
export interface EnvShipperSource {
  readonly env?: Env;
  /** Options that win over what the variables say (a `backend` object, a `deadLetter`, ...). */
  readonly overrides?: ShipperOverrides;
}

/** How a logger adapter gets its shipper: given, built from options, or built from env. */
export type ShipperSourceOptions = ShipperSource | ShipperOptions | EnvShipperSource;

export interface ResolvedShipper {
  readonly shipper: Shipper;
  /** True when closing the adapter closes the shipper. */
  readonly owned: boolean;
}

/**
 * The shipper a logger adapter writes to: `{ shipper }`, `{ backend, ... }` (ShipperOptions,
 * without the adapter's own `ownKeys`) or env-based, in that order.
 */
export function resolveShipper(
  options: ShipperSourceOptions,
  ownKeys: readonly string[],
): ResolvedShipper {
  if ('shipper' in options && options.shipper) {
    return { shipper: options.shipper, owned: options.closeShipper !== false };
  }
  if ('backend' in options && options.backend) {
    const shipperOptions: Record<string, unknown> = { ...options };
    for (const key of ownKeys) delete shipperOptions[key];
    return { shipper: createShipper(shipperOptions as unknown as ShipperOptions), owned: true };
  }
  const source = options as EnvShipperSource;
  return {
    shipper: createShipperFromEnv(source.env ?? process.env, source.overrides),
    owned: true,
  };
}
