// Builds and runs the Go GELF receiver (gelf-receiver/main.go, decoding with Graylog's go-gelf
// library from Debian's golang-github-graylog2-go-gelf-dev) and collects what it decodes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const source = fileURLToPath(new URL('./gelf-receiver', import.meta.url));
export const GOPATH = '/usr/share/gocode';
const LIBRARY = `${GOPATH}/src/github.com/Graylog2/go-gelf/gelf`;
export const RECEIVER_BIN = `${repo}.services/gelf-receiver/gelf-receiver`;

export interface DecodedGelf {
  readonly version: string;
  readonly host: string;
  readonly short_message: string;
  readonly full_message: string;
  readonly timestamp: number;
  readonly level: number;
  readonly extra: Record<string, string | number> | null;
}

/** Builds the receiver offline against the Debian sources (GOPATH mode, no module download). */
export function buildReceiver(): string {
  if (!existsSync(LIBRARY)) {
    throw new Error(
      `${LIBRARY} is missing: apt-get install -y golang-github-graylog2-go-gelf-dev (see .ci/run)`,
    );
  }
  mkdirSync(`${repo}.services/gelf-receiver`, { recursive: true });
  // Test files build in parallel forks: each builds to its own file, then renames it into place.
  const temp = `${RECEIVER_BIN}.${process.pid}`;
  execFileSync('go', ['build', '-o', temp, '.'], {
    cwd: source,
    env: {
      ...process.env,
      GOPATH,
      GO111MODULE: 'off',
      GOFLAGS: '',
      GOPROXY: 'off',
      GOCACHE: process.env['GOCACHE'] ?? `${repo}.services/gelf-receiver/go-cache`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 120_000,
  });
  renameSync(temp, RECEIVER_BIN);
  return RECEIVER_BIN;
}

export interface Receiver {
  readonly address: string;
  readonly port: number;
  readonly messages: DecodedGelf[];
  readonly errors: string[];
  /** Resolves when at least `count` messages arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<DecodedGelf[]>;
  /** Resolves once no message arrived for `quietMs`. */
  settle(quietMs?: number): Promise<DecodedGelf[]>;
  stop(): Promise<void>;
}

export async function startReceiver(
  proto: 'udp' | 'tcp' | 'tls',
  addr = '127.0.0.1:0',
  extraArgs: readonly string[] = [],
): Promise<Receiver> {
  const child: ChildProcess = spawn(RECEIVER_BIN, ['-proto', proto, '-addr', addr, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const messages: DecodedGelf[] = [];
  const errors: string[] = [];
  let lastAt = Date.now();
  const waiters = new Set<() => void>();
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gelf-receiver exited with ${code}`)));
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed['ready'] === 'string') resolve(parsed['ready']);
      else if (typeof parsed['error'] === 'string') errors.push(parsed['error']);
      else messages.push(parsed as unknown as DecodedGelf);
      lastAt = Date.now();
      for (const w of waiters) w();
    });
  });
  const address = await ready;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    address,
    port,
    messages,
    errors,
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(messages);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`got ${messages.length} of ${count} GELF messages (${errors.join('; ')})`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async settle(quietMs = 300) {
      lastAt = Date.now();
      while (Date.now() - lastAt < quietMs) await new Promise((r) => setTimeout(r, 50));
      return messages;
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
