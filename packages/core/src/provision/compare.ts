/**
 * Semantic comparison of what a server stores with what setup wants. Servers echo bodies back
 * with their own spelling: numbers or booleans as strings, defaults filled in, bookkeeping added
 * (ids, dates). So the desired body is compared as a subset of the stored one.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The differences where `desired` is not contained in `actual`: objects are compared key by key
 * (extra keys in `actual` are fine), arrays element by element (same length), scalars loosely
 * (`1` equals `"1"`, `true` equals `"true"`, since servers stringify settings). Returns one line
 * per difference (`path: actual → desired`), empty when `desired` is contained.
 */
export function subsetDifferences(desired: unknown, actual: unknown, path = ''): string[] {
  if (isObject(desired)) {
    if (!isObject(actual)) return [`${path || '(root)'}: ${show(actual)} → object`];
    return Object.entries(desired).flatMap(([key, value]) =>
      subsetDifferences(value, actual[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) {
      return [`${path || '(root)'}: ${show(actual)} → ${show(desired)}`];
    }
    return desired.flatMap((value, i) => subsetDifferences(value, actual[i], `${path}[${i}]`));
  }
  if (scalarEquals(desired, actual)) return [];
  return [`${path}: ${show(actual)} → ${show(desired)}`];
}

function scalarEquals(desired: unknown, actual: unknown): boolean {
  if (desired === actual) return true;
  if (desired === undefined || desired === null) return actual === undefined || actual === null;
  if (!isScalar(desired) || !isScalar(actual)) return false;
  return String(desired) === String(actual);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** At most `max` difference lines joined for a plan's detail. */
export function summarize(differences: readonly string[], max = 3): string {
  if (differences.length <= max) return differences.join('; ');
  return `${differences.slice(0, max).join('; ')}; and ${differences.length - max} more`;
}
