// Helpers for tests that run a fixture script in a real Node child process and read what it
// wrote (stdout, stderr, `lms-*.log` files, NDJSON files). No test framework imports: any
// runner can use them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A resolver for fixture files in `dir` (a `file:` URL, e.g.
 * `new URL('../fixtures/', import.meta.url)`; keep the trailing slash).
 */
export function fixturesIn(dir: URL): (name: string) => string {
  return (name) => fileURLToPath(new URL(name, dir));
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export interface RunningChild {
  readonly child: ChildProcess;
  readonly done: Promise<ChildResult>;
  /** Calls `listener` with every complete stdout line. */
  onLine(listener: (line: string) => void): void;
}

/** Starts `node <script> ...args` with only the given variables (plus PATH/HOME) set. */
export function startChild(
  script: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  killAfterMs = 30_000,
): RunningChild {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const listeners: ((line: string) => void)[] = [];
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    stdout += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of listeners) listener(line);
  });
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
  return { child, done, onLine: (listener) => listeners.push(listener) };
}

/** `startChild(...).done`: the child's exit and output once it has ended. */
export function runChild(
  script: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  killAfterMs?: number,
): Promise<ChildResult> {
  return startChild(script, env, args, killAfterMs).done;
}

export interface TempDirs {
  /** A fresh, empty directory under the OS temp dir. */
  readonly make: () => string;
  /** Removes every directory `make` returned so far (call it after each test). */
  readonly removeAll: () => void;
}

/** Temporary directories named `<prefix>XXXXXX`, removed together by `removeAll`. */
export function tempDirs(prefix: string): TempDirs {
  const made: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every line of every `lms-*.log` file in `dir`, parsed (a bad line fails the parse). */
export function readLogRecords(dir: string): Record<string, unknown>[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((name) => /^lms-\d{4}-\d{2}-\d{2}(\.\d+)?\.log$/.test(name))
    .sort();
  return files.flatMap((name) => readNdjson(join(dir, name)));
}

/** The lines of an NDJSON file, parsed; `[]` when the file does not exist. */
export function readNdjson(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `[0, 1, ..., count - 1]`. */
export const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
