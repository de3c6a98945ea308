// Records per second and client CPU per 100,000 records shipped into moto's CloudWatch Logs server:
// @lms-logging/winston + @lms-logging/cloudwatch against winston-cloudwatch 6, in one run.
// See README.md next to this file.
//
// The parent starts (or reuses) a dedicated moto server, then spawns one child per contender and
// round. Each child builds its logger, takes process.cpuUsage() and the clock before the first log
// call, logs N records, waits until its library says everything is flushed, then asks the parent
// (IPC) to count the events readable in its own log stream (GetLogEvents paging); once the count
// equals N the child reads the clock and its CPU. The counting runs in the parent, so that its
// cost (parsing N events back) is not charged to either library.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, int, load, median, records, sleep } from '../shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

const N = Number(process.env.BENCH_RECORDS ?? 20_000);
/** Each round runs every contender once (the order alternates); figures are the medians. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** How long the parent keeps counting, after a library said "flushed", for the count to reach N. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 30_000);
/** A contender still running after this is killed and reported as failed. */
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const MOTO_PORT = Number(process.env.BENCH_MOTO_PORT ?? 5090);

const AWS_ENV = {
  AWS_ENDPOINT_URL: process.env.BENCH_CLOUDWATCH_URL ?? `http://127.0.0.1:${MOTO_PORT}`,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
};
Object.assign(process.env, AWS_ENV);

// The AWS SDK is a dependency of @lms-logging/cloudwatch (and a peer of winston-cloudwatch), not of
// the bench package itself: load the copy @lms-logging/cloudwatch uses.
const requireSdk = createRequire(fileURLToPath(import.meta.resolve('@lms-logging/cloudwatch')));
const sdk = requireSdk('@aws-sdk/client-cloudwatch-logs');

const CONTENDERS = [
  {
    key: 'ours',
    label: '@lms-logging/winston + @lms-logging/cloudwatch',
    batch: '≤ 10,000 events / 1,048,576 B per PutLogEvents, 4 in flight',
  },
  {
    key: 'winston-cloudwatch',
    label: 'winston + winston-cloudwatch 6 (`jsonMessage`)',
    batch: '≤ 1,000,000 B per PutLogEvents (no count cap), 1 in flight, 2 s `uploadRate` tick',
  },
];
const OURS = 'ours';

function logsClient() {
  return new sdk.CloudWatchLogsClient({ region: AWS_ENV.AWS_REGION });
}

/**
 * Events readable in one stream: GetLogEvents from the head, following nextForwardToken until it
 * repeats (the documented end of a stream). 0 while the group or stream does not exist.
 */
async function countEvents(client, logGroupName, logStreamName) {
  let count = 0;
  let bytes = 0;
  let token;
  for (;;) {
    let page;
    try {
      page = await client.send(
        new sdk.GetLogEventsCommand({
          logGroupName,
          logStreamName,
          startFromHead: true,
          nextToken: token,
        }),
      );
    } catch (error) {
      if (error?.name === 'ResourceNotFoundException') return { count: 0, bytes: 0 };
      throw error;
    }
    for (const e of page.events ?? []) bytes += Buffer.byteLength(e.message ?? '');
    count += page.events?.length ?? 0;
    if (!page.nextForwardToken || page.nextForwardToken === token) break;
    if ((page.events?.length ?? 0) === 0 && token !== undefined) break;
    token = page.nextForwardToken;
  }
  return { count, bytes };
}

// ------------------------------------------------------------------------------------- child

const SHIPPERS = { ours: shipOurs, 'winston-cloudwatch': shipWinstonCloudWatch };

