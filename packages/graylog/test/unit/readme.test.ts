import { readFileSync } from 'node:fs';
import { describeEnv } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { GRAYLOG_ENV } from '../../src/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => /^\| `[A-Z_]+`\s*\|/.test(l))
    .map((l) =>
      l
        .split('|')
        .map((cell) => cell.trim())
        .join('|'),
    );

describe('README', () => {
  it('documents every variable as the env spec describes it', () => {
    expect(rows(readme)).toEqual(rows(describeEnv(GRAYLOG_ENV)));
  });
});
