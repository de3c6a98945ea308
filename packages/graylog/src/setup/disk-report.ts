/**
 * `lms-logs task disk-report`: Graylog has no host metrics of its own, so the low-disk event
 * definition counts on records that carry `disk_used_percent`. Run from cron or a systemd timer
 * on each logging server (Graylog, its data node), this task measures the filesystems holding
 * `LMS_GRAYLOG_DISK_PATHS` and ships one record per path to `GRAYLOG_URL`, like any app record.
 */
import {
  checkLocalDisk,
  createMemoryDeadLetter,
  createShipper,
  DISK_USED_PERCENT,
  type BackendEnvContext,
  type Env,
  type ProvisionerTask,
} from '@lms-logging/core';
import { createGraylogBackend } from '../backend.js';
import { readGraylogEnv } from '../config.js';

export interface DiskReportOptions {
  readonly env: Env;
  readonly context: BackendEnvContext;
  readonly paths: readonly string[];
  /** Usage above this is logged at `warn` (the low-disk alert's threshold). */
  readonly threshold: number;
}

export function createDiskReportTask(options: DiskReportOptions): ProvisionerTask {
  return {
    description: `ships the disk usage of ${options.paths.join(', ')} to GRAYLOG_URL for the low-disk event definition (run it from cron on each logging server)`,
    async run() {
      // Read here, not at start-up: `plan` and `setup` need no GELF input.
      const backend = createGraylogBackend(readGraylogEnv(options.env, options.context));
      let usage: Awaited<ReturnType<typeof checkLocalDisk>>;
      try {
        usage = await checkLocalDisk(options.paths);
      } catch (error) {
        await backend.close?.();
        return { ok: false, lines: [error instanceof Error ? error.message : String(error)] };
      }
      const deadLetter = createMemoryDeadLetter();
      const shipper = createShipper({
        backend,
        environment: options.context.environment,
        service: options.context.service,
        deadLetter,
        selfLog: false,
        exit: false,
      });
      const at = new Date().toISOString();
      for (const u of usage) {
        shipper.write({
          timestamp: at,
          level: u.usedPercent > options.threshold ? 'warn' : 'info',
          message: `disk usage of ${u.path}: ${u.usedPercent} %`,
          event: 'disk.usage',
          [DISK_USED_PERCENT]: u.usedPercent,
          disk_path: u.path,
        });
      }
      await shipper.close({ timeoutMs: 15_000 });
      const sent = shipper.stats().sent;
      const lines = usage.map(
        (u) =>
          `${u.usedPercent > options.threshold ? 'LOW ' : 'ok  '} ${u.path}: ${u.usedPercent} % used (alert above ${options.threshold} %)`,
      );
      lines.push(`sent ${sent} of ${usage.length} records to ${options.env['GRAYLOG_URL'] ?? ''}`);
      for (const entry of deadLetter.entries) {
        lines.push(`not delivered: ${entry.reason}${entry.error ? ` (${entry.error})` : ''}`);
      }
      return { ok: sent === usage.length, lines };
    },
  };
}
