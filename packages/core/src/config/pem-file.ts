/**
 * Reading the PEM files the `*_CA_FILE`, `*_CLIENT_CERT_FILE` and `*_CLIENT_KEY_FILE` variables
 * name, at start-up, so a missing or wrong file is a configuration problem naming its variable.
 */
import { readFileSync } from 'node:fs';
import type { ConfigurationProblem } from './configuration-error.js';

export const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
export const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/** What a PEM file must hold. */
export interface PemContent {
  readonly marker: RegExp;
  /** `certificate`, `private key`: named in the problem when `marker` is missing. */
  readonly what: string;
  /** The problem's `expected` when `marker` is missing. Default `a PEM <what>`. */
  readonly expected?: string;
}

/**
 * The text of the PEM file at `path` (undefined when `path` is). A file that cannot be read adds
 * a problem naming `variable` and gives undefined; a file without `content.marker` adds one too
 * but its text is still returned.
 */
export function readPemFile(
  problems: ConfigurationProblem[],
  variable: string,
  path: string | undefined,
  content?: PemContent,
): string | undefined {
  if (path === undefined) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    if (content !== undefined && !content.marker.test(text)) {
      problems.push({
        variable,
        problem: `${path} holds no PEM ${content.what}`,
        expected: content.expected ?? `a PEM ${content.what}`,
      });
    }
    return text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push({
      variable,
      problem: `cannot read ${path} (${code})`,
      expected: 'a readable PEM file',
    });
    return undefined;
  }
}
