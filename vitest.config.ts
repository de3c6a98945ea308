import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // In-process tests run against the sources; child-process and worker tests load the built dist.
    alias: [
      {
        find: /^@lms-logging\/core\/testing$/,
        replacement: src('./packages/core/src/testing/index.ts'),
      },
      {
        find: /^@lms-logging\/(core|winston|pino|elk|cloudwatch|graylog|cli)$/,
        replacement: src('./packages/$1/src/index.ts'),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    globalSetup: ['./test-setup/services.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
