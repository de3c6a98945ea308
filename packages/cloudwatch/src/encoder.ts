/**
 * Records to one PutLogEvents request. CloudWatch's rules are enforced here, not left to the
 * server (emulators such as moto do not check them): at most 10,000 events and 1,048,576 bytes
 * (UTF-8 message bytes + 26 per event), sorted by timestamp (stable, so write order survives
 * equal timestamps), spanning at most 24 hours, no event older than 14 days or more than 2 hours
 * in the future. What cannot go in this request is returned: `deferred` records are sent again
 * (the next 24 h window), `dropped` ones go to the dead letter with the reason.
 */
import type { QueuedRecord } from '@lms-logging/core';
import type { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import {
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_COUNT,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
} from './config.js';

export interface CloudWatchPayload {
  /** The request's events, sorted by timestamp. */
  readonly events: readonly InputLogEvent[];
  /** Batch index of each event, in `events` order. */
  readonly sent: readonly number[];
  /** Batch indexes left out of this request (outside its 24 h window or over its limits). */
  readonly deferred: readonly number[];
  /** Batch indexes CloudWatch would reject for good, with the reason. */
  readonly dropped: readonly { readonly index: number; readonly reason: string }[];
}

export interface EncoderOptions {
  readonly maxBatchBytes?: number;
  readonly maxBatchCount?: number;
  readonly now?: () => number;
}

/** Epoch ms of a record: its `@timestamp`, else when it was written. */
export function eventTime(record: QueuedRecord): number {
  const t = Date.parse(record.timestamp);
  return Number.isFinite(t) ? t : record.writtenAt;
}

export function createEncoder(
  options: EncoderOptions = {},
): (records: readonly QueuedRecord[]) => CloudWatchPayload {
  const maxBytes = Math.min(options.maxBatchBytes ?? MAX_BATCH_BYTES, MAX_BATCH_BYTES);
  const maxCount = Math.min(options.maxBatchCount ?? MAX_BATCH_COUNT, MAX_BATCH_COUNT);
  const now = options.now ?? Date.now;
  return (records) => {
    const at = now();
    const dropped: { index: number; reason: string }[] = [];
    const candidates: { index: number; time: number }[] = [];
    records.forEach((record, index) => {
      const time = eventTime(record);
      if (time < at - MAX_EVENT_AGE_MS) {
        dropped.push({
          index,
          reason: `event timestamp ${new Date(time).toISOString()} is more than 14 days old (CloudWatch rejects it)`,
        });
      } else if (time > at + MAX_EVENT_FUTURE_MS) {
        dropped.push({
          index,
          reason: `event timestamp ${new Date(time).toISOString()} is more than 2 hours in the future (CloudWatch rejects it)`,
        });
      } else {
        candidates.push({ index, time });
      }
    });
    // Array.prototype.sort is stable: equal timestamps keep write order.
    candidates.sort((a, b) => a.time - b.time);
    const events: InputLogEvent[] = [];
    const sent: number[] = [];
    const deferred: number[] = [];
    const windowEnd = candidates.length > 0 ? candidates[0].time + MAX_BATCH_SPAN_MS : 0;
    let bytes = 0;
    let full = false;
    for (const { index, time } of candidates) {
      const record = records[index];
      const size = record.bytes + EVENT_OVERHEAD_BYTES;
      // Once the request is full, everything after waits, so events stay in time order.
      full ||= events.length >= maxCount || (bytes + size > maxBytes && events.length > 0);
      if (full || time > windowEnd) {
        deferred.push(index);
        continue;
      }
      bytes += size;
      events.push({ timestamp: time, message: record.json });
      sent.push(index);
    }
    deferred.sort((a, b) => a - b);
    return { events, sent, deferred, dropped };
  };
}
