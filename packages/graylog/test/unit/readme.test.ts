import { readFileSync } from 'node:fs';
import { describeEnv } from '@lms-logging/core';
import { envTableRows } from '@lms-logging/core/testing';
import { describe, expect, it } from 'vitest';
import { GRAYLOG_ENV } from '../../src/config.js';
import { GRAYLOG_SETUP_ENV } from '../../src/setup/env.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = envTableRows;

describe('README', () => {
  it('documents every variable as the env specs describe them', () => {
    expect(rows(readme)).toEqual(
      rows(`${describeEnv(GRAYLOG_ENV)}\n${describeEnv(GRAYLOG_SETUP_ENV)}`),
    );
  });
});
