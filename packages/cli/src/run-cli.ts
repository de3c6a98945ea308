import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  ConfigurationError,
  CORE_ENV,
  createShipperFromEnv,
  describeEnv,
  describeError,
  loadBackendExport,
  shipperOptionsFromEnv,
  type PlannedChange,
  type Provisioner,
  type ProvisionerFromEnv,
} from '@lms-logging/core';

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = `lms-logs: ship LMS logs and set up the log backend as code

usage: lms-logs <command>

  check               validate LMS_LOG_BACKEND and its variables, print the resolved backend
  plan                list what setup would change (retention, templates, searches, dashboards, alerts)
  setup               apply those changes; run again, it reports no change
  task [name]         run a backend task (elk: retention, disk-check); without a name, list them
  ship [file ...]     ship NDJSON log lines from files, or from stdin, through the backend
  env                 print core's environment variables and their defaults

Configuration comes from the environment (LMS_LOG_BACKEND=elk|cloudwatch|...|file plus that
backend's variables); see the README of the backend package.`;

/** The command line, with its I/O passed in so tests drive it in-process. Returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'check':
        return check(io);
      case 'plan':
        return await plan(io, false);
      case 'setup':
      case 'apply':
        return await plan(io, true);
      case 'task':
        return await task(io, rest[0]);
      case 'ship':
        return await ship(io, rest);
      case 'env':
        io.out('| variable | default | description |\n| --- | --- | --- |');
        io.out(describeEnv(CORE_ENV));
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`lms-logs: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    // By name, not instanceof: a backend loaded through require() may carry core's other build.
    if (error instanceof Error && error.name === 'ConfigurationError') {
      io.err(`lms-logs: configuration error\n${error.message}`);
      return 2;
    }
    io.err(`lms-logs: ${describeError(error)}`);
    return 1;
  }
}

function check(io: CliIo): number {
  const { backendName, context } = shipperOptionsFromEnv(io.env);
  const shipper = createShipperFromEnv(io.env, { exit: false, selfLog: false });
  void shipper.close({ timeoutMs: 0 });
  io.out(
    `ok: backend ${backendName}, environment ${context.environment}, service ${context.service}, retention ${context.retentionDays} days`,
  );
  return 0;
}

function provisioner(io: CliIo): Provisioner {
  const { backendName, context } = shipperOptionsFromEnv(io.env);
  if (backendName === 'file' || backendName === 'console') {
    throw new ConfigurationError(
      `LMS_LOG_BACKEND=${backendName} has nothing to set up; choose a server backend such as elk`,
    );
  }
  const factory = loadBackendExport(backendName, 'createProvisionerFromEnv') as ProvisionerFromEnv;
  return factory(io.env, context);
}

function printChanges(io: CliIo, changes: readonly PlannedChange[], verb: string): void {
  if (changes.length === 0) {
    io.out('no changes: the backend already matches the configuration');
    return;
  }
  for (const c of changes) {
    const sign = c.action === 'create' ? '+' : c.action === 'delete' ? '-' : '~';
    io.out(`${sign} ${c.kind} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
  }
  io.out(`${changes.length} change${changes.length === 1 ? '' : 's'} ${verb}`);
}

async function withProvisioner(
  io: CliIo,
  use: (p: Provisioner) => Promise<number>,
): Promise<number> {
  const p = provisioner(io);
  try {
    return await use(p);
  } finally {
    await p.close?.();
  }
}

function plan(io: CliIo, apply: boolean): Promise<number> {
  return withProvisioner(io, async (p) => {
    if (apply) printChanges(io, await p.apply(), 'applied');
    else printChanges(io, await p.plan(), 'planned (run `lms-logs setup` to apply)');
    return 0;
  });
}

function task(io: CliIo, name: string | undefined): Promise<number> {
  return withProvisioner(io, (p) => runTask(io, p, name));
}

async function runTask(io: CliIo, p: Provisioner, name: string | undefined): Promise<number> {
  const tasks = p.tasks ?? {};
  const chosen = name === undefined ? undefined : tasks[name];
  if (!chosen) {
    if (name !== undefined) io.err(`lms-logs: ${p.name} has no task "${name}"`);
    io.out(`tasks of ${p.name}:`);
    for (const [key, t] of Object.entries(tasks)) io.out(`  ${key.padEnd(14)} ${t.description}`);
    return name === undefined ? 0 : 2;
  }
  const result = await chosen.run();
  for (const line of result.lines) io.out(line);
  return result.ok ? 0 : 1;
}

async function ship(io: CliIo, files: readonly string[]): Promise<number> {
  const shipper = createShipperFromEnv(io.env, { exit: { signals: true } });
  const sources: Readable[] = files.length > 0 ? files.map((f) => createReadStream(f)) : [io.stdin];
  const bound = shipperOptionsFromEnv(io.env).options.maxBufferBytes ?? 64 * 1024 * 1024;
  let lines = 0;
  for (const source of sources) {
    for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      shipper.write(parseLine(line));
      lines++;
      // A file can be read faster than any backend takes it: wait rather than overflow the bound.
      if (shipper.stats().bufferedBytes > bound / 2) await shipper.flush();
    }
  }
  await shipper.close();
  const s = shipper.stats();
  io.err(
    `shipped ${s.sent} of ${lines} records to ${s.backend}; dead-lettered ${JSON.stringify(s.deadLettered)}; dropped ${JSON.stringify(s.dropped)}`,
  );
  return s.sent === lines ? 0 : 1;
}

function parseLine(line: string): unknown {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? value : { message: line };
  } catch {
    return { message: line };
  }
}
