/**
 * The Kibana saved objects setup imports: five saved searches, five visualizations and the
 * "LMS system health" dashboard, as `.ndjson` for `POST /api/saved_objects/_import`.
 *
 * Shapes are those of Kibana 8.x exports, declared at migration version 8.0.0 so that every newer
 * 8.x/9.x Kibana migrates them forward on import:
 * - `search`: `columns`, `sort`, and `kibanaSavedObjectMeta.searchSourceJSON` whose data view is
 *   a reference (`indexRefName`) and whose filter is a `custom` query DSL filter, the same query
 *   the matching alert rule runs (filter-to-es-query.ts), so Discover shows exactly what alerts
 *   count. (KQL cannot express the case-insensitive message regex of the auth alert.)
 * - `visualization`: aggregation-based (legacy) `visState` JSON (histogram, table). Chosen over
 *   Lens because the legacy state is small, stable across 8.x and validated by its own migrations,
 *   while Lens state changed shape several times (`indexpattern` → `formBased`).
 * - `dashboard`: `panelsJSON` panels with `panelRefName: panel_<i>` and references named
 *   `<panelIndex>:panel_<i>`, the 8.x reference format.
 *
 * Ids are deterministic (prefixed with the space for non-default spaces, since 8.x saved object
 * ids are unique across spaces). Each object's description ends with `[lms-logging <hash>]`, a
 * hash of its content: plan reads it back (`_bulk_get`) and imports only objects whose hash
 * differs, because Kibana's own migrations may rewrite other attributes on import.
 */
import type { AlertFieldNames, Filter, Schema } from '@lms-logging/core';
import { contentHash } from './compare.js';
import { filterToEsQuery } from './filter-to-es-query.js';
import { exactFieldFor } from './mappings.js';

export const SAVED_OBJECT_VERSION = '8.0.0';
export const HASH_MARKER = /\[lms-logging ([0-9a-f]{16})\]\s*$/;

export interface SavedObject {
  readonly type: 'search' | 'visualization' | 'dashboard';
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly references: readonly { name: string; type: string; id: string }[];
  readonly coreMigrationVersion: string;
  readonly migrationVersion: Record<string, string>;
}

export interface SavedSearchSpec {
  readonly key: 'errors' | 'warnings' | 'http-5xx' | 'auth-failures' | 'slow-requests';
  readonly title: string;
  readonly description: string;
  readonly filter: Filter;
}

export interface KibanaObjectsOptions {
  /** Id of the data view every object uses. */
  readonly dataViewId: string;
  /** Prefix of every id (space and target make it unique). */
  readonly idPrefix: string;
  readonly schema: Schema;
  readonly fields: AlertFieldNames;
  readonly searches: readonly SavedSearchSpec[];
}

interface FieldSet {
  readonly service: string;
  readonly environment: string;
  readonly route: string;
  readonly level: string;
  readonly status: string;
  readonly duration: string;
  readonly messageExact: string;
}

function fieldSet(schema: Schema, fields: AlertFieldNames): FieldSet {
  return {
    service: schema === 'ecs' ? 'service.name' : 'service',
    environment: schema === 'ecs' ? 'service.environment' : 'environment',
    route: schema === 'ecs' ? 'url.path' : 'route',
    level: fields.levelField,
    status: fields.statusField,
    duration: fields.durationField,
    messageExact: exactFieldFor(schema, fields.messageField),
  };
}

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';
const FILTER_REF = 'kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index';

