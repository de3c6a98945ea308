/**
 * Helpers for the integration tests against a real OpenSearch server started by
 * scripts/services/search-server (a no-op when it already runs). Read-backs use plain `fetch`, so
 * what is checked does not depend on the code under test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(
  new URL('../../../../scripts/services/search-server', import.meta.url),
);
const execFileAsync = promisify(execFile);

export interface SearchServerOptions {
  readonly port: number;
  readonly nodes?: number;
  readonly env?: Readonly<Record<string, string>>;
}

function scriptEnv(options: SearchServerOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SEARCH_PORT: String(options.port),
    ...(options.nodes !== undefined ? { SEARCH_NODES: String(options.nodes) } : {}),
    ...options.env,
  };
}

/** Starts the server (no-op when running) and returns its base URL. */
export function ensureSearchServer(options: SearchServerOptions): string {
  execFileSync(SCRIPT, ['start'], {
    env: scriptEnv(options),
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 400_000,
  });
  return `http://127.0.0.1:${options.port}`;
}

export function stopSearchServer(options: SearchServerOptions): void {
  execFileSync(SCRIPT, ['stop'], {
    env: scriptEnv(options),
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 120_000,
  });
}

/** `start` without blocking the event loop (for servers started while a test ships). */
export async function startSearchServerAsync(options: SearchServerOptions): Promise<string> {
  await execFileAsync(SCRIPT, ['start'], { env: scriptEnv(options), timeout: 400_000 });
  return `http://127.0.0.1:${options.port}`;
}

export async function stopNodeAsync(options: SearchServerOptions, node: number): Promise<void> {
  await execFileAsync(SCRIPT, ['stop-node', String(node)], {
    env: scriptEnv(options),
    timeout: 180_000,
  });
}

let counter = 0;
/** A lowercase index prefix nobody else uses. */
export function uniquePrefix(name: string): string {
  counter++;
  return `it-${name}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

async function call<T>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

export async function refresh(url: string, pattern: string): Promise<void> {
  await call(url, 'POST', `/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
}

/** Exact document count of an index pattern (refreshed first); 0 when nothing matches. */
export async function countDocs(url: string, pattern: string): Promise<number> {
  await refresh(url, pattern);
  const res = await call<{ count?: number }>(
    url,
    'GET',
    `/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`,
  );
  if (res.status !== 200)
    throw new Error(`_count ${pattern}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.count ?? 0;
}

/** Document counts per concrete index of a pattern. */
export async function countsByIndex(url: string, pattern: string): Promise<Record<string, number>> {
  await refresh(url, pattern);
  const res = await call<{
    aggregations?: { idx: { buckets: { key: string; doc_count: number }[] } };
  }>(url, 'POST', `/${pattern}/_search?ignore_unavailable=true&allow_no_indices=true`, {
    size: 0,
    aggs: { idx: { terms: { field: '_index', size: 100 } } },
  });
  const out: Record<string, number> = {};
  for (const b of res.body.aggregations?.idx.buckets ?? []) out[b.key] = b.doc_count;
  return out;
}

/** All documents of a pattern (up to 10,000), sorted by `n` when asked. */
export async function searchDocs(
  url: string,
  pattern: string,
  sortBy?: string,
): Promise<Record<string, unknown>[]> {
  await refresh(url, pattern);
  const res = await call<{ hits?: { hits: { _source: Record<string, unknown> }[] } }>(
    url,
    'POST',
    `/${pattern}/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      size: 10_000,
      query: { match_all: {} },
      ...(sortBy ? { sort: [{ [sortBy]: { order: 'asc', unmapped_type: 'long' } }] } : {}),
    },
  );
  return (res.body.hits?.hits ?? []).map((h) => h._source);
}

export async function deleteIndices(url: string, pattern: string): Promise<void> {
  await call(
    url,
    'DELETE',
    `/${pattern}?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all`,
  );
}

export async function createIndex(
  url: string,
  name: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const res = await call(url, 'PUT', `/${name}`, { settings });
  if (res.status !== 200)
    throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Waits until every shard of `index` has its replicas (a node may then go away safely). */
export async function waitForGreen(url: string, index: string): Promise<void> {
  const res = await call<{ status?: string; timed_out?: boolean }>(
    url,
    'GET',
    `/_cluster/health/${index}?wait_for_status=green&timeout=120s`,
  );
  if (res.status !== 200 || res.body.status !== 'green') {
    throw new Error(`${index} is not green: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
