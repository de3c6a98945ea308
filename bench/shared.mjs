// What every benchmark shares: the record it logs and how it prints figures.
import { loadavg } from 'node:os';

/** A record shaped like the LMS backend's access log. */
export function record(i) {
  return {
    level: i % 50 === 0 ? 'error' : 'info',
    message: `GET /api/courses/${i % 300} 200`,
    timestamp: new Date().toISOString(),
    method: 'GET',
    url: `/api/courses/${i % 300}`,
    status_code: 200,
    duration_ms: 12.5,
    user_id: `u${i % 1000}`,
    request_id: `r-${i}`,
  };
}

/** `{ level, message, meta }`: what a logger call takes. */
export function records(n) {
  return Array.from({ length: n }, (_, i) => {
    const { level, message, ...meta } = record(i);
    return { level, message, meta };
  });
}

/** Median of the finite values (NaN when there are none). */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
export const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
