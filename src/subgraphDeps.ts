/** What the subgraph's HTTP server, Apollo Server and request handler are built from. */
import type { SubgraphAuth } from './auth/index.js';
import type { Config } from './config.js';
import type { SharedCaches } from './graphql/sharedCache.js';
import type { HorizonClient } from './horizon/client.js';
import type { GraphiQLDemo } from './http/graphiql.js';
import type { IdempotencyLedger } from './idempotency/ledger.js';
import type { IntegrityDeps } from './graphql/integrity/models.js';
import type { Logger } from './logger.js';
import type { SharedStoreHealth } from './store/health.js';
import type { WebhookEventStore } from './webhooks/store.js';

export type ServerConfig = Pick<Config, 'production' | 'corsOrigins' | 'maxBodyBytes'> &
  Partial<Pick<Config, 'operationTimeoutMs' | 'queryLimits' | 'admission' | 'cache' | 'sdlAuthDirectives' | 'webhooks'>> &
  /* operators' settings (src/observability): drain grace, /metrics, /ready */ Partial<
    Pick<Config, 'shutdownGraceMs' | 'metricsEnabled' | 'readinessUpstreamMaxAgeMs' | 'readinessRequireSharedStore'>
  >;

export interface SubgraphDeps {
  config: ServerConfig;
  horizon: HorizonClient;
  logger: Logger;
  /** Caches shared by all requests of this process; default: the built-in sizes and TTLs. */
  caches?: SharedCaches;
  /** Recorded webhook events (src/webhooks); default: in memory (one replica). */
  webhookEvents?: WebhookEventStore;
  /** The idempotency ledger; default: in memory (one replica). */
  ledger?: IdempotencyLedger;
  /** Attestation's nonce store and policy; default: in memory (one replica), the default policy. */
  integrity?: IntegrityDeps;
  /**
   * Caller authentication (src/auth): turns `Authorization` into the caller the schema's
   * @authenticated/@requiresScopes are checked against, and the optional router shared secret.
   * Required in production; without it (tests) caller checks are off.
   */
  auth?: Pick<SubgraphAuth, 'authenticate' | 'routerSecret'>;
  /** The replica-shared store's health (src/store/health.ts), in `/ready` and `/metrics`; default: in memory. */
  sharedStore?: SharedStoreHealth;
  /** Demo mode: the offline GraphiQL opens with the demo token in its headers and an operation (src/http/graphiql.ts). */
  graphiqlDemo?: GraphiQLDemo;
  /** `/ready`'s upstream probe (src/observability/health.ts); default: a cheap Horizon call with the app token. */
  readinessProbe?: (signal: AbortSignal) => Promise<void>;
}
