/**
 * Two subgraph replicas sharing one idempotency ledger in a real Redis, as behind a router:
 * a game backend's retries land on either replica, and the write still happens once. They share
 * attestation nonces the same way: a nonce issued on one is verified on the other, once.
 * Skipped (with the reason) when Redis is unreachable, except under REQUIRE_REDIS=1 (CI).
 */
import { request } from 'undici';
import { demoUserId, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { clientFor, demoIntegrity, mintAttestationToken, ROUTES, silentLogger } from '../helpers/harness.js';
import { describeWithRedis, redisLedgerStore, redisTestUrl } from '../helpers/redis.js';
import { closeRedis, connectRedis, type RedisConnection } from '../../src/store/redis.js';
import { RedisIntegrityStore } from '../../src/store/integrityRedis.js';
import type { HorizonClient } from '../../src/horizon/client.js';

let emulator: RunningEmulator;
const replicas: Array<{ subgraph: RunningSubgraph; horizon: HorizonClient; store: RedisIdempotencyStore; redis: RedisConnection }> = [];
describeWithRedis('two replicas sharing a Redis ledger', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    const prefix = `test-replicas-${process.pid}-${Date.now()}:`;
    for (let i = 0; i < 2; i++) {
      const store = await redisLedgerStore(prefix);
      const horizon = clientFor(emulator);
      const ledger = new IdempotencyLedger(store, { ttlMs: 60_000, pendingTtlMs: 10_000, waitMs: 5_000, pollMs: 5, settleDelayMs: 50 });
      // Each replica its own connection, as separate processes would have.
      const redis = await connectRedis(redisTestUrl());
      const integrity = demoIntegrity(emulator, new RedisIntegrityStore(redis, `${prefix}integrity:`));
      const subgraph = await startSubgraph(
        { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon, logger: silentLogger, ledger, integrity },
        { port: 0, host: '127.0.0.1' },
      );
      replicas.push({ subgraph, horizon, store, redis });
    }
  });
  afterAll(async () => {
    for (const r of replicas) {
      await r.subgraph.stop();
      await r.store.close();
      await closeRedis(r.redis);
      await r.horizon.close();
    }
    await emulator?.close();
  });

  async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
    const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await response.body.json()) as { data?: any; errors?: any[] };
  }

  const mutation = (count: number, key: string) =>
    `mutation { addAchievementCount(userId: "${demoUserId(10)}", apiName: "COLLECT_100_GEMS", count: ${count}, idempotencyKey: "${key}") { settledBy progress { count } } }`;

  test('the same key sent to both replicas at once, and again: applied exactly once', async () => {
    const key = `replicas-${Date.now()}`;
    const before = emulator.state.progressOf(demoUserId(10)).get('COLLECT_100_GEMS')?.count_progress ?? 0n;
    emulator.clearRequests();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(replicas[i % 2]!.subgraph.url, mutation(7, key))));
    for (const result of results) expect(result.errors).toBeUndefined();
    const settled = results.map((r) => r.data.addAchievementCount.settledBy).sort();
    expect(settled).toEqual(['REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLY']);
    expect(emulator.requests.filter((r) => r.route === ROUTES.writeProgress)).toHaveLength(1);
    expect(emulator.state.progressOf(demoUserId(10)).get('COLLECT_100_GEMS')!.count_progress).toBe(before + 7n);
  });

  test('a key reused with other arguments on the other replica is refused', async () => {
    const key = `reused-${Date.now()}`;
    expect((await post(replicas[0]!.subgraph.url, mutation(2, key))).errors).toBeUndefined();
    const reused = await post(replicas[1]!.subgraph.url, mutation(3, key));
    expect(reused.errors?.[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.data?.addAchievementCount ?? null).toBeNull();
  });

  const VERIFY = `mutation($u: ID!, $t: String!) { verifyAttestation(userId: $u, token: $t) { trusted reasons nonce { state } } }`;

  test('an attestation nonce issued on one replica is verified on the other, and only once', async () => {
    const player = demoUserId(7);
    const issued = await post(replicas[0]!.subgraph.url, `mutation { issueAttestationChallenge(userId: "${player}") { nonce } }`);
    expect(issued.errors).toBeUndefined();
    const token = await mintAttestationToken(emulator.url, 7, issued.data.issueAttestationChallenge.nonce);
    const first = await post(replicas[1]!.subgraph.url, VERIFY, { u: player, t: token });
    expect(first.data.verifyAttestation).toEqual({ trusted: true, reasons: [], nonce: { state: 'VALID' } });
    const again = await post(replicas[0]!.subgraph.url, VERIFY, { u: player, t: token });
    expect(again.data.verifyAttestation).toEqual({ trusted: false, reasons: ['NONCE_REUSED'], nonce: { state: 'REUSED' } });
  });

  test('the same token sent to both replicas at once: exactly one verification is trusted', async () => {
    const player = demoUserId(8);
    const issued = await post(replicas[1]!.subgraph.url, `mutation { issueAttestationChallenge(userId: "${player}") { nonce } }`);
    const token = await mintAttestationToken(emulator.url, 8, issued.data.issueAttestationChallenge.nonce);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(replicas[i % 2]!.subgraph.url, VERIFY, { u: player, t: token })));
    for (const result of results) expect(result.errors).toBeUndefined();
    const states = results.map((r) => r.data.verifyAttestation.nonce.state).sort();
    expect(states).toEqual(['REUSED', 'REUSED', 'REUSED', 'REUSED', 'REUSED', 'REUSED', 'REUSED', 'REUSED', 'REUSED', 'VALID']);
    expect(results.filter((r) => r.data.verifyAttestation.trusted)).toHaveLength(1);
  });
});