/** Every saved object, in import order (searches, visualizations, dashboard). */
export function buildSavedObjects(options: KibanaObjectsOptions): SavedObject[] {
  const f = fieldSet(options.schema, options.fields);
  const id = (suffix: string): string => `${options.idPrefix}${suffix}`;
  const exact = (field: string): string => exactFieldFor(options.schema, field);
  const searchId = (key: SavedSearchSpec['key']): string => id(`search-${key}`);

  const searches = options.searches.map((spec) => {
    const query = filterToEsQuery(spec.filter, { exactField: exact });
    const searchSource = {
      query: { query: '', language: 'kuery' },
      filter: [
        {
          meta: {
            alias: spec.title,
            negate: false,
            disabled: false,
            type: 'custom',
            key: 'query',
            value: JSON.stringify(query),
            indexRefName: FILTER_REF,
          },
          query,
          $state: { store: 'appState' },
        },
      ],
      indexRefName: INDEX_REF,
    };
    return finish({
      type: 'search',
      id: searchId(spec.key),
      attributes: {
        title: spec.title,
        description: spec.description,
        columns: [f.level, f.service, f.environment, options.fields.messageField],
        sort: [['@timestamp', 'desc']],
        grid: {},
        hideChart: false,
        kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
      },
      references: [
        { name: INDEX_REF, type: 'index-pattern', id: options.dataViewId },
        { name: FILTER_REF, type: 'index-pattern', id: options.dataViewId },
      ],
    });
  });

  const has = (key: SavedSearchSpec['key']): boolean =>
    options.searches.some((spec) => spec.key === key);

  const visualizations: SavedObject[] = [];
  if (has('errors')) {
    visualizations.push(
      visualization(
        id('vis-errors-over-time'),
        'LMS errors over time',
        'Error and fatal records per interval, by service.',
        searchId('errors'),
        {
          type: 'histogram',
          aggs: [countAgg(), dateHistogramAgg('2'), termsAgg('3', f.service, 'group', 5)],
          params: histogramParams(),
        },
      ),
    );
  }
  if (has('http-5xx')) {
    visualizations.push(
      visualization(
        id('vis-5xx-over-time'),
        'LMS HTTP 5xx over time',
        'Responses with status 5xx per interval, by status code.',
        searchId('http-5xx'),
        {
          type: 'histogram',
          aggs: [countAgg(), dateHistogramAgg('2'), termsAgg('3', f.status, 'group', 10)],
          params: histogramParams(),
        },
      ),
    );
  }
  if (has('errors')) {
    visualizations.push(
      visualization(
        id('vis-top-error-messages'),
        'LMS top error messages',
        'The most frequent error messages.',
        searchId('errors'),
        {
          type: 'table',
          aggs: [countAgg(), termsAgg('2', f.messageExact, 'bucket', 10)],
          params: tableParams(),
        },
      ),
    );
  }
  if (has('slow-requests')) {
    visualizations.push(
      visualization(
        id('vis-slow-requests'),
        'LMS slow requests by route',
        'Slow requests per route with their average and longest duration.',
        searchId('slow-requests'),
        {
          type: 'table',
          aggs: [
            countAgg(),
            {
              id: '3',
              enabled: true,
              type: 'avg',
              params: { field: f.duration },
              schema: 'metric',
            },
            {
              id: '4',
              enabled: true,
              type: 'max',
              params: { field: f.duration },
              schema: 'metric',
            },
            termsAgg('2', f.route, 'bucket', 10),
          ],
          params: tableParams(),
        },
      ),
    );
  }
  visualizations.push(
    visualization(
      id('vis-by-service-environment'),
      'LMS records by service and environment',
      'Record counts per service and environment, by level.',
      undefined,
      {
        type: 'table',
        aggs: [
          countAgg(),
          termsAgg('2', f.service, 'bucket', 20),
          termsAgg('3', f.environment, 'bucket', 10),
          termsAgg('4', f.level, 'bucket', 6),
        ],
        params: tableParams(),
      },
      options.dataViewId,
    ),
  );

  const panels: { type: string; id: string }[] = [
    ...visualizations.map((v) => ({ type: 'visualization', id: v.id })),
    ...(has('errors') ? [{ type: 'search', id: searchId('errors') }] : []),
  ];
  const panelsJson = panels.map((panel, i) => ({
    version: SAVED_OBJECT_VERSION,
    type: panel.type,
    gridData: { x: (i % 2) * 24, y: Math.floor(i / 2) * 15, w: 24, h: 15, i: `${i + 1}` },
    panelIndex: `${i + 1}`,
    embeddableConfig: {},
    panelRefName: `panel_${i + 1}`,
  }));
  const dashboard = finish({
    type: 'dashboard',
    id: id('dashboard-system-health'),
    attributes: {
      title: 'LMS system health',
      description: 'Errors, server errors, slow requests and traffic of the LMS backend.',
      hits: 0,
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, hidePanelTitles: false }),
      panelsJSON: JSON.stringify(panelsJson),
      version: 1,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references: panels.map((panel, i) => ({
      name: `${i + 1}:panel_${i + 1}`,
      type: panel.type,
      id: panel.id,
    })),
  });
  return [...searches, ...visualizations, dashboard];
}

type Draft = Omit<SavedObject, 'coreMigrationVersion' | 'migrationVersion'>;

