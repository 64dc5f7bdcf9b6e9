/**
 * The subgraph's HTTP routes: CORS and preflights, the operators' routes (/health, /ready,
 * /metrics), the offline GraphiQL outside production, then GraphQL at `/` and `/graphql`
 * (behind the router's shared secret when one is set).
 */
import type { ApolloServer } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionGate } from './admission.js';
import { checkRouterSecret, ROUTER_SECRET_HEADER } from '../auth/routerSecret.js';
import { GRAPHIQL_PATH, serveGraphiQL } from './graphiql.js';
import type { Context } from '../graphql/context.js';
import type { Observability } from '../observability/index.js';
import type { SubgraphDeps } from '../subgraphDeps.js';
import type { WebhookReceiver } from '../webhooks/receiver.js';
import { applyCors } from './cors.js';
import { serveGraphQL } from './graphqlRequest.js';
import { requestUrl, sendError } from './messages.js';

const GRAPHQL_PATHS = new Set(['/', '/graphql']);

export async function handleRequest(
  deps: SubgraphDeps,
  server: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  ops: Observability,
  admission: AdmissionGate,
  webhooks: WebhookReceiver,
): Promise<void> {
  const url = requestUrl(req);
  if (!url) {
    sendError(res, 400, 'The request target is not a valid path', { code: 'BAD_REQUEST' });
    return;
  }
  applyCors(deps.config.corsOrigins, req, res);
  if ((req.method ?? 'GET').toUpperCase() === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  // Operators' routes (src/observability): /health, /ready, /metrics.
  const opsRoute = ops.routes.get(url.pathname);
  if (opsRoute) {
    await opsRoute(req, res);
    return;
  }
  // Horizon's webhooks (src/webhooks): signed by Horizon, not behind the router's secret.
  if (url.pathname === webhooks.options.path) {
    await webhooks.handle(req, res, url);
    return;
  }
  // Offline GraphiQL (./graphiql.ts), outside production only.
  if (url.pathname === GRAPHIQL_PATH && !deps.config.production) {
    await serveGraphiQL(req, res, deps.graphiqlDemo);
    return;
  }
  if (!GRAPHQL_PATHS.has(url.pathname)) {
    sendError(res, 404, 'Not found: GraphQL is served at / and /graphql', { code: 'NOT_FOUND' });
    return;
  }
  // Only the router may run operations, when a shared secret is configured (src/auth/routerSecret.ts).
  const routerRefusal = deps.auth?.routerSecret ? checkRouterSecret(deps.auth.routerSecret, req.headers[ROUTER_SECRET_HEADER]) : undefined;
  if (routerRefusal) {
    sendError(res, routerRefusal.status, routerRefusal.message, routerRefusal.extensions);
    return;
  }
  await serveGraphQL(deps, server, req, res, url, ops, admission);
}
