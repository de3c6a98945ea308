import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  checkLocalDisk,
  createAlertEvaluator,
  createShipperFromEnv,
  defaultAlertDefinitions,
  DISK_USED_PERCENT,
  fieldNamesFor,
  type Schema,
} from '@lms-logging/core';
import { createLmsLogger } from '@lms-logging/winston';
import { hostname } from 'node:os';
import { AlertTap } from './alert-tap.js';
import { createLmsApp } from './app.js';
import { generateTraffic } from './traffic.js';

/**
 * The embedded default: the sample LMS app logs through createLmsLogger to the backend
 * LMS_LOG_BACKEND names (default: the local `file` backend), under about ten seconds of traffic,
 * then says what was shipped, where, and which alerts fired.
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  env.LMS_LOG_BACKEND ??= 'file';
  env.LMS_LOG_DIR ??= 'logs';
  const seconds = Number(env.LMS_DEMO_SECONDS ?? 10);

  const shipper = createShipperFromEnv(env);
  const schema = (env.LMS_LOG_SCHEMA as Schema | undefined) ?? 'lms';
  const evaluator = createAlertEvaluator(defaultAlertDefinitions({ schema }));
  const tap = new AlertTap(evaluator, env);
  const logger = createLmsLogger({ env, transport: { shipper } });
  logger.add(tap);

  const server = createLmsApp(logger);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(
    `lms-logging demo: LMS app on ${base}, shipping to "${shipper.backendName}" for ${seconds} s`,
  );

  logger.info('LMS backend started', {
    event: 'app.start',
    port: (server.address() as AddressInfo).port,
  });
  const traffic = await generateTraffic(base, seconds);
  server.close();
  logger.info('LMS backend stopping', { event: 'app.stop' });
  await logger.close();

  // Low disk on the logging host: the real usage of the disk that holds the logs (the directory
  // exists only after the file backend has written, so make it for the other backends).
  mkdirSync(resolve(env.LMS_LOG_DIR), { recursive: true });
  const [disk] = await checkLocalDisk([resolve(env.LMS_LOG_DIR)]);
  if (disk) evaluator.observeMetric(hostname(), DISK_USED_PERCENT, disk.usedPercent);

  const stats = shipper.stats();
  const deadLettered = Object.values(stats.deadLettered).reduce((a, b) => a + b, 0);
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  console.log(
    `\n${traffic.requests} requests in ${traffic.seconds.toFixed(1)} s: ${Object.entries(
      traffic.byKind,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `shipped ${stats.sent} records (${(stats.sentBytes / 1024).toFixed(0)} KiB) to ${where(env, shipper.backendName)}; dead-lettered ${deadLettered}, dropped ${dropped}`,
  );

  console.log('\none mapped record, as shipped:');
  console.log(JSON.stringify(sampleRecord(env, shipper.backendName) ?? tap.lastMapped, null, 2));

  console.log('\nalerts (local evaluator over the same records, core alert model):');
  const fields = fieldNamesFor(schema);
  for (const status of evaluator.evaluate()) {
    const mark = status.firing ? 'FIRING ' : 'ok     ';
    console.log(
      `  ${mark} ${status.id.padEnd(15)} ${String(status.value).padStart(6)} ${status.comparator} ${status.threshold} in ${status.windowMinutes} min  ${status.title}`,
    );
  }
  console.log(`\n(level field: ${fields.levelField}; status field: ${fields.statusField})`);
  if (stats.sent === 0) process.exitCode = 1;
}

function where(env: Record<string, string | undefined>, backend: string): string {
  if (backend === 'file') {
    const dir = resolve(env.LMS_LOG_DIR ?? 'logs');
    const files = readdirSync(dir).filter((f) => /^lms-.*\.log$/.test(f));
    return files.map((f) => join(dir, f)).join(', ');
  }
  if (backend === 'elk')
    return `Elasticsearch/OpenSearch at ${env.ELASTICSEARCH_URL ?? env.ELASTICSEARCH_CLOUD_ID ?? '?'}`;
  if (backend === 'graylog') return `Graylog GELF input ${env.GRAYLOG_URL ?? '?'}`;
  return backend;
}

/** For the file backend, a 5xx record read back from the file itself. */
function sampleRecord(env: Record<string, string | undefined>, backend: string): unknown {
  if (backend !== 'file') return undefined;
  const dir = env.LMS_LOG_DIR ?? 'logs';
  const files = readdirSync(dir)
    .filter((f) => /^lms-.*\.log$/.test(f))
    .sort();
  const last = files.at(-1);
  if (!last) return undefined;
  const lines = readFileSync(join(dir, last), 'utf8').trim().split('\n');
  const line = lines.reverse().find((l) => l.includes('"grade submission failed"')) ?? lines[0];
  return line ? (JSON.parse(line) as unknown) : undefined;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
