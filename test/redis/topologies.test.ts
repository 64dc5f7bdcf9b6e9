/**
 * The replica-shared stores on every Redis topology the subgraph supports, on real servers
 * started here (test/helpers/redisTopologies.ts): one node, a Cluster of 3 primaries + 3
 * replicas, and Sentinel (1 primary, 1 replica, 3 sentinels). The ledger's whole contract runs
 * on each; the store's health reports each topology; `REDIS_WAIT_REPLICAS` refuses a keyed
 * write whose record did not reach a replica, and what WAIT costs is printed.
 *
 * The attestation nonces' and webhook events' suites run on each the same way: a store suite,
 * one line per topology set.
 */
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { RedisStoreHealth } from '../../src/store/health.js';
import type { RedisConnection } from '../../src/store/redis.js';
import { RedisIntegrityStore } from '../../src/store/integrityRedis.js';
import { RedisWebhookEventStore } from '../../src/webhooks/redisStore.js';
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { indexesOf } from '../../src/webhooks/store.js';
import { contract as integrityStoreSuite, record } from '../helpers/integritySuite.js';
import { ledgerStoreSuite, upstream } from '../helpers/ledgerSuite.js';
import { webhookStoreSuite } from '../helpers/webhookSuite.js';
import { describeEachTopology } from '../helpers/redisTopologies.js';

