// GELF to local UDP and TCP sinks: core's shipper + @lms-logging/graylog, winston + LmsTransport,
// against gelf-pro, winston-gelf and winston-graylog2, in one run on one machine.
// See README.md next to this file.
//
// The parent starts the sinks (a node:dgram socket and a node:net server) and spawns one child
// per contender and round, so that the sinks' own work is not charged to any library. A child
// builds its logger, warms it up, takes process.cpuUsage() and the clock, logs N records, waits
// until its library says it is done, then asks the parent (IPC) for the count; the parent answers
// once its sink has counted N messages or has been quiet for QUIET_MS. records/s = delivered /
// (first call → the moment the sink counted the last message), both clocks being
// performance.timeOrigin + performance.now() on the same machine.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'node:zlib';
import { fixed, int, load, median, record, sleep } from '../shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
/** One round by default: the fire-and-forget gelf-pro rows take minutes each at N = 100,000. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const WARM = Number(process.env.BENCH_WARM ?? 2_000);
/** After a library said "done": how long without a new message before the parent stops counting. */
const QUIET_MS = Number(process.env.BENCH_QUIET_MS ?? 1_500);
const FIRST_MS = Number(process.env.BENCH_FIRST_MS ?? 30_000);
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
/** Asked of the UDP sink's socket; Linux caps it at net.core.rmem_max (and reports double). */
const RECV_BUFFER = Number(process.env.BENCH_RECV_BUFFER ?? 32 * 1024 * 1024);

/** gelf-pro opens a socket (TCP: a connection) per message; the paced rows bound how many are open. */
const PACED = Number(process.env.BENCH_GELF_PRO_IN_FLIGHT ?? 64);

const ALL_CONTENDERS = [
  { key: 'core-udp', proto: 'udp', label: 'core shipper + @lms-logging/graylog' },
  { key: 'core-tcp', proto: 'tcp', label: 'core shipper + @lms-logging/graylog' },
  { key: 'lms-winston-udp', proto: 'udp', label: 'winston + LmsTransport (graylog backend)' },
  { key: 'lms-winston-tcp', proto: 'tcp', label: 'winston + LmsTransport (graylog backend)' },
  { key: 'gelf-pro-udp', proto: 'udp', label: 'gelf-pro (`gelf.info`)' },
  { key: 'gelf-pro-tcp', proto: 'tcp', label: 'gelf-pro (`gelf.info`)' },
  {
    key: 'gelf-pro-paced-udp',
    proto: 'udp',
    label: `gelf-pro, ≤ ${PACED} calls awaiting their callback`,
  },
  {
    key: 'gelf-pro-paced-tcp',
    proto: 'tcp',
    label: `gelf-pro, ≤ ${PACED} calls awaiting their callback`,
  },
  { key: 'winston-gelf-udp', proto: 'udp', label: 'winston + winston-gelf' },
  { key: 'winston-gelf-tcp', proto: 'tcp', label: 'winston + winston-gelf' },
  { key: 'winston-graylog2-udp', proto: 'udp', label: 'winston + winston-graylog2' },
];

/** `BENCH_ONLY=core-udp,gelf-pro-tcp` runs only those contenders. */
const CONTENDERS = process.env.BENCH_ONLY
  ? ALL_CONTENDERS.filter((c) => process.env.BENCH_ONLY.split(',').includes(c.key))
  : ALL_CONTENDERS;

/**
 * `{ level, message, meta }` for a logger call. The peers are given `timestamp` as GELF's number
 * of seconds: they copy a `timestamp` field into the GELF `timestamp` unchanged, and an ISO
 * string there is not valid GELF. Ours maps the ISO string itself.
 */
function inputs(n, gelfTimestamp) {
  return Array.from({ length: n }, (_, i) => {
    const { level, message, ...meta } = record(i);
    if (gelfTimestamp) meta.timestamp = Date.parse(meta.timestamp) / 1000;
    return { level, message, meta };
  });
}

const now = () => performance.timeOrigin + performance.now();
const tick = () => new Promise((resolve) => setImmediate(resolve));

// ------------------------------------------------------------------------------------- child

async function coreShipper(proto, port) {
  const { createMemoryDeadLetter, createShipper } = await import('@lms-logging/core');
  const { createGraylogBackend } = await import('@lms-logging/graylog');
  const deadLetter = createMemoryDeadLetter();
  const backend = createGraylogBackend({ url: `${proto}://127.0.0.1:${port}` });
  const shipper = createShipper({ backend, deadLetter, selfLog: false, exit: false });
  return { shipper, deadLetter };
}

