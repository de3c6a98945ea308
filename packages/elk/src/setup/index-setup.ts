/**
 * Index setup as plan, then apply: the composable index template with explicit mappings, and
 * retention of `retentionDays`:
 *
 * - Elasticsearch: an ILM policy attached through the template's `index.lifecycle.name`. Daily
 *   indices get only a delete phase (the name carries the day, so there is nothing to roll over;
 *   `min_age` counts from index creation); a data stream gets hot rollover (1 day / 50 GB per
 *   primary shard) and delete (counted from rollover).
 * - OpenSearch with the Index State Management plugin: an ISM policy whose `ism_template`
 *   attaches it to new indices.
 * - OpenSearch without ISM (or Elasticsearch without ILM, e.g. Serverless): daily indices are
 *   deleted by name, as Curator does: an index whose name's date span ended more than
 *   `retentionDays` ago. Plan lists them (nothing is deleted by plan), apply and the `retention`
 *   task delete them; `retention-dry-run` only lists.
 *
 * Plan compares the stored template and policy with the desired bodies semantically (core's
 * `subsetDifferences`, plus compare.ts) and lists only what differs; apply changes only that, so a second apply is empty.
 */
import {
  planAndApply,
  subsetDifferences,
  summarize,
  type Provisioner,
  type ProvisionerTask,
  type ProvisionStep,
  type Schema,
} from '@lms-logging/core';
import { contentHash, flattenSettings } from './compare.js';
import { resolveTarget, type IndexTargetSpec, type ResolvedTarget } from './index-naming.js';
import { mappingsFor } from './mappings.js';
import { describeSearchError, type SearchApi } from './search-api.js';

export const MANAGED_BY = 'lms-logging';
export const DEFAULT_TEMPLATE_PRIORITY = 200;

export interface IndexSetupOptions extends IndexTargetSpec {
  /** The cluster, or a function connecting on first use. */
  readonly api: SearchApi | (() => Promise<SearchApi>);
  /** Delete data older than this many days. */
  readonly retentionDays: number;
  /** Record schema of the mappings. Default `lms`. */
  readonly schema?: Schema;
  /** Template priority; must beat built-in templates (`logs-*-*` has 100). Default 200. */
  readonly priority?: number;
  /** Clock for name-based retention. Default `Date.now`. */
  readonly now?: () => number;
}

/** How retention is enforced on the server at hand. */
export type RetentionMode = 'ilm' | 'ism' | 'by-name' | 'none';

export interface IndexSetup extends Provisioner {
  readonly target: ResolvedTarget;
  /** Which retention this server gets (detected on first use). */
  retentionMode(): Promise<RetentionMode>;
  /** Daily indices older than the retention, by name (what the `retention` task deletes). */
  expiredIndices(): Promise<string[]>;
}

type Json = Record<string, unknown>;

const DELETE_BATCH = 50;

