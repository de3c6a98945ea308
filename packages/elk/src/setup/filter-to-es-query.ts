/**
 * The core alert `Filter` AST as Elasticsearch / OpenSearch query DSL, following the reference
 * semantics of core's `matchesFilter` (see core/alerts/filter.ts):
 *
 * - `eq` → `term`, `in` → `terms` (on the keyword subfield of text fields, so strings compare
 *   exactly and case-sensitively; a number also matches numeric strings because the numeric
 *   mapping coerces them at index time).
 * - `gte`/`gt`/`lte`/`lt` → `range`.
 * - `matches` → a case-insensitive `regexp` on the keyword (sub)field: the whole value is tested
 *   like the evaluator's `RegExp.test`, while `match_phrase` on analyzed text would count
 *   differently (tokens: "relogin failed" contains /login failed/ but not the phrase). Lucene
 *   anchors every regexp, so the pattern is wrapped in `.*( ... ).*` unless it starts with `^`
 *   or ends with `$`; the JavaScript syntax is rewritten where Lucene reads it differently.
 * - `any` → `bool.should` with `minimum_should_match: 1` (empty: `match_none`), `all` →
 *   `bool.filter` (empty: `match_all`). Everything runs in filter context: no scoring.
 */
import type { FieldCondition, Filter } from '@lms-logging/core';

export type EsQuery = Record<string, unknown>;

export interface FilterTranslationOptions {
  /** The field to query for exact matching of a record field (default: the field itself). */
  readonly exactField?: (field: string) => string;
}

export class FilterTranslationError extends Error {
  override readonly name = 'FilterTranslationError';
}

/** The query clause matching the records `filter` matches. */
export function filterToEsQuery(filter: Filter, options: FilterTranslationOptions = {}): EsQuery {
  const exact = options.exactField ?? ((field: string) => field);
  const translate = (node: Filter): EsQuery => {
    switch (node.op) {
      case 'any':
        if (node.of.length === 0) return { match_none: {} };
        if (node.of.length === 1) return translate(node.of[0]);
        return { bool: { should: node.of.map(translate), minimum_should_match: 1 } };
      case 'all':
        if (node.of.length === 0) return { match_all: {} };
        if (node.of.length === 1) return translate(node.of[0]);
        return { bool: { filter: node.of.map(translate) } };
      default:
        return condition(node, exact);
    }
  };
  return translate(filter);
}

function condition(node: FieldCondition, exact: (field: string) => string): EsQuery {
  switch (node.op) {
    case 'eq':
      return { term: { [exact(node.field)]: { value: node.value } } };
    case 'in':
      if (node.value.length === 0) return { match_none: {} };
      return { terms: { [exact(node.field)]: [...node.value] } };
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt':
      if (!Number.isFinite(node.value)) {
        throw new FilterTranslationError(`${node.field} ${node.op} needs a finite number`);
      }
      return { range: { [node.field]: { [node.op]: node.value } } };
    case 'matches':
      return {
        regexp: {
          [exact(node.field)]: {
            value: jsRegexToLucene(node.value),
            case_insensitive: true,
            // The rewritten pattern escapes every optional operator, so none are needed.
            flags: 'NONE',
            max_determinized_states: 10000,
          },
        },
      };
    default:
      throw new FilterTranslationError(`unknown filter op in ${JSON.stringify(node)}`);
  }
}

// ----------------------------------------------------------------------------- regex rewriting

// Lucene reads `\x` as the character x (no `\n`, `\t` or `\u` escapes), so these hold the real
// characters, which Lucene takes literally inside a class.
/** Line terminators JavaScript's `.` does not match (Lucene's `.` matches any character). */
const JS_DOT = '[^\n\r\u2028\u2029]';
const CLASS_SHORTHANDS: Record<string, string> = {
  d: '0-9',
  w: 'A-Za-z0-9_',
  s: ' \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff',
};
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };

/**
 * Rewrites a JavaScript regex source (searched unanchored, flag `i`) into a Lucene regexp that
 * matches the same whole strings. Supports the portable subset core allows (literals, `|`, `.`,
 * `*`, `+`, `?`, `{m,n}`, `[...]`, groups, `\d \w \s` and their negations, escapes) plus `^`/`$`
 * at the ends of a top-level alternative. Throws `FilterTranslationError` for anything else
 * (word boundaries, anchors inside groups, lookaround, backreferences).
 */