jest.setTimeout(30_000);
const unique = () => `test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describeEachTopology('the idempotency ledger', (topology) => {
  let redis: RedisConnection;
  beforeAll(async () => {
    redis = await topology().connect();
  });
  ledgerStoreSuite(async () => new RedisIdempotencyStore(redis, `${unique()}:`));
});

describeEachTopology('attestation nonces', (topology) => {
  let redis: RedisConnection;
  beforeAll(async () => {
    redis = await topology().connect();
  });
  integrityStoreSuite('RedisIntegrityStore', () => new RedisIntegrityStore(redis, `${unique()}:`));
});

describeEachTopology('webhook events', (topology) => {
  const connections: RedisConnection[] = [];
  beforeAll(async () => {
    connections.push(await topology().connect(), await topology().connect());
  });
  webhookStoreSuite(({ prefix, connection, retentionMs, now }) => new RedisWebhookEventStore(connections[connection]!, prefix, retentionMs, now));
});

describeEachTopology('the shared store health', (topology) => {
  test('reports the topology up, with the nodes it knows', async () => {
    const redis = await topology().connect();
    const report = await new RedisStoreHealth(redis, topology().kind).check();
    const nodes = { single: { primaries: 1, replicas: 0 }, cluster: { primaries: 3, replicas: 3 }, sentinel: { primaries: 1, replicas: 1 } }[topology().kind];
    expect(report).toMatchObject({ kind: 'redis', topology: topology().kind, state: 'up', nodes });
    if (topology().kind !== 'cluster') expect(report.primary).toBe(`127.0.0.1:${(await topology().primary()).port}`);
  });
});

// Generous: on a busy 2-core machine a replica's acknowledgement can take a few hundred ms.
const WAIT = { waitReplicas: 1, waitTimeoutMs: 1_000 };
const ledgerOptions = { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 1_000, pollMs: 5, settleDelayMs: 0 };

describeEachTopology(
  'REDIS_WAIT_REPLICAS',
  (topology) => {
    test('a keyed write is sent only once its record reached a replica; else refused, not run, and the key is free for the retry', async () => {
      const redis = await topology().connect(WAIT);
      const prefix = `${unique()}:`;
      const ledger = new IdempotencyLedger(new RedisIdempotencyStore(redis, prefix, WAIT), ledgerOptions);
      const { state, run } = upstream();
      const write = (key: string) => ledger.execute({ scope: 'addCount', key, args: { n: 1 }, run });
      expect(await write('replicated')).toMatchObject({ settledBy: 'REPLY' });

      const key = 'unreplicated';
      const replica = await topology().replica(prefix + key);
      replica.pause();
      try {
        await expect(write(key)).rejects.toMatchObject({
          code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE',
          cause: { message: expect.stringContaining('0 of 1 replicas within 1000 ms') },
        });
      } finally {
        replica.resume();
      }
      expect(state.calls).toBe(1);
      // Nothing was sent, and the key was freed: the retry writes at once.
      expect(await write(key)).toMatchObject({ settledBy: 'REPLY' });
      expect(await write(key)).toMatchObject({ settledBy: 'REPLAYED' });
      expect(state.applied).toBe(2);
    });

    test('a nonce consumed, or a webhook event recorded, counts only once a replica has it', async () => {
      const redis = await topology().connect(WAIT);
      const prefix = `${unique()}:`;
      const nonces = new RedisIntegrityStore(redis, prefix, undefined, WAIT);
      const events = new RedisWebhookEventStore(redis, prefix, undefined, undefined, WAIT);
      const e: WebhookEvent = { id: 'evt-1', type: 'PURCHASED', field: 'order_status', occurredAt: 0, receivedAt: Date.now(), raw: '{}', userId: '42' };
      await nonces.issueNonce('n1', record('42'), 60_000);
      // The nonce's and the events' keys are in different slots: pause the replica of each in turn.
      const nonceReplica = await topology().replica(`${prefix}nonce:{n1}`);
      nonceReplica.pause();
      try {
        await expect(nonces.consumeNonce('n1')).rejects.toThrow(/0 of 1 replicas/);
      } finally {
        nonceReplica.resume();
      }
      // Marked used on the primary all the same: never accepted twice.
      expect(await nonces.consumeNonce('n1')).toMatchObject({ alreadyUsed: true });
      const eventReplica = await topology().replica(`{${prefix}}:events`);
      eventReplica.pause();
      try {
        await expect(events.record(e, indexesOf(e))).rejects.toThrow(/0 of 1 replicas/);
      } finally {
        eventReplica.resume();
      }
      // Not acknowledged, so Horizon delivers it again: the retry finds it recorded, now durable.
      expect(await events.record(e, indexesOf(e))).toBeUndefined();
      expect((await events.range(undefined, 0, 10)).events.map((x) => x.id)).toEqual(['evt-1']);
    });

    test('what WAIT costs a keyed write (printed; not asserted)', async () => {
      // Both settings side by side, alternating, after a warm-up: the difference is WAIT's.
      const ledgers = await Promise.all(
        [0, 1].map(async (waitReplicas) => {
          const settings = { waitReplicas, waitTimeoutMs: 500 };
          const store = new RedisIdempotencyStore(await topology().connect(settings), `${unique()}:`, settings);
          return { waitReplicas, ledger: new IdempotencyLedger(store, ledgerOptions), times: [] as number[] };
        }),
      );
      const { run } = upstream();
      for (let i = 0; i < 900; i++) {
        const side = ledgers[i % 2]!;
        const started = performance.now();
        await side.ledger.execute({ scope: 'addCount', key: `k${i}`, args: { n: 1 }, run });
        if (i >= 100) side.times.push(performance.now() - started);
      }
      const rows = ledgers.map(({ waitReplicas, times }) => {
        times.sort((a, b) => a - b);
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
        return `REDIS_WAIT_REPLICAS=${waitReplicas}: keyed write through the ledger p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms (${times.length} writes)`;
      });
      process.stdout.write(`\n${rows.map((row) => `[wait-cost ${topology().kind}] ${row}`).join('\n')}\n`);
      expect(rows).toHaveLength(2);
    });
  },
  ['cluster', 'sentinel'],
);

describeEachTopology('every Redis node gone', (topology) => {
  test('keyed writes fail closed within seconds (never hang), nothing is sent, and the health says down', async () => {
    const redis = await topology().connect();
    const ledger = new IdempotencyLedger(new RedisIdempotencyStore(redis, `${unique()}:`), ledgerOptions);
    const { state, run } = upstream();
    await ledger.execute({ scope: 'addCount', key: 'before', args: { n: 1 }, run });
    await Promise.all(topology().nodes.map((node) => node.kill()));
    // A hang would outlast the test's timeout: the command timeout (or the client's own failure) ends it.
    await expect(ledger.execute({ scope: 'addCount', key: 'after', args: { n: 1 }, run })).rejects.toMatchObject({ code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE' });
    expect(state.calls).toBe(1);
    expect(await new RedisStoreHealth(redis, topology().kind, { maxAgeMs: 0 }).check()).toMatchObject({ state: 'down', reason: expect.any(String) });
  });
});
