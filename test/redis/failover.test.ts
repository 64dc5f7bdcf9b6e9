/**
 * Failover with keyed writes in flight: two subgraph replicas (real HTTP servers, the emulator
 * as Horizon) share the ledger in a Redis Cluster, then in a Sentinel set, with
 * REDIS_WAIT_REPLICAS=1. In each round a batch of randomized trials (one idempotency key each,
 * sent to a random replica at a random moment, some twice at once) runs while the primary is
 * killed (SIGKILL) and a replica promoted; every caller retries with the same key until it has
 * an answer. Then: no key was applied twice, and every key was applied exactly once.
 * The numbers are printed (`[failover ...]`).
 */
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { RedisStoreHealth, type SharedStoreReport } from '../../src/store/health.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { clientFor, silentLogger } from '../helpers/harness.js';
import { sleep, waitFor } from '../helpers/redisServers.js';
import { describeEachTopology } from '../helpers/redisTopologies.js';

const ROUNDS = Number(process.env.FAILOVER_ROUNDS ?? 3);
const TRIALS_PER_ROUND = Number(process.env.FAILOVER_TRIALS_PER_ROUND ?? 110);
const WAIT = { waitReplicas: 1, waitTimeoutMs: 500 };
const API_NAME = 'COLLECT_100_GEMS';