export function createIndexSetup(options: IndexSetupOptions): IndexSetup {
  const target = resolveTarget(options);
  const schema = options.schema ?? 'lms';
  const days = options.retentionDays;
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`retentionDays must be a whole number of days >= 1, got ${days}`);
  }
  const now = options.now ?? Date.now;
  const name = target.resourceName;
  let apiPromise: Promise<SearchApi> | undefined;
  const api = (): Promise<SearchApi> => {
    apiPromise ??= typeof options.api === 'function' ? options.api() : Promise.resolve(options.api);
    return apiPromise;
  };
  let modePromise: Promise<RetentionMode> | undefined;

  const retentionMode = (): Promise<RetentionMode> => {
    modePromise ??= detectRetentionMode();
    return modePromise;
  };

  async function detectRetentionMode(): Promise<RetentionMode> {
    // A lifecycle policy on one undated index would delete all of it at once: no retention.
    if (target.kind === 'static') return 'none';
    const search = await api();
    if (search.flavor === 'elasticsearch') {
      const res = await search.request('GET', `/_ilm/policy/${encodeURIComponent(name)}`);
      if (res.statusCode === 200 || isNotFoundAnswer(res)) return 'ilm';
    } else {
      const res = await search.request('GET', '/_plugins/_ism/policies', undefined, { size: '1' });
      if (res.statusCode === 200 || isNotFoundAnswer(res)) return 'ism';
    }
    return target.kind === 'daily' ? 'by-name' : 'none';
  }

  // ------------------------------------------------------------------------- desired bodies

  const ilmPolicy = (): Json => {
    const phases: Json =
      target.kind === 'data-stream'
        ? {
            hot: {
              min_age: '0ms',
              actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } },
            },
            delete: {
              min_age: `${days}d`,
              actions: { delete: { delete_searchable_snapshot: true } },
            },
          }
        : {
            delete: {
              min_age: `${days}d`,
              actions: { delete: { delete_searchable_snapshot: true } },
            },
          };
    const policy: Json = { phases, _meta: { managed_by: MANAGED_BY } };
    return { policy: withHash(policy) };
  };

  const ismPolicy = (): Json => {
    const hotActions =
      target.kind === 'data-stream'
        ? [{ rollover: { min_index_age: '1d', min_primary_shard_size: '50gb' } }]
        : [];
    const policy: Json = {
      description: `${MANAGED_BY}: delete ${target.pattern} indices ${days} days after creation`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: hotActions,
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [target.pattern], priority: 100 }],
    };
    return { policy };
  };

  const templateBody = (mode: RetentionMode): Json => {
    const settings: Json = mode === 'ilm' ? { index: { lifecycle: { name } } } : {};
    const body: Json = {
      index_patterns: [target.pattern],
      priority: options.priority ?? DEFAULT_TEMPLATE_PRIORITY,
      ...(target.kind === 'data-stream' ? { data_stream: {} } : {}),
      template: { settings, mappings: mappingsFor(schema) },
      _meta: { managed_by: MANAGED_BY, schema },
    };
    return withHash(body);
  };

  // ------------------------------------------------------------------------- resources

  async function templateResource(
    search: SearchApi,
    mode: RetentionMode,
  ): Promise<ProvisionStep[]> {
    const desired = templateBody(mode);
    const path = `/_index_template/${encodeURIComponent(name)}`;
    const res = await search.request<{ index_templates?: { index_template: Json }[] }>('GET', path);
    const put = async (): Promise<void> => {
      const out = await search.request('PUT', path, desired);
      if (!isOk(out.statusCode)) throw new Error(`PUT ${path}: ${describeSearchError(out)}`);
    };
    if (res.statusCode === 404) {
      return [
        {
          change: {
            action: 'create',
            kind: 'index-template',
            name,
            detail: `${target.pattern}, ${schema} mappings${mode === 'ilm' ? `, ILM policy ${name}` : ''}`,
          },
          apply: put,
        },
      ];
    }
    if (!isOk(res.statusCode)) throw new Error(`GET ${path}: ${describeSearchError(res)}`);
    const actual = res.body.index_templates?.[0]?.index_template ?? {};
    const differences = templateDifferences(desired, actual);
    if (differences.length === 0) return [];
    return [
      {
        change: { action: 'update', kind: 'index-template', name, detail: summarize(differences) },
        apply: put,
      },
    ];
  }

  async function ilmResource(search: SearchApi): Promise<ProvisionStep[]> {
    const desired = ilmPolicy();
    const path = `/_ilm/policy/${encodeURIComponent(name)}`;
    const res = await search.request<Record<string, { policy?: Json }>>('GET', path);
    const put = async (): Promise<void> => {
      const out = await search.request('PUT', path, desired);
      if (!isOk(out.statusCode)) throw new Error(`PUT ${path}: ${describeSearchError(out)}`);
    };
    const detail =
      target.kind === 'data-stream'
        ? `rollover daily or at 50gb per primary shard, delete ${days} days after rollover`
        : `delete ${days} days after index creation`;
    if (res.statusCode === 404) {
      return [{ change: { action: 'create', kind: 'ilm-policy', name, detail }, apply: put }];
    }
    if (!isOk(res.statusCode)) throw new Error(`GET ${path}: ${describeSearchError(res)}`);
    const actual = res.body[name]?.policy ?? {};
    const differences = policyDifferences(desired.policy as Json, actual);
    if (differences.length === 0) return [];
    return [
      {
        change: { action: 'update', kind: 'ilm-policy', name, detail: summarize(differences) },
        apply: put,
      },
    ];
  }

  async function ismResource(search: SearchApi): Promise<ProvisionStep[]> {
    const desired = ismPolicy();
    const path = `/_plugins/_ism/policies/${encodeURIComponent(name)}`;
    const res = await search.request<{ _seq_no?: number; _primary_term?: number; policy?: Json }>(
      'GET',
      path,
    );
    const detail = `delete ${target.pattern} ${days} days after index creation`;
    if (res.statusCode === 404) {
      return [
        {
          change: { action: 'create', kind: 'ism-policy', name, detail },
          apply: async () => {
            const out = await search.request('PUT', path, desired);
            if (!isOk(out.statusCode)) throw new Error(`PUT ${path}: ${describeSearchError(out)}`);
          },
        },
      ];
    }
    if (!isOk(res.statusCode)) throw new Error(`GET ${path}: ${describeSearchError(res)}`);
    const differences = subsetDifferences(desired.policy, res.body.policy ?? {});
    if (differences.length === 0) return [];
    return [
      {
        change: { action: 'update', kind: 'ism-policy', name, detail: summarize(differences) },
        apply: async () => {
          // ISM updates are optimistic: they name the version they replace.
          const out = await search.request('PUT', path, desired, {
            if_seq_no: String(res.body._seq_no ?? 0),
            if_primary_term: String(res.body._primary_term ?? 1),
          });
          if (!isOk(out.statusCode)) throw new Error(`PUT ${path}: ${describeSearchError(out)}`);
        },
      },
    ];
  }

  async function dataStreamResource(search: SearchApi): Promise<ProvisionStep[]> {
    if (target.kind !== 'data-stream') return [];
    const path = `/_data_stream/${encodeURIComponent(name)}`;
    const res = await search.request('GET', path);
    if (isOk(res.statusCode)) return [];
    if (res.statusCode !== 404) throw new Error(`GET ${path}: ${describeSearchError(res)}`);
    return [
      {
        change: { action: 'create', kind: 'data-stream', name, detail: 'uses the index template' },
        apply: async () => {
          const out = await search.request('PUT', path);
          // 400 resource_already_exists: created by a write in between, which is fine.
          if (!isOk(out.statusCode) && !/already_exists/.test(JSON.stringify(out.body))) {
            throw new Error(`PUT ${path}: ${describeSearchError(out)}`);
          }
        },
      },
    ];
  }

  async function expiredIndices(): Promise<string[]> {
    if (target.kind !== 'daily') return [];
    const search = await api();
    const res = await search.request<{ index: string }[]>(
      'GET',
      `/_cat/indices/${encodeURIComponent(target.pattern).replace(/%2A/g, '*')}`,
      undefined,
      { format: 'json', h: 'index', expand_wildcards: 'open,closed' },
    );
    if (!isOk(res.statusCode))
      throw new Error(`listing ${target.pattern}: ${describeSearchError(res)}`);
    const cutoff = now() - days * 86_400_000;
    return res.body
      .map((row) => row.index)
      .filter((index) => {
        const span = target.periodOf(index);
        return span !== undefined && span.end <= cutoff;
      })
      .sort();
  }

  async function deleteIndices(names: readonly string[]): Promise<void> {
    const search = await api();
    for (let i = 0; i < names.length; i += DELETE_BATCH) {
      const batch = names.slice(i, i + DELETE_BATCH);
      const path = `/${batch.map(encodeURIComponent).join(',')}`;
      // ignore_unavailable: an index deleted meanwhile is not an error.
      const res = await search.request('DELETE', path, undefined, { ignore_unavailable: 'true' });
      if (!isOk(res.statusCode)) throw new Error(`DELETE ${path}: ${describeSearchError(res)}`);
    }
  }

  async function retentionResources(mode: RetentionMode): Promise<ProvisionStep[]> {
    if (mode !== 'by-name') return [];
    const expired = await expiredIndices();
    return expired.map((index) => ({
      change: {
        action: 'delete',
        kind: 'index',
        name: index,
        detail: `older than ${days} days by its name (dry run: the server has no ${
          target.kind === 'daily' ? 'ISM/ILM' : 'lifecycle'
        } policy; apply or the retention task deletes it)`,
      },
      apply: () => deleteIndices([index]),
    }));
  }

  async function resources(): Promise<ProvisionStep[]> {
    const search = await api();
    const mode = await retentionMode();
    const list: ProvisionStep[] = [];
    if (mode === 'ilm') list.push(...(await ilmResource(search)));
    if (mode === 'ism') list.push(...(await ismResource(search)));
    list.push(...(await templateResource(search, mode)));
    list.push(...(await dataStreamResource(search)));
    list.push(...(await retentionResources(mode)));
    return list;
  }

  const retentionTask = (dryRun: boolean): ProvisionerTask => ({
    description: dryRun
      ? `List ${target.pattern} indices older than ${days} days by their name (deletes nothing)`
      : `Delete ${target.pattern} indices older than ${days} days by their name (Curator-style; for servers without ILM/ISM)`,
    async run() {
      if (target.kind !== 'daily') {
        return {
          ok: true,
          lines: [`${target.setting} is not a dated index name; retention by name does not apply`],
        };
      }
      const expired = await expiredIndices();
      if (expired.length === 0) {
        return { ok: true, lines: [`no ${target.pattern} index is older than ${days} days`] };
      }
      if (!dryRun) await deleteIndices(expired);
      const verb = dryRun ? 'would delete' : 'deleted';
      return { ok: true, lines: expired.map((index) => `${verb} ${index}`) };
    },
  });

  return {
    name: 'elasticsearch-indices',
    target,
    retentionMode,
    expiredIndices,
    ...planAndApply(resources),
    tasks: {
      retention: retentionTask(false),
      'retention-dry-run': retentionTask(true),
    },
  };
}

