import { describe, expect, it } from 'vitest';
import {
  createEncoder,
  dataStreamNameProblem,
  dataStreamTarget,
  formatIndexName,
  indexNameProblem,
  indexTarget,
  isoWeek,
  parseIndexPattern,
  perRecordOverheadBytes,
} from '../../src/encoder.js';
import { lmsRecord, queued } from '../support/records.js';

const decode = (body: string): { action: unknown; source: string }[] => {
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.slice(0, -1).split('\n');
  const pairs: { action: unknown; source: string }[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    pairs.push({ action: JSON.parse(lines[i]), source: lines[i + 1] });
  }
  return pairs;
};

describe('daily index names from each record’s UTC @timestamp', () => {
  const encode = createEncoder(indexTarget('lms-logs-%{+YYYY.MM.dd}'));

  it('puts records on either side of UTC midnight into two indices', () => {
    const before = queued(lmsRecord({ '@timestamp': '2025-03-09T23:59:59.999Z' }));
    const after = queued(lmsRecord({ '@timestamp': '2025-03-10T00:00:00.000Z' }));
    const pairs = decode(encode([before, after]).body);
    expect(pairs.map((p) => p.action)).toEqual([
      { create: { _index: 'lms-logs-2025.03.09', _id: before.id } },
      { create: { _index: 'lms-logs-2025.03.10', _id: after.id } },
    ]);
  });

  it('converts timestamps with an offset to the UTC day', () => {
    // 01:30 in UTC+2 is 23:30 UTC the day before.
    const r = queued(lmsRecord({ '@timestamp': '2025-03-10T01:30:00.000+02:00' }));
    expect(decode(encode([r]).body)[0].action).toEqual({
      create: { _index: 'lms-logs-2025.03.09', _id: r.id },
    });
  });

  it('handles the year boundary and leap days', () => {
    const target = indexTarget('lms-logs-%{+YYYY.MM.dd}');
    expect(target.nameFor(Date.parse('2024-02-29T12:00:00Z'))).toBe('lms-logs-2024.02.29');
    expect(target.nameFor(Date.parse('2024-12-31T23:59:59.999Z'))).toBe('lms-logs-2024.12.31');
    expect(target.nameFor(Date.parse('2025-01-01T00:00:00Z'))).toBe('lms-logs-2025.01.01');
  });

  it('falls back to the write time when @timestamp is missing or unparsable', () => {
    const r = queued({ message: 'no time' });
    const bad = queued({ message: 'bad time', '@timestamp': 'yesterday' });
    const today = indexTarget('lms-logs-%{+YYYY.MM.dd}').nameFor(r.writtenAt);
    const pairs = decode(encode([r, bad]).body);
    expect(pairs.map((p) => (p.action as { create: { _index: string } }).create._index)).toEqual([
      today,
      today,
    ]);
  });

  it('uses the ECS schema’s @timestamp the same way', () => {
    const ecs = queued({
      '@timestamp': '2025-06-01T10:00:00.000Z',
      'log.level': 'info',
      message: 'ecs',
    });
    expect(decode(encode([ecs]).body)[0].action).toEqual({
      create: { _index: 'lms-logs-2025.06.01', _id: ecs.id },
    });
  });
});

describe('index patterns', () => {
  const at = (iso: string): number => Date.parse(iso);

  it('supports Logstash-style date formats', () => {
    const cases: [string, string, string][] = [
      ['logs-%{+yyyy.MM.dd}', '2025-07-04T05:06:07Z', 'logs-2025.07.04'],
      ['logs-%{+YYYY.MM}', '2025-07-04T05:06:07Z', 'logs-2025.07'],
      ['logs-%{+YYYY.MM.dd.HH}', '2025-07-04T05:06:07Z', 'logs-2025.07.04.05'],
      ['logs-%{+YY}-%{+MM}', '2025-07-04T05:06:07Z', 'logs-25-07'],
      // ISO week-year: 2021-01-03 is still in week 53 of 2020.
      ['logs-%{+xxxx.ww}', '2021-01-03T12:00:00Z', 'logs-2020.53'],
      ['logs-%{+xxxx.ww}', '2021-01-04T00:00:00Z', 'logs-2021.01'],
      ['lms-logs', '2025-07-04T05:06:07Z', 'lms-logs'],
    ];
    for (const [pattern, time, expected] of cases) {
      expect(formatIndexName(parseIndexPattern(pattern), at(time)), pattern).toBe(expected);
      expect(indexTarget(pattern).nameFor(at(time)), pattern).toBe(expected);
    }
  });

  it('computes ISO weeks like the calendar', () => {
    expect(isoWeek(at('2026-12-31T00:00:00Z'))).toEqual({ week: 53, weekYear: 2026 });
    expect(isoWeek(at('2024-12-30T00:00:00Z'))).toEqual({ week: 1, weekYear: 2025 });
    expect(isoWeek(at('2025-06-15T00:00:00Z'))).toEqual({ week: 24, weekYear: 2025 });
  });

  it('rejects patterns that cannot make valid index names', () => {
    expect(() => parseIndexPattern('LMS-%{+YYYY}')).toThrow(/uppercase/);
    expect(() => parseIndexPattern('lms logs')).toThrow(/space/);
    expect(() => parseIndexPattern('_lms')).toThrow(/starts with "_"/);
    expect(() => parseIndexPattern('lms-%{+YYYY.QQ}')).toThrow(/date token "QQ"/);
    expect(() => parseIndexPattern('lms-%{environment}')).toThrow(/only date patterns/);
    expect(() => parseIndexPattern('lms-%{+YYYY')).toThrow(/unclosed/);
  });

  it('caches names per time bucket without mixing buckets', () => {
    const target = indexTarget('h-%{+YYYY.MM.dd.HH}');
    expect(target.nameFor(at('2025-01-01T01:59:59Z'))).toBe('h-2025.01.01.01');
    expect(target.nameFor(at('2025-01-01T02:00:00Z'))).toBe('h-2025.01.01.02');
    expect(target.nameFor(at('2025-01-01T01:00:00Z'))).toBe('h-2025.01.01.01');
  });
});

