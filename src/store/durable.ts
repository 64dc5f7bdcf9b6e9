/**
 * Writes that must survive a failover: Redis replicates asynchronously, so a write a primary
 * acknowledged can be lost if it dies before a replica has it. A store whose write must not be
 * lost (the ledger's "being sent" record, a consumed nonce, an acknowledged webhook event) runs it
 * through `evalDurable`. Types only from ioredis: no client is loaded by importing this.
 */
import type { RedisConnection } from './redis.js';

/** How many replicas a store's critical write must reach (Redis `WAIT`) before it counts; 0 or unset: none. */
export interface Durability {
  waitReplicas?: number;
  waitTimeoutMs?: number;
}

/**
 * Runs a Lua script and, with `waitReplicas`, `WAIT`s for that many replicas in the same
 * pipeline, so it reaches the key's own node in a Cluster. Rejects when fewer confirm in time:
 * the write is on the primary but could be lost at a failover, so its caller must not act on it.
 */
export async function evalDurable(redis: RedisConnection, durability: Durability, script: string, keys: string[], args: string[]): Promise<unknown> {
  const replicas = durability.waitReplicas ?? 0;
  if (replicas === 0) return redis.eval(script, keys.length, ...keys, ...args);
  const timeoutMs = durability.waitTimeoutMs ?? 500;
  const [evaluated, waited] = (await redis
    .pipeline()
    .eval(script, keys.length, ...keys, ...args)
    .wait(replicas, timeoutMs)
    .exec()) ?? [undefined, undefined];
  if (!evaluated || evaluated[0]) throw evaluated?.[0] ?? new Error('the script gave no reply');
  if (!waited || waited[0]) throw waited?.[0] ?? new Error('WAIT gave no reply');
  if ((waited[1] as number) < replicas)
    throw new Error(`the write reached ${String(waited[1])} of ${replicas} replicas within ${timeoutMs} ms (REDIS_WAIT_REPLICAS)`);
  return evaluated[1];
}