// ----------------------------------------------------------------------------- comparison

/** The desired body with `_meta.hash` of everything else, so removed keys show up too. */
function withHash(body: Json): Json {
  const meta = (body._meta ?? {}) as Json;
  return { ...body, _meta: { ...meta, hash: contentHash(body) } };
}

function metaHash(value: Json): unknown {
  return (value._meta as Json | undefined)?.hash;
}

function showHash(hash: unknown): string {
  return typeof hash === 'string' ? hash : '(none)';
}

/** Differences of a stored index template from the desired one. */
export function templateDifferences(desired: Json, actual: Json): string[] {
  const desiredTemplate = (desired.template ?? {}) as Json;
  const actualTemplate = (actual.template ?? {}) as Json;
  const differences = [
    ...subsetDifferences(desired.index_patterns, actual.index_patterns, 'index_patterns'),
    ...subsetDifferences(desired.priority, actual.priority, 'priority'),
    ...subsetDifferences(desired.data_stream, actual.data_stream, 'data_stream'),
    ...subsetDifferences(
      flattenSettings(desiredTemplate.settings),
      flattenSettings(actualTemplate.settings),
      'settings',
    ),
    ...subsetDifferences(desiredTemplate.mappings, actualTemplate.mappings, 'mappings'),
  ];
  if (desired.data_stream === undefined && actual.data_stream !== undefined) {
    differences.push('data_stream: set → (none)');
  }
  if (differences.length === 0 && metaHash(desired) !== metaHash(actual)) {
    differences.push(`_meta.hash: ${showHash(metaHash(actual))} → ${showHash(metaHash(desired))}`);
  }
  return differences;
}

function policyDifferences(desired: Json, actual: Json): string[] {
  const differences = subsetDifferences(desired.phases, actual.phases, 'phases');
  const desiredPhases = Object.keys(desired.phases ?? {});
  for (const phase of Object.keys(actual.phases ?? {})) {
    if (!desiredPhases.includes(phase)) differences.push(`phases.${phase}: set → (none)`);
  }
  if (differences.length === 0 && metaHash(desired) !== metaHash(actual)) {
    differences.push(`_meta.hash: ${showHash(metaHash(actual))} → ${showHash(metaHash(desired))}`);
  }
  return differences;
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * A 404 about the object (the API exists). "no handler found for uri" (400/405/404 depending on
 * server and version) means the API, i.e. the plugin or feature, is missing.
 */
function isNotFoundAnswer(res: { statusCode: number; body: unknown }): boolean {
  if (res.statusCode !== 404) return false;
  return !/no handler found/i.test(JSON.stringify(res.body));
}
