// Records per second and client CPU per 100,000 records shipped into one real search server:
// @lms-logging/winston + @lms-logging/elk against winston-elasticsearch, pino-elasticsearch and
// raw pre-encoded `_bulk` requests (the ceiling), in one run. See README.md next to this file.
//
// The parent process starts (or reuses) the server and the es-compat proxy, then spawns one child
// per contender; each child builds its logger, takes process.cpuUsage() and the clock before the
// first log call, and stops both once the library said it is done AND `_refresh` + `_count` on
// its own index equals N. The parent checks the count again itself.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEsCompatProxy } from './es-compat-proxy.mjs';
import { fixed, int, median, record, records, sleep } from '../shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
/** Each round runs every contender once (the order rotates); figures are the medians. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** How long a child waits, after its library said "done", for `_count` to reach N. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 30_000);
/** A contender still running after this is killed and reported as timed out. */
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);

/** Ours: @lms-logging/elk's DEFAULT_ELK_LIMITS and core's maxInFlight. */
const OUR_BATCH_BYTES = 5_000_000;
const OUR_BATCH_RECORDS = 5_000;
const OUR_IN_FLIGHT = 2;

/**
 * The contenders, in run order. `via: 'proxy'` ships through the es-compat proxy, `direct`
 * talks to OpenSearch itself. `batch` is what the library is configured to do.
 */
const CONTENDERS = [
  {
    key: 'ours-es',
    label: '@lms-logging/winston + elk (`@elastic/elasticsearch` client)',
    via: 'proxy',
    batch: `≤ 5,000 rec / 5 MB, 2 in flight`,
  },
  {
    key: 'winston-es',
    label: 'winston-elasticsearch 0.19.0',
    via: 'proxy',
    batch: 'everything buffered per 2 s `flushInterval` tick, 1 in flight',
  },
  {
    key: 'pino-es',
    label: 'pino 9 + pino-elasticsearch 9.0.0',
    via: 'proxy',
    batch: '`flushBytes` 5 MB (default 1,000 B), 5 in flight (bulk helper)',
  },
  {
    key: 'raw-seq',
    label: 'raw `_bulk` ceiling, sequential',
    via: 'proxy',
    batch: '5,000 rec, 1 in flight',
  },
  {
    key: 'raw-c2',
    label: 'raw `_bulk` ceiling, 2 in flight',
    via: 'proxy',
    batch: '5,000 rec, 2 in flight',
  },
  {
    key: 'raw-c2-ids',
    label: 'raw `_bulk`, 2 in flight, with `_id`s (as ours)',
    via: 'proxy',
    batch: '5,000 rec, 2 in flight',
  },
  {
    key: 'raw-5mb-c5',
    label: "raw `_bulk`, 5 MB bodies, 5 in flight (pino-elasticsearch's shape)",
    via: 'proxy',
    batch: '5 MB (~15,000 rec), 5 in flight',
  },
  {
    key: 'ours-os',
    label: 'extra: @lms-logging/winston + elk (OpenSearch client, direct, no proxy)',
    via: 'direct',
    batch: `≤ 5,000 rec / 5 MB, 2 in flight`,
  },
];
const OURS = 'ours-es';
/** The ceiling: raw requests at our batch size (raw-5mb-c5 is an extra reference). */
const RAW_KEYS = ['raw-seq', 'raw-c2', 'raw-c2-ids'];

