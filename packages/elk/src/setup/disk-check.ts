/**
 * The `disk-check` task: each node's used disk (`GET _nodes/stats/fs`) against the cluster's
 * disk watermarks (`GET _cluster/settings?include_defaults=true`) and the low-disk alert's
 * threshold. Used space is computed as the allocation decider does: total minus *available*
 * bytes (blocks reserved for root are not usable by the node).
 *
 * Watermarks are percentages (`85%`), ratios (`0.85`) or absolute free-space minimums (`500mb`).
 * Elasticsearch 8.5+ also caps percentage watermarks on large disks with `<level>.max_headroom`
 * (the free space required never exceeds it); that is applied when the setting is there.
 */
import type { ProvisionerTask } from '@lms-logging/core';
import { describeSearchError, type SearchApi } from './search-api.js';

export const WATERMARK_LEVELS = ['low', 'high', 'flood_stage'] as const;
export type WatermarkLevel = (typeof WATERMARK_LEVELS)[number];

export type Watermark =
  | { readonly kind: 'percent'; readonly percent: number; readonly maxHeadroomBytes?: number }
  | { readonly kind: 'bytes'; readonly freeBytes: number };

export interface NodeDisk {
  readonly node: string;
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedPercent: number;
}

export interface DiskCheckOptions {
  readonly api: SearchApi | (() => Promise<SearchApi>);
  /** Used percent above which the low-disk alert fires (the alert model's threshold). Default 85. */
  readonly thresholdPercent?: number;
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

/** Parses a watermark value; undefined for values it cannot read. */
export function parseWatermark(value: string, maxHeadroom?: string): Watermark | undefined {
  const text = value.trim().toLowerCase();
  const headroom = maxHeadroom === undefined ? undefined : parseBytes(maxHeadroom);
  const withHeadroom = (percent: number): Watermark =>
    headroom !== undefined && headroom >= 0
      ? { kind: 'percent', percent, maxHeadroomBytes: headroom }
      : { kind: 'percent', percent };
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) return withHeadroom(Number(percent[1]));
  if (/^\d*\.\d+$|^[01]$/.test(text)) return withHeadroom(Number(text) * 100);
  const bytes = parseBytes(text);
  return bytes === undefined ? undefined : { kind: 'bytes', freeBytes: bytes };
}

function parseBytes(value: string): number | undefined {
  const match = /^(-?\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)?$/.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? 'b'] ?? 1);
}

/** Whether a node's disk is past a watermark (free space below what the watermark requires). */
export function overWatermark(disk: NodeDisk, watermark: Watermark): boolean {
  return disk.availableBytes < requiredFreeBytes(disk, watermark);
}

function requiredFreeBytes(disk: NodeDisk, watermark: Watermark): number {
  if (watermark.kind === 'bytes') return watermark.freeBytes;
  const byPercent = disk.totalBytes * (1 - watermark.percent / 100);
  return watermark.maxHeadroomBytes === undefined
    ? byPercent
    : Math.min(byPercent, watermark.maxHeadroomBytes);
}

export function describeWatermark(watermark: Watermark): string {
  if (watermark.kind === 'bytes') return `${formatBytes(watermark.freeBytes)} free`;
  const headroom =
    watermark.maxHeadroomBytes === undefined
      ? ''
      : ` (max headroom ${formatBytes(watermark.maxHeadroomBytes)})`;
  return `${round(watermark.percent)}%${headroom}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const round = (n: number): number => Math.round(n * 100) / 100;

interface NodesStats {
  nodes?: Record<
    string,
    { name?: string; fs?: { total?: { total_in_bytes?: number; available_in_bytes?: number } } }
  >;
}

interface ClusterSettings {
  persistent?: Record<string, unknown>;
  transient?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
}

/** Reads every node's disk usage. */
export async function readNodeDisks(api: SearchApi): Promise<NodeDisk[]> {
  const res = await api.request<NodesStats>('GET', '/_nodes/stats/fs');
  if (res.statusCode !== 200) throw new Error(`GET _nodes/stats/fs: ${describeSearchError(res)}`);
  return Object.entries(res.body.nodes ?? {})
    .map(([id, node]) => {
      const total = node.fs?.total?.total_in_bytes ?? 0;
      const available = node.fs?.total?.available_in_bytes ?? 0;
      return {
        node: node.name ?? id,
        totalBytes: total,
        availableBytes: available,
        usedPercent: total > 0 ? round(((total - available) / total) * 100) : 0,
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

/** The effective watermarks: transient over persistent over defaults. */
export async function readWatermarks(
  api: SearchApi,
): Promise<Partial<Record<WatermarkLevel, Watermark>>> {
  const res = await api.request<ClusterSettings>('GET', '/_cluster/settings', undefined, {
    include_defaults: 'true',
    flat_settings: 'true',
  });
  if (res.statusCode !== 200) throw new Error(`GET _cluster/settings: ${describeSearchError(res)}`);
  const lookup = (key: string): string | undefined => {
    for (const scope of [res.body.transient, res.body.persistent, res.body.defaults]) {
      const value = scope?.[key];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const out: Partial<Record<WatermarkLevel, Watermark>> = {};
  for (const level of WATERMARK_LEVELS) {
    const key = `cluster.routing.allocation.disk.watermark.${level}`;
    const value = lookup(key);
    if (value === undefined) continue;
    const parsed = parseWatermark(value, lookup(`${key}.max_headroom`));
    if (parsed) out[level] = parsed;
  }
  return out;
}

export function createDiskCheckTask(options: DiskCheckOptions): ProvisionerTask {
  const threshold = options.thresholdPercent ?? 85;
  return {
    description: `Compare each node's disk usage with the cluster's disk watermarks and the low-disk alert threshold (${threshold} %)`,
    async run() {
      const api = typeof options.api === 'function' ? await options.api() : options.api;
      const [disks, watermarks] = await Promise.all([readNodeDisks(api), readWatermarks(api)]);
      const lines: string[] = [];
      let ok = true;
      const known = WATERMARK_LEVELS.filter((level) => watermarks[level] !== undefined);
      lines.push(
        `watermarks: ${
          known.length === 0
            ? '(none reported)'
            : known.map((level) => `${level} ${describeWatermark(watermarks[level]!)}`).join(', ')
        }; alert threshold ${threshold} %`,
      );
      if (disks.length === 0) {
        return { ok: false, lines: [...lines, 'no node reported file system stats'] };
      }
      for (const disk of disks) {
        const problems: string[] = [];
        if (disk.usedPercent > threshold) problems.push(`above the alert threshold ${threshold} %`);
        for (const level of known) {
          if (overWatermark(disk, watermarks[level]!)) {
            problems.push(`past the ${level.replace('_', ' ')} watermark`);
          }
        }
        const usage =
          `${disk.node}: ${disk.usedPercent} % used ` +
          `(${formatBytes(disk.availableBytes)} available of ${formatBytes(disk.totalBytes)})`;
        if (problems.length > 0) ok = false;
        lines.push(
          problems.length > 0 ? `${usage}: PROBLEM ${problems.join(', ')}` : `${usage}: ok`,
        );
      }
      return { ok, lines };
    },
  };
}
