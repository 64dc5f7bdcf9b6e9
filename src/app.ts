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
import type { Logger } from './logger.js';
import { emulatorProbe } from './observability/health.js';
import { startSubgraph, type RunningSubgraph } from './server.js';
import { createSubgraphAuth } from './auth/index.js';

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
  let horizonTarget = { baseUrl: config.horizon.baseUrl, appId: config.horizon.appId, appSecret: config.horizon.appSecret };
  if (config.horizon.mode === 'emulator') {
    // Loaded only in demo mode: a live replica carries no emulator code.
    const { startEmulator } = await import('./emulator/index.js');
    emulator = await startEmulator(config.emulator);
    horizonTarget = { baseUrl: emulator.url, appId: emulator.appId, appSecret: emulator.appSecret };
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
    const store: IdempotencyStore =
      redis && config.redis
        ? new RedisIdempotencyStore(redis, undefined, { waitReplicas: config.redis.waitReplicas, waitTimeoutMs: config.redis.waitTimeoutMs })
        : new MemoryIdempotencyStore();
    const sharedStore = redis && config.redis ? await watchStore(redis, config.redis, logger) : memoryStoreHealth;
    const ledger = new IdempotencyLedger(store, { ...DEFAULT_LEDGER, ...config.idempotency.ledger });
    // In demo mode /ready asks the emulator's health instead of calling the API.
    const readinessProbe = emulator ? emulatorProbe(emulator.url) : undefined;
    subgraph = await startSubgraph(
      { config, horizon, logger, caches: createSharedCaches(config.cache), ledger, readinessProbe, auth, sharedStore },
      { port: config.port, host: config.host },
    );
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

/** With Redis configured, the one connection every replica-shared store uses (several replicas share one ledger); else none. */
async function sharedRedis(config: Config, logger: Logger): Promise<RedisConnection | undefined> {
  if (!config.redis) return undefined;
  // Loaded only when configured: without Redis no Redis client is in memory.
  const { connectRedis } = await import('./store/redis.js');
  const redis = await connectRedis(config.redis);
  logger.info(
    { topology: config.redis.topology.kind, waitReplicas: config.redis.waitReplicas },
    'shared state in Redis (idempotency ledger shared by replicas)',
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
