/**
 * The attestation store's contract, for the in-memory store and the Redis one alike: a nonce is
 * issued once, consumed once (its record returned, then `alreadyUsed`), unknown after it is
 * forgotten; ban notes by device id and by ban id. The Redis store runs on any connection
 * (`new RedisIntegrityStore(redis, prefix)`), here the local Redis when reachable.
 */
import { MemoryIntegrityStore } from '../../src/store/integrity.js';
import { contract, note, record } from '../helpers/integritySuite.js';
import { RedisIntegrityStore } from '../../src/store/integrityRedis.js';
import { closeRedis, connectRedis, type RedisConnection } from '../../src/store/redis.js';
import { describeWithRedis, redisTestUrl } from '../helpers/redis.js';

contract('MemoryIntegrityStore', () => new MemoryIntegrityStore());

test('the memory store forgets a nonce after its retention, and its oldest entries when full', async () => {
  let now = 1_000_000;
  const store = new MemoryIntegrityStore(2, () => now);
  await store.issueNonce('a', record('1', now), 1_000);
  now += 1_000;
  expect(await store.consumeNonce('a')).toBeUndefined();
  await store.issueNonce('b', record('1', now), 1_000);
  await store.issueNonce('c', record('1', now), 1_000);
  await store.issueNonce('d', record('1', now), 1_000);
  // Forgotten reads as unknown: it fails closed.
  expect(await store.consumeNonce('b')).toBeUndefined();
  expect((await store.consumeNonce('d'))?.alreadyUsed).toBe(false);
});

let redis: RedisConnection;
describeWithRedis('in Redis', () => {
  beforeAll(async () => {
    redis = await connectRedis(redisTestUrl());
  });
  afterAll(() => closeRedis(redis));
  contract('RedisIntegrityStore', () => new RedisIntegrityStore(redis, `test-integrity-${process.pid}-${Date.now()}:`));

  test('every key has one hash tag, and a used nonce keeps its expiry', async () => {
    const prefix = `test-integrity-keys-${process.pid}-${Date.now()}:`;
    const store = new RedisIntegrityStore(redis, prefix);
    await store.issueNonce('abc', record(), 30_000);
    await store.consumeNonce('abc');
    const ttl = await redis.pttl(`${prefix}nonce:{abc}`);
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await store.putBanNote(note('dev1', 'ban1'));
    expect((await redis.keys(`${prefix}*`)).sort()).toEqual([`${prefix}ban-id:{ban1}`, `${prefix}ban:{dev1}`, `${prefix}nonce:{abc}`]);
    await redis.del(`${prefix}ban-id:{ban1}`, `${prefix}ban:{dev1}`, `${prefix}nonce:{abc}`);
  });
});