async function search(serverUrl, method, path, body) {
  const res = await fetch(serverUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}

/** `_refresh` then `_count` of `index` (0 while it does not exist). */
async function refreshCount(serverUrl, index) {
  await search(serverUrl, 'POST', `/${index}/_refresh`);
  const res = await search(serverUrl, 'GET', `/${index}/_count`);
  return res.status === 200 ? res.body.count : 0;
}

// ------------------------------------------------------------------------------------- child

/**
 * Each `ship` function gets the prepared input and the timer's start callback; it resolves
 * when the library says everything is delivered, with what the library reported.
 */
const SHIPPERS = {
  'ours-es': (ctx) => shipOurs(ctx, 'elasticsearch'),
  'ours-os': (ctx) => shipOurs(ctx, 'opensearch'),
  'winston-es': shipWinstonElasticsearch,
  'pino-es': shipPinoElasticsearch,
  'raw-seq': (ctx) => shipRaw(ctx, { inFlight: 1, ids: false }),
  'raw-c2': (ctx) => shipRaw(ctx, { inFlight: 2, ids: false }),
  'raw-c2-ids': (ctx) => shipRaw(ctx, { inFlight: 2, ids: true }),
  'raw-5mb-c5': (ctx) => shipRaw(ctx, { inFlight: 5, ids: false, maxRecords: Infinity }),
};

async function shipOurs({ shipUrl, index, n, start }, flavor) {
  const { createMemoryDeadLetter } = await import('@lms-logging/core');
  const { LmsTransport } = await import('@lms-logging/winston');
  const { createElkBackend } = await import('@lms-logging/elk');
  const { default: winston } = await import('winston');
  const deadLetter = createMemoryDeadLetter();
  const backend = createElkBackend({ nodes: [shipUrl], index, flavor });
  const transport = new LmsTransport({ backend, selfLog: false, exit: false, deadLetter });
  const logger = winston.createLogger({ transports: [transport] });
  const input = records(n);
  start();
  for (const r of input) logger.log(r.level, r.message, r.meta);
  // flush() resolves once every record is acknowledged (or dead-lettered); close() alone gives up
  // after its 10 s close timeout, which 100,000 records into a 2-core server can exceed.
  await transport.flush();
  await transport.close();
  const s = transport.stats();
  const problems = [];
  if (s.sent !== n) problems.push(`shipper acknowledged ${s.sent} of ${n}`);
  for (const [reason, count] of Object.entries(s.dropped)) {
    if (count > 0) problems.push(`dropped ${count} (${reason})`);
  }
  for (const [reason, count] of Object.entries(s.deadLettered)) {
    if (count > 0) problems.push(`dead-lettered ${count} (${reason})`);
  }
  if (s.lastError) problems.push(`last error: ${s.lastError.message}`);
  return {
    libraryReport: `sent ${s.sent}, ${s.batches} bulk requests, ${s.retried} re-sends`,
    bulkRequests: s.batches,
    bulkBytes: s.sentBytes,
    problems,
  };
}

async function shipWinstonElasticsearch({ shipUrl, index, n, start }) {
  const { default: winston } = await import('winston');
  const { default: wes } = await import('winston-elasticsearch');
  const problems = [];
  const errors = [];
  const warnings = [];
  // Its documented defaults (flushInterval 2000, buffering, ensureIndexTemplate) apart from
  // where to write; errors and warnings are its events (the README: "compulsory error handling").
  const transport = new wes.ElasticsearchTransport({ clientOpts: { node: shipUrl }, index });
  transport.on('error', (error) => errors.push(error));
  transport.on('warning', (error) => warnings.push(error));
  const logger = winston.createLogger({ transports: [transport] });
  logger.on('error', (error) => errors.push(error));
  const input = records(n);
  start();
  for (const r of input) logger.log(r.level, r.message, r.meta);
  // logger.end() ends the transport; its end() flushes the buffer, then emits 'finish'.
  await new Promise((resolve) => {
    transport.once('finish', resolve);
    logger.end();
  });
  if (errors.length > 0) problems.push(`${errors.length} 'error' events: ${describe(errors[0])}`);
  if (warnings.length > 0) {
    problems.push(`${warnings.length} 'warning' events: ${describe(warnings[0])}`);
  }
  return { libraryReport: `'finish' emitted`, problems };
}

async function shipPinoElasticsearch({ shipUrl, index, n, start }) {
  const { default: pino } = await import('pino');
  const { default: pinoElastic } = await import('pino-elasticsearch');
  const problems = [];
  let insertErrors = 0;
  let firstInsertError;
  let unknown = 0;
  const stream = pinoElastic({ index, node: shipUrl, esVersion: 8, flushBytes: OUR_BATCH_BYTES });
  stream.on('insertError', (error) => {
    insertErrors += 1;
    firstInsertError ??= error;
  });
  stream.on('unknown', () => (unknown += 1));
  const finished = new Promise((resolve) => {
    stream.once('insert', (stats) => resolve({ stats }));
    stream.once('error', (error) => resolve({ error }));
  });
  const logger = pino({ messageKey: 'message' }, stream);
  const input = records(n);
  start();
  for (const r of input) logger[r.level](r.meta, r.message);
  stream.end();
  const { stats, error } = await finished;
  if (error) problems.push(`'error' event: ${describe(error)}`);
  if (insertErrors > 0) {
    problems.push(`${insertErrors} 'insertError' (dropped) events: ${describe(firstInsertError)}`);
  }
  if (unknown > 0) problems.push(`${unknown} 'unknown' lines`);
  if (stats && stats.successful !== n) {
    problems.push(`bulk helper: ${stats.successful} successful, ${stats.failed} failed of ${n}`);
  }
  return {
    libraryReport: stats
      ? `'insert': ${stats.successful} successful, ${stats.failed} failed, ${stats.retry} retried`
      : 'no insert event',
    problems,
  };
}

async function shipRaw(
  { shipUrl, index, n, start },
  { inFlight, ids, maxRecords = OUR_BATCH_RECORDS, maxBytes = OUR_BATCH_BYTES },
) {
  // Pre-encoded before the clock starts: what no library can beat. A body is cut at maxRecords
  // or once it holds maxBytes (the bulk helper's flushBytes rule).
  const bodies = [];
  const input = records(n);
  let body = '';
  let count = 0;
  for (let j = 0; j < n; j++) {
    const { level, message, meta } = input[j];
    const action = ids
      ? { create: { _index: index, _id: `raw-${j}` } }
      : { create: { _index: index } };
    const doc = { '@timestamp': meta.timestamp, level, message, ...meta };
    body += `${JSON.stringify(action)}\n${JSON.stringify(doc)}\n`;
    count += 1;
    if (count >= maxRecords || body.length >= maxBytes) {
      bodies.push(body);
      body = '';
      count = 0;
    }
  }
  if (count > 0) bodies.push(body);
  const problems = [];
  let bulkBytes = 0;
  let itemErrors = 0;
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      bulkBytes += Buffer.byteLength(body);
      const res = await fetch(`${shipUrl}/_bulk`, {
        method: 'POST',
        // identity: the Elasticsearch client does not ask for compressed answers either.
        headers: { 'content-type': 'application/x-ndjson', 'accept-encoding': 'identity' },
        body,
      });
      const answer = await res.json();
      if (res.status !== 200) problems.push(`_bulk answered ${res.status}`);
      else if (answer.errors) {
        itemErrors += answer.items.filter((item) => item.create.status > 299).length;
      }
    }
  };
  start();
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (itemErrors > 0) problems.push(`${itemErrors} item errors (not retried)`);
  return {
    libraryReport: `${bodies.length} bulk requests`,
    bulkRequests: bodies.length,
    bulkBytes,
    problems,
  };
}

