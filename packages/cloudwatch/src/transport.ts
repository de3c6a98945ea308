/**
 * The CloudWatch Logs calls of the shipping path: create the group and stream (an existing one
 * is fine) and PutLogEvents without a sequence token (AWS ignores them now). The SDK's own
 * retries are off (`maxAttempts: 1`): core's backoff is the only retry policy.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClientConfig,
  type InputLogEvent,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';

export interface CloudWatchLogsTarget {
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** A client from the SDK's default credential and region chain, with SDK retries disabled. */
export function createLogsClient(config: CloudWatchLogsClientConfig = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ ...config, maxAttempts: 1 });
}

/** The error's AWS name (`ThrottlingException`), or undefined for non-AWS errors. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; $metadata?: unknown; __type?: unknown };
  if (typeof e.name === 'string' && e.$metadata !== undefined) return e.name;
  return undefined;
}

export function isAwsError(error: unknown, name: string): boolean {
  return awsErrorName(error) === name;
}

async function ignoreExisting(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!isAwsError(error, 'ResourceAlreadyExistsException')) throw error;
  }
}

/** Creates the log group and stream; existing ones are left as they are. */
export async function ensureLogStream(
  client: CloudWatchLogsClient,
  target: CloudWatchLogsTarget,
  signal?: AbortSignal,
): Promise<void> {
  const opts = signal ? { abortSignal: signal } : {};
  await ignoreExisting(
    client.send(new CreateLogGroupCommand({ logGroupName: target.logGroupName }), opts),
  );
  await ignoreExisting(
    client.send(
      new CreateLogStreamCommand({
        logGroupName: target.logGroupName,
        logStreamName: target.logStreamName,
      }),
      opts,
    ),
  );
}

export interface PutResult {
  readonly rejected?: RejectedLogEventsInfo;
  /** The server answered DataAlreadyAcceptedException: the events are already stored. */
  readonly alreadyAccepted?: boolean;
}

export async function putLogEvents(
  client: CloudWatchLogsClient,
  target: CloudWatchLogsTarget,
  events: readonly InputLogEvent[],
  signal?: AbortSignal,
): Promise<PutResult> {
  try {
    const out = await client.send(
      new PutLogEventsCommand({
        logGroupName: target.logGroupName,
        logStreamName: target.logStreamName,
        logEvents: [...events],
      }),
      signal ? { abortSignal: signal } : {},
    );
    return out.rejectedLogEventsInfo ? { rejected: out.rejectedLogEventsInfo } : {};
  } catch (error) {
    if (isAwsError(error, 'DataAlreadyAcceptedException')) return { alreadyAccepted: true };
    throw error;
  }
}
