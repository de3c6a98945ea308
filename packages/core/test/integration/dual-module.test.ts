// Every package, as an application installs it: loaded by name with require() (CommonJS, as most
// LMS backends still are) and with import() (ESM), from the built dist, in a fresh Node process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The bench workspace package depends on every published package, like an application would.
const appDir = fileURLToPath(new URL('../../../../bench', import.meta.url));

const EXPECTED: Record<string, string[]> = {
  '@lms-logging/core': [
    'createShipper',
    'createShipperFromEnv',
    'createAlertEvaluator',
    'ConfigurationError',
  ],
  '@lms-logging/winston': ['LmsTransport', 'createLmsLogger'],
  '@lms-logging/pino': ['default', 'lmsDestination'],
  '@lms-logging/elk': ['createElkBackend', 'createBackendFromEnv', 'createProvisionerFromEnv'],
  '@lms-logging/cli': ['runCli'],
};

function exportsOf(pkg: string, mode: 'require' | 'import'): string[] {
  const script =
    mode === 'require'
      ? `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(pkg)}))))`
      : `import(${JSON.stringify(pkg)}).then((m) => console.log(JSON.stringify(Object.keys(m))))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: appDir, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('packages load from CommonJS and ESM', () => {
  for (const [pkg, names] of Object.entries(EXPECTED)) {
    it(`${pkg} via require() and import()`, () => {
      const required = exportsOf(pkg, 'require');
      const imported = exportsOf(pkg, 'import');
      for (const name of names.filter((n) => n !== 'default')) expect(required).toContain(name);
      for (const name of names) expect(imported).toContain(name);
    });
  }
});
