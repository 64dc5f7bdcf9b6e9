/**
 * The whole application from a Config: in emulator mode, the built-in graph.oculus.com
 * emulator on demo data first; then the Horizon client and the subgraph.
 */
import type { Config } from './config.js';
import type { RunningEmulator } from './emulator/index.js';
import { HorizonClient } from './horizon/client.js';
import { createSharedCaches } from './graphql/sharedCache.js';
import { DEFAULT_LEDGER, IdempotencyLedger } from './idempotency/ledger.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
import { RedisIdempotencyStore } from './idempotency/redisStore.js';
import type { RedisConnection } from './store/redis.js';
import { memoryStoreHealth, RedisStoreHealth, type SharedStoreHealth } from './store/health.js';
import { MemoryIntegrityStore } from './store/integrity.js';
import { RedisIntegrityStore } from './store/integrityRedis.js';
import type { AttestationPolicy } from './graphql/integrity/models.js';
import type { Logger } from './logger.js';
import { emulatorProbe } from './observability/health.js';
import { startSubgraph, type RunningSubgraph } from './server.js';
import { createSubgraphAuth } from './auth/index.js';
import { RedisWebhookEventStore } from './webhooks/redisStore.js';
import { MemoryWebhookEventStore } from './webhooks/store.js';
import { USER_TOKEN_HEADER } from './graphql/context.js';
import { demoOperation, type GraphiQLDemo } from './http/graphiql.js';

export interface RunningApp {
  subgraph: RunningSubgraph;
  emulator: RunningEmulator | undefined;
  horizon: HorizonClient;
  /** Demo auth only (no AUTH_JWKS_URL/AUTH_HS256_SECRET outside production): a caller token with every scope, to print. */
  devToken: string | undefined;
  stop(): Promise<void>;
}

export async function startApp(config: Config, logger: Logger): Promise<RunningApp> {
  // The shared store first: when Redis cannot be reached, start-up stops before anything else started or logged.
  const redis = await sharedRedis(config, logger);
  try {
    return await startWithStore(config, logger, redis);
  } catch (error) {
    if (redis) await closeShared(redis);
    throw error;
  }
}

async function startWithStore(config: Config, logger: Logger, redis: RedisConnection | undefined): Promise<RunningApp> {
  // Caller authentication (src/auth): the JWT verifier, router secret, and in demo mode a generated secret and token.
  const auth = await createSubgraphAuth(config.auth, logger);
  let emulator: RunningEmulator | undefined;
  let horizonTarget: Partial<Config['horizon']> = {}; // demo mode: the emulator's app in place of the configured one
  let graphiqlDemo: GraphiQLDemo | undefined;
  if (config.horizon.mode === 'emulator') {
    // Loaded only in demo mode: a live replica carries no emulator code.
    const { startEmulator, demoUserId, demoUserToken } = await import('./emulator/index.js');
    emulator = await startEmulator(config.emulator);
    // The emulator's app is its own federated app too.
    horizonTarget = { baseUrl: emulator.url, appId: emulator.appId, appSecret: emulator.appSecret, federatedAppId: undefined };
    // GraphiQL opens ready to run a query on the demo data (never with live data: the token is in the page).
    if (auth.devToken) {
      graphiqlDemo = {
        headers: { Authorization: `Bearer ${auth.devToken}`, [USER_TOKEN_HEADER]: demoUserToken(0) },
        query: demoOperation(demoUserId(0)),
      };
    }
  }
  const horizon = HorizonClient.create({ ...config.horizon, ...horizonTarget });
  // One line per upstream retry and failure, with the operation's request id (null outside operations).
  horizon.transport.onRetry((retry) =>
    logger.info(
      { requestId: retry.scope?.requestId ?? null, endpoint: retry.endpoint, attempt: retry.attempt, delayMs: retry.delayMs, err: retry.error },
      'retrying upstream call',
    ),
  );
  horizon.transport.breaker?.onStateChange((state) => logger.warn({ circuit: state }, `Horizon API circuit ${state}`));
  horizon.transport.onCall((call) => {
    if (call.error)
      logger.warn(
        {
          requestId: call.scope?.requestId ?? null,
          endpoint: call.endpoint,
          status: call.status ?? null,
          attempt: call.attempt,
          durationMs: Math.round(call.durationMs),
          err: call.error,
        },
        'upstream call failed',
      );
  });
  let subgraph: RunningSubgraph;
  try {
    // What must survive a Redis failover waits for REDIS_WAIT_REPLICAS replicas (src/store/durable.ts).
    const durability = config.redis ? { waitReplicas: config.redis.waitReplicas, waitTimeoutMs: config.redis.waitTimeoutMs } : {};
    const store: IdempotencyStore = redis ? new RedisIdempotencyStore(redis, undefined, durability) : new MemoryIdempotencyStore();
    const sharedStore = redis && config.redis ? await watchStore(redis, config.redis, logger) : memoryStoreHealth;
    const ledger = new IdempotencyLedger(store, { ...DEFAULT_LEDGER, ...config.idempotency.ledger });
    // Attestation nonces live where the ledger does, so a token verified on another replica finds its nonce.
    const integrity = {
      store: redis ? new RedisIntegrityStore(redis, undefined, undefined, durability) : new MemoryIntegrityStore(),
      policy: attestationPolicy(config, emulator),
    };
    const { retentionMs } = config.webhooks;
    const webhookEvents = redis ? new RedisWebhookEventStore(redis, undefined, retentionMs, undefined, durability) : new MemoryWebhookEventStore(retentionMs);
    // In demo mode the emulator signs with its own app secret.
    const webhooks = { ...config.webhooks, secret: emulator ? emulator.appSecret : config.webhooks.secret };
    if (webhooks.signature === 'off') logger.warn('WEBHOOK_SIGNATURE=off: webhook deliveries are not authenticated');
    // In demo mode /ready asks the emulator's health instead of calling the API.
    const readinessProbe = emulator ? emulatorProbe(emulator.url) : undefined;
    subgraph = await startSubgraph(
      {
        config: { ...config, webhooks },
        horizon,
        logger,
        caches: createSharedCaches(config.cache),
        ledger,
        integrity,
        webhookEvents,
        readinessProbe,
        auth,
        graphiqlDemo,
        sharedStore,
      },
      { port: config.port, host: config.host },
    );
    // Demo mode: the emulator's purchases, refunds and subscription changes reach this subgraph's own endpoint.
    if (emulator && !config.emulator.webhookUrl) emulator.webhooks.target = new URL(webhooks.path, subgraph.url.replace('localhost', '127.0.0.1')).href;
  } catch (error) {
    await horizon.close();
    await emulator?.close();
    throw error;
  }
  return {
    subgraph,
    emulator,
    horizon,
    devToken: auth.devToken,
    async stop() {
      await subgraph.stop();
      if (redis) await closeShared(redis);
      await horizon.close();
      await emulator?.close();
    },
  };
}

