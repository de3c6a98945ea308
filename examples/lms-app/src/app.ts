import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'winston';

/** A few LMS-shaped users; `bad` passwords fail on purpose. */
const USERS: Record<string, string> = {
  'ada@school.example': 'correct-horse',
  'grace@school.example': 'battery-staple',
  'alan@school.example': 'enigma-1912',
};

interface Handled {
  status: number;
  body: unknown;
  /** Extra fields for the access log record. */
  fields?: Record<string, unknown>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function route(req: IncomingMessage, logger: Logger, requestId: string): Promise<Handled> {
  const url = new URL(req.url ?? '/', 'http://lms.local');
  const path = url.pathname;
  if (req.method === 'POST' && path === '/api/login') {
    const { email, password } = await readJson(req);
    if (typeof email === 'string' && USERS[email] === password) {
      return { status: 200, body: { token: randomUUID() }, fields: { user_id: email } };
    }
    // The LMS backend's own shape for a failed login: an event name the auth alert counts.
    logger.warn('authentication failed: invalid credentials', {
      event: 'auth.failure',
      user_email: email,
      password,
      ip: req.socket.remoteAddress,
      request_id: requestId,
    });
    return { status: 401, body: { error: 'invalid credentials' } };
  }
  const course = /^\/api\/courses\/(\d+)$/.exec(path);
  if (req.method === 'GET' && course) {
    return { status: 200, body: { id: Number(course[1]), title: `Course ${course[1]}` } };
  }
  if (req.method === 'POST' && path === '/api/grades') {
    const { courseId, grade } = await readJson(req);
    if (url.searchParams.get('fail') === '1') {
      const error = new Error(
        `deadlock detected while saving grade for course ${String(courseId)}`,
      );
      logger.error('grade submission failed', {
        err: error,
        course_id: courseId,
        request_id: requestId,
      });
      return { status: 500, body: { error: 'internal error' } };
    }
    return { status: 201, body: { saved: true, grade } };
  }
  if (req.method === 'GET' && path === '/api/reports/transcript') {
    // A report query that is slow on purpose: the slow-responses alert watches for these.
    await sleep(2050 + Math.floor(Math.random() * 300));
    return { status: 200, body: { rows: 1200 } };
  }
  if (path === '/health') return { status: 200, body: { ok: true } };
  return { status: 404, body: { error: 'not found' } };
}

/** An LMS-like HTTP app that logs one access record per request, as the LMS backend does. */
export function createLmsApp(logger: Logger): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    void route(req, logger, requestId)
      .catch((error: unknown): Handled => {
        logger.error('unhandled error', { err: error, request_id: requestId });
        return { status: 500, body: { error: 'internal error' } };
      })
      .then(({ status, body, fields }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
        const duration = Number(process.hrtime.bigint() - started) / 1e6;
        const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
        logger.log(level, `${req.method} ${req.url} ${status}`, {
          method: req.method,
          url: req.url,
          status_code: status,
          duration_ms: Math.round(duration * 100) / 100,
          request_id: requestId,
          user_agent: req.headers['user-agent'],
          authorization: req.headers.authorization,
          ...fields,
        });
      });
  });
}
