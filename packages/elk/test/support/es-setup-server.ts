/**
 * An in-process server speaking the setup endpoints of Elasticsearch 8 (and, with
 * `flavor: 'opensearch-ism'`, OpenSearch's ISM plugin) as documented, for what the real
 * OpenSearch of the test suite cannot do: ILM policies, data stream templates, ISM policies, and
 * disk watermarks other than the defaults. The shipping fake (es-server.ts) does not serve these.
 *
 * Echoes bodies back the way the servers do: settings as nested strings, ILM phases with their
 * defaults (`min_age: 0ms`, `delete_searchable_snapshot: true`), data stream templates with
 * `hidden`/`allow_custom_routing`, ISM actions with their `retry` default and bookkeeping fields,
 * ISM updates only with the current `if_seq_no`/`if_primary_term`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EsSetupServerOptions {
  readonly flavor?: 'elasticsearch' | 'opensearch-ism';
  readonly version?: string;
  /** `_nodes/stats/fs` totals per node name. */
  readonly nodes?: Readonly<Record<string, { total: number; available: number }>>;
  /** Flat cluster settings returned as `persistent` (defaults are the servers' own). */
  readonly persistentSettings?: Readonly<Record<string, string>>;
}

export interface EsSetupServer {
  readonly url: string;
  readonly requests: { method: string; path: string; body: unknown }[];
  readonly templates: Map<string, Record<string, unknown>>;
  readonly ilmPolicies: Map<string, Record<string, unknown>>;
  readonly ismPolicies: Map<string, { policy: Record<string, unknown>; seqNo: number }>;
  readonly dataStreams: Set<string>;
  close(): Promise<void>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{'index.lifecycle.name': 'x'}` or nested → nested with string leaves, `index.` prefixed. */
function normalizeSettings(settings: unknown): Record<string, unknown> {
  const flat: Record<string, string> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      flat[prefix.startsWith('index.') ? prefix : `index.${prefix}`] = String(value);
    }
  };
  walk(settings ?? {}, '');
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = nested;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return nested;
}

const error = (status: number, type: string, reason: string) => ({
  status,
  body: { error: { root_cause: [{ type, reason }], type, reason }, status },
});

export async function startEsSetupServer(
  options: EsSetupServerOptions = {},
): Promise<EsSetupServer> {
  const flavor = options.flavor ?? 'elasticsearch';
  const templates = new Map<string, Record<string, unknown>>();
  const ilmPolicies = new Map<string, Record<string, unknown>>();
  const ismPolicies = new Map<string, { policy: Record<string, unknown>; seqNo: number }>();
  const dataStreams = new Set<string>();
  const requests: EsSetupServer['requests'] = [];
  let seq = 0;

  function handle(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (path === '/' && method === 'GET') {
      return {
        status: 200,
        body:
          flavor === 'elasticsearch'
            ? {
                name: 'es-1',
                cluster_name: 'fake',
                version: { number: options.version ?? '8.15.0', build_flavor: 'default' },
                tagline: 'You Know, for Search',
              }
            : {
                name: 'os-1',
                cluster_name: 'fake',
                version: { distribution: 'opensearch', number: options.version ?? '2.19.0' },
                tagline: 'The OpenSearch Project: https://opensearch.org/',
              },
      };
    }
    if ((m = /^\/_ilm\/policy\/([^/]+)$/.exec(path)) && flavor === 'elasticsearch') {
      const name = decodeURIComponent(m[1]);
      if (method === 'GET') {
        const stored = ilmPolicies.get(name);
        if (stored === undefined)
          return error(404, 'resource_not_found_exception', `Lifecycle policy not found: ${name}`);
        return { status: 200, body: { [name]: stored } };
      }
      if (method === 'PUT') {
        const policy = (body as { policy?: Record<string, unknown> } | undefined)?.policy;
        if (!isObject(policy) || !isObject(policy.phases)) {
          return error(400, 'x_content_parse_exception', 'required [policy] with [phases]');
        }
        const phases: Record<string, unknown> = {};
        for (const [phase, value] of Object.entries(policy.phases)) {
          if (!['hot', 'warm', 'cold', 'frozen', 'delete'].includes(phase)) {
            return error(
              400,
              'illegal_argument_exception',
              `Timeseries lifecycle does not support phase [${phase}]`,
            );
          }
          const p = value as { min_age?: string; actions?: Record<string, unknown> };
          const actions = { ...(p.actions ?? {}) };
          if (isObject(actions.delete))
            actions.delete = { delete_searchable_snapshot: true, ...actions.delete };
          if ('rollover' in actions && phase !== 'hot') {
            return error(
              400,
              'illegal_argument_exception',
              `invalid action [rollover] defined in phase [${phase}]`,
            );
          }
          phases[phase] = { min_age: p.min_age ?? '0ms', actions };
        }
        const previous = ilmPolicies.get(name);
        ilmPolicies.set(name, {
          version: Number(previous?.version ?? 0) + 1,
          modified_date: new Date().toISOString(),
          policy: { ...policy, phases },
          in_use_by: { indices: [], data_streams: [], composable_templates: [] },
        });
        return { status: 200, body: { acknowledged: true } };
      }
    }
    if (
      (m = /^\/_plugins\/_ism\/policies(?:\/([^/]+))?$/.exec(path)) &&
      flavor === 'opensearch-ism'
    ) {
      const name = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      if (name === undefined && method === 'GET') {
        return {
          status: 200,
          body: {
            policies: [...ismPolicies.keys()].map((id) => ({ _id: id })),
            total_policies: ismPolicies.size,
          },
        };
      }
      if (name !== undefined && method === 'GET') {
        const stored = ismPolicies.get(name);
        if (stored === undefined) return error(404, 'status_exception', 'Policy not found');
        return {
          status: 200,
          body: {
            _id: name,
            _version: stored.seqNo + 1,
            _seq_no: stored.seqNo,
            _primary_term: 1,
            policy: stored.policy,
          },
        };
      }
      if (name !== undefined && method === 'PUT') {
        const stored = ismPolicies.get(name);
        const ifSeq = url.searchParams.get('if_seq_no');
        if (stored !== undefined && (ifSeq === null || Number(ifSeq) !== stored.seqNo)) {
          return error(
            409,
            'version_conflict_engine_exception',
            `[${name}]: version conflict, required seqNo [${ifSeq ?? 'none'}], current document has seqNo [${stored.seqNo}]`,
          );
        }
        const policy = (body as { policy?: Record<string, unknown> }).policy ?? {};
        const states = ((policy.states ?? []) as { actions?: Record<string, unknown>[] }[]).map(
          (state) => ({
            ...state,
            actions: (state.actions ?? []).map((action) => ({
              retry: { count: 3, backoff: 'exponential', delay: '1m' },
              ...action,
            })),
          }),
        );
        const ismTemplate = ((policy.ism_template ?? []) as Record<string, unknown>[]).map((t) => ({
          ...t,
          last_updated_time: Date.now(),
        }));
        const saved = {
          policy_id: name,
          ...policy,
          states,
          ism_template: ismTemplate,
          last_updated_time: Date.now(),
          schema_version: 21,
          error_notification: null,
        };
        seq += 1;
        ismPolicies.set(name, { policy: saved, seqNo: seq });
        return {
          status: stored === undefined ? 201 : 200,
          body: { _id: name, _seq_no: seq, _primary_term: 1, policy: { policy: saved } },
        };
      }
    }
    if ((m = /^\/_index_template\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]);
      if (method === 'GET') {
        const stored = templates.get(name);
        if (stored === undefined)
          return error(
            404,
            'resource_not_found_exception',
            `index template matching [${name}] not found`,
          );
        return { status: 200, body: { index_templates: [{ name, index_template: stored }] } };
      }
      if (method === 'PUT') {
        const b = body as Record<string, unknown>;
        if (!Array.isArray(b.index_patterns) || b.index_patterns.length === 0) {
          return error(
            400,
            'action_request_validation_exception',
            'Validation Failed: 1: index patterns are missing;',
          );
        }
        const template = (b.template ?? {}) as Record<string, unknown>;
        const stored: Record<string, unknown> = {
          index_patterns: b.index_patterns,
          template: {
            ...(template.settings !== undefined
              ? { settings: normalizeSettings(template.settings) }
              : {}),
            ...(template.mappings !== undefined ? { mappings: template.mappings } : {}),
          },
          composed_of: b.composed_of ?? [],
          priority: b.priority,
          ...(b._meta !== undefined ? { _meta: b._meta } : {}),
          ...(b.data_stream !== undefined
            ? {
                data_stream: {
                  hidden: false,
                  allow_custom_routing: false,
                  ...(b.data_stream as object),
                },
              }
            : {}),
        };
        templates.set(name, stored);
        return { status: 200, body: { acknowledged: true } };
      }
    }
    if ((m = /^\/_data_stream\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]);
      if (method === 'GET') {
        if (!dataStreams.has(name))
          return error(404, 'index_not_found_exception', `no such index [${name}]`);
        return {
          status: 200,
          body: {
            data_streams: [{ name, timestamp_field: { name: '@timestamp' }, generation: 1 }],
          },
        };
      }
      if (method === 'PUT') {
        if (dataStreams.has(name))
          return error(
            400,
            'resource_already_exists_exception',
            `data_stream [${name}] already exists`,
          );
        const matching = [...templates.values()].some(
          (t) =>
            t.data_stream !== undefined &&
            (t.index_patterns as string[]).some((p) =>
              new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(
                name,
              ),
            ),
        );
        if (!matching)
          return error(
            400,
            'illegal_argument_exception',
            `no matching index template found for data stream [${name}]`,
          );
        dataStreams.add(name);
        return { status: 200, body: { acknowledged: true } };
      }
    }
    if (path.startsWith('/_cat/indices') && method === 'GET') return { status: 200, body: [] };
    if (path === '/_nodes/stats/fs' && method === 'GET') {
      const nodes: Record<string, unknown> = {};
      for (const [name, fs] of Object.entries(
        options.nodes ?? { 'es-1': { total: 100 * 2 ** 30, available: 50 * 2 ** 30 } },
      )) {
        nodes[`id-${name}`] = {
          name,
          fs: {
            total: {
              total_in_bytes: fs.total,
              free_in_bytes: fs.available,
              available_in_bytes: fs.available,
            },
          },
        };
      }
      return { status: 200, body: { _nodes: { total: 1, successful: 1, failed: 0 }, nodes } };
    }
    if (path === '/_cluster/settings' && method === 'GET') {
      const prefix = 'cluster.routing.allocation.disk.watermark';
      return {
        status: 200,
        body: {
          persistent: options.persistentSettings ?? {},
          transient: {},
          defaults: {
            [`${prefix}.low`]: '85%',
            [`${prefix}.high`]: '90%',
            [`${prefix}.flood_stage`]: '95%',
            ...(flavor === 'elasticsearch'
              ? {
                  [`${prefix}.low.max_headroom`]: '200gb',
                  [`${prefix}.high.max_headroom`]: '150gb',
                  [`${prefix}.flood_stage.max_headroom`]: '100gb',
                }
              : {}),
          },
        },
      };
    }
    return {
      status: 400,
      body: { error: `no handler found for uri [${path}] and method [${method}]` },
    };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://es');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":"bad json","status":400}');
        return;
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
      const out = handle(req.method ?? 'GET', url, body);
      const json = JSON.stringify(out.body);
      res
        .writeHead(out.status, {
          'content-type': 'application/json',
          ...(flavor === 'elasticsearch' ? { 'x-elastic-product': 'Elasticsearch' } : {}),
        })
        .end(json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    templates,
    ilmPolicies,
    ismPolicies,
    dataStreams,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
