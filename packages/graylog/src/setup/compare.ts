/**
 * Whether what Graylog holds already is what setup wants: every field setup sends must read back
 * equal, while fields Graylog adds (ids, dates, defaults) are ignored.
 */

/** Paths (`config.series[0].field`) where `have` does not hold `want`'s value. */
export function differences(want: unknown, have: unknown, path = ''): string[] {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return [path || '(root)'];
    return want.flatMap((w, i) => differences(w, have[i], `${path}[${i}]`));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return [path || '(root)'];
    const record = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).flatMap(([key, value]) =>
      differences(value, record[key], path ? `${path}.${key}` : key),
    );
  }
  // Graylog drops some nulls on the way back; a wanted null matches a missing field.
  if (want === null && have === undefined) return [];
  return Object.is(want, have) ? [] : [path || '(root)'];
}
