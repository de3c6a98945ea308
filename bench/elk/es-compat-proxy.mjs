// A transparent HTTP proxy that lets the Elasticsearch 8 JavaScript client talk to OpenSearch,
// for the ELK benchmark only (real Elasticsearch cannot run on the bench machine).
//
// What it changes, and nothing else:
//   (a) request `content-type` / `accept`: `application/vnd.elasticsearch+json; compatible-with=8`
//       becomes `application/json`, `application/vnd.elasticsearch+x-ndjson; compatible-with=8`
//       becomes `application/x-ndjson` (OpenSearch answers 406 to the vendor types);
//   (b) every response gets `x-elastic-product: Elasticsearch` (the 8.x client throws
//       ProductNotSupportedError on any 2xx answer without it);
//   (c) only with `rewriteRoot: true`: the `GET /` version info is made to look like
//       Elasticsearch 8 (the 8.x client itself never asks; off by default).
// Bodies are streamed through untouched. Counters (requests by endpoint, `_bulk` requests and
// their body bytes, non-2xx answers, `_bulk` answers with `"errors":true`, rewrites) let the
// benchmark report what each contender actually sent.
//
// Standalone: node bench/elk/es-compat-proxy.mjs [--upstream http://127.0.0.1:9200] [--port 9201]
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const VENDOR_TYPE = /application\/vnd\.elasticsearch\+([a-z-]+)\s*;\s*compatible-with=\d+/gi;

/** `application/vnd.elasticsearch+x-ndjson; compatible-with=8` -> `application/x-ndjson`. */
export function plainMediaType(value) {
  return value.replace(VENDOR_TYPE, 'application/$1');
}

/** The endpoint a path counts under: `/_bulk`, `/{index}/_count`, `/_cluster/health`, `/`... */
function endpointOf(method, url) {
  const path = url.split('?')[0];
  const parts = path.split('/').filter((p) => p !== '');
  return `${method} /${parts.map((p) => (p.startsWith('_') ? p : '{name}')).join('/')}`;
}

function newCounters() {
  return {
    requests: 0,
    byEndpoint: {},
    bulkRequests: 0,
    bulkBodyBytes: 0,
    bulkResponsesWithErrors: 0,
    bulkResponsesCompressed: 0,
    non2xx: {},
    rewrittenContentType: 0,
    rewrittenAccept: 0,
    rewrittenRoot: 0,
    upstreamErrors: 0,
  };
}

/**
 * Starts the proxy. Returns `{ url, counters(), reset(), close() }`; `counters()` is a snapshot.
 * @param {{ upstream: string, port?: number, host?: string, rewriteRoot?: boolean }} options
 */
export async function startEsCompatProxy(options) {
  const upstream = new URL(options.upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let counters = newCounters();

  const server = http.createServer((req, res) => {
    const c = counters;
    c.requests += 1;
    const endpoint = endpointOf(req.method, req.url);
    c.byEndpoint[endpoint] = (c.byEndpoint[endpoint] ?? 0) + 1;
    const isBulk = /(^|\/)_bulk$/.test(req.url.split('?')[0]);
    const isRoot = options.rewriteRoot === true && req.method === 'GET' && req.url === '/';
    if (isBulk) c.bulkRequests += 1;

    const headers = { ...req.headers, host: upstream.host };
    delete headers.connection;
    delete headers['keep-alive'];
    if (headers['content-type'] !== undefined) {
      const plain = plainMediaType(headers['content-type']);
      if (plain !== headers['content-type']) c.rewrittenContentType += 1;
      headers['content-type'] = plain;
    }
    if (headers.accept !== undefined) {
      const plain = plainMediaType(headers.accept);
      if (plain !== headers.accept) c.rewrittenAccept += 1;
      headers.accept = plain;
    }
    // The root answer is rewritten below, so it must arrive uncompressed.
    if (isRoot) delete headers['accept-encoding'];

    const up = http.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upRes) => {
        const status = upRes.statusCode ?? 502;
        if (status < 200 || status > 299) c.non2xx[status] = (c.non2xx[status] ?? 0) + 1;
        const outHeaders = { ...upRes.headers, 'x-elastic-product': 'Elasticsearch' };
        delete outHeaders.connection;
        delete outHeaders['keep-alive'];
        if (isRoot && status === 200) {
          const chunks = [];
          upRes.on('data', (chunk) => chunks.push(chunk));
          upRes.on('end', () => {
            const body = JSON.stringify(esRootInfo(JSON.parse(Buffer.concat(chunks).toString())));
            c.rewrittenRoot += 1;
            outHeaders['content-length'] = String(Buffer.byteLength(body));
            res.writeHead(status, outHeaders);
            res.end(body);
          });
          return;
        }
        res.writeHead(status, outHeaders);
        if (isBulk && upRes.headers['content-encoding'] !== undefined) {
          c.bulkResponsesCompressed += 1;
        } else if (isBulk) {
          // OpenSearch writes `{"took":N,"errors":true|false,...` first: look at the start only.
          let head = '';
          const peek = (chunk) => {
            head += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
            if (head.length < 64 && !/"errors"\s*:\s*[tf]/.test(head)) return;
            upRes.off('data', peek);
            if (/"errors"\s*:\s*true/.test(head)) c.bulkResponsesWithErrors += 1;
          };
          upRes.on('data', peek);
        }
        upRes.pipe(res);
      },
    );
    up.on('error', (error) => {
      c.upstreamErrors += 1;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `proxy: ${error.message}`, status: 502 }));
      } else {
        res.destroy(error);
      }
    });
    req.on('aborted', () => up.destroy());
    if (isBulk) req.on('data', (chunk) => (c.bulkBodyBytes += chunk.length));
    req.pipe(up);
  });
  server.keepAliveTimeout = 30_000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address();
  return {
    url: `http://${address}:${port}`,
    counters: () => structuredClone(counters),
    reset: () => {
      counters = newCounters();
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** OpenSearch's `GET /` answer, reshaped like Elasticsearch 8's. */
function esRootInfo(info) {
  return {
    ...info,
    version: {
      ...info.version,
      distribution: undefined,
      number: '8.19.0',
      build_flavor: 'default',
    },
    tagline: 'You Know, for Search',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const proxy = await startEsCompatProxy({
    upstream: arg('upstream', 'http://127.0.0.1:9200'),
    port: Number(arg('port', 9201)),
    rewriteRoot: process.argv.includes('--rewrite-root'),
  });
  console.log(`es-compat-proxy: ${proxy.url} -> ${arg('upstream', 'http://127.0.0.1:9200')}`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
