/**
 * Webhook events in Redis, shared by every replica. Recording is one Lua script, so two replicas
 * given the same event record it once: the event's id is claimed with HSETNX-like HEXISTS+HSET
 * inside the script, a sequence number given by INCR, and the event added to the log and to its
 * indexes (sorted sets scored by that number). Events older than the retention are deleted by
 * the writes that follow them; index keys expire a retention after their last write, and an
 * index entry whose event is gone is skipped on read.
 *
 * Every key carries the store's hash tag (`{prefix}`), so the script's keys share one cluster
 * slot and only commands an ioredis Cluster routes by key are used.
 */
import { evalDurable, type Durability } from '../store/durable.js';
import type { RedisConnection } from '../store/redis.js';
import type { WebhookEvent } from './events.js';
import type { EventRange, WebhookEventStore } from './store.js';

// KEYS: 1 events hash, 2 log zset (by seq), 3 received zset (by ms), 4 seq counter, 5.. index zsets.
// ARGV: 1 id, 2 event JSON, 3 received ms, 4 cutoff ms, 5 retention ms, 6 how many old events one write may delete.
const RECORD = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], ARGV[1], seq .. '|' .. ARGV[2])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
for i = 5, #KEYS do
  redis.call('ZADD', KEYS[i], seq, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[5])
end
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(old) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
return seq`;

export class RedisWebhookEventStore implements WebhookEventStore {
  private readonly tag: string;

  constructor(
    private readonly redis: RedisConnection,
    prefix = 'horizon-subgraph:webhooks',
    private readonly retentionMs = 90 * 24 * 3600 * 1000,
    private readonly now: () => number = Date.now,
    /** With `waitReplicas`, an event (new or a duplicate) is reported recorded, and so acknowledged, only once a replica has it. */
    private readonly durability: Durability = {},
  ) {
    this.tag = `{${prefix}}`;
  }

  private key(name: string): string {
    return `${this.tag}:${name}`;
  }

  async record(event: WebhookEvent, indexes: readonly string[]): Promise<number | undefined> {
    const { seq: _seq, ...stored } = event;
    const keys = [this.key('events'), this.key('log'), this.key('received'), this.key('seq'), ...indexes.map((i) => this.key(`index:${i}`))];
    const now = this.now();
    const seq = (await evalDurable(this.redis, this.durability, RECORD, keys, [
      event.id,
      JSON.stringify(stored),
      String(event.receivedAt),
      String(now - this.retentionMs),
      String(this.retentionMs),
      '100',
    ])) as number;
    return seq === 0 ? undefined : seq;
  }

  async range(index: string | undefined, afterSeq: number, limit: number): Promise<EventRange> {
    const source = index === undefined ? this.key('log') : this.key(`index:${index}`);
    const scored = await this.redis.zrangebyscore(source, `(${afterSeq}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
    if (scored.length === 0) return { events: [], scannedTo: undefined };
    const ids = scored.filter((_, i) => i % 2 === 0);
    const texts = await this.redis.hmget(this.key('events'), ...ids);
    const events: WebhookEvent[] = [];
    for (const text of texts) {
      // Deleted by retention: its index entry lingers until the index key expires.
      if (!text) continue;
      const bar = text.indexOf('|');
      events.push({ ...(JSON.parse(text.slice(bar + 1)) as WebhookEvent), seq: Number(text.slice(0, bar)) });
    }
    return { events, scannedTo: Number(scored.at(-1)) };
  }

  /** The connection is shared with the other stores: its owner closes it. */
  async close(): Promise<void> {}
}
