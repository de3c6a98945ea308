/**
 * Throttling and 5xx cannot be forced in moto, so these tests run against an in-process node:http
 * server speaking the documented AWS JSON 1.1 protocol of CloudWatch Logs (POST /,
 * `X-Amz-Target: Logs_20140328.<Operation>`, `application/x-amz-json-1.1`, errors as
 * `{"__type": "...", "message": "..."}`). It is a stand-in, not AWS: it answers each
 * PutLogEvents from a script (an error N times, then success) and records what arrived.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryDeadLetter, createShipper } from '@lms-logging/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchBackend } from '../../src/backend.js';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface FakeLogs {
  url: string;
  /** Replies used, in order, for the next PutLogEvents calls; then `{}` with status 200. */
  script: Reply[];
  /** Every request: the operation and its parsed body. */
  calls: { op: string; body: Record<string, unknown>; contentType: string | undefined }[];
  /** Messages of the PutLogEvents calls that succeeded. */
  stored: string[];
}

const fake: FakeLogs = { url: '', script: [], calls: [], stored: [] };
let server: Server;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(reply.body));
}

const error = (status: number, type: string, message: string): Reply => ({
  status,
  body: { __type: type, message },
});

beforeAll(async () => {
  process.env['AWS_REGION'] = 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] = 'testing';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'testing';
  server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^Logs_20140328\./, '');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      fake.calls.push({ op, body, contentType: req.headers['content-type'] });
      if (op !== 'PutLogEvents') return answer(res, { status: 200, body: {} });
      const reply = fake.script.shift() ?? { status: 200, body: {} };
      if (reply.status === 200) {
        for (const e of body['logEvents'] as { message: string }[]) fake.stored.push(e.message);
      }
      answer(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  fake.script = [];
  fake.calls = [];
  fake.stored = [];
});

function backend() {
  return createCloudWatchBackend({
    logGroupName: '/lms/test/api',
    logStreamName: 'host/1/start',
    clientConfig: { endpoint: fake.url },
  });
}

async function ship(count: number) {
  const deadLetter = createMemoryDeadLetter();
  const shipper = createShipper({
    backend: backend(),
    deadLetter,
    flushIntervalMs: 20,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    maxInFlight: 1,
    selfLog: false,
    exit: false,
  });
  for (let n = 0; n < count; n++) shipper.write({ message: `m${n}`, n });
  await shipper.flush();
  const stats = shipper.stats();
  await shipper.close();
  const numbers = fake.stored.map((m) => (JSON.parse(m) as { n: number }).n);
  return { stats, deadLetter, numbers, puts: fake.calls.filter((c) => c.op === 'PutLogEvents') };
}

const all = (count: number): number[] => Array.from({ length: count }, (_, n) => n);

describe('CloudWatch Logs error handling (in-process AWS JSON 1.1 server)', () => {
  it('creates the group and stream first and never sends a sequence token', async () => {
    const { numbers, puts } = await ship(5);
    expect(fake.calls.slice(0, 2).map((c) => c.op)).toEqual(['CreateLogGroup', 'CreateLogStream']);
    expect(fake.calls[0].contentType).toBe('application/x-amz-json-1.1');
    expect(numbers).toEqual(all(5));
    expect(puts[0].body).not.toHaveProperty('sequenceToken');
  });

  it('retries ThrottlingException N times (one request per core attempt) and then delivers', async () => {
    fake.script = Array.from({ length: 3 }, () =>
      error(400, 'ThrottlingException', 'Rate exceeded'),
    );
    const { stats, numbers, puts } = await ship(10);
    expect(puts).toHaveLength(4); // SDK retries are off: core's backoff is the only policy
    expect(stats).toMatchObject({ sent: 10, deadLettered: {} });
    expect(stats.retried).toBeGreaterThan(0);
    expect(numbers).toEqual(all(10));
  });

  it('retries ServiceUnavailableException and plain 5xx', async () => {
    fake.script = [
      error(503, 'ServiceUnavailableException', 'The server failed to fulfill the request'),
      error(500, 'InternalFailure', 'internal error'),
    ];
    const { stats, numbers, puts } = await ship(10);
    expect(puts).toHaveLength(3);
    expect(stats).toMatchObject({ sent: 10, deadLettered: {} });
    expect(numbers).toEqual(all(10));
  });

  it('retries InvalidSequenceTokenException; DataAlreadyAcceptedException counts as delivered', async () => {
    fake.script = [
      error(400, 'InvalidSequenceTokenException', 'The given sequenceToken is invalid'),
      error(400, 'DataAlreadyAcceptedException', 'already accepted'),
    ];
    const { stats, puts } = await ship(4);
    expect(puts).toHaveLength(2);
    expect(stats).toMatchObject({ sent: 4, deadLettered: {} });
  });

  it('recreates a deleted group and stream on ResourceNotFoundException and sends again', async () => {
    fake.script = [
      error(400, 'ResourceNotFoundException', 'The specified log group does not exist.'),
    ];
    const { stats, numbers } = await ship(6);
    expect(fake.calls.map((c) => c.op)).toEqual([
      'CreateLogGroup',
      'CreateLogStream',
      'PutLogEvents',
      'CreateLogGroup',
      'CreateLogStream',
      'PutLogEvents',
    ]);
    expect(stats).toMatchObject({ sent: 6, deadLettered: {} });
    expect(numbers).toEqual(all(6));
  });

  it('maps rejectedLogEventsInfo back to batch indexes and dead-letters those events', async () => {
    fake.script = [
      {
        status: 200,
        body: { rejectedLogEventsInfo: { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 9 } },
      },
    ];
    const { stats, deadLetter } = await ship(10);
    expect(stats).toMatchObject({ sent: 7, deadLettered: { rejected: 3 } });
    const byN = deadLetter.entries
      .map((e) => [e.record.record['n'], e.error] as const)
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byN).toEqual([
      [0, expect.stringMatching(/more than 14 days old/)],
      [1, expect.stringMatching(/more than 14 days old/)],
      [9, expect.stringMatching(/too far in the future/)],
    ]);
  });

  it('drops a batch CloudWatch rejects as invalid, with the server message', async () => {
    fake.script = [error(400, 'InvalidParameterException', 'Log event too large')];
    const { stats, deadLetter } = await ship(3);
    expect(stats).toMatchObject({ sent: 0, deadLettered: { rejected: 3 } });
    expect(deadLetter.entries[0].error).toMatch(/InvalidParameterException.*Log event too large/);
  });
});
