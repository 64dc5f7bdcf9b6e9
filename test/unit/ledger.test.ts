/**
 * The idempotency ledger's contract (test/helpers/ledgerSuite.ts), against the in-memory store
 * and (when reachable) the local Redis; test/redis/topologies.test.ts runs it on Redis Cluster
 * and Sentinel.
 */
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';
import { ledgerStoreSuite } from '../helpers/ledgerSuite.js';
import { describeWithRedis, redisLedgerStore } from '../helpers/redis.js';

describe('ledger on the memory store', () => ledgerStoreSuite(async () => new MemoryIdempotencyStore()));

describeWithRedis('ledger on the redis store', () => ledgerStoreSuite(() => redisLedgerStore(`test-ledger-${process.pid}-${Date.now()}-${Math.random()}:`)));

describe('the in-memory store when full', () => {
  test('refuses a new key rather than forget one still within its TTL; expired ones make room', async () => {
    let now = 1_000;
    const store = new MemoryIdempotencyStore(2, () => now);
    const record = (n: number) => ({ status: 'done' as const, fingerprint: `f${n}`, at: now, result: n });
    await store.claim('a', record(1), 1_000);
    await store.claim('b', record(2), 1_000);
    await expect(store.claim('c', record(3), 1_000)).rejects.toMatchObject({ code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE' });
    expect(await store.get('a')).toMatchObject({ result: 1 });
    // Known keys can still be updated and read.
    expect(await store.replace('a', record(1), record(4), 1_000)).toBe(true);
    now += 1_500;
    expect(await store.claim('c', record(3), 1_000)).toBeUndefined();
    expect(await store.get('c')).toMatchObject({ result: 3 });
  });
});