function shipperProblems(stats, deadLetter, n) {
  const problems = [];
  if (stats.sent !== n) problems.push(`acknowledged ${stats.sent} of ${n}`);
  for (const [reason, count] of Object.entries(stats.dropped ?? {})) {
    if (count > 0) problems.push(`${count} dropped (${reason})`);
  }
  if (deadLetter.entries.length > 0) {
    const first = deadLetter.entries[0];
    problems.push(
      `${deadLetter.entries.length} dead-lettered (${first.reason} ${first.error ?? ''})`,
    );
  }
  return problems;
}

async function gelfPro({ proto, port, n, warm, start, wrote }, inFlight) {
  const { default: gelfProModule } = await import('gelf-pro');
  const gelf = Object.create(gelfProModule);
  gelf.setConfig({
    adapterName: proto,
    adapterOptions:
      proto === 'udp' ? { protocol: 'udp4', host: '127.0.0.1', port } : { host: '127.0.0.1', port },
  });
  const errors = new Map();
  // Fire and forget (inFlight = Infinity), or at most inFlight calls whose callback has not
  // come yet: the next record is logged from a callback.
  const send = (rows) =>
    new Promise((resolve) => {
      let pending = rows.length;
      let next = 0;
      const call = () => {
        const r = rows[next++];
        if (r.level === 'error') gelf.error(r.message, r.meta, cb);
        else gelf.info(r.message, r.meta, cb);
      };
      const cb = (error) => {
        if (error) {
          const key = error.code ?? error.message;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        if (--pending === 0) resolve();
        else if (next < rows.length) call();
      };
      while (next < rows.length && next < inFlight) call();
    });
  await send(inputs(WARM, true));
  errors.clear();
  await warm();
  const rows = inputs(n, true);
  start();
  const done = send(rows);
  // Paced, the loop only makes the first inFlight calls: no cost per call to report.
  wrote(inFlight === Infinity);
  await done;
  const problems = [...errors].map(([code, count]) => `${count} send errors (${code})`);
  return { problems };
}

const SHIPPERS = {
  async core({ proto, port, n, warm, start, wrote }) {
    const { shipper, deadLetter } = await coreShipper(proto, port);
    for (let i = 0; i < WARM; i++) shipper.write(record(i));
    await shipper.flush();
    await warm();
    const rows = Array.from({ length: n }, (_, i) => record(i));
    start();
    for (const r of rows) shipper.write(r);
    wrote();
    await shipper.flush();
    await shipper.close();
    const stats = shipper.stats();
    // The shipper counted the warm-up too.
    return { problems: shipperProblems({ ...stats, sent: stats.sent - WARM }, deadLetter, n) };
  },

  async 'lms-winston'({ proto, port, n, warm, start, wrote }) {
    const { shipper, deadLetter } = await coreShipper(proto, port);
    const { LmsTransport } = await import('@lms-logging/winston');
    const { default: winston } = await import('winston');
    const transport = new LmsTransport({ shipper });
    const logger = winston.createLogger({ transports: [transport] });
    for (const r of inputs(WARM, false)) logger.log(r.level, r.message, r.meta);
    await transport.flush();
    await warm();
    const rows = inputs(n, false);
    start();
    for (const r of rows) logger.log(r.level, r.message, r.meta);
    wrote();
    await transport.flush();
    await transport.close();
    const stats = transport.stats();
    // The shipper counted the warm-up too.
    return { problems: shipperProblems({ ...stats, sent: stats.sent - WARM }, deadLetter, n) };
  },

  'gelf-pro': (options) => gelfPro(options, Infinity),
  'gelf-pro-paced': (options) => gelfPro(options, PACED),

  async 'winston-gelf'({ proto, port, n, warm, start, wrote }) {
    const { default: winston } = await import('winston');
    const { default: GelfTransport } = await import('winston-gelf');
    const transport = new GelfTransport({
      gelfPro: {
        adapterName: proto,
        adapterOptions:
          proto === 'udp'
            ? { protocol: 'udp4', host: '127.0.0.1', port }
            : { host: '127.0.0.1', port },
      },
    });
    const logger = winston.createLogger({ transports: [transport] });
    // winston-gelf calls gelf-pro without a callback: nothing tells when it is done; the parent's
    // quiet period decides.
    for (const r of inputs(WARM, true)) logger.log(r.level, r.message, r.meta);
    await tick();
    await warm();
    const rows = inputs(n, true);
    start();
    for (const r of rows) logger.log(r.level, r.message, r.meta);
    wrote();
    await tick();
    return { problems: [] };
  },

  async 'winston-graylog2'({ port, n, warm, start, wrote }) {
    const { default: winston } = await import('winston');
    const { default: Graylog2 } = await import('winston-graylog2');
    const make = () => {
      const transport = new Graylog2({
        graylog: { servers: [{ host: '127.0.0.1', port }] },
      });
      // winston-graylog2 ships `info.metadata` as the additional fields: without winston's
      // metadata format, only the message would arrive.
      const logger = winston.createLogger({
        format: winston.format.metadata(),
        transports: [transport],
      });
      return { transport, logger };
    };
    // graylog2's close(cb) calls back once every queued message and chunk is sent; the transport
    // defers each message with setImmediate, so the close is asked for one tick later.
    const closed = async (transport) => {
      await tick();
      await new Promise((resolve) => transport.graylog2Client.close(resolve));
    };
    const w = make();
    for (const r of inputs(WARM, true)) w.logger.log(r.level, r.message, r.meta);
    await closed(w.transport);
    await warm();
    const { transport, logger } = make();
    const rows = inputs(n, true);
    start();
    for (const r of rows) logger.log(r.level, r.message, r.meta);
    wrote();
    await closed(transport);
    return { problems: [] };
  },
};

function ask(message) {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send(message);
  });
}