/** Adds migration versions and the content hash to the description. */
function finish(draft: Draft): SavedObject {
  const hash = savedObjectHash(draft);
  const given = draft.attributes.description;
  const description = typeof given === 'string' ? given : '';
  return {
    ...draft,
    attributes: { ...draft.attributes, description: `${description} [lms-logging ${hash}]`.trim() },
    coreMigrationVersion: SAVED_OBJECT_VERSION,
    migrationVersion: { [draft.type]: SAVED_OBJECT_VERSION },
  };
}

export function savedObjectHash(draft: Draft): string {
  return contentHash({
    type: draft.type,
    attributes: draft.attributes,
    references: draft.references,
  });
}

/** The hash an object carries in its description, if any. */
export function hashOf(attributes: Record<string, unknown> | undefined): string | undefined {
  const description = attributes?.description;
  return typeof description === 'string' ? HASH_MARKER.exec(description)?.[1] : undefined;
}

export function toNdjson(objects: readonly SavedObject[]): string {
  return `${objects.map((object) => JSON.stringify(object)).join('\n')}\n`;
}

// ----------------------------------------------------------------------------- visState parts

type Agg = Record<string, unknown>;

const countAgg = (): Agg => ({
  id: '1',
  enabled: true,
  type: 'count',
  params: {},
  schema: 'metric',
});

const dateHistogramAgg = (id: string): Agg => ({
  id,
  enabled: true,
  type: 'date_histogram',
  params: {
    field: '@timestamp',
    useNormalizedEsInterval: true,
    interval: 'auto',
    drop_partials: false,
    min_doc_count: 1,
    extended_bounds: {},
  },
  schema: 'segment',
});

const termsAgg = (id: string, field: string, schema: string, size: number): Agg => ({
  id,
  enabled: true,
  type: 'terms',
  params: {
    field,
    orderBy: '1',
    order: 'desc',
    size,
    otherBucket: false,
    otherBucketLabel: 'Other',
    missingBucket: false,
    missingBucketLabel: 'Missing',
  },
  schema,
});

const histogramParams = (): Record<string, unknown> => ({
  type: 'histogram',
  addTooltip: true,
  addLegend: true,
  legendPosition: 'right',
  times: [],
  addTimeMarker: false,
  grid: { categoryLines: false },
  categoryAxes: [
    {
      id: 'CategoryAxis-1',
      type: 'category',
      position: 'bottom',
      show: true,
      scale: { type: 'linear' },
      labels: { show: true, filter: true, truncate: 100 },
      title: {},
    },
  ],
  valueAxes: [
    {
      id: 'ValueAxis-1',
      name: 'LeftAxis-1',
      type: 'value',
      position: 'left',
      show: true,
      scale: { type: 'linear', mode: 'normal' },
      labels: { show: true, rotate: 0, filter: false, truncate: 100 },
      title: { text: 'Count' },
    },
  ],
  seriesParams: [
    {
      show: true,
      type: 'histogram',
      mode: 'stacked',
      data: { label: 'Count', id: '1' },
      valueAxis: 'ValueAxis-1',
      drawLinesBetweenPoints: true,
      lineWidth: 2,
      showCircles: true,
    },
  ],
});

const tableParams = (): Record<string, unknown> => ({
  perPage: 10,
  showPartialRows: false,
  showMetricsAtAllLevels: false,
  showTotal: false,
  totalFunc: 'sum',
  percentageCol: '',
});

/**
 * A legacy visualization reading either a saved search (`savedSearchRefName: search_0`) or the
 * data view directly.
 */
function visualization(
  id: string,
  title: string,
  description: string,
  savedSearchId: string | undefined,
  vis: { type: string; aggs: Agg[]; params: Record<string, unknown> },
  dataViewId?: string,
): SavedObject {
  const searchSource =
    savedSearchId !== undefined
      ? { query: { query: '', language: 'kuery' }, filter: [] }
      : { query: { query: '', language: 'kuery' }, filter: [], indexRefName: INDEX_REF };
  return finish({
    type: 'visualization',
    id,
    attributes: {
      title,
      description,
      visState: JSON.stringify({ title, type: vis.type, aggs: vis.aggs, params: vis.params }),
      uiStateJSON: '{}',
      version: 1,
      ...(savedSearchId !== undefined ? { savedSearchRefName: 'search_0' } : {}),
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references:
      savedSearchId !== undefined
        ? [{ name: 'search_0', type: 'search', id: savedSearchId }]
        : [{ name: INDEX_REF, type: 'index-pattern', id: dataViewId ?? '' }],
  });
}