async function shipOurs({ logGroupName, logStreamName, n, start }) {
  const { createMemoryDeadLetter } = await import('@lms-logging/core');
  const { LmsTransport } = await import('@lms-logging/winston');
  const { createCloudWatchBackend } = await import('@lms-logging/cloudwatch');
  const { default: winston } = await import('winston');
  const deadLetter = createMemoryDeadLetter();
  // Endpoint, region and credentials come from the AWS_* environment (the SDK's default chains).
  const backend = createCloudWatchBackend({ logGroupName, logStreamName });
  const transport = new LmsTransport({ backend, selfLog: false, exit: false, deadLetter });
  const logger = winston.createLogger({ transports: [transport] });
  const input = records(n);
  start();
  for (const r of input) logger.log(r.level, r.message, r.meta);
  // flush() resolves once every record is acknowledged (or dead-lettered), without close()'s
  // timeout; close() then has nothing left to wait for.
  await transport.flush();
  await transport.close();
  const s = transport.stats();
  const problems = [];
  if (s.sent !== n) problems.push(`shipper acknowledged ${s.sent} of ${n}`);
  for (const [reason, count] of Object.entries(s.dropped ?? {})) {
    if (count > 0) problems.push(`${count} dropped (${reason})`);
  }
  if (deadLetter.entries.length > 0) {
    const first = deadLetter.entries[0];
    problems.push(
      `${deadLetter.entries.length} dead-lettered (first: ${first.reason} ${first.error ?? ''})`,
    );
  }
  return { libraryReport: `stats: ${JSON.stringify(s)}`.slice(0, 400), problems };
}

async function shipWinstonCloudWatch({ logGroupName, logStreamName, n, start }) {
  const { default: winston } = await import('winston');
  const { default: WinstonCloudWatch } = await import('winston-cloudwatch');
  const errors = [];
  const transport = new WinstonCloudWatch({
    logGroupName,
    logStreamName,
    jsonMessage: true,
    awsOptions: {
      region: AWS_ENV.AWS_REGION,
      endpoint: AWS_ENV.AWS_ENDPOINT_URL,
      credentials: {
        accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    },
    errorHandler: (error) => errors.push(error),
  });
  const logger = winston.createLogger({ transports: [transport] });
  const input = records(n);
  start();
  for (const r of input) logger.log(r.level, r.message, r.meta);
  // kthxbye(cb): stops the upload interval and submits back to back until its queue is empty, or
  // calls back with an error once its flush timeout (10 s after the first call) has passed.
  const flushError = await new Promise((resolve) => transport.kthxbye(resolve));
  const problems = [];
  if (flushError) problems.push(`kthxbye: ${flushError.message ?? flushError}`);
  if (transport.logEvents.length > 0) {
    problems.push(`${transport.logEvents.length} events still queued after kthxbye`);
  }
  if (errors.length > 0) {
    problems.push(`${errors.length} errorHandler calls: ${errors[0]?.message ?? errors[0]}`);
  }
  return { libraryReport: flushError ? 'kthxbye error' : 'kthxbye ok', problems };
}

/** Asks the parent to count this contender's stream until it holds n events (or gives up). */
function confirmByParent(n) {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send({ type: 'flushed', n });
  });
}

async function child(options) {
  const { key, n } = options;
  let c0;
  let t0;
  const start = () => {
    globalThis.gc?.();
    c0 = process.cpuUsage();
    t0 = performance.now();
  };
  const out = await SHIPPERS[key]({ ...options, start });
  const tFlushed = performance.now();
  const cpuFlushed = process.cpuUsage(c0);
  const confirmed = await confirmByParent(n);
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const result = {
    ...out,
    key,
    n,
    count: confirmed.count,
    countAtFlushed: confirmed.countAtFlushed,
    polls: confirmed.polls,
    seconds: (t1 - t0) / 1000,
    flushedSeconds: (tFlushed - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cpuAtFlushedSeconds: (cpuFlushed.user + cpuFlushed.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  // Libraries may keep timers or sockets alive: the result is out.
  process.exit(0);
}

// ------------------------------------------------------------------------------------ parent

function runChild(options, client) {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(options)],
      { cwd: here, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...AWS_ENV } },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('message', async (message) => {
      if (message?.type !== 'flushed') return;
      // Count until the stream holds n events or SETTLE_MS has passed since "flushed".
      const t = performance.now();
      const first = await countEvents(client, options.logGroupName, options.logStreamName);
      let { count } = first;
      let polls = 1;
      while (count < message.n && performance.now() - t < SETTLE_MS) {
        await sleep(100);
        ({ count } = await countEvents(client, options.logGroupName, options.logStreamName));
        polls += 1;
      }
      if (proc.connected) proc.send({ count, countAtFlushed: first.count, polls });
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      const result = line ? JSON.parse(line.slice('RESULT '.length)) : undefined;
      resolve({ result, code, signal, stdout, stderr });
    });
  });
}