function describe(error) {
  if (error === undefined || error === null) return String(error);
  const message = error.message ?? String(error);
  const reason = error.meta?.body?.error?.reason ?? error.indexError?.reason;
  return (reason ? `${message}: ${reason}` : message).slice(0, 300);
}

async function child(options) {
  const { key, serverUrl, index, n } = options;
  let c0;
  let t0;
  const start = () => {
    globalThis.gc?.();
    c0 = process.cpuUsage();
    t0 = performance.now();
  };
  const out = await SHIPPERS[key]({ ...options, start });
  const tDone = performance.now();
  const countAtDone = await refreshCount(serverUrl, index);
  let count = countAtDone;
  let polls = 0;
  while (count < n && performance.now() - tDone < SETTLE_MS) {
    await sleep(50);
    count = await refreshCount(serverUrl, index);
    polls += 1;
  }
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const result = {
    ...out,
    key,
    n,
    count,
    countAtDone,
    polls,
    seconds: (t1 - t0) / 1000,
    libraryDoneSeconds: (tDone - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  // Libraries may keep timers (health checks, flush intervals) alive: the result is out.
  process.exit(0);
}

// ------------------------------------------------------------------------------------ parent

function runChild(options) {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(options)],
      { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      const result = line ? JSON.parse(line.slice('RESULT '.length)) : undefined;
      resolve({ result, code, signal, stdout, stderr });
    });
  });
}

function server(command, port) {
  return spawnSync(join(repo, 'scripts', 'services', 'search-server'), [command], {
    env: { ...process.env, SEARCH_PORT: String(port) },
    encoding: 'utf8',
  });
}

