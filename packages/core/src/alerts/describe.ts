import type { Filter, ScalarValue } from './filter.js';
import type { AlertDefinition } from './model.js';

const NUMERIC_SYMBOL = { gte: '>=', gt: '>', lte: '<=', lt: '<' } as const;

/**
 * A filter as one human-readable line for plan output, e.g.
 * `event = "auth.failure" OR message matches /login failed/i`.
 * Nested groups are parenthesised so that the reading is never ambiguous.
 */
export function describeFilter(filter: Filter): string {
  return describe(filter, true);
}

function describe(filter: Filter, topLevel: boolean): string {
  switch (filter.op) {
    case 'any':
    case 'all': {
      if (filter.of.length === 0) return filter.op === 'any' ? 'never' : 'always';
      if (filter.of.length === 1) return describe(filter.of[0], topLevel);
      const joined = filter.of
        .map((child) => describe(child, false))
        .join(filter.op === 'any' ? ' OR ' : ' AND ');
      return topLevel ? joined : `(${joined})`;
    }
    case 'eq':
      return `${filter.field} = ${formatValue(filter.value)}`;
    case 'in':
      return `${filter.field} in (${filter.value.map(formatValue).join(', ')})`;
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt':
      return `${filter.field} ${NUMERIC_SYMBOL[filter.op]} ${filter.value}`;
    case 'matches':
      return `${filter.field} matches /${filter.value.replaceAll('/', '\\/')}/i`;
  }
}

function formatValue(value: ScalarValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * One line per alert for plan output, e.g.
 * `error-rate [critical]: count(log_level in ("error", "fatal")) >= 50 within 5 min`.
 */
export function describeAlert(definition: AlertDefinition): string {
  const per = definition.groupBy?.length ? ` per ${definition.groupBy.join(', ')}` : '';
  const measured =
    definition.kind === 'log-count'
      ? `count(${describeFilter(definition.filter)})${per}`
      : `max(${definition.metric})${per}`;
  const disabled = definition.enabled ? '' : ' (disabled)';
  return (
    `${definition.id} [${definition.severity}]: ${measured} ${definition.comparator} ` +
    `${definition.threshold} within ${definition.windowMinutes} min${disabled}`
  );
}