function moto(command) {
  return spawnSync(join(repo, 'scripts', 'services', 'moto'), [command], {
    env: { ...process.env, MOTO_PORT: String(MOTO_PORT) },
    encoding: 'utf8',
  });
}

/**
 * The child's stderr without the AWS SDK's NodeVersionSupportWarning (printed by every process
 * that loads the SDK on Node 20: "versions published after the first week of January 2027 will
 * require node >=22"), which says nothing about the run.
 */
function stderrOf(run) {
  const sdkWarning =
    /NodeVersionSupportWarning|versions published after the first week|will require node >=22|continue receiving updates|security updates please upgrade|More information can be found at: https:\/\/a\.co\/|node --trace-warnings/;
  return run.stderr.split('\n').filter((l) => l.trim() !== '' && !sdkWarning.test(l));
}

async function main() {
  let started = false;
  if (process.env.BENCH_CLOUDWATCH_URL === undefined && moto('status').status !== 0) {
    const result = moto('start');
    if (result.status !== 0) {
      console.error(result.stderr);
      throw new Error(`cannot start moto on ${MOTO_PORT}`);
    }
    started = true;
  }
  const client = logsClient();
  const runId = Date.now().toString(36);
  const cleanup = async (logGroupName) => {
    try {
      await client.send(new sdk.DeleteLogGroupCommand({ logGroupName }));
    } catch {
      // never created
    }
  };

  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`load average at start: ${load()}`);
  console.log(`server: moto (CloudWatch Logs emulator) at ${AWS_ENV.AWS_ENDPOINT_URL}`);
  console.log(
    `N = ${int(N)} records per contender, ${ROUNDS} round(s) in alternating order after a ` +
      'warm-up round, each contender in its own child process and its own log group; ' +
      'figures are medians over the rounds\n',
  );

  const rows = new Map(CONTENDERS.map((c) => [c.key, []]));
  try {
    const warmN = Math.min(N, 5_000);
    console.log(`warm-up round: every contender with ${int(warmN)} records (not counted)`);
    for (const c of CONTENDERS) {
      const logGroupName = `/bench/cloudwatch/${runId}/${c.key}/warmup`;
      const warm = await runChild(
        { key: c.key, logGroupName, logStreamName: 'bench', n: warmN },
        client,
      );
      const r = warm.result;
      console.log(
        r
          ? `- warm-up ${c.key}: ${fixed(r.seconds, 2)} s, ${r.count}/${warmN}` +
              `${r.problems.length ? `, ${r.problems.join('; ')}` : ''}`
          : `- warm-up ${c.key} failed (exit ${warm.code ?? warm.signal}): ${warm.stderr.slice(-500)}`,
      );
      await cleanup(logGroupName);
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const c of order) {
        const logGroupName = `/bench/cloudwatch/${runId}/${c.key}/r${round}`;
        const logStreamName = 'bench';
        const run = await runChild({ key: c.key, logGroupName, logStreamName, n: N }, client);
        const verified = await countEvents(client, logGroupName, logStreamName);
        await cleanup(logGroupName);
        rows.get(c.key).push({ ...c, round, run, verified });
        const r = run.result;
        const stderrLines = stderrOf(run);
        console.log(
          r
            ? `- ${c.key} r${round}: ${fixed(r.seconds, 2)} s (flushed at ${fixed(r.flushedSeconds, 2)} s), ` +
                `cpu ${fixed(r.cpuSeconds, 2)} s, readable ${verified.count}/${N}` +
                `${r.problems.length ? `, ${r.problems.join('; ')}` : ''}` +
                (stderrLines.length ? `, ${stderrLines.length} stderr lines` : '')
            : `- ${c.key} r${round}: FAILED (exit ${run.code ?? run.signal}), readable ${verified.count}/${N}`,
        );
        for (const l of stderrLines.slice(0, 5)) console.log(`    stderr: ${l.slice(0, 240)}`);
        await sleep(1000);
      }
    }
  } finally {
    client.destroy();
    if (started) moto('stop');
  }

  // ---------------------------------------------------------------------------- figures
  const summary = CONTENDERS.map((c) => {
    const runs = rows.get(c.key);
    const ok = runs.filter((r) => r.run.result && r.verified.count === N);
    const use = ok.length > 0 ? ok : runs.filter((r) => r.run.result);
    return {
      ...c,
      runs,
      ok: ok.length === runs.length,
      perSecond: use.length ? median(use.map((r) => N / r.run.result.seconds)) : NaN,
      cpuPer100k: use.length
        ? median(use.map((r) => (r.run.result.cpuSeconds * 100_000) / N))
        : NaN,
    };
  });
  const ours = summary.find((s) => s.key === OURS);

  console.log(`\n### Results (N = ${int(N)}, moto, node ${process.version})\n`);
  console.log(
    '| contender | records/s (first call → all readable) | CPU s per 100k records (client process) | batch size | ratio vs ours (records/s) | ratio vs ours (CPU) | readable |',
  );
  console.log('| --- | ---: | ---: | --- | ---: | ---: | --- |');
  for (const s of summary) {
    const readable = s.ok
      ? `✓ ${int(N)} ×${s.runs.length}`
      : `✗ **${s.runs.map((r) => int(r.verified.count)).join(', ')} of ${int(N)}**`;
    console.log(
      `| ${s.label} | ${int(s.perSecond)} | ${fixed(s.cpuPer100k, 2)} | ${s.batch} | ` +
        `${fixed(s.perSecond / ours.perSecond, 2)} | ${fixed(s.cpuPer100k / ours.cpuPer100k, 2)} | ${readable} |`,
    );
  }

  console.log('\n### Details\n');
  console.log(
    '| contender | records/s per round | CPU s per round | "flushed" after (last round) | readable when "flushed" (last round) | event bytes readable (last round) | client peak RSS (last round) |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const s of summary) {
    const last = s.runs.at(-1);
    const r = last.run.result;
    console.log(
      `| ${s.key} | ${s.runs.map((x) => (x.run.result ? int(N / x.run.result.seconds) : 'failed')).join(', ')} | ` +
        `${s.runs.map((x) => (x.run.result ? fixed(x.run.result.cpuSeconds, 2) : '-')).join(', ')} | ` +
        `${r ? `${fixed(r.flushedSeconds, 2)} s` : 'n/a'} | ${r ? int(r.countAtFlushed) : 'n/a'} | ` +
        `${int(last.verified.bytes)} | ${r ? `${int(r.maxRssMb)} MB` : 'n/a'} |`,
    );
  }
  console.log(`\nload average at the end: ${load()}`);
  for (const s of summary) {
    for (const x of s.runs) {
      for (const p of x.run.result?.problems ?? []) console.log(`note ${s.key} r${x.round}: ${p}`);
      if (!x.run.result) console.log(`FAILED ${s.key} r${x.round}: ${x.run.stderr.slice(-1000)}`);
    }
  }
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await main();
