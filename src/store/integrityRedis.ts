/**
 * The attestation store in Redis, shared by every replica. Every command touches one key (so
 * it runs unchanged on a Redis Cluster); a nonce is consumed by one Lua script that reads it and
 * marks it used, so of two replicas verifying the same nonce at once exactly one sees it unused.
 */
import { evalDurable, type Durability } from './durable.js';
import type { RedisConnection } from './redis.js';
import {
  banNoteTtlMs,
  consumedNonce,
  decodeBanNote,
  encodeNonce,
  type BanNote,
  type ConsumedNonce,
  type IntegrityStore,
  type NonceRecord,
} from './integrity.js';

/** Returns the value as it was and marks it used (`!` in front), keeping its expiry (Redis 6.0+). */
const CONSUME = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
if string.sub(value, 1, 1) ~= '!' then redis.call('SET', KEYS[1], '!' .. value, 'KEEPTTL') end
return value`;

export class RedisIntegrityStore implements IntegrityStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = 'horizon-subgraph:integrity:',
    private readonly now: () => number = Date.now,
    /** With `waitReplicas`, a consumption counts only once a replica has it: a failover cannot make a used nonce unused again. */
    private readonly durability: Durability = {},
  ) {}

  async issueNonce(nonce: string, record: NonceRecord, retainMs: number): Promise<boolean> {
    return (await this.redis.set(this.key('nonce', nonce), encodeNonce(record), 'PX', retainMs, 'NX')) === 'OK';
  }

  async consumeNonce(nonce: string): Promise<ConsumedNonce | undefined> {
    const text = (await evalDurable(this.redis, this.durability, CONSUME, [this.key('nonce', nonce)], [])) as string | null;
    return text ? consumedNonce(text) : undefined;
  }

  async putBanNote(note: BanNote): Promise<void> {
    const ttl = banNoteTtlMs(note, this.now());
    const text = JSON.stringify(note);
    // Two keys in different slots, set one by one: each is complete alone, and both expire with the ban.
    await this.redis.set(this.key('ban', note.deviceId), text, 'PX', ttl);
    await this.redis.set(this.key('ban-id', note.banId), text, 'PX', ttl);
  }

  async banNote(by: { deviceId: string } | { banId: string }): Promise<BanNote | undefined> {
    return decodeBanNote(await this.redis.get('banId' in by ? this.key('ban-id', by.banId) : this.key('ban', by.deviceId)));
  }

  async removeBanNote(note: BanNote): Promise<void> {
    await this.redis.del(this.key('ban', note.deviceId));
    await this.redis.del(this.key('ban-id', note.banId));
  }

  /** `{...}` is a hash tag: should a script ever need two keys of one item, they share a Cluster slot. */
  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:{${id}}`;
  }
}
