/**
 * Exact upstream call counts across requests: public data (achievement definitions) comes
 * from the shared cache once warm; per-player data is fetched for every request; this
 * subgraph's own admin writes invalidate what they change at once.
 */
import { demoUserId } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  for (let i = 12; i < 50; i++) {
    h.emulator.state.addUser({
      id: demoUserId(i),
      alias: `Extra${i}`,
      display_name: `Extra ${i}`,
      profile_url: '',
      org_scoped_id: `9${i}`,
      token: `FRLEXTRA${i}TOKENFORTESTSONLY0000`,
    });
  }
  h.resetUpstream();
});
afterEach(async () => {
  await h.close();
});

const count = (route: string) => h.upstream(route).length;

/** The benchmark's S1: a router's `_entities` fetch of 50 users with profile and 3 achievements. */
const S1 = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
  id displayName
  achievements(apiNames: ["FIRST_STEPS", "COLLECT_100_GEMS", "VISIT_3_CONTINENTS"]) { unlocked count definition { title } }
} } }`;
const reps = Array.from({ length: 50 }, (_, i) => ({ __typename: 'User', id: demoUserId(i) }));

test('S1 cold: exactly 101 upstream calls (50 profiles, 50 progress, 1 definitions); warm: exactly 100', async () => {
  const cold = await h.execute(S1, { reps });
  expect(cold.errors).toBeUndefined();
  expect(cold.data!._entities[0]).toMatchObject({
    displayName: 'Nova Rider',
    achievements: [{ unlocked: true, definition: { title: 'First Steps' } }, expect.anything(), expect.anything()],
  });
  expect([count(ROUTES.node), count(ROUTES.progress), count(ROUTES.definitions)]).toEqual([50, 50, 1]);
  expect(h.emulator.requests).toHaveLength(101);

  h.resetUpstream();
  const warm = await h.execute(S1, { reps });
  expect(warm.data).toEqual(cold.data);
  expect([count(ROUTES.node), count(ROUTES.progress), count(ROUTES.definitions)]).toEqual([50, 50, 0]);
  expect(h.emulator.requests).toHaveLength(100);
});

test('per-player progress is never served from another request', async () => {
  const query = `{ user(id: "${demoUserId(11)}") { achievement(apiName: "COLLECT_100_GEMS") { count } } }`;
  expect((await h.execute(query)).data!.user.achievement.count).toBe('0');
  await h.execute(`mutation { addAchievementCount(userId: "${demoUserId(11)}", apiName: "COLLECT_100_GEMS", count: 4) { justUnlocked } }`);
  h.resetUpstream();
  expect((await h.execute(query)).data!.user.achievement.count).toBe('4');
  expect(count(ROUTES.progress)).toBe(1);
  expect(count(ROUTES.definitions)).toBe(0);
});

test('an admin upsert invalidates the cached definition and the cached lists at once', async () => {
  const read = `{ achievementDefinition(apiName: "FIRST_STEPS") { title } achievementDefinitions { apiName title } }`;
  await h.execute(read);
  await h.execute(
    `mutation { upsertAchievementDefinition(input: { apiName: "FIRST_STEPS", type: SIMPLE, writePolicy: SERVER_AUTHORITATIVE, title: "Baby Steps" }) { title } }`,
  );
  const after = await h.execute(read);
  expect(after.data!.achievementDefinition.title).toBe('Baby Steps');
  expect(after.data!.achievementDefinitions).toContainEqual({ apiName: 'FIRST_STEPS', title: 'Baby Steps' });
});

test('a change made elsewhere (dashboard, another replica) shows once the TTL has passed', async () => {
  const short = await startHarness({ cache: { maxEntries: 100, ttlMs: 50, staleMs: 0 } });
  try {
    const read = `{ achievementDefinition(apiName: "FIRST_STEPS") { title } }`;
    await short.execute(read);
    short.emulator.state.achievementDefinitions.get('FIRST_STEPS')!.title = 'Renamed in the dashboard';
    expect((await short.execute(read)).data!.achievementDefinition.title).toBe('First Steps');
    await new Promise((r) => setTimeout(r, 60));
    expect((await short.execute(read)).data!.achievementDefinition.title).toBe('Renamed in the dashboard');
  } finally {
    await short.close();
  }
});

describe('@cacheControl hints', () => {
  async function cacheHeader(query: string, variables?: Record<string, unknown>): Promise<string | undefined> {
    const { createContext } = await import('../../src/graphql/context.js');
    const { silentLogger } = await import('../helpers/harness.js');
    const response = await h.server.executeOperation(
      { query, variables },
      { contextValue: createContext({ horizon: h.horizon, logger: silentLogger, caches: h.caches, requestId: 'cache' }) },
    );
    return response.http.headers.get('cache-control');
  }

  test('public definitions are cacheable by the router and CDNs', async () => {
    expect(await cacheHeader(`{ achievementDefinitions { apiName title } }`)).toBe('max-age=60, public');
    expect(
      await cacheHeader(`query($r: [_Any!]!) { _entities(representations: $r) { ... on AchievementDefinition { title } } }`, {
        r: [{ __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' }],
      }),
    ).toBe('max-age=60, public');
  });

  test('per-player data carries no hint: a response containing it is marked no-store', async () => {
    expect(await cacheHeader(`{ user(id: "${demoUserId(0)}") { displayName } }`)).toBe('no-store');
    expect(await cacheHeader(`{ achievementDefinitions { title } user(id: "${demoUserId(0)}") { achievements { unlocked } } }`)).toBe('no-store');
  });
});

describe('leaderboard metadata and the catalog', () => {
  test('are shared across requests once warm', async () => {
    const query = `{ leaderboard(apiName: "HIGH_SCORES") { sortOrder title } products { sku price { formatted } } }`;
    const cold = await h.execute(query);
    expect(cold.errors).toBeUndefined();
    expect([count(ROUTES.leaderboards), count(ROUTES.availablePurchases)]).toEqual([1, 1]);
    h.resetUpstream();
    expect((await h.execute(query)).data).toEqual(cold.data);
    expect(h.emulator.requests).toHaveLength(0);
  });

  test('our own leaderboard admin write invalidates the cached metadata at once', async () => {
    const read = `{ leaderboard(apiName: "HIGH_SCORES") { title(locale: "en_US") } leaderboards { apiName } }`;
    await h.execute(read);
    const upsert = await h.execute(
      `mutation { upsertLeaderboard(input: { apiName: "HIGH_SCORES", titles: [{ locale: "en_US", title: "Hall of Fame" }] }) { leaderboard { apiName } } }`,
    );
    expect(upsert.errors).toBeUndefined();
    await h.execute(
      `mutation { upsertLeaderboard(input: { apiName: "NEW_BOARD", sortOrder: HIGHER_IS_BETTER, writePolicy: SERVER_AUTHORITATIVE }) { leaderboard { apiName } } }`,
    );
    const after = await h.execute(read);
    expect(after.data!.leaderboard.title).toBe('Hall of Fame');
    expect(after.data!.leaderboards.map((b: { apiName: string }) => b.apiName)).toContain('NEW_BOARD');
  });

  test('public metadata is cacheable by the router; a page of entries is not', async () => {
    const { createContext } = await import('../../src/graphql/context.js');
    const { silentLogger } = await import('../helpers/harness.js');
    const header = async (query: string) =>
      (
        await h.server.executeOperation(
          { query },
          { contextValue: createContext({ horizon: h.horizon, logger: silentLogger, caches: h.caches, requestId: 'c' }) },
        )
      ).http.headers.get('cache-control');
    expect(
      await header(
        `{ leaderboards { apiName titles { locale title } } products { sku price { formatted } billingPlans { trialOffers { price { formatted } } } } }`,
      ),
    ).toBe('max-age=60, public');
    expect(await header(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { nodes { score } } } }`)).toBe('no-store');
  });
});

test('S2 warm: the top 25 entries with every player name and 2 achievements cost exactly 26 upstream calls', async () => {
  const S2 = `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 25) { nodes { rank score user { displayName
    achievements(apiNames: ["FIRST_STEPS", "COLLECT_100_GEMS"]) { unlocked count definition { title } } } } } } }`;
  const cold = await h.execute(S2);
  expect(cold.errors).toBeUndefined();
  expect(cold.data!.leaderboard.entries.nodes).toHaveLength(25);
  h.resetUpstream();
  const warm = await h.execute(S2);
  expect(warm.data).toEqual(cold.data);
  expect([count(ROUTES.leaderboardEntries), count(ROUTES.progress), count(ROUTES.node), count(ROUTES.definitions), count(ROUTES.leaderboards)]).toEqual([
    1, 25, 0, 0, 0,
  ]);
  expect(h.emulator.requests).toHaveLength(26);
});
