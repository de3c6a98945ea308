import { z } from 'zod';
import { ConfigurationError, type ConfigurationProblem } from './configuration-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** How one environment variable is read. */
export interface EnvVar<T> {
  readonly schema: z.ZodType<T>;
  /** The accepted form, in words, for error messages (`a positive integer`, `http(s) URLs`). */
  readonly expected: string;
  /** Secrets are never echoed back in errors. */
  readonly secret?: boolean;
  readonly required?: boolean;
  readonly description: string;
  /** The default, as documented (applied by the schema or by the caller). */
  readonly defaultText?: string;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = {
  [K in keyof S]: S[K] extends EnvVar<infer T> ? T | undefined : never;
};

/**
 * Reads every variable of `spec` from `env`, collecting all problems before failing, so one run
 * shows everything that needs fixing. Empty strings count as unset.
 */
export function readEnv<S extends EnvSpec>(spec: S, env: Env): EnvValues<S> {
  const problems: ConfigurationProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      if (variable.required) {
        problems.push({ variable: name, problem: 'is not set', expected: variable.expected });
      }
      values[name] = undefined;
      continue;
    }
    const parsed = variable.schema.safeParse(raw.trim());
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const shown = variable.secret ? '(value hidden)' : JSON.stringify(raw);
      const why = parsed.error.issues[0]?.message ?? 'is invalid';
      problems.push({
        variable: name,
        problem: `${shown} is not valid (${why})`,
        expected: variable.expected,
      });
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return values as EnvValues<S>;
}

/** Schemas shared by every backend's variables. */
export const envSchemas = {
  boolean: z
    .string()
    .toLowerCase()
    .refine(
      (v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v),
      'not a boolean',
    )
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  positiveInt: z.coerce.number().int('not an integer').positive('not positive'),
  nonNegativeInt: z.coerce.number().int('not an integer').nonnegative('negative'),
  /** `65536`, `64KiB`, `64MiB`, `1GiB` (also KB/MB/GB, meaning the binary units). */
  bytes: z
    .string()
    .regex(/^\d+(\.\d+)?\s*([kmg]i?b?)?$/i, 'not a byte size')
    .transform((v) => {
      const match = /^(\d+(?:\.\d+)?)\s*([kmg])?/i.exec(v);
      const unit = (match?.[2] ?? '').toLowerCase();
      const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
      return Math.floor(Number(match?.[1] ?? '0') * factor);
    })
    .refine((n) => n > 0, 'not positive'),
  list: z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ),
  url: z.string().refine((v) => URL.canParse(v), 'not a URL'),
  text: z.string().min(1),
};

/** The spec's variables as markdown rows (`| name | default | description |`), for READMEs. */
export function describeEnv(spec: EnvSpec): string {
  return Object.entries(spec)
    .map(
      ([name, v]) =>
        `| \`${name}\` | ${v.required ? 'required' : (v.defaultText ?? '')} | ${v.description} |`,
    )
    .join('\n');
}

type Results<T extends readonly (() => unknown)[]> = { [K in keyof T]: ReturnType<T[K]> };

/**
 * Runs several readers (each may throw a `ConfigurationError`) and throws one error with every
 * problem of all of them, so one run shows everything to fix across a backend's variable sets.
 */
export function readAllEnv<T extends readonly (() => unknown)[]>(...readers: T): Results<T> {
  const problems: ConfigurationProblem[] = [];
  const results = readers.map((read) => {
    try {
      return read();
    } catch (error) {
      // By name: a backend may carry core's other build (ESM beside CommonJS).
      if (error instanceof Error && error.name === 'ConfigurationError') {
        problems.push(...(error as ConfigurationError).problems);
        return undefined;
      }
      throw error;
    }
  });
  if (problems.length > 0) throw new ConfigurationError(problems);
  return results as Results<T>;
}
