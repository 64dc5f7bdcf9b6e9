/**
 * The one Redis connection a replica opens when `REDIS_URL` is set. Every store that replicas
 * share (the idempotency ledger, attestation nonces, webhook events) takes this connection
 * rather than opening its own, so the topology, TLS and health live in one place.
 */
import Redis from 'ioredis';

export type RedisConnection = Redis;

export async function connectRedis(url: string): Promise<RedisConnection> {
  // Fail a command fast when Redis is down rather than queueing it for ever: the
  // operation then fails cleanly and the caller retries.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2_000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

export async function closeRedis(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
