// Throughput of core's pipeline (null sink, file backend) and the cost of one logger.info call:
// winston + LmsTransport against winston + its own File transport, in one run on one machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileBackend, createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { LmsTransport } from '@lms-logging/winston';
import winston from 'winston';
import { record } from '../shared.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 200_000);

const nullBackend = {
  name: 'null',
  limits: { maxBatchBytes: 5_000_000, maxBatchCount: 5000, maxRecordBytes: 1 << 20 },
  encode: (records) => records.length,
  send: () => Promise.resolve(),
  classify: () => ({ kind: 'success' }),
};

function cpu() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function throughput(label, backend) {
  const shipper = createShipper({
    backend,
    deadLetter: createMemoryDeadLetter(),
    selfLog: false,
    exit: false,
  });
  const records = Array.from({ length: N }, (_, i) => record(i));
  globalThis.gc?.();
  const c0 = cpu();
  const t0 = process.hrtime.bigint();
  for (const r of records) shipper.write(r);
  const t1 = process.hrtime.bigint();
  await shipper.flush();
  const t2 = process.hrtime.bigint();
  const c1 = cpu();
  await shipper.close();
  const stats = shipper.stats();
  if (stats.sent !== N) throw new Error(`${label}: sent ${stats.sent} of ${N}`);
  return {
    label,
    perSecond: N / (Number(t2 - t0) / 1e9),
    writeNs: Number(t1 - t0) / N,
    cpuPer100k: ((c1 - c0) * 100_000) / N,
  };
}

async function winstonCall(label, makeTransport, close) {
  const transport = makeTransport();
  const logger = winston.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  const calls = Math.min(N, 100_000);
  for (let i = 0; i < 2000; i++) logger.info('warm-up', { i });
  await close(logger, transport);
  globalThis.gc?.();
  const logger2 = winston.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [makeTransport()],
  });
  const c0 = cpu();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const { level, message, ...meta } = record(i);
    logger2.log(level, message, meta);
  }
  const t1 = process.hrtime.bigint();
  await close(logger2, logger2.transports[0]);
  const t2 = process.hrtime.bigint();
  const c1 = cpu();
  return {
    label,
    callNs: Number(t1 - t0) / calls,
    perSecond: calls / (Number(t2 - t0) / 1e9),
    cpuPer100k: ((c1 - c0) * 100_000) / calls,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'lms-bench-'));
try {
  const rows = [];
  rows.push(await throughput('core → null sink', nullBackend));
  rows.push(await throughput('core → file backend', createFileBackend({ dir: join(dir, 'core') })));
  console.log(`records: ${N}, node ${process.version}, ${process.platform}/${process.arch}\n`);
  console.log('| pipeline | records/s (write → acknowledged) | write() cost | CPU s per 100k |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${Math.round(r.perSecond).toLocaleString('en')} | ${(r.writeNs / 1000).toFixed(2)} µs | ${r.cpuPer100k.toFixed(2)} |`,
    );
  }

  let n = 0;
  const lms = await winstonCall(
    'winston + LmsTransport (file backend)',
    () =>
      new LmsTransport({
        backend: createFileBackend({ dir: join(dir, `lms-${n++}`) }),
        deadLetter: createMemoryDeadLetter(),
        selfLog: false,
        exit: false,
      }),
    async (_logger, transport) => transport.close(),
  );
  const file = await winstonCall(
    'winston + winston.transports.File',
    () => new winston.transports.File({ filename: join(dir, `winston-${n++}.log`) }),
    (logger) =>
      new Promise((resolve) => {
        logger.on('finish', resolve);
        logger.end();
      }),
  );
  console.log('\n| winston logger.info | cost per call | records/s (to disk) | CPU s per 100k |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of [lms, file]) {
    console.log(
      `| ${r.label} | ${(r.callNs / 1000).toFixed(2)} µs | ${Math.round(r.perSecond).toLocaleString('en')} | ${r.cpuPer100k.toFixed(2)} |`,
    );
  }
  console.log(
    `\nratio, cost per logger.info call (LmsTransport / File): ${(lms.callNs / file.callNs).toFixed(2)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
