/**
 * The idempotency ledger in Redis, shared by every replica behind the router. Claims are
 * `SET NX PX`; replacements and deletions compare the whole record first in a Lua script,
 * so two replicas racing on one key cannot both win. Each command and script touches one key,
 * so it works on a Redis Cluster as on one node.
 *
 * With `waitReplicas`, the record that says a write is about to be sent (`pending` +
 * `writing`) must reach that many replicas (`WAIT`, pipelined to the key's node: `evalDurable`) before the
 * ledger sends it: Redis replicates asynchronously, and a primary that dies right after
 * acknowledging the record would otherwise let the promoted replica forget it, and a retry write
 * again. When fewer replicas confirm in time the call fails, and the ledger refuses the write.
 */
import { evalDurable, type Durability } from '../store/durable.js';
import type { RedisConnection } from '../store/redis.js';
import { decodeRecord, encodeRecord, type IdempotencyStore, type LedgerRecord } from './store.js';

const REPLACE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

const DELETE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = 'horizon-subgraph:idempotency:',
    /** Replicas the `writing` record must reach before the write is sent (0: none). */
    private readonly options: Durability = {},
  ) {}

  async claim(key: string, record: LedgerRecord, ttlMs: number): Promise<LedgerRecord | undefined> {
    const claimed = await this.redis.set(this.prefix + key, encodeRecord(record), 'PX', ttlMs, 'NX');
    if (claimed === 'OK') return undefined;
    const existing = await this.get(key);
    // Expired between the two commands: claim again.
    return existing ?? this.claim(key, record, ttlMs);
  }

  async get(key: string): Promise<LedgerRecord | undefined> {
    return decodeRecord(await this.redis.get(this.prefix + key));
  }

  async replace(key: string, expected: LedgerRecord, next: LedgerRecord, ttlMs: number): Promise<boolean> {
    // Only the record saying the write is being sent must be durable (see above).
    const durability = next.status === 'pending' && next.writing ? this.options : {};
    const replaced = await evalDurable(
      this.redis,
      durability,
      REPLACE_IF_EQUAL,
      [this.prefix + key],
      [encodeRecord(expected), encodeRecord(next), String(ttlMs)],
    );
    return replaced === 1;
  }

  async remove(key: string, expected: LedgerRecord): Promise<void> {
    await this.redis.eval(DELETE_IF_EQUAL, 1, this.prefix + key, encodeRecord(expected));
  }

  /** The connection is shared with the other stores: its owner closes it. */
  async close(): Promise<void> {}
}
