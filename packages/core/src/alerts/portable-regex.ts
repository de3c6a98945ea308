import { compileMatchesRegex } from './filter.js';

/**
 * Why a `matches` pattern cannot be used, or `undefined` when it can. Besides JavaScript syntax
 * this rejects what some backends' engines cannot run (RE2 in Cloud Logging and KQL has no
 * lookaround and no backreferences) and patterns that match the empty string, which would
 * count every record.
 */
export function regexProblem(source: string): string | undefined {
  let regex: RegExp;
  try {
    regex = compileMatchesRegex(source);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const unsupported = unsupportedConstruct(source);
  if (unsupported !== undefined) {
    return `uses ${unsupported}, which RE2-based backends (Cloud Logging, Azure KQL) cannot run`;
  }
  if (regex.test('')) return 'matches the empty string, so it would match every record';
  return undefined;
}

/** Scans a (syntactically valid) source for lookaround and backreferences outside `[...]`. */
function unsupportedConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'a backreference';
      i += 1;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '(' && /^\(\?<?[=!]/.test(source.slice(i, i + 4))) {
      return 'lookaround';
    }
  }
  return undefined;
}
