import { statfs } from 'node:fs/promises';

export interface DiskUsage {
  readonly path: string;
  /** Used space of the filesystem holding `path`, 0–100, rounded to 0.01. */
  readonly usedPercent: number;
}

/**
 * Disk usage of the filesystems holding `paths`, to feed the `low-disk` alert of the local
 * evaluator (`observeMetric(host, DISK_USED_PERCENT, usedPercent)`). Computed like `df`: the
 * blocks reserved for root count as unavailable, so the percentage is what ordinary processes
 * (the logging agent, a file spool) can no longer use. Rejects naming the path that failed.
 */
export async function checkLocalDisk(paths: readonly string[]): Promise<DiskUsage[]> {
  return Promise.all(paths.map(usageOf));
}

async function usageOf(path: string): Promise<DiskUsage> {
  let stats: Awaited<ReturnType<typeof statfs>>;
  try {
    stats = await statfs(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read disk usage of ${path}: ${reason}`, { cause: error });
  }
  const used = stats.blocks - stats.bfree;
  const usable = used + stats.bavail;
  // Pseudo filesystems (proc, some overlays) report no blocks at all: nothing is used.
  const usedPercent = usable > 0 ? Math.round((used / usable) * 10_000) / 100 : 0;
  return { path, usedPercent };
}