describe('naming rules', () => {
  it('validates index names like Elasticsearch', () => {
    expect(indexNameProblem('lms-logs-2025.01.01')).toBeUndefined();
    for (const bad of [
      'Lms',
      'a b',
      'a\\b',
      'a/b',
      'a*b',
      'a?b',
      'a"b',
      'a<b',
      'a>b',
      'a|b',
      'a,b',
      'a#b',
      'a:b',
    ]) {
      expect(indexNameProblem(bad), bad).toBeDefined();
    }
    for (const bad of ['-a', '_a', '+a', '.', '..', '', 'x'.repeat(256)]) {
      expect(indexNameProblem(bad), bad).toBeDefined();
    }
    expect(indexNameProblem('é'.repeat(128))).toMatch(/255 bytes/); // 256 bytes in UTF-8
  });

  it('validates data stream names (index rules + no .ds- prefix, ≤ 255 bytes)', () => {
    expect(dataStreamNameProblem('logs-lms-production')).toBeUndefined();
    expect(dataStreamNameProblem('.ds-logs-lms')).toMatch(/\.ds-/);
    expect(dataStreamNameProblem('logs-lms-Production')).toMatch(/uppercase/);
    expect(dataStreamNameProblem('logs lms')).toMatch(/space/);
    expect(dataStreamNameProblem('logs-lms:prod')).toMatch(/":"/);
    expect(dataStreamNameProblem('+logs')).toMatch(/starts with/);
    expect(dataStreamNameProblem('l'.repeat(255))).toBeUndefined();
    expect(dataStreamNameProblem('l'.repeat(256))).toMatch(/255/);
    expect(() => dataStreamTarget('Logs')).toThrow(/not a valid data stream name/);
    expect(dataStreamTarget('logs-lms-staging').nameFor(0)).toBe('logs-lms-staging');
  });
});

describe('bulk NDJSON', () => {
  it('writes a create action with the record id and the record’s json as is', () => {
    // A json that JSON.stringify(record) would not produce: the encoder must not re-serialize.
    const record = lmsRecord({ '@timestamp': '2025-01-01T00:00:00.000Z', message: 'x' });
    const json = JSON.stringify(record, null, 0).replace('"message":"x"', '"message": "x"');
    const r = queued(record, { json, id: 'abc"1' });
    const body = createEncoder(dataStreamTarget('logs-lms-test'))([r]).body;
    expect(body).toBe(`{"create":{"_index":"logs-lms-test","_id":"abc\\"1"}}\n${json}\n`);
  });

  it('counts bytes exactly, multi-byte characters included, within the declared overhead', () => {
    const target = indexTarget('lms-logs-%{+YYYY.MM.dd}');
    const encode = createEncoder(target);
    const records = [
      queued(lmsRecord({ message: 'plain' })),
      queued(lmsRecord({ message: 'ünïcödé ✓ 日本語 🎉' })),
      queued(lmsRecord({ message: 'x'.repeat(10_000) })),
    ];
    const payload = encode(records);
    expect(payload.count).toBe(3);
    expect(payload.bytes).toBe(Buffer.byteLength(payload.body, 'utf8'));
    const overhead = perRecordOverheadBytes(target);
    expect(overhead).toBeGreaterThanOrEqual(128);
    expect(payload.bytes).toBeLessThanOrEqual(records.reduce((n, r) => n + r.bytes + overhead, 0));
    // The action line of a core id fits the overhead with room to spare.
    const firstLine = payload.body.split('\n')[0];
    expect(Buffer.byteLength(firstLine) + 2).toBeLessThan(overhead);
  });

  it('raises the overhead for long index names', () => {
    const long = `lms-${'a'.repeat(200)}-%{+YYYY.MM.dd}`;
    expect(perRecordOverheadBytes(indexTarget(long))).toBeGreaterThan(200 + 64);
  });

  it('encodes an empty batch as an empty body', () => {
    expect(createEncoder(indexTarget('x'))([])).toEqual({ body: '', count: 0, bytes: 0 });
  });
});