async function main() {
  let serverUrl = process.env.BENCH_ELK_URL;
  let startedPort;
  if (serverUrl === undefined) {
    const port = Number(process.env.BENCH_SEARCH_PORT ?? 9290);
    serverUrl = `http://127.0.0.1:${port}`;
    if (server('status', port).status !== 0) {
      const started = server('start', port);
      if (started.status !== 0) {
        console.error(started.stderr);
        throw new Error(`cannot start the search server on ${port}`);
      }
      startedPort = port;
    }
  }
  const info = (await search(serverUrl, 'GET', '/')).body;
  const serverName = `${info.version?.distribution ?? 'elasticsearch'} ${info.version?.number}`;
  const proxy = await startEsCompatProxy({ upstream: serverUrl });
  const only = process.env.BENCH_ONLY?.split(',');
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.key));
  const runId = Date.now().toString(36);

  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  console.log(`server: ${serverName} at ${serverUrl} (single node, defaults)`);
  console.log(`es-compat proxy: ${proxy.url} -> ${serverUrl}`);
  console.log(
    `N = ${int(N)} records per contender, ${ROUNDS} round(s) in rotating order, ` +
      'each contender in its own child process; figures are medians over the rounds\n',
  );

  const rows = new Map(contenders.map((c) => [c.key, []]));
  try {
    // Round 0 warms the server (JIT, thread pools, each document shape) with fewer records;
    // its figures are thrown away.
    const warmN = Math.min(N, 20_000);
    console.log(`warm-up round: every contender with ${int(warmN)} records (not counted)`);
    for (const c of contenders) {
      const index = `bench-elk-${runId}-${c.key}-warmup`;
      const warm = await runChild({
        key: c.key,
        shipUrl: c.via === 'proxy' ? proxy.url : serverUrl,
        serverUrl,
        index,
        n: warmN,
      });
      if (!warm.result) console.log(`- warm-up ${c.key} failed (exit ${warm.code ?? warm.signal})`);
      await search(serverUrl, 'DELETE', `/${index}`);
    }
    await sleep(2000);

    for (let round = 1; round <= ROUNDS; round++) {
      const shift = (round - 1) % contenders.length;
      for (const c of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
        const index = `bench-elk-${runId}-${c.key}-r${round}`;
        proxy.reset();
        const p0 = process.cpuUsage();
        const run = await runChild({
          key: c.key,
          shipUrl: c.via === 'proxy' ? proxy.url : serverUrl,
          serverUrl,
          index,
          n: N,
        });
        const proxyCpu = process.cpuUsage(p0);
        const counters = proxy.counters();
        const verified = await refreshCount(serverUrl, index);
        await search(serverUrl, 'DELETE', `/${index}`);
        const row = { ...c, round, run, counters, verified };
        row.proxyCpuSeconds = (proxyCpu.user + proxyCpu.system) / 1e6;
        rows.get(c.key).push(row);
        const r = run.result;
        const stderrLines = run.stderr.split('\n').filter((l) => l.trim() !== '');
        console.log(
          r
            ? `- ${c.key} r${round}: ${fixed(r.seconds, 2)} s, cpu ${fixed(r.cpuSeconds, 2)} s, ` +
                `indexed ${verified}/${N}${r.problems.length ? `, ${r.problems.join('; ')}` : ''}` +
                (stderrLines.length ? `, ${stderrLines.length} stderr lines` : '')
            : `- ${c.key} r${round}: FAILED (exit ${run.code ?? run.signal}), indexed ${verified}/${N}`,
        );
        for (const l of stderrLines.slice(0, 5)) console.log(`    stderr: ${l.slice(0, 240)}`);
        await sleep(1000);
      }
    }
  } finally {
    await proxy.close();
    if (startedPort !== undefined) {
      server('stop', startedPort);
      server('wipe', startedPort);
    }
  }

  // ---------------------------------------------------------------------------- figures
  const summary = contenders.map((c) => {
    const runs = rows.get(c.key);
    const ok = runs.filter((r) => r.run.result && r.verified === N);
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
  const by = Object.fromEntries(summary.map((s) => [s.key, s]));
  const rawBest = Math.max(...RAW_KEYS.filter((k) => by[k]?.ok).map((k) => by[k].perSecond));
  const ours = by[OURS]?.perSecond ?? NaN;

  console.log(`\n### Results (N = ${int(N)}, ${serverName}, node ${process.version})\n`);
  console.log(
    '| contender | records/s (first call → all indexed) | CPU s per 100k records (client process) | batch size | vs raw ceiling | vs ours | indexed |',
  );
  console.log('| --- | ---: | ---: | --- | ---: | ---: | --- |');
  for (const s of summary) {
    const last = s.runs.at(-1);
    const indexed = s.ok
      ? `${int(N)} ×${s.runs.length}`
      : s.runs.map((r) => int(r.verified)).join(', ');
    console.log(
      `| ${s.label} | ${int(s.perSecond)} | ${fixed(s.cpuPer100k, 2)} | ${s.batch} | ` +
        `${fixed(s.perSecond / rawBest, 2)} | ${fixed(s.perSecond / ours, 2)} | ` +
        `${s.ok ? `✓ ${indexed}` : `✗ **${indexed} of ${int(N)}**`}${last?.run.result ? '' : ' (no result)'} |`,
    );
  }
  console.log(
    `\nraw ceiling = the fastest raw row at our batch size (${int(rawBest)} records/s); "vs ours" = against ` +
      `${by[OURS]?.label ?? OURS}.`,
  );

  console.log('\n### Details (last round)\n');
  console.log(
    '| contender | records/s per round | bulk requests | avg records / bulk | avg bulk body | library "done" after | indexed when "done" | client peak RSS | proxy CPU s | requests through the proxy |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of summary) {
    const last = s.runs.at(-1);
    const r = last.run.result;
    const c = last.counters;
    const viaProxy = s.via === 'proxy';
    const perRound = s.runs
      .map((x) => (x.run.result ? int(N / x.run.result.seconds) : 'failed'))
      .join(', ');
    const bulks = viaProxy ? c.bulkRequests : r?.bulkRequests;
    const bytes = viaProxy ? c.bulkBodyBytes : r?.bulkBytes;
    const endpoints = viaProxy
      ? Object.entries(c.byEndpoint)
          .map(([e, count]) => `${e} ×${count}`)
          .join(', ') +
        (Object.keys(c.non2xx).length ? `; non-2xx: ${JSON.stringify(c.non2xx)}` : '') +
        (c.bulkResponsesWithErrors ? `; ${c.bulkResponsesWithErrors} bulk answers with errors` : '')
      : 'direct (no proxy)';
    console.log(
      `| ${s.key} | ${perRound} | ${bulks ?? 'n/a'} | ${bulks ? int(N / bulks) : 'n/a'} | ` +
        `${bulks ? `${fixed(bytes / bulks / 1e6, 2)} MB` : 'n/a'} | ` +
        `${r ? `${fixed(r.libraryDoneSeconds, 2)} s` : 'n/a'} | ${r ? int(r.countAtDone) : 'n/a'} | ` +
        `${r ? `${int(r.maxRssMb)} MB` : 'n/a'} | ${viaProxy ? fixed(last.proxyCpuSeconds, 2) : '-'} | ${endpoints} |`,
    );
  }
  const totals = summary
    .flatMap((s) => s.runs)
    .reduce(
      (t, r) => ({
        contentType: t.contentType + r.counters.rewrittenContentType,
        accept: t.accept + r.counters.rewrittenAccept,
        root: t.root + r.counters.rewrittenRoot,
      }),
      { contentType: 0, accept: 0, root: 0 },
    );
  console.log(
    `\nproxy rewrites over the run: ${totals.contentType} content-type, ${totals.accept} accept, ` +
      `${totals.root} GET / (x-elastic-product added to every answer)`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  const failed = summary.filter((s) => !s.ok);
  for (const s of failed) {
    const last = s.runs.at(-1);
    console.log(`\nFAILED ${s.key}: indexed ${s.runs.map((r) => r.verified).join(', ')} of ${N}`);
    for (const p of last.run.result?.problems ?? []) console.log(`  ${p}`);
    if (!last.run.result) console.log(last.run.stderr.slice(-2000));
  }
  for (const s of summary.filter((x) => x.ok)) {
    for (const p of s.runs.at(-1).run.result.problems) console.log(`note ${s.key}: ${p}`);
  }
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await main();
