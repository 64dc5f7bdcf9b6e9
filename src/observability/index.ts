/**
 * Everything operators get from one subgraph instance, wired in one call from
 * `startSubgraph`: metrics (own Registry), readiness, the operation-span plugin, and the
 * non-GraphQL routes served on the same port (`/health`, `/ready`, `/metrics`).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { memoryStoreHealth } from '../store/health.js';
import type { SubgraphDeps } from '../subgraphDeps.js';
import { horizonProbe, Readiness } from './health.js';
import { SubgraphMetrics } from './metrics.js';
import { operationSpanPlugin } from './spans.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface Observability {
  metrics: SubgraphMetrics | undefined;
  readiness: Readiness;
  plugins: ApolloServerPlugin<BaseContext>[];
  /** Exact paths to handlers: `/health`, `/ready`, and `/metrics` unless disabled. */
  routes: ReadonlyMap<string, Route>;
  /** For the request scope: DataLoader batch sizes. */
  onBatch: ((loader: string, size: number) => void) | undefined;
  close(): void;
}

/** From the subgraph's deps: `/metrics` unless `config.metricsEnabled` is false; the shared store defaults to memory. */
export function createObservability(deps: Pick<SubgraphDeps, 'config' | 'horizon' | 'caches' | 'readinessProbe' | 'sharedStore'>): Observability {
  const { config, horizon, sharedStore = memoryStoreHealth } = deps;
  const metrics = config.metricsEnabled === false ? undefined : new SubgraphMetrics(deps);
  const readiness = new Readiness({
    horizon,
    probe: deps.readinessProbe ?? horizonProbe(horizon),
    maxAgeMs: config.readinessUpstreamMaxAgeMs,
    sharedStore,
    requireSharedStore: config.readinessRequireSharedStore,
  });
  metrics?.observeSharedStore(sharedStore);
  const answers = new Map<string, () => Promise<Answer>>([
    ['/health', async () => json(200, { status: 'ok' })],
    ['/ready', () => readiness.check().then((report) => json(report.ready ? 200 : 503, report))],
  ]);
  if (metrics) answers.set('/metrics', async () => ({ status: 200, ...(await metrics.render()) }));
  return {
    metrics,
    readiness,
    plugins: [operationSpanPlugin(), ...(metrics ? [metrics.plugin()] : [])],
    routes: new Map([...answers].map(([path, answer]) => [path, getOnly(answer)])),
    onBatch: metrics?.observeBatch,
    close() {
      metrics?.close();
      readiness.close();
    },
  };
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const json = (status: number, value: unknown): Answer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) });

/** Answers GET and HEAD (405 to anything else), never to be cached. */
function getOnly(answer: () => Promise<Answer>): Route {
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const { status, contentType, body } = await answer();
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : body);
  };
}
