/**
 * moto (5.1.18, and 5.2.5 checked too) does not implement the Logs Insights query-definition
 * calls. This in-process node:http proxy answers PutQueryDefinition, DescribeQueryDefinitions and
 * DeleteQueryDefinition itself, speaking the documented AWS JSON 1.1 protocol
 * (`X-Amz-Target: Logs_20140328.<Operation>`), and forwards every other request to moto
 * unchanged, so the rest of the setup still runs against the real emulator.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredQuery {
  queryDefinitionId: string;
  name: string;
  queryString: string;
  logGroupNames: string[];
  lastModified: number;
}

export interface QueryDefinitionsProxy {
  readonly url: string;
  readonly queries: Map<string, StoredQuery>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startQueryDefinitionsProxy(upstream: string): Promise<QueryDefinitionsProxy> {
  const queries = new Map<string, StoredQuery>();
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^Logs_20140328\./, '');
      const reply = (status: number, json: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(json));
      };
      const input = (body.length > 0 ? JSON.parse(body.toString('utf8')) : {}) as Record<
        string,
        unknown
      >;
      if (op === 'PutQueryDefinition') {
        const id =
          typeof input['queryDefinitionId'] === 'string'
            ? input['queryDefinitionId']
            : randomUUID();
        if (input['queryDefinitionId'] !== undefined && !queries.has(id)) {
          return reply(400, {
            __type: 'ResourceNotFoundException',
            message: 'no such query definition',
          });
        }
        queries.set(id, {
          queryDefinitionId: id,
          name: String(input['name']),
          queryString: String(input['queryString']),
          logGroupNames: (input['logGroupNames'] as string[] | undefined) ?? [],
          lastModified: Date.now(),
        });
        return reply(200, { queryDefinitionId: id });
      }
      if (op === 'DescribeQueryDefinitions') {
        const prefix =
          typeof input['queryDefinitionNamePrefix'] === 'string'
            ? input['queryDefinitionNamePrefix']
            : '';
        return reply(200, {
          queryDefinitions: [...queries.values()].filter((q) => q.name.startsWith(prefix)),
        });
      }
      if (op === 'DeleteQueryDefinition') {
        return reply(200, { success: queries.delete(String(input['queryDefinitionId'])) });
      }
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', (error) =>
        reply(502, { __type: 'ServiceUnavailableException', message: error.message }),
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