/** A small seeded generator, so a failing run can be replayed (the seed is printed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Answer {
  settledBy?: string;
  code?: string;
}

interface TrialResult {
  attempts: Answer[];
  done: boolean;
}

describeEachTopology(
  'failover with keyed writes in flight',
  (topology) => {
    let emulator: RunningEmulator;
    const replicas: Array<{ subgraph: RunningSubgraph; horizon: HorizonClient }> = [];
    /** What replica 0's /ready reports about the store (unbounded by the 1 s reuse, to see every change). */
    let health: RedisStoreHealth;
    let prefix: string;
    beforeAll(async () => {
      emulator = await startEmulator();
      // In a Cluster the hash tag puts every trial's key in one slot, whose primary is the one killed: all trials face the failover.
      prefix = `failover:{${process.pid}-${Date.now()}}:`;
      for (let i = 0; i < 2; i++) {
        // Each replica has its own connection, as two processes would.
        const redis = await topology().connect(WAIT);
        if (i === 0) health = new RedisStoreHealth(redis, topology().kind, { maxAgeMs: 0 });
        const ledger = new IdempotencyLedger(new RedisIdempotencyStore(redis, prefix, WAIT), {
          ttlMs: 600_000,
          pendingTtlMs: 3_000,
          waitMs: 2_000,
          pollMs: 20,
          settleDelayMs: 50,
        });
        const horizon = clientFor(emulator);
        const subgraph = await startSubgraph(
          {
            config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, cache: { ttlMs: 0, staleMs: 0, maxEntries: 0, warmup: false } },
            horizon,
            logger: silentLogger,
            ledger,
          },
          { port: 0, host: '127.0.0.1' },
        );
        replicas.push({ subgraph, horizon });
      }
    }, 30_000);
    afterAll(async () => {
      for (const r of replicas.splice(0)) {
        await r.subgraph.stop();
        await r.horizon.close();
      }
      await emulator?.close();
    });

    async function send(replica: number, userId: string, key: string): Promise<Answer> {
      const query = `mutation { addAchievementCount(userId: "${userId}", apiName: "${API_NAME}", count: 1, idempotencyKey: "${key}") { settledBy } }`;
      try {
        const response = await request(replicas[replica]!.subgraph.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
          headersTimeout: 30_000,
        });
        const body = (await response.body.json()) as {
          data?: { addAchievementCount: { settledBy: string } | null };
          errors?: Array<{ extensions?: { code?: string } }>;
        };
        const settledBy = body.data?.addAchievementCount?.settledBy;
        return settledBy ? { settledBy } : { code: body.errors?.[0]?.extensions?.code ?? `HTTP_${response.statusCode}` };
      } catch (error) {
        return { code: `NETWORK_${(error as Error).name}` };
      }
    }

    /** One key: sent (once, or twice at once to both replicas) after a random delay, then retried with the same key until answered. */
    async function trial(userId: string, key: string, rng: () => number, deadline: number): Promise<TrialResult> {
      await sleep(rng() * 3_000);
      const first = rng() < 0.5 ? 0 : 1;
      const copies = rng() < 0.3 ? [first, 1 - first] : [first];
      const attempts = await Promise.all(copies.map((replica) => send(replica, userId, key)));
      while (!attempts.some((a) => a.settledBy) && Date.now() < deadline) {
        await sleep(100 + rng() * 300);
        attempts.push(await send(rng() < 0.5 ? 0 : 1, userId, key));
      }
      return { attempts, done: attempts.some((a) => a.settledBy) };
    }

    test(`${ROUNDS} primary kills, ${TRIALS_PER_ROUND} randomized trials each: every key applied exactly once`, async () => {
      const seed = Number(process.env.FAILOVER_SEED ?? Date.now() % 1_000_000);
      const rng = random(seed);
      const tally = {
        trials: 0,
        doubles: 0,
        notApplied: 0,
        unanswered: 0,
        attempts: 0,
        maxAttempts: 0,
        firstAttempt: {} as Record<string, number>,
        settledBy: {} as Record<string, number>,
        failoverMs: [] as number[],
        rejoinedMs: [] as number[],
        healthSeen: [] as string[],
      };
      for (let round = 0; round < ROUNDS; round++) {
        const users = Array.from({ length: TRIALS_PER_ROUND }, (_, i) => {
          const id = emulator.state.newId();
          emulator.state.addUser({
            id,
            alias: `Trial${round}x${i}`,
            display_name: `Trial ${round}/${i}`,
            profile_url: 'https://example.invalid/a.png',
            org_scoped_id: id,
            token: `token-${id}`,
          });
          return id;
        });
        const deadline = Date.now() + 60_000;
        const trials = users.map((userId, i) => trial(userId, `trial-${seed}-${round}-${i}`, random(seed * 1_000 + round * 1_000_000 + i), deadline));
        await sleep(200 + rng() * 800);
        // The store's state, polled through the failover: it must be seen down or short of a
        // replica (the promoted primary has none until the old one rejoins; a busy machine can
        // let the few seconds without a primary pass between two polls), then up again.
        const replicas = topology().kind === 'cluster' ? 3 : 1;
        const seen = new Set<string>();
        let watching = true;
        const watcher = (async () => {
          while (watching) {
            const report = await health.check();
            seen.add(report.state === 'up' && (report.nodes?.replicas ?? replicas) < replicas ? 'up-without-a-replica' : report.state);
            await sleep(100);
          }
        })();
        const killedAt = Date.now();
        const killed = await topology().killPrimary(prefix);
        await killed.promoted();
        tally.failoverMs.push(Date.now() - killedAt);
        // The old primary comes back as a replica while the callers retry: until then the new
        // primary has no replica, and with REDIS_WAIT_REPLICAS=1 keyed writes fail closed.
        const [results] = await Promise.all([Promise.all(trials), killed.rejoin()]);
        tally.rejoinedMs.push(Date.now() - killedAt);
        watching = false;
        await watcher;
        tally.healthSeen.push([...seen].sort().join('+'));
        expect(seen.has('down') || seen.has('up-without-a-replica')).toBe(true);
        // Up again, with the old primary counted as a replica (a Cluster client refreshes its slot map within seconds).
        let lastReport: SharedStoreReport | undefined;
        const replicasBack = (r: SharedStoreReport) => {
          lastReport = r;
          return r.state === 'up' && r.nodes?.replicas === replicas && r;
        };
        const after = await waitFor('the store reported up with every replica back', async () => replicasBack(await health.check()), 15_000).catch(
          (error: Error) => Promise.reject(new Error(`${error.message}; the last report: ${JSON.stringify(lastReport)}`)),
        );
        if (topology().kind === 'sentinel') expect(after.primary).toBe(`127.0.0.1:${(await topology().primary()).port}`);
        for (const [i, result] of results.entries()) {
          const applied = Number(emulator.state.progressOf(users[i]!).get(API_NAME)?.count_progress ?? 0n);
          tally.trials++;
          if (applied > 1) tally.doubles++;
          if (applied === 0) tally.notApplied++;
          if (!result.done) tally.unanswered++;
          tally.attempts += result.attempts.length;
          tally.maxAttempts = Math.max(tally.maxAttempts, result.attempts.length);
          const first = result.attempts[0]!;
          tally.firstAttempt[first.settledBy ?? first.code!] = (tally.firstAttempt[first.settledBy ?? first.code!] ?? 0) + 1;
          for (const a of result.attempts) if (a.settledBy) tally.settledBy[a.settledBy] = (tally.settledBy[a.settledBy] ?? 0) + 1;
        }
      }
      process.stdout.write(`\n[failover ${topology().kind}] seed ${seed}: ${JSON.stringify(tally)}\n`);
      expect(tally.trials).toBe(ROUNDS * TRIALS_PER_ROUND);
      expect(tally.doubles).toBe(0);
      expect(tally.unanswered).toBe(0);
      expect(tally.notApplied).toBe(0);
    }, 300_000);
  },
  ['cluster', 'sentinel'],
);
