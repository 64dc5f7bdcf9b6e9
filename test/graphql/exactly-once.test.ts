/**
 * Exactly once under fire: hundreds of randomized runs of every non-idempotent mutation
 * against an emulator injecting every kind of fault (before and after applying the write),
 * each retried by its caller with one idempotency key until it succeeds. Whatever happened
 * on the way, the emulator must have applied each key's write exactly once.
 */
import { FAULT_MODES } from '../../src/emulator/faults.js';
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

const RUNS = Number(process.env.EXACTLY_ONCE_RUNS ?? 500);
const MAX_CALLER_ATTEMPTS = 60;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    // Short deadlines and backoffs keep 500 runs quick; no breaker, so faults stay per-call.
    client: { callTimeoutMs: 80, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 500 }, breaker: false },
    ledger: new IdempotencyLedger(new MemoryIdempotencyStore(), { ttlMs: 60_000, pendingTtlMs: 30_000, waitMs: 5_000, pollMs: 5, settleDelayMs: 120 }),
  });
});
afterAll(async () => {
  await h.close();
});

/** A small deterministic PRNG, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

interface Write {
  mutation: string;
  expectApplied: (params: Record<string, string>) => boolean;
  check: (userId: string) => void;
}

const WRITE_ROUTES = [ROUTES.writeProgress, ROUTES.consumeEntitlement, ROUTES.submitEntry, ROUTES.extendSubscription];

function pickWrite(rand: () => number, userId: string, key: string): Write {
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    const count = 1 + Math.floor(rand() * 50);
    return {
      mutation: `mutation { addAchievementCount(userId: "${userId}", apiName: "COLLECT_100_GEMS", count: ${count}, idempotencyKey: "${key}") { justUnlocked settledBy progress { count } } }`,
      expectApplied: (p) => p.add_count === String(count),
      check: (id) => expect(h.emulator.state.progressOf(id).get('COLLECT_100_GEMS')?.count_progress).toBe(BigInt(count)),
    };
  }
  if (kind === 1) {
    let bits = '';
    while (!bits.includes('1')) bits = Array.from({ length: 7 }, () => (rand() < 0.4 ? '1' : '0')).join('');
    return {
      mutation: `mutation { addAchievementBits(userId: "${userId}", apiName: "VISIT_3_CONTINENTS", bits: "${bits}", idempotencyKey: "${key}") { justUnlocked settledBy progress { bitfield } } }`,
      expectApplied: (p) => p.add_bits === bits,
      check: (id) => expect(h.emulator.state.progressOf(id).get('VISIT_3_CONTINENTS')?.bitfield_progress).toBe(bits),
    };
  }
  if (kind === 2) {
    // The player owns one pouch of gems, granted straight into the emulator's world.
    h.emulator.state.purchases
      .entitlementsOf(userId)
      .set('gems_100', { id: `9${userId}`, sku: 'gems_100', item_id: h.emulator.state.purchases.items.get('gems_100')!.id, grant_time: 1_760_000_000 });
    return {
      mutation: `mutation { consumePurchase(userId: "${userId}", sku: "gems_100", idempotencyKey: "${key}") { consumed status settledBy } }`,
      expectApplied: (p) => p.sku === 'gems_100' && p.user_id === userId,
      check: (id) => expect(h.emulator.state.purchases.entitlementsOf(id).has('gems_100')).toBe(false),
    };
  }
  if (kind === 3) {
    // An active monthly subscription, granted straight into the emulator's world; extending adds days.
    const now = Math.floor(Date.now() / 1000);
    const item = h.emulator.state.purchases.items.get('vip_pass:SUBSCRIPTION__MONTHLY')!;
    h.emulator.state.subscriptions.all.push({
      id: h.emulator.state.newId(),
      purchase_id: h.emulator.state.newId(),
      owner_id: userId,
      sku: 'vip_pass',
      item_id: item.id,
      period_start: now - 86_400,
      period_end: now + 29 * 86_400,
      next_renewal: now + 29 * 86_400,
      is_trial: false,
      current_price_term: { price: '4.99', term: 'MONTHLY', currency: 'USD' },
      extended_days: 0,
      ended: false,
    });
    const days = 1 + Math.floor(rand() * 30);
    // Half the runs name the player by alias: resolved by a read first, keyed by the alias, settled by the player's id.
    const alias = h.emulator.state.users.get(userId)!.alias;
    const who = days % 2 === 0 ? `ownerAlias: "${alias}"` : `userId: "${userId}"`;
    return {
      mutation: `mutation { extendSubscription(${who}, sku: "vip_pass", days: ${days}, idempotencyKey: "${key}") { extended settledBy } }`,
      expectApplied: (p) => p.number_of_days === String(days) && (days % 2 === 0 ? p.owner_alias === alias : p.owner_id === userId),
      check: (id) => expect(h.emulator.state.subscriptions.all.find((x) => x.owner_id === id)?.extended_days).toBe(days),
    };
  }
  // A forced score: replaces the entry whatever it was, so it is not idempotent by nature.
  const score = 1_000 + Math.floor(rand() * 1_000_000);
  return {
    mutation: `mutation { submitLeaderboardScore(userId: "${userId}", leaderboard: "HIGH_SCORES", score: "${score}", forceUpdate: true, idempotencyKey: "${key}") { didUpdate settledBy entry { score } } }`,
    expectApplied: (p) => p.score === String(score) && p.user_id === userId,
    check: (id) => {
      const board = h.emulator.state.leaderboards.boards.get('HIGH_SCORES')!;
      expect(h.emulator.state.leaderboards.entriesOf(board.id).get(id)?.score.toString()).toBe(String(score));
    },
  };
}

test(`${RUNS} randomized fault runs: every idempotency key's write is applied exactly once`, async () => {
  const settledBy = new Map<string, number>();
  const faultsSeen = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    const rand = random(run + 1);
    // A fresh player per run, so each write is checked on its own.
    const userId = String(4_000_000_000_000_000n + BigInt(run));
    h.emulator.state.addUser({
      id: userId,
      alias: `Run${run}`,
      display_name: `Run ${run}`,
      profile_url: '',
      org_scoped_id: `8${run}`,
      token: `FRLRUN${run}TOKENFORTESTSONLY0000000`,
    });
    const key = `run-${run}-${Math.floor(rand() * 1e9)}`;
    const write = pickWrite(rand, userId, key);
    const modes = FAULT_MODES.filter(() => rand() < 0.6);
    Object.assign(h.emulator.faults, {
      modes: modes.length ? modes : ['reset_after'],
      errorRate: 0.15 + rand() * 0.45,
      stallMs: 100,
      retryAfterSeconds: 0,
      seed: run + 1,
      routes: [],
    });
    h.resetUpstream();

    let result: Awaited<ReturnType<Harness['execute']>> | undefined;
    let payload: Record<string, any> | null | undefined;
    for (let attempt = 0; attempt < MAX_CALLER_ATTEMPTS && !payload; attempt++) {
      result = await h.execute(write.mutation);
      payload = result.data && Object.values(result.data)[0];
    }
    Object.assign(h.emulator.faults, { errorRate: 0 });
    // Let stalled requests still running upstream land before counting.
    for (let i = 0; i < 100 && h.emulator.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));

    if (!payload) throw new Error(`run ${run}: no success after ${MAX_CALLER_ATTEMPTS} caller attempts; last errors ${JSON.stringify(result?.errors)}`);
    const applied = h
      .upstream()
      .filter(
        (r) =>
          WRITE_ROUTES.includes(r.route as never) &&
          r.applied &&
          (r.path === `/${userId}/achievements` || r.params.user_id === userId || r.params.owner_id === userId || r.params.owner_alias === `Run${run}`),
      );
    for (const entry of h.upstream()) if (entry.fault) faultsSeen.add(entry.fault);
    if (applied.length !== 1 || !write.expectApplied(applied[0]!.params)) {
      throw new Error(
        `run ${run} (key ${key}): applied ${applied.length} times; faults ${JSON.stringify(h.upstream().map((r) => [r.route, r.fault ?? 'ok', r.applied]))}`,
      );
    }
    write.check(userId);
    settledBy.set(payload.settledBy, (settledBy.get(payload.settledBy) ?? 0) + 1);

    // And one more retry after success: replayed, nothing written.
    h.resetUpstream();
    const replay = await h.execute(write.mutation);
    expect(Object.values(replay.data!)[0]).toMatchObject({ settledBy: 'REPLAYED' });
    expect(h.upstream().filter((r) => WRITE_ROUTES.includes(r.route as never))).toHaveLength(0);
  }
  // The runs really went through lost replies and read-backs, not only clean calls.
  expect(settledBy.get('READ_BACK') ?? 0).toBeGreaterThan(0);
  expect(settledBy.get('VERIFY_ENTITLEMENT') ?? 0).toBeGreaterThan(0);
  expect([...faultsSeen].sort()).toEqual([...FAULT_MODES].sort());
}, 600_000);
