/**
 * The one Redis connection a replica opens when Redis is configured (src/store/config.ts): one
 * node, a Redis Cluster, or the primary Sentinel names. Every store that replicas share (the
 * idempotency ledger, attestation nonces, webhook events) takes this connection rather than
 * opening its own, so the topology, TLS and health live in one place.
 *
 * Every key a store uses, and every Lua script it runs, must address one Cluster slot: a script
 * touching several keys names them with one hash tag (`prefix:{id}:a`, `prefix:{id}:b`).
 */
import { readFileSync } from 'node:fs';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisSettings, RedisTopology } from './config.js';

/** A single-node or Sentinel client (`Redis`), or a `Cluster`: the same commands either way. */
export type RedisConnection = Redis | Cluster;

/** How long start-up waits for Redis before giving up with a clear message. */
const CONNECT_BUDGET_MS = 10_000;

/** What was tried, for messages: addresses and names only, never credentials. */
export function describeTopology(topology: RedisTopology): string {
  const list = (nodes: Array<{ host: string; port: number }>) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (topology.kind === 'cluster') return `the Redis Cluster at REDIS_CLUSTER_NODES (${list(topology.nodes)})`;
  if (topology.kind === 'sentinel') return `the Redis primary "${topology.master}" through REDIS_SENTINELS (${list(topology.sentinels)})`;
  const url = new URL(topology.url);
  return `Redis at REDIS_URL (${url.protocol}//${url.host})`;
}

/** The client options shared by every topology (the connection to each node, in a Cluster). */
function nodeOptions(settings: RedisSettings): RedisOptions {
  return {
    lazyConnect: true,
    // Fail a command fast when Redis is down rather than queueing it for ever: the operation
    // then fails closed and the caller retries.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    commandTimeout: settings.commandTimeoutMs,
    // After a failover the old primary may still be reached, demoted to a replica: a write it
    // refuses (READONLY) was not applied, so reconnect (Sentinel then names the new primary) and resend.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    // Unset ones stay undefined: ioredis then takes a `REDIS_URL`'s credentials, else none.
    username: settings.username,
    password: settings.password,
    ...(settings.tls ? { tls: settings.caFile ? { ca: readFileSync(settings.caFile) } : {} } : {}),
  };
}

/** A client for the settings' topology, not yet connected. */
export function createRedisClient(settings: RedisSettings): RedisConnection {
  const options = nodeOptions(settings);
  const { topology } = settings;
  if (topology.kind === 'single') return new Redis(topology.url, options);
  if (topology.kind === 'cluster') {
    return new Cluster(topology.nodes, {
      lazyConnect: true,
      redisOptions: options,
      enableOfflineQueue: true,
      // While a slot's primary fails over, retry (the command is resent only where Redis
      // refused it or the connection dropped) for up to maxRedirections x these delays, then fail.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      slotsRefreshTimeout: 2_000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    });
  }
  return new Redis({
    ...options,
    sentinels: topology.sentinels,
    name: topology.master,
    role: 'master',
    sentinelUsername: topology.sentinelUsername,
    sentinelPassword: topology.sentinelPassword,
    ...(settings.tls ? { enableTLSForSentinelMode: true, sentinelTLS: options.tls } : {}),
    sentinelCommandTimeout: 1_000,
    // Sentinel's +switch-master moves us to the new primary at once, not at the next error.
    failoverDetector: true,
  });
}

/**
 * Connects and checks the store answers. Rejects with a message naming what was tried (never a
 * credential); ioredis's own "Unhandled error event" noise is silenced here, since every error
 * is either thrown from this function or reported by the store's health (src/store/health.ts).
 */
export async function connectRedis(target: RedisSettings | string): Promise<RedisConnection> {
  const settings: RedisSettings =
    typeof target === 'string'
      ? { topology: { kind: 'single', url: target }, tls: target.startsWith('rediss:'), commandTimeoutMs: 3_000, waitReplicas: 0, waitTimeoutMs: 500 }
      : target;
  const redis = createRedisClient(settings);
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  try {
    const budget = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(lastError ?? new Error(`no answer within ${CONNECT_BUDGET_MS} ms`)), CONNECT_BUDGET_MS);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), budget]);
  } catch (error) {
    redis.disconnect();
    // "Connection is closed." says nothing: the client's last error (a refused certificate, a wrong password) says why.
    const reason = (error as Error).message === 'Connection is closed.' && lastError ? lastError : (error as Error);
    throw new Error(`Cannot reach ${describeTopology(settings.topology)}: ${reason.message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

export async function closeRedis(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => undefined);
  // quit() leaves Sentinel's failover-detector connections open (ioredis 5): disconnect closes them.
  redis.disconnect();
}
