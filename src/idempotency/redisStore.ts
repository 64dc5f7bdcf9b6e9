/**
 * The idempotency ledger in Redis, shared by every replica behind the router. Claims are
 * `SET NX PX`; replacements and deletions compare the whole record first in a Lua script,
 * so two replicas racing on one key cannot both win.
 */
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
    const replaced = await this.redis.eval(REPLACE_IF_EQUAL, 1, this.prefix + key, encodeRecord(expected), encodeRecord(next), String(ttlMs));
    return replaced === 1;
  }

  async remove(key: string, expected: LedgerRecord): Promise<void> {
    await this.redis.eval(DELETE_IF_EQUAL, 1, this.prefix + key, encodeRecord(expected));
  }

  /** The connection is shared with the other stores: its owner closes it. */
  async close(): Promise<void> {}
}