async function child(options) {
  const { key, n } = options;
  const family = key.replace(/-(udp|tcp)$/, '');
  let c0;
  let t0;
  let t1;
  let rss0;
  const out = await SHIPPERS[family]({
    ...options,
    warm: () => ask({ type: 'warm', n: WARM }),
    start: () => {
      globalThis.gc?.();
      rss0 = process.memoryUsage().rss;
      c0 = process.cpuUsage();
      t0 = now();
    },
    wrote: (measured = true) => {
      t1 = measured ? now() : NaN;
    },
  });
  const tDone = now();
  const cpuDone = process.cpuUsage(c0);
  const counted = await ask({ type: 'done', n });
  const cpu = process.cpuUsage(c0);
  const result = {
    key,
    n,
    problems: out.problems,
    count: counted.count,
    seconds: counted.count > 0 ? (counted.tLast - t0) / 1000 : NaN,
    callUs: ((t1 - t0) * 1000) / n,
    doneSeconds: (tDone - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cpuAtDoneSeconds: (cpuDone.user + cpuDone.system) / 1e6,
    rssDeltaMb: (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20,
  };
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------------------------ parent

/** Counts GELF messages; keeps the first complete message of a run as a sample to decode. */
class Counter {
  reset() {
    this.count = 0;
    this.datagrams = 0;
    this.tLast = 0;
    this.sample = undefined;
    this.chunks = new Map();
  }

  message(payload) {
    this.count += 1;
    this.tLast = now();
    if (this.sample === undefined) this.sample = payload;
  }
}

function startUdpSink(counter) {
  const socket = createSocket('udp4');
  socket.on('message', (datagram) => {
    counter.datagrams += 1;
    if (datagram[0] === 0x1e && datagram[1] === 0x0f) {
      // Chunk: 0x1e 0x0f, 8-byte id, sequence, count. The message counts when its last chunk
      // arrives; the first chunked message's chunks are kept for the sample.
      const seq = datagram[10];
      const total = datagram[11];
      if (counter.sample === undefined) {
        const id = datagram.subarray(2, 10).toString('hex');
        const parts = counter.chunks.get(id) ?? [];
        parts[seq] = datagram.subarray(12);
        counter.chunks.set(id, parts);
        if (parts.filter(Boolean).length === total) counter.sample = Buffer.concat(parts);
      }
      if (seq === total - 1) {
        counter.count += 1;
        counter.tLast = now();
      }
      return;
    }
    counter.message(datagram);
  });
  return new Promise((resolve) => {
    socket.bind({ port: 0, address: '127.0.0.1' }, () => {
      try {
        socket.setRecvBufferSize(RECV_BUFFER);
      } catch {
        // the default then
      }
      resolve(socket);
    });
  });
}

function startTcpSink(counter) {
  const server = createServer((conn) => {
    let pending = [];
    conn.on('data', (data) => {
      let from = 0;
      for (let at = data.indexOf(0); at !== -1; at = data.indexOf(0, from)) {
        if (counter.sample === undefined) {
          counter.sample = Buffer.concat([...pending, data.subarray(from, at)]);
        }
        pending = [];
        counter.count += 1;
        from = at + 1;
      }
      if (from > 0) counter.tLast = now();
      if (from < data.length && counter.sample === undefined) pending.push(data.subarray(from));
    });
    conn.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', 511, () => resolve(server)));
}

/** GELF 1.1's fields, and GELF 1.0's `facility`, `line`, `file` (deprecated in 1.1, still accepted). */
const GELF_FIELDS = ['version', 'host', 'short_message', 'full_message', 'timestamp', 'level'];
const GELF_10_FIELDS = ['facility', 'line', 'file'];

/** The sample decoded: gzip or zlib (unzipSync detects either) or plain JSON. */
function decodeSample(sample) {
  if (!sample) return { missing: true, error: 'no message received' };
  const wire =
    sample[0] === 0x1f && sample[1] === 0x8b ? 'gzip' : sample[0] === 0x78 ? 'zlib' : 'plain';
  try {
    const json = JSON.parse((wire === 'plain' ? sample : unzipSync(sample)).toString('utf8'));
    const problems = [];
    const deprecated = [];
    if (!['1.1', '1.0'].includes(json.version)) problems.push(`version ${json.version}`);
    if (typeof json.host !== 'string') problems.push('no host');
    if (typeof json.short_message !== 'string' || json.short_message === '') {
      problems.push('no short_message');
    }
    if (json.timestamp !== undefined && typeof json.timestamp !== 'number') {
      problems.push(`timestamp is ${typeof json.timestamp}`);
    }
    if (json.level !== undefined && typeof json.level !== 'number') problems.push('level type');
    for (const k of Object.keys(json)) {
      if (!GELF_FIELDS.includes(k) && !k.startsWith('_')) {
        if (GELF_10_FIELDS.includes(k)) deprecated.push(k);
        else problems.push(`field ${k} without _`);
      }
    }
    return { wire, json, problems, deprecated };
  } catch (error) {
    return { wire, error: error.message };
  }
}

function runChild(options, counter) {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(options)],
      { cwd: here, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    let stdout = '';
    let stderr = '';
    let sample;
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    // Until the sink holds n messages, or nothing new came for QUIET_MS (FIRST_MS while nothing
    // has come yet: winston-gelf reports no "done", and its first datagram can come late).
    const settle = async (n) => {
      let seen = counter.count;
      let since = now();
      while (counter.count < n) {
        if (counter.count !== seen) {
          seen = counter.count;
          since = now();
        }
        if (now() - since >= (counter.count === 0 ? FIRST_MS : QUIET_MS)) break;
        await sleep(20);
      }
    };
    proc.on('message', async (message) => {
      if (message?.type === 'warm') {
        await settle(message.n);
        counter.reset();
      } else if (message?.type === 'done') {
        await settle(message.n);
        sample = counter.sample;
      } else return;
      if (proc.connected) proc.send({ count: counter.count, tLast: counter.tLast });
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      const result = line ? JSON.parse(line.slice('RESULT '.length)) : undefined;
      resolve({ result, code, signal, stderr, sample, datagrams: counter.datagrams });
    });
  });
}

async function main() {
  const counter = new Counter();
  counter.reset();
  const udp = await startUdpSink(counter);
  const tcp = await startTcpSink(counter);
  const ports = { udp: udp.address().port, tcp: tcp.address().port };

  console.log(`date: ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GB RAM, node ${process.version}, ` +
      `1-minute load ${loadavg()[0].toFixed(2)} (${load()})`,
  );
  console.log(
    `sinks: UDP 127.0.0.1:${ports.udp} (receive buffer ${int(udp.getRecvBufferSize())} B), ` +
      `TCP 127.0.0.1:${ports.tcp}`,
  );
  console.log(
    `N = ${int(N)} records per contender and round, after a warm-up of ${int(WARM)} in the same ` +
      `process; ${ROUNDS} round(s) in rotating order, each contender in its own child process; ` +
      'figures are medians over the rounds\n',
  );

  const runs = new Map(CONTENDERS.map((c) => [c.key, []]));
  const samples = new Map();
  for (let round = 1; round <= ROUNDS; round++) {
    const shift = (round - 1) % CONTENDERS.length;
    const order = [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
    for (const c of order) {
      counter.reset();
      const run = await runChild(
        { key: c.key, proto: c.proto, port: ports[c.proto], n: N },
        counter,
      );
      runs.get(c.key).push(run);
      if (!samples.has(c.key) && run.sample) samples.set(c.key, run.sample);
      const r = run.result;
      const stderr = run.stderr.split('\n').filter((l) => l.trim() !== '');
      console.log(
        r
          ? `- ${c.key} r${round}: ${int(r.count)}/${int(N)} delivered in ${fixed(r.seconds, 2)} s ` +
              `(library done at ${fixed(r.doneSeconds, 2)} s), call ${Number.isFinite(r.callUs) ? `${fixed(r.callUs, 2)} µs` : 'n/a'}, ` +
              `cpu ${fixed(r.cpuSeconds, 2)} s` +
              (r.problems.length ? `, ${r.problems.join('; ')}` : '') +
              (stderr.length ? `, ${stderr.length} stderr lines` : '')
          : `- ${c.key} r${round}: FAILED (exit ${run.code ?? run.signal}), ` +
              `${int(counter.count)} counted`,
      );
      for (const l of stderr.slice(0, 3)) console.log(`    stderr: ${l.slice(0, 200)}`);
    }
  }
  udp.close();
  tcp.close();

  const summary = CONTENDERS.map((c) => {
    const results = runs
      .get(c.key)
      .map((r) => r.result)
      .filter(Boolean);
    const pick = (f) => median(results.map(f));
    return {
      ...c,
      results,
      perSecond: pick((r) => r.count / r.seconds),
      callUs: pick((r) => r.callUs),
      cpu100k: pick((r) => (r.cpuSeconds * 100_000) / r.n),
      rss: pick((r) => r.rssDeltaMb),
      delivered: results.map((r) => r.count),
      problems: [...new Set(results.flatMap((r) => r.problems))],
    };
  });

  const deliveredCell = (s) => {
    if (s.results.length === 0) return 'failed';
    const all = s.delivered.every((d) => d === N);
    if (all) return `✓ ${int(N)} ×${s.results.length}`;
    return s.delivered.map((d) => `${int(d)} (${fixed((100 * d) / N, 1)} %)`).join(', ');
  };
  const table = (rows, callHeader) => {
    console.log(
      `| contender | transport | ${callHeader} | records/s (first call → counted by the sink) | ` +
        'CPU s per 100k | peak RSS delta | delivered / N per round |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const s of rows) {
      console.log(
        `| ${s.label} | ${s.proto.toUpperCase()} | ${Number.isFinite(s.callUs) ? `${fixed(s.callUs, 2)} µs` : 'n/a'} | ${int(s.perSecond)} | ` +
          `${fixed(s.cpu100k, 2)} | ${int(s.rss)} MB | ${deliveredCell(s)} |`,
      );
    }
  };
  console.log('\n### Core shipper, no logger\n');
  table(
    summary.filter((s) => s.key.startsWith('core-')),
    'write() cost',
  );
  console.log('\n### Loggers (cost of one logger call)\n');
  table(
    summary.filter((s) => s.key.includes('winston')),
    'cost per call',
  );
  console.log('\n### Plain GELF client\n');
  table(
    summary.filter((s) => s.key.startsWith('gelf-pro')),
    'cost per `gelf.info` (loop)',
  );

  console.log('\nproblems reported by the libraries:');
  for (const s of summary) {
    console.log(`- ${s.key}: ${s.problems.length ? s.problems.join('; ') : 'none'}`);
  }

  console.log('\nsample message per contender (first of the first round, decoded):');
  let bad = 0;
  for (const c of CONTENDERS) {
    const d = decodeSample(samples.get(c.key));
    if (!d.missing && (d.error || d.problems.length)) bad += 1;
    console.log(
      d.error
        ? `- ${c.key}: ${d.missing ? d.error : `INVALID (${d.wire} ${d.error})`}`
        : `- ${c.key}: ${d.wire}, valid GELF JSON${d.problems.length ? ` BUT ${d.problems.join(', ')}` : ''}` +
            `${d.deprecated.length ? ` (GELF 1.0 field deprecated in 1.1: ${d.deprecated.join(', ')})` : ''}; ` +
            `${Object.keys(d.json).length} fields: ${Object.keys(d.json).join(' ')}`,
    );
  }
  console.log(`\nload average at the end: ${load()}`);
  if (bad > 0) process.exitCode = 1;
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
