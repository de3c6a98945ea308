import { LineSplitter, MAX_PENDING_LINE_CHARS, parseLine } from '../../src/lines.js';
import { describe, expect, it } from 'vitest';

function collect() {
  const lines: string[] = [];
  return { lines, splitter: new LineSplitter((line) => lines.push(line)) };
}

describe('LineSplitter', () => {
  it('emits every line of a chunk holding several', () => {
    const { lines, splitter } = collect();
    splitter.push('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(splitter.pendingLength).toBe(0);
  });

  it('joins a line split across chunks, at any position', () => {
    const text = '{"level":30,"msg":"first"}\n{"level":40,"msg":"second"}\n';
    for (let cut1 = 0; cut1 <= text.length; cut1++) {
      for (const cut2 of [cut1, Math.min(text.length, cut1 + 7)]) {
        const { lines, splitter } = collect();
        splitter.push(text.slice(0, cut1));
        splitter.push(text.slice(cut1, cut2));
        splitter.push(text.slice(cut2));
        expect(lines).toEqual(['{"level":30,"msg":"first"}', '{"level":40,"msg":"second"}']);
      }
    }
  });

  it('keeps a partial last line until its newline (or end)', () => {
    const { lines, splitter } = collect();
    splitter.push('{"a":1}\n{"b"');
    expect(lines).toEqual(['{"a":1}']);
    expect(splitter.pendingLength).toBe(4);
    splitter.push(':2}');
    expect(lines).toHaveLength(1);
    splitter.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('decodes multi-byte characters split between Buffers', () => {
    const { lines, splitter } = collect();
    const bytes = Buffer.from('{"msg":"Prüfung 試験 ✓"}\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['{"msg":"Prüfung 試験 ✓"}']);
  });

  it('accepts CRLF and skips blank lines', () => {
    const { lines, splitter } = collect();
    splitter.push('one\r\n\r\n\n  \ntwo\n');
    expect(lines).toEqual(['one', 'two']);
  });

  it('ships an endless line once it grows past the cap instead of holding it forever', () => {
    const { lines, splitter } = collect();
    splitter.push('x'.repeat(MAX_PENDING_LINE_CHARS));
    expect(lines).toHaveLength(0);
    splitter.push('y');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(MAX_PENDING_LINE_CHARS + 1);
    expect(splitter.pendingLength).toBe(0);
  });
});

describe('parseLine', () => {
  it('parses JSON objects', () => {
    expect(parseLine('{"level":30,"msg":"ok"}')).toEqual({ level: 30, msg: 'ok' });
  });

  it('turns anything else into a message marked unparsed', () => {
    expect(parseLine('plain text')).toEqual({ message: 'plain text', unparsed: true });
    expect(parseLine('{"broken":')).toEqual({ message: '{"broken":', unparsed: true });
    expect(parseLine('[1,2]')).toEqual({ message: '[1,2]', unparsed: true });
    expect(parseLine('42')).toEqual({ message: '42', unparsed: true });
    expect(parseLine('null')).toEqual({ message: 'null', unparsed: true });
  });
});
