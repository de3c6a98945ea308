import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendFromEnv } from '../backend.js';
import { ConfigurationError } from './configuration-error.js';

/**
 * Loads one export of `@lms-logging/<name>` synchronously (loggers are built synchronously),
 * looking where the application's own dependencies are. Every package
 * ships CommonJS, so `require` works from both module systems.
 */
export function loadBackendExport(name: string, exportName: string): unknown {
  const packageName = `@lms-logging/${name}`;
  // The app's directory, then the main script's (a CLI's own dependencies), then core's.
  const lookups = [join(process.cwd(), 'noop.js'), process.argv[1], import.meta.url].filter(
    (from): from is string => typeof from === 'string' && from !== '',
  );
  for (const from of lookups) {
    let loaded: unknown;
    try {
      loaded = createRequire(from)(packageName);
    } catch (error) {
      if (isNotFound(error, packageName)) continue;
      throw error;
    }
    const value = (loaded as Record<string, unknown>)[exportName];
    if (value === undefined) {
      throw new ConfigurationError(
        `${packageName} does not export ${exportName}; update it to the version of @lms-logging/core you use`,
      );
    }
    return value;
  }
  throw new ConfigurationError(
    `LMS_LOG_BACKEND=${name} needs the package ${packageName}: add it with \`npm install ${packageName}\` (or pnpm add / yarn add)`,
  );
}

export function loadBackendPackage(name: string): BackendFromEnv {
  return loadBackendExport(name, 'createBackendFromEnv') as BackendFromEnv;
}

function isNotFound(error: unknown, packageName: string): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === 'MODULE_NOT_FOUND' && (e.message ?? '').includes(packageName);
}
