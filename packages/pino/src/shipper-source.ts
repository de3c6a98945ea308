import {
  createShipper,
  createShipperFromEnv,
  type Env,
  type Shipper,
  type ShipperOptions,
  type ShipperOverrides,
} from '@lms-logging/core';

/** Ship through a shipper you built yourself. */
export interface ShipperSource {
  readonly shipper: Shipper;
  /** Whether closing the destination closes this shipper too. Default `true`. */
  readonly closeShipper?: boolean;
}

/** Build the shipper from `LMS_*` variables (the default, with `process.env`). */
export interface EnvSource {
  readonly env?: Env;
  /** Options that win over what the variables say (a `backend` object, a `deadLetter`, ...). */
  readonly overrides?: ShipperOverrides;
}

export type ShipperSourceOptions = ShipperSource | ShipperOptions | EnvSource;

export interface ResolvedShipper {
  readonly shipper: Shipper;
  /** True when closing the adapter closes the shipper. */
  readonly owned: boolean;
}

/** `{ shipper }`, `{ backend, ... }` (ShipperOptions) or env-based, in that order. */
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
  const source = options as EnvSource;
  return {
    shipper: createShipperFromEnv(source.env ?? process.env, source.overrides),
    owned: true,
  };
}
