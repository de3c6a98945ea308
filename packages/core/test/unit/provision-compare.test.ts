// Setup's drift check (elk, graylog): every field setup sends must read back equal; what the
// server adds is ignored.
import { describe, expect, it } from 'vitest';
import { subsetDifferences, summarize } from '../../src/index.js';

const paths = (lines: readonly string[]): string[] => lines.map((l) => l.split(':')[0]);

describe('subsetDifferences', () => {
  it('ignores fields the server adds and nulls it leaves out', () => {
    const want = { title: 'LMS x', rotation: { period: 'P1D', max: null }, series: [{ id: 'c' }] };
    const have = {
      id: 'abc',
      title: 'LMS x',
      rotation: { type: 'T', period: 'P1D' },
      series: [{ id: 'c', type: 'count', unit: null }],
      created_at: '2026-11-29',
    };
    expect(subsetDifferences(want, have)).toEqual([]);
  });

  it('names each path that differs, including array length and type changes', () => {
    const want = { a: 1, b: { c: 'x', d: [1, 2] }, e: [{ f: true }], g: 'h' };
    const have = { a: 2, b: { c: 'x', d: [1] }, e: [{ f: false }], g: { nested: 1 } };
    expect(paths(subsetDifferences(want, have))).toEqual(['a', 'b.d', 'e[0].f', 'g']);
    expect(paths(subsetDifferences({ x: null }, { x: 0 }))).toEqual(['x']);
    expect(paths(subsetDifferences([1], { 0: 1 }))).toEqual(['(root)']);
  });

  it('says what differs, from the stored value to the wanted one', () => {
    expect(subsetDifferences({ retention: { max: 14 } }, { retention: { max: 30 } })).toEqual([
      'retention.max: 30 → 14',
    ]);
    expect(summarize(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more');
  });
});
