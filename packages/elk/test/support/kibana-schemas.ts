/**
 * Request-body schemas the fake Kibana validates against, trimmed from Kibana's OpenAPI specs
 * (alerting: create_rule_request / update_rule_request / actions / schedule; data views:
 * create_data_view_request_object / update_data_view_request_object; connectors:
 * create_connector_request_*). Written here by hand so the tests stand alone.
 *
 * Kibana validates bodies with @kbn/config-schema, whose objects are strict: an unknown key is a
 * 400 "[request body.<key>]: definition for this key is missing". The schemas are strict for
 * the same reason, and `configSchemaMessage` renders zod issues in that format.
 */
import { z } from 'zod';

const notifyWhen = z.enum(['onActionGroupChange', 'onActiveAlert', 'onThrottleInterval']);

const frequency = z.strictObject({
  notify_when: notifyWhen,
  summary: z.boolean(),
  throttle: z.string().nullable().optional(),
});

function action(withFrequency: boolean) {
  return z.strictObject({
    id: z.string(),
    group: z.string(),
    params: z.record(z.string(), z.unknown()),
    ...(withFrequency ? { frequency: frequency.optional() } : {}),
    uuid: z.string().optional(),
    alerts_filter: z.record(z.string(), z.unknown()).optional(),
  });
}

const schedule = z.strictObject({ interval: z.string().regex(/^\d+[smhd]$/) });

/** `create_rule_request` (spec) as Kibana enforces it. */
export function createRuleSchema(withFrequency: boolean) {
  return z.strictObject({
    name: z.string().min(1),
    rule_type_id: z.string(),
    consumer: z.string(),
    schedule,
    params: z.record(z.string(), z.unknown()),
    enabled: z.boolean().optional(),
    tags: z.array(z.string()).optional(),
    throttle: z.string().nullable().optional(),
    notify_when: notifyWhen.nullable().optional(),
    actions: z.array(action(withFrequency)).optional(),
  });
}

/** `update_rule_request` (spec): no rule_type_id, consumer or enabled. */
export function updateRuleSchema(withFrequency: boolean) {
  return z.strictObject({
    name: z.string().min(1),
    schedule,
    params: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()).optional(),
    throttle: z.string().nullable().optional(),
    notify_when: notifyWhen.nullable().optional(),
    actions: z.array(action(withFrequency)).optional(),
  });
}

/**
 * The `.es-query` rule type's params (Kibana's stack alerts plugin), with the defaults it fills
 * in. `modern` (8.5+) adds searchType and excludeHitsFromPreviousRun; grouping is 8.10+.
 */
export function esQueryParamsSchema(options: { modern: boolean; grouping: boolean }) {
  return z
    .strictObject({
      size: z.number().int().min(0).max(10000),
      timeWindowSize: z.number().int().min(1),
      timeWindowUnit: z.enum(['s', 'm', 'h', 'd']),
      threshold: z.array(z.number()).min(1).max(2),
      thresholdComparator: z.enum(['>', '<', '>=', '<=', 'between', 'notBetween']),
      esQuery: z.string().min(1),
      index: z.array(z.string().min(1)).min(1),
      timeField: z.string().min(1),
      ...(options.modern
        ? {
            searchType: z.enum(['esQuery', 'searchSource', 'esqlQuery']).default('esQuery'),
            excludeHitsFromPreviousRun: z.boolean().default(true),
          }
        : {}),
      ...(options.grouping
        ? {
            aggType: z.enum(['count', 'avg', 'min', 'max', 'sum']).default('count'),
            groupBy: z.enum(['all', 'top']).default('all'),
            termField: z.union([z.string(), z.array(z.string()).min(1).max(4)]).optional(),
            termSize: z.number().int().min(1).optional(),
            aggField: z.string().optional(),
            sourceFields: z.array(z.unknown()).optional(),
          }
        : {}),
    })
    .superRefine((params, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(params.esQuery);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['esQuery'], message: 'must be valid JSON' });
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || !('query' in parsed)) {
        ctx.addIssue({ code: 'custom', path: ['esQuery'], message: 'must contain "query"' });
      }
      const between = ['between', 'notBetween'].includes(params.thresholdComparator);
      if (between && params.threshold.length !== 2) {
        ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'must have two elements' });
      }
      if (!between && params.threshold.length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'must have one element' });
      }
      const grouped = (params as { groupBy?: string }).groupBy === 'top';
      if (grouped && (params as { termField?: unknown }).termField === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['termField'],
          message: 'required when groupBy is top',
        });
      }
    });
}

