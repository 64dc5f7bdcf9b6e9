/**
 * Fields docs/horizon-api.md lists as guesses (a leaderboard's time window and titles, a
 * user's avatar):
 * asked for, but never depended on. Against an emulator that refuses them, as a stricter
 * graph.oculus.com might, the client falls back to the documented fields once, remembers it,
 * and answers with the guessed parts absent. Documented fields (a paid offer's term, since
 * ps-iap-s2s lists it) are served even then, and asked for directly.
 */
import { request } from 'undici';
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { EmulatorBehavior } from '../../src/emulator/state.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { closeWorld, openWorld } from '../helpers/contract.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld({ emulator: { port: 0, behavior: { refuseGuessedFields: true } } })));
afterAll(() => closeWorld({ emulator, client }));
beforeEach(() => emulator.clearRequests());

test('leaderboards: one refused call, then the documented fields, and every board still read', async () => {
  const boards = await client.leaderboards.list();
  expect(boards.length).toBeGreaterThan(0);
  const board = boards.find((b) => b.apiName === 'HIGH_SCORES')!;
  expect(board).toMatchObject({ sortOrder: 'HIGHER_IS_BETTER', titles: [], earliestAllowedEntryTime: null, latestAllowedEntryTime: null });
  expect(board.entryCount).toBeGreaterThan(0);
  expect(emulator.requests.map((r) => r.status)).toEqual([400, 200]);
  expect(emulator.requests[1]!.params.fields).not.toMatch(/title_locale_map|allowed_entry_time/);
  // Remembered: later reads, through any view of the same transport, ask the documented fields at once.
  emulator.clearRequests();
  await client.scoped({ requestId: 'r', upstreamCalls: 0, upstreamErrors: 0 }).leaderboards.list({ apiName: 'HIGH_SCORES' });
  expect(emulator.requests.map((r) => r.status)).toEqual([200]);
});

test("the catalog asks only documented fields: one call, the paid offer's subscription_term, name and description served", async () => {
  const products = await client.purchases.listAvailable();
  expect(emulator.requests.map((r) => r.status)).toEqual([200]);
  expect(emulator.requests[0]!.params.fields).toContain('formatted},subscription_term}');
  const monthly = products.find((p) => p.sku.endsWith(':SUBSCRIPTION__MONTHLY'));
  expect(monthly?.billingPlans[0]?.paidOffer).toMatchObject({ name: 'VIP Pass (monthly plan)', description: expect.any(String), term: 'MONTHLY' });
});

test('users: the avatar is refused once, then the documented fields; /me (the same node type) asks them at once', async () => {
  const user = await client.users.get(demoUserId(2));
  expect(user).toMatchObject({ id: demoUserId(2), alias: 'QuietStorm', orgScopedId: expect.stringMatching(/^\d+$/), avatarUrl: null });
  expect(emulator.requests.map((r) => r.status)).toEqual([400, 200]);
  expect(emulator.requests[1]!.params.fields).not.toContain('avatar_v2');
  emulator.clearRequests();
  expect(await client.users.me(demoUserToken(3))).toMatchObject({ id: demoUserId(3), displayName: 'Luna Byte', avatarUrl: null });
  expect(emulator.requests.map((r) => r.status)).toEqual([200]);
});

test('the strict emulator refuses the avatar on /me too', async () => {
  const fresh = clientFor(emulator);
  try {
    expect((await fresh.users.me(demoUserToken(3))).avatarUrl).toBeNull();
    expect(emulator.requests.map((r) => [r.route, r.status])).toEqual([
      [ROUTES.me, 400],
      [ROUTES.me, 200],
    ]);
  } finally {
    await fresh.close();
  }
});

test('other refusals are not mistaken for a guessed field: they fail as they are', async () => {
  // A code-100 refusal of a read that asks guessed fields, for another reason (an unknown player).
  await expect(client.leaderboards.entries({ apiName: 'HIGH_SCORES', filter: 'USER_IDS', userIds: ['4242424242'] })).rejects.toMatchObject({
    code: 100,
    upstreamMessage: 'Parameter user_ids: invalid user id: 4242424242',
  });
  expect(emulator.requests).toHaveLength(1);
});

/**
 * The leaderboard entry guesses (docs/horizon-api.md), each refused on its own by naming it in the
 * emulator's `refuseGuessedFields`: the entry → `leaderboard{}` edge that `getEntry` uses, and
 * `org_scoped_id` inside an entry's user. Fresh emulator and client per test: refusals are
 * remembered per transport.
 */