export function jsRegexToLucene(source: string): string {
  const alternatives = splitTopLevel(source);
  const rewritten = alternatives.map((alternative) => {
    let body = alternative;
    let anchoredStart = false;
    let anchoredEnd = false;
    if (body.startsWith('^')) {
      anchoredStart = true;
      body = body.slice(1);
    }
    if (body.endsWith('$') && !isEscaped(body, body.length - 1)) {
      anchoredEnd = true;
      body = body.slice(0, -1);
    }
    const inner = rewriteSequence(body, source);
    return `${anchoredStart ? '' : '.*'}(${inner})${anchoredEnd ? '' : '.*'}`;
  });
  return rewritten.length === 1 ? rewritten[0] : rewritten.map((r) => `(${r})`).join('|');
}

function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Splits on `|` outside groups and classes. */
function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
    } else if (char === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(source.slice(start));
  return parts;
}

function unsupported(source: string, what: string): never {
  throw new FilterTranslationError(
    `the pattern /${source}/ uses ${what}, which has no exact equivalent in Elasticsearch regexp`,
  );
}

function rewriteSequence(body: string, source: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    switch (char) {
      case '\\': {
        const next = body[i + 1];
        if (next === undefined) unsupported(source, 'a trailing backslash');
        i++;
        out += rewriteEscape(next, body, i, source, false);
        if (next === 'u' || next === 'x') i += next === 'u' ? 4 : 2;
        break;
      }
      case '[': {
        const end = classEnd(body, i);
        if (end < 0) unsupported(source, 'an unclosed [');
        out += rewriteClass(body.slice(i + 1, end), source);
        i = end;
        break;
      }
      case '(': {
        if (body.startsWith('(?:', i)) {
          out += '(';
          i += 2;
        } else if (body[i + 1] === '?') {
          unsupported(source, 'lookaround or named groups');
        } else {
          out += '(';
        }
        break;
      }
      case ')':
      case '|':
      case '*':
      case '+':
      case '?':
        out += char;
        break;
      case '{': {
        const quantifier = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i));
        if (quantifier) {
          out += quantifier[0];
          i += quantifier[0].length - 1;
        } else {
          out += '\\{';
        }
        break;
      }
      case '.':
        out += JS_DOT;
        break;
      case '^':
      case '$':
        unsupported(source, `"${char}" inside the pattern`);
        break;
      default:
        out += literal(char);
    }
  }
  return out;
}

function rewriteEscape(
  next: string,
  text: string,
  index: number,
  source: string,
  inClass: boolean,
): string {
  if (next in CLASS_SHORTHANDS) {
    return inClass ? CLASS_SHORTHANDS[next] : `[${CLASS_SHORTHANDS[next]}]`;
  }
  const lower = next.toLowerCase();
  if (lower in CLASS_SHORTHANDS) {
    if (inClass) unsupported(source, `\\${next} inside [...]`);
    return `[^${CLASS_SHORTHANDS[lower]}]`;
  }
  return literal(escapedCharacter(next, text, index, source));
}

/** The character an escape (`\n`, `\x41`, `\u00e9`, `\.`) stands for. */
function escapedCharacter(next: string, text: string, index: number, source: string): string {
  if (next in CONTROL_ESCAPES) return CONTROL_ESCAPES[next];
  if (next === 'u' || next === 'x') {
    const length = next === 'u' ? 4 : 2;
    const digits = text.slice(index + 1, index + 1 + length);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) {
      unsupported(source, `\\${next} without hex digits`);
    }
    return String.fromCharCode(Number.parseInt(digits, 16));
  }
  if (/[bB]/.test(next)) unsupported(source, 'a word boundary (\\b)');
  if (/[1-9k]/.test(next)) unsupported(source, 'a backreference');
  if (/[A-Za-z0]/.test(next)) unsupported(source, `the escape \\${next}`);
  // An escaped punctuation character is itself.
  return next;
}

