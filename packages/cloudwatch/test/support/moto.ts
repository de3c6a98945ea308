// Helpers for the tests against a real moto server (scripts/services/moto, 127.0.0.1:5000).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogRecord } from '@lms-logging/core';

export const MOTO_PORT = Number(process.env['MOTO_PORT'] ?? 5000);
export const MOTO_URL = `http://127.0.0.1:${MOTO_PORT}`;

/**
 * Points the SDK's default chains at moto (the same variables a user sets for an emulator) and
 * starts the server when it does not run yet (vitest's globalSetup normally has).
 */
export function useMoto(): void {
  process.env['AWS_ENDPOINT_URL'] = MOTO_URL;
  process.env['AWS_REGION'] = 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] = 'testing';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'testing';
  delete process.env['AWS_PROFILE'];
  const script = fileURLToPath(new URL('../../../../scripts/services/moto', import.meta.url));
  execFileSync(script, ['start'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

export function uniqueGroup(name: string): string {
  return `/lms-test/${name}/${randomUUID().slice(0, 8)}`;
}

/** Every event of a stream, oldest first, following nextForwardToken until it repeats. */
export async function readStream(
  client: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
): Promise<{ timestamp: number; message: string }[]> {
  const out: { timestamp: number; message: string }[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.send(
      new GetLogEventsCommand({
        logGroupName,
        logStreamName,
        startFromHead: true,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    const events = page.events ?? [];
    for (const e of events) out.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
    if (events.length === 0 || page.nextForwardToken === token) break;
    token = page.nextForwardToken;
  }
  return out;
}

export async function readRecords(
  client: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
): Promise<LogRecord[]> {
  return (await readStream(client, logGroupName, logStreamName)).map(
    (e) => JSON.parse(e.message) as LogRecord,
  );
}

export async function deleteGroup(
  client: CloudWatchLogsClient,
  logGroupName: string,
): Promise<void> {
  try {
    await client.send(new DeleteLogGroupCommand({ logGroupName }));
  } catch {
    // already gone
  }
}
