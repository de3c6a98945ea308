/** What the generator sent, by kind. */
export interface TrafficSummary {
  requests: number;
  byKind: Record<string, number>;
  seconds: number;
}

type Kind = 'login' | 'bad-login' | 'course' | 'grade' | 'grade-fail' | 'slow-report' | 'health';

const MIX: [Kind, number][] = [
  ['login', 20],
  ['bad-login', 6],
  ['course', 37],
  ['grade', 20],
  ['grade-fail', 8],
  ['slow-report', 3],
  ['health', 7],
];

/**
 * Smooth weighted round-robin: every window of 100 requests holds each kind exactly its weight,
 * evenly spread, so even a short run shows every kind of traffic (and fires every alert).
 */
function createPicker(): () => Kind {
  const current = MIX.map(() => 0);
  const total = MIX.reduce((n, [, w]) => n + w, 0);
  return () => {
    let best = 0;
    MIX.forEach(([, weight], i) => {
      current[i] = (current[i] ?? 0) + weight;
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    });
    current[best] = (current[best] ?? 0) - total;
    return MIX[best]?.[0] ?? 'health';
  };
}

async function send(base: string, kind: Kind): Promise<void> {
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl',
    },
    body: JSON.stringify(body),
  });
  const paths: Record<Kind, [string, RequestInit?]> = {
    login: ['/api/login', json({ email: 'ada@school.example', password: 'correct-horse' })],
    'bad-login': ['/api/login', json({ email: 'mallory@evil.example', password: 'guess123' })],
    course: [`/api/courses/${100 + Math.floor(Math.random() * 50)}`],
    grade: ['/api/grades', json({ courseId: 101, grade: 'A-' })],
    'grade-fail': ['/api/grades?fail=1', json({ courseId: 102, grade: 'B' })],
    'slow-report': ['/api/reports/transcript'],
    health: ['/health'],
  };
  const [path, init] = paths[kind];
  const res = await fetch(base + path, init);
  await res.arrayBuffer();
}

/**
 * Sends a realistic mix (logins with some failures, course pages, grade submissions with a few
 * 5xx, a few slow reports) at about `ratePerSecond` for `seconds`.
 */
export async function generateTraffic(
  base: string,
  seconds: number,
  ratePerSecond = 150,
): Promise<TrafficSummary> {
  const byKind: Record<string, number> = {};
  const pick = createPicker();
  const pending = new Set<Promise<void>>();
  const started = Date.now();
  const end = started + seconds * 1000;
  let requests = 0;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - started) / 1000) * ratePerSecond);
    while (requests < due) {
      const kind = pick();
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      requests++;
      const p = send(base, kind).catch(() => undefined);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(pending);
  return { requests, byKind, seconds: (Date.now() - started) / 1000 };
}
