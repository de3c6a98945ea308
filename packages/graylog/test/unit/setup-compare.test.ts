// Setup's drift check: every field setup sends must read back equal; what Graylog adds is ignored.
import { describe, expect, it } from 'vitest';
import { differences } from '../../src/setup/compare.js';

describe('differences', () => {
  it('ignores fields Graylog adds and nulls it leaves out', () => {
    const want = { title: 'LMS x', rotation: { period: 'P1D', max: null }, series: [{ id: 'c' }] };
    const have = {
      id: 'abc',
      title: 'LMS x',
      rotation: { type: 'T', period: 'P1D' },
      series: [{ id: 'c', type: 'count', unit: null }],
      created_at: '2026-11-29',
    };
    expect(differences(want, have)).toEqual([]);
  });

  it('names each path that differs, including array length and type changes', () => {
    const want = { a: 1, b: { c: 'x', d: [1, 2] }, e: [{ f: true }], g: 'h' };
    const have = { a: 2, b: { c: 'x', d: [1] }, e: [{ f: false }], g: { nested: 1 } };
    expect(differences(want, have)).toEqual(['a', 'b.d', 'e[0].f', 'g']);
    expect(differences({ x: null }, { x: 0 })).toEqual(['x']);
    expect(differences([1], { 0: 1 })).toEqual(['(root)']);
  });
});
