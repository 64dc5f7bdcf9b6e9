/**
 * Whether the local Redis can be used by tests. `test/globalSetup.ts` probes it once and
 * sets REDIS_TEST_AVAILABLE; tests that need it use `describeWithRedis`, which jest reports as
 * skipped (with the reason printed at start-up) when Redis is unreachable. Under
 * `REQUIRE_REDIS=1` (set by `.ci/run`) an unreachable Redis fails the run instead.
 */
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { closeRedis, connectRedis } from '../../src/store/redis.js';

export function redisTestUrl(): string {
  return process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
}

export const describeWithRedis: jest.Describe = process.env.REDIS_TEST_AVAILABLE === '1' ? describe : describe.skip;

/** A Redis ledger store on its own connection, which its `close()` closes (the app shares one connection between stores). */
export async function redisLedgerStore(prefix: string): Promise<RedisIdempotencyStore> {
  const redis = await connectRedis(redisTestUrl());
  const store = new RedisIdempotencyStore(redis, prefix);
  store.close = () => closeRedis(redis);
  return store;
}
