// Which records of a GELF batch are retried after a partial send.
import { describe, expect, it } from 'vitest';
import { classifyGraylogOutcome } from '../../src/retry.js';
import { lmsRecord, queued } from '../support/records.js';

const batch = Array.from({ length: 4 }, (_, i) => queued(lmsRecord({ message: `m${i}` })));

describe('classifyGraylogOutcome', () => {
  it('retries exactly the UDP messages whose send failed, wherever they are in the batch', () => {
    const action = classifyGraylogOutcome(
      {
        ok: true,
        response: { delivered: 2, total: 4, failed: [1, 3], error: new Error('EMSGSIZE') },
      },
      batch,
    );
    expect(action).toMatchObject({ kind: 'partial', retry: [1, 3], drop: [] });
  });

  it('retries the tail after a stream stopped part-way', () => {
    const action = classifyGraylogOutcome(
      { ok: true, response: { delivered: 3, total: 4, error: new Error('EPIPE') } },
      batch,
    );
    expect(action).toMatchObject({ kind: 'partial', retry: [3] });
  });

  it('calls a whole delivery a success', () => {
    expect(
      classifyGraylogOutcome({ ok: true, response: { delivered: 4, total: 4 } }, batch),
    ).toEqual({ kind: 'success' });
  });
});
