import { readFileSync } from 'node:fs';
import { describeEnv } from '@lms-logging/core';
import { envTableRows } from '@lms-logging/core/testing';
import { describe, expect, it } from 'vitest';
import { CLOUDWATCH_ENV } from '../../src/config.js';
import { CLOUDWATCH_SETUP_ENV } from '../../src/setup/provisioner.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = envTableRows;

describe('README', () => {
  it('documents every variable as the env spec describes it', () => {
    expect(rows(readme)).toEqual(
      rows(`${describeEnv(CLOUDWATCH_ENV)}\n${describeEnv(CLOUDWATCH_SETUP_ENV)}`),
    );
  });
});
