/**
 * Fields the reference marks readable only by guess (a leaderboard's time window and titles, a
 * user's avatar):
 * asked for, but never depended on. Against an emulator that refuses them, as a stricter
 * graph.oculus.com might, the client falls back to the documented fields once, remembers it,
 * and answers with the guessed parts absent. Documented fields (a paid offer's term, since
 * ps-iap-s2s lists it) are served even then, and asked for directly.
 */
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { clientFor, ROUTES } from '../helpers/harness.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, behavior: { refuseGuessedFields: true } });
  client = clientFor(emulator);
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
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
  await expect(client.leaderboards.entries({ apiName: 'NO_SUCH_BOARD' })).rejects.toMatchObject({ code: 100 });
  expect(emulator.requests).toHaveLength(1);
});
