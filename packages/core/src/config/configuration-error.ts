/** One problem with one setting: which variable (or option), what is wrong, what is expected. */
export interface ConfigurationProblem {
  readonly variable: string;
  readonly problem: string;
  readonly expected: string;
}

/**
 * Thrown at start-up for a bad or missing setting. The message names each variable and the form
 * it expects; it never contains the value of a secret.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  readonly problems: readonly ConfigurationProblem[];

  constructor(problems: readonly ConfigurationProblem[] | string) {
    const list =
      typeof problems === 'string' ? [{ variable: '', problem: problems, expected: '' }] : problems;
    super(list.map(formatProblem).join('\n'));
    this.problems = list;
  }
}

function formatProblem(p: ConfigurationProblem): string {
  if (p.variable === '') return p.problem;
  return p.expected
    ? `${p.variable}: ${p.problem}; expected ${p.expected}`
    : `${p.variable}: ${p.problem}`;
}