/** Params of the connector types the fake knows, for action params validation. */
export const ACTION_PARAMS: Record<string, z.ZodType> = {
  '.server-log': z.strictObject({
    message: z.string().min(1),
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
  }),
  '.index': z.strictObject({
    documents: z.array(z.record(z.string(), z.unknown())).min(1),
    indexOverride: z.string().nullable().optional(),
  }),
  '.email': z
    .strictObject({
      to: z.array(z.string()).optional(),
      cc: z.array(z.string()).optional(),
      bcc: z.array(z.string()).optional(),
      subject: z.string().min(1),
      message: z.string().min(1),
    })
    .refine((p) => (p.to?.length ?? 0) + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0) > 0, {
      message: 'at least one recipient is required',
    }),
  '.webhook': z.strictObject({ body: z.string().optional() }),
};

/** `create_connector_request_*` (spec): name, type, and the config the type needs. */
export const createConnectorSchema = z
  .strictObject({
    name: z.string().min(1),
    connector_type_id: z.string(),
    config: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.connector_type_id === '.index' && typeof body.config?.index !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['config', 'index'],
        message: 'expected value of type [string] but got [undefined]',
      });
    }
  });

const dataViewFields = {
  title: z.string().min(1),
  name: z.string().optional(),
  timeFieldName: z.string().optional(),
  allowNoIndex: z.boolean().optional(),
  sourceFilters: z.array(z.strictObject({ value: z.string() })).optional(),
  fieldFormats: z.record(z.string(), z.unknown()).optional(),
  fieldAttrs: z.record(z.string(), z.unknown()).optional(),
  runtimeFieldMap: z.record(z.string(), z.unknown()).optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  type: z.string().optional(),
  typeMeta: z.record(z.string(), z.unknown()).optional(),
};

/** `create_data_view_request_object` (spec); `withName` false for Kibana before 8.3. */
export function createDataViewSchema(key: 'data_view' | 'index_pattern', withName: boolean) {
  const { name, ...withoutName } = dataViewFields;
  return z.strictObject({
    [key]: z.strictObject({
      ...(withName ? { ...withoutName, name } : withoutName),
      id: z.string().optional(),
      version: z.string().optional(),
      namespaces: z.array(z.string()).optional(),
    }),
    override: z.boolean().optional(),
  });
}

/** `update_data_view_request_object` (spec): every property optional. */
export function updateDataViewSchema(key: 'data_view' | 'index_pattern', withName: boolean) {
  const { name, title, ...rest } = dataViewFields;
  return z.strictObject({
    [key]: z.strictObject({
      ...rest,
      title: title.optional(),
      ...(withName ? { name } : {}),
    }),
    refresh_fields: z.boolean().optional(),
  });
}

/** zod issues as @kbn/config-schema words them: `[request body.a.b]: message`. */
export function configSchemaMessage(error: z.ZodError, prefix = 'request body'): string {
  const issue = error.issues[0];
  if (issue === undefined) return `[${prefix}]: invalid`;
  const path = issue.path.map(String).join('.');
  const at = path === '' ? prefix : `${prefix}.${path}`;
  if (issue.code === 'unrecognized_keys') {
    return `[${at === prefix ? prefix : at}.${issue.keys[0] ?? ''}]: definition for this key is missing`;
  }
  if (issue.code === 'invalid_type') {
    return `[${at}]: expected value of type [${issue.expected}] but got [${describeInput(issue.input)}]`;
  }
  return `[${at}]: ${issue.message}`;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'undefined';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'Array';
  return typeof input;
}
