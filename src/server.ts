/**
 * Wires the subgraph and serves it: Apollo Server (src/graphql/apolloServer.ts) behind a plain
 * node:http server (src/http), with the shared caches warmed before listening, admission
 * control, the operators' routes, and a stop that drains operations in flight.
 */
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upstreamAdmission } from './http/admission.js';
import { createApolloServer } from './graphql/apolloServer.js';
import { DEFAULTS } from './config.js';
import { createSharedCaches } from './graphql/sharedCache.js';
import { warmUpAtStart } from './graphql/warmup.js';
import { sendError } from './http/messages.js';
import { handleRequest } from './http/routes.js';
import { IdempotencyLedger } from './idempotency/ledger.js';
import { MemoryIdempotencyStore } from './idempotency/store.js';
import { MemoryIntegrityStore } from './store/integrity.js';
import { createObservability } from './observability/index.js';
import type { SubgraphDeps } from './subgraphDeps.js';
import { WebhookMetrics } from './webhooks/metrics.js';
import { WebhookReceiver } from './webhooks/receiver.js';
import { MemoryWebhookEventStore } from './webhooks/store.js';

export interface RunningSubgraph {
  url: string;
  stop(): Promise<void>;
}

/** Starts the subgraph over HTTP. `port` 0 picks a free port. */
export async function startSubgraph(given: SubgraphDeps, listen: { port: number; host: string }): Promise<RunningSubgraph> {
  if (given.config.production && !given.auth) throw new Error('startSubgraph: caller authentication (deps.auth) is required in production');
  const deps: SubgraphDeps = {
    ...given,
    caches: given.caches ?? createSharedCaches(DEFAULTS.cache),
    ledger: given.ledger ?? new IdempotencyLedger(new MemoryIdempotencyStore()),
    webhookEvents: given.webhookEvents ?? new MemoryWebhookEventStore(given.config.webhooks?.retentionMs ?? DEFAULTS.webhooks.retentionMs),
    integrity: given.integrity ?? { store: new MemoryIntegrityStore(), policy: DEFAULTS.attestation },
  };
  const httpServer = createServer();
  const observability = createObservability(deps);
  // On stop: the listener closes at once; operations in flight get the grace period.
  const drain = ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: deps.config.shutdownGraceMs });
  const server = createApolloServer(deps, [drain, ...observability.plugins]);
  // Operations start only while Horizon can take their calls (default: while no call waits for a slot).
  const { gate: admission, stop: stopAdmitting } = upstreamAdmission(
    deps.horizon.transport.limiter,
    deps.config.admission?.maxQueuedCalls ?? DEFAULTS.admission.maxQueuedCalls,
  );
  observability.metrics?.observeAdmission(admission);
  const webhookOptions = deps.config.webhooks ?? DEFAULTS.webhooks;
  const webhooks = new WebhookReceiver(
    webhookOptions,
    deps.webhookEvents!,
    deps.logger,
    observability.metrics && new WebhookMetrics(observability.metrics.registry),
  );
  await server.start();
  if (deps.config.cache?.warmup && deps.config.cache.ttlMs > 0) await warmUpAtStart(deps.horizon, deps.caches!, deps.logger);
  httpServer.on('request', (req, res) => {
    handleRequest(deps, server, req, res, observability, admission, webhooks).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'request handling failed');
      if (!res.headersSent) sendError(res, 500, 'Internal server error', { code: 'INTERNAL_SERVER_ERROR' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? 'localhost' : listen.host;
  return {
    url: `http://${host}:${address.port}/`,
    async stop() {
      observability.readiness.markShuttingDown();
      // Operations still in flight finish during the drain: keep counting their upstream calls.
      await server.stop();
      stopAdmitting();
      observability.close();
    },
  };
}