/** The attestation policy; in demo mode, unless set, the emulator's demo package and certificate are ours. */
function attestationPolicy(config: Config, emulator: RunningEmulator | undefined): AttestationPolicy {
  const policy = config.attestation;
  if (!emulator) return policy;
  return {
    ...policy,
    packageIds: policy.packageIds.length > 0 ? policy.packageIds : [emulator.attestation.packageId],
    certificateDigests: policy.certificateDigests.length > 0 ? policy.certificateDigests : [emulator.attestation.certificateDigest],
  };
}

/** With Redis configured, the one connection every replica-shared store uses (several replicas share one ledger); else none. */
async function sharedRedis(config: Config, logger: Logger): Promise<RedisConnection | undefined> {
  if (!config.redis) return undefined;
  // Loaded only when configured: without Redis no Redis client is in memory.
  const { connectRedis } = await import('./store/redis.js');
  const redis = await connectRedis(config.redis);
  logger.info(
    { topology: config.redis.topology.kind, waitReplicas: config.redis.waitReplicas },
    'idempotency ledger, attestation nonces and webhook events in Redis (shared by replicas)',
  );
  return redis;
}

async function closeShared(redis: RedisConnection): Promise<void> {
  const { closeRedis } = await import('./store/redis.js');
  await closeRedis(redis);
}

/** The store's health for /ready and /metrics, with a log line when it goes down or comes back. */
async function watchStore(redis: RedisConnection, settings: NonNullable<Config['redis']>, logger: Logger): Promise<SharedStoreHealth> {
  const health = new RedisStoreHealth(redis, settings.topology.kind);
  health.onChange((report) =>
    report.state === 'down'
      ? logger.error({ sharedStore: report }, 'shared store (Redis) down: keyed writes are refused until it is back')
      : logger.info({ sharedStore: report }, 'shared store (Redis) back up'),
  );
  const first = await health.check();
  const replicas = first.nodes?.replicas;
  if (settings.waitReplicas > 0 && replicas !== undefined && replicas < settings.waitReplicas && settings.topology.kind !== 'cluster')
    logger.warn(
      { replicas, waitReplicas: settings.waitReplicas },
      'REDIS_WAIT_REPLICAS is more than the replicas the primary has now: keyed writes are refused until enough replicas are connected',
    );
  return health;
}