function classEnd(body: string, start: number): number {
  let i = start + 1;
  if (body[i] === '^') i++;
  // A `]` right after `[` or `[^` is a literal in JavaScript only when... it is not: JS closes
  // the class there (`[]` matches nothing). Keep JS meaning: search for the first unescaped `]`.
  for (; i < body.length; i++) {
    if (body[i] === '\\') i++;
    else if (body[i] === ']') return i;
  }
  return -1;
}

function rewriteClass(inner: string, source: string): string {
  let negated = false;
  let i = 0;
  if (inner.startsWith('^')) {
    negated = true;
    i = 1;
  }
  if (i >= inner.length) unsupported(source, 'an empty class []');
  // Items as code point ranges (single characters are ranges of one) plus shorthand text.
  const ranges: [number, number][] = [];
  let shorthands = '';
  const readChar = (): number | string => {
    const char = inner[i];
    if (char !== '\\') return char.charCodeAt(0);
    const next = inner[i + 1];
    if (next === undefined) unsupported(source, 'a trailing backslash');
    i++;
    if (next.toLowerCase() in CLASS_SHORTHANDS) return rewriteEscape(next, inner, i, source, true);
    const escaped = escapedCharacter(next, inner, i, source);
    if (next === 'u' || next === 'x') i += next === 'u' ? 4 : 2;
    return escaped.charCodeAt(0);
  };
  for (; i < inner.length; i++) {
    const first = readChar();
    if (typeof first === 'string') {
      shorthands += first;
      continue;
    }
    if (inner[i + 1] === '-' && i + 2 < inner.length) {
      i += 2;
      const last = readChar();
      if (typeof last === 'string') unsupported(source, 'a range ending in a shorthand');
      if (last < first) unsupported(source, 'a reversed range');
      ranges.push([first, last]);
    } else {
      ranges.push([first, first]);
    }
  }
  const folded = ranges.flatMap(([from, to]) => [
    [from, to] as [number, number],
    ...caseCounterparts(from, to),
  ]);
  const body = folded
    .map(([from, to]) =>
      from === to
        ? classLiteral(String.fromCharCode(from))
        : `${classLiteral(String.fromCharCode(from))}-${classLiteral(String.fromCharCode(to))}`,
    )
    .join('');
  return `[${negated ? '^' : ''}${body}${shorthands}]`;
}

/** The other-case ranges of the letters in `from..to` (JavaScript's `i` flag folds them too). */
function caseCounterparts(from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  const A = 65;
  const Z = 90;
  const a = 97;
  const z = 122;
  const upperFrom = Math.max(from, A);
  const upperTo = Math.min(to, Z);
  if (upperFrom <= upperTo) out.push([upperFrom + 32, upperTo + 32]);
  const lowerFrom = Math.max(from, a);
  const lowerTo = Math.min(to, z);
  if (lowerFrom <= lowerTo) out.push([lowerFrom - 32, lowerTo - 32]);
  // Non-ASCII letters one by one (small classes only; a wide range is kept as written).
  if (to > 127 && to - from < 256) {
    for (let code = Math.max(from, 128); code <= to; code++) {
      for (const other of otherCases(String.fromCharCode(code))) {
        const c = other.charCodeAt(0);
        out.push([c, c]);
      }
    }
  }
  return out;
}

function otherCases(char: string): string[] {
  return [char.toLowerCase(), char.toUpperCase()].filter(
    (other) => other !== char && other.length === 1,
  );
}

/**
 * A literal character outside a class: letters as a class of both cases (Lucene's
 * `case_insensitive` folds ASCII only, JavaScript's `i` folds every letter), Lucene's reserved and
 * optional-operator characters escaped.
 */
function literal(char: string): string {
  const cases = otherCases(char);
  if (cases.length > 0) return `[${classLiteral(char)}${cases.map(classLiteral).join('')}]`;
  if (/[A-Za-z0-9_ ]/.test(char) || char.charCodeAt(0) > 127) return char;
  return `\\${char}`;
}

function classLiteral(char: string): string {
  if (/[A-Za-z0-9_ ]/.test(char) || char.charCodeAt(0) > 127) return char;
  return `\\${char}`;
}