describe('leaderboard entries', () => {
  let world: { emulator: RunningEmulator; client: HorizonClient };
  async function start(refused: boolean | string[], behavior: Partial<EmulatorBehavior> = {}) {
    const emulator = await startEmulator({ port: 0, behavior: { refuseGuessedFields: refused, ...behavior } });
    world = { emulator, client: clientFor(emulator, { retry: false }) };
    return world;
  }
  afterEach(async () => {
    await world.client.close();
    await world.emulator.close();
  });
  const calls = () => world.emulator.requests.map((r) => [r.route, r.status]);
  const orgScopedIdOf = (userIndex: number) => world.emulator.state.users.get(demoUserId(userIndex))!.org_scoped_id;

  test('by default every guess is asked, and getEntry costs one call', async () => {
    const { client, emulator } = await start(false);
    const [top] = (await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', limit: 1 })).entries;
    expect(emulator.requests[0]!.params.fields).toBe('id,rank,score,timestamp,extra_data_base64,user{id,alias,display_name,profile_url,org_scoped_id}');
    expect(top!.user).toEqual({
      id: demoUserId(0),
      alias: expect.any(String),
      displayName: expect.any(String),
      profileUrl: expect.any(String),
      orgScopedId: orgScopedIdOf(0),
    });
    emulator.clearRequests();
    expect(await client.leaderboards.getEntry(top!.id)).toEqual(top);
    expect(emulator.requests.map((r) => r.params.fields)).toEqual([
      'id,rank,score,timestamp,extra_data_base64,user{id,alias,display_name,profile_url,org_scoped_id},leaderboard{id,api_name}',
    ]);
  });

  test('org_scoped_id refused inside entries: one refused call, then the documented user fields, remembered; the user says what it lacks', async () => {
    const { client, emulator } = await start(['LeaderboardEntry.user.org_scoped_id']);
    const page = await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', limit: 2 });
    expect(calls()).toEqual([
      [ROUTES.leaderboardEntries, 400],
      [ROUTES.leaderboardEntries, 200],
    ]);
    expect(emulator.requests[1]!.params.fields).toBe('id,rank,score,timestamp,extra_data_base64,user{id,alias,display_name,profile_url}');
    expect(page.entries[0]!.user).toEqual({
      id: demoUserId(0),
      alias: expect.any(String),
      displayName: expect.any(String),
      profileUrl: expect.any(String),
      orgScopedId: null,
      missingFields: ['orgScopedId'],
    });
    // Documented on the profile itself.
    expect((await client.users.get(demoUserId(0))).orgScopedId).toBe(orgScopedIdOf(0));
    emulator.clearRequests();
    await client.leaderboards.entriesOfUsers('SPEEDRUN_LEVEL_1', [demoUserId(3)]);
    const entry = await client.leaderboards.getEntry(page.entries[1]!.id);
    expect(entry).toEqual(page.entries[1]);
    expect(calls()).toEqual([
      [ROUTES.leaderboardEntries, 200],
      [ROUTES.node, 200],
    ]);
    expect(emulator.requests[1]!.params.fields).toContain('user{id,alias,display_name,profile_url},leaderboard{id,api_name}');
  });

  test('the entry → leaderboard edge refused: getEntry finds the board with documented reads only, and remembers', async () => {
    const { client, emulator } = await start(['LeaderboardEntry.leaderboard']);
    const [third] = (await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', startAt: 'OFFSET', offset: 2, limit: 1 })).entries;
    expect(third!.user.orgScopedId).toBe(orgScopedIdOf(6));
    emulator.clearRequests();
    expect(await client.leaderboards.getEntry(third!.id)).toEqual(third);
    expect(calls().slice(0, 3)).toEqual([
      [ROUTES.node, 400],
      [ROUTES.node, 200],
      [ROUTES.leaderboards, 200],
    ]);
    expect(emulator.requests[1]!.params.fields).toBe('id,rank,score,timestamp,extra_data_base64,user{id,alias,display_name,profile_url,org_scoped_id}');
    // Then the player's entry on the boards: documented filter=USER_IDS reads, no guessed field.
    const boardReads = emulator.requests.slice(3);
    expect(boardReads.length).toBeGreaterThanOrEqual(1);
    expect(boardReads.length).toBeLessThanOrEqual(3);
    for (const read of boardReads) {
      expect(read).toMatchObject({ route: ROUTES.leaderboardEntries, status: 200, params: { filter: 'USER_IDS', user_ids: JSON.stringify([demoUserId(6)]) } });
    }
    expect(boardReads.map((r) => r.params.api_name)).toContain('SPEEDRUN_LEVEL_1');

    // Remembered: the edge is not asked again; a board list the caller has (a shared cache) saves the list call.
    emulator.clearRequests();
    const boards = await client.leaderboards.list();
    emulator.clearRequests();
    expect(await client.leaderboards.getEntry(third!.id, undefined, { boards: async () => boards })).toEqual(third);
    expect(calls()[0]).toEqual([ROUTES.node, 200]);
    expect(emulator.requests[0]!.params.fields).not.toContain('leaderboard');
    expect(emulator.requests.filter((r) => r.route === ROUTES.leaderboards)).toHaveLength(0);
  });

  test('the edge refused: an entry on none of the boards (deleted meanwhile, a stale list) is null; unknown ids still fail as Graph says', async () => {
    const { client } = await start(['LeaderboardEntry.leaderboard']);
    const [top] = (await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', limit: 1 })).entries;
    const highScores = (await client.leaderboards.get('HIGH_SCORES'))!;
    const gone = { ...highScores, apiName: 'DELETED_BOARD' };
    expect(await client.leaderboards.getEntry(top!.id, undefined, { boards: async () => [highScores, gone] })).toBeNull();
    await expect(client.leaderboards.getEntry('4242424242')).rejects.toMatchObject({ code: 100, subcode: 33 });
  });

  test('every guess refused at once: getEntry and entries still answer from documented fields', async () => {
    const { client, emulator } = await start(true);
    const [top] = (await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 1 })).entries;
    expect(top!.user).toMatchObject({ id: demoUserId(7), orgScopedId: null, missingFields: ['orgScopedId'] });
    emulator.clearRequests();
    const entry = await client.leaderboards.getEntry(top!.id);
    expect(entry).toEqual(top);
    // org_scoped_id was dropped by the entries read already; the edge is dropped now, as Graph's message names it.
    expect(calls().slice(0, 2)).toEqual([
      [ROUTES.node, 400],
      [ROUTES.node, 200],
    ]);
    expect(emulator.requests[1]!.params.fields).toBe('id,rank,score,timestamp,extra_data_base64,user{id,alias,display_name,profile_url}');
  });

  test('user_ids: a JSON array of strings first; refused, a JSON array of integers, then a plain list; the form that worked is remembered', async () => {
    const { client, emulator } = await start(false, { acceptedUserIdsFormats: ['csv'] });
    const ids = [demoUserId(3), demoUserId(4)];
    const found = await client.leaderboards.entriesOfUsers('SPEEDRUN_LEVEL_1', ids);
    expect(found.map((e) => e.user.id)).toEqual(ids);
    expect(emulator.requests.map((r) => [r.params.user_ids, r.status])).toEqual([
      [JSON.stringify(ids), 400],
      [`[${ids.join(',')}]`, 400],
      [ids.join(','), 200],
    ]);
    emulator.clearRequests();
    await client.leaderboards.entriesOfUsers('HIGH_SCORES', ids);
    expect(emulator.requests.map((r) => [r.params.user_ids, r.status])).toEqual([[ids.join(','), 200]]);
    // An unknown player is not mistaken for a refused form.
    emulator.clearRequests();
    await expect(client.leaderboards.entriesOfUsers('HIGH_SCORES', ['4242424242'])).rejects.toMatchObject({ code: 100 });
    expect(emulator.requests).toHaveLength(1);
  });

  test('user_ids: integers only; and by default the emulator takes all three forms', async () => {
    const { client, emulator } = await start(false, { acceptedUserIdsFormats: ['json-numbers'] });
    expect((await client.leaderboards.entriesOfUsers('SPEEDRUN_LEVEL_1', [demoUserId(3)])).map((e) => e.rank)).toEqual([2]);
    expect(emulator.requests.map((r) => r.status)).toEqual([400, 200]);
    emulator.state.behavior.acceptedUserIdsFormats = ['json-strings', 'json-numbers', 'csv'];
    for (const written of [JSON.stringify([demoUserId(3)]), `[${demoUserId(3)}]`, demoUserId(3)]) {
      const response = await request(
        `${emulator.url}/leaderboard_entries?${new URLSearchParams({ api_name: 'SPEEDRUN_LEVEL_1', filter: 'USER_IDS', user_ids: written, fields: 'rank' })}`,
        {
          headers: { authorization: `Bearer OC|${emulator.appId}|${emulator.appSecret}` },
        },
      );
      expect([written, response.statusCode, ((await response.body.json()) as { data: unknown }).data]).toEqual([written, 200, [{ rank: 2 }]]);
    }
  });
});
