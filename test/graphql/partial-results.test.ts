/**
 * One failed field is one error on its own path: the player, their other fields and the
 * sibling root fields still resolve. Upstream-backed fields are nullable for this reason.
 */
import { demoUserId } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ client: { retry: false, breaker: false } });
});
afterEach(async () => {
  await h.close();
});

const PLAYER = demoUserId(0);

test.each([
  ['achievements', ROUTES.progress, `achievements { unlocked }`],
  ['purchases', ROUTES.viewerPurchases, `purchases(first: 5) { nodes { sku } }`],
  ['entitlement', ROUTES.verifyEntitlement, `entitlement(sku: "dlc_frozen_peaks") { owned }`],
  ['ownsApp', ROUTES.verifyEntitlement, `ownsApp`],
  ['subscriptions', ROUTES.subscriptions, `subscriptions { sku }`],
])('Horizon failing for User.%s fails that field only', async (field, route, selection) => {
  Object.assign(h.emulator.faults, { modes: ['error_500'], errorRate: 1, routes: [route] });
  const result = await h.execute(`{ user(id: "${PLAYER}") { displayName ${selection} } leaderboard(apiName: "HIGH_SCORES") { sortOrder } }`);
  expect(result.data!.user.displayName).toBe('Nova Rider');
  expect(result.data!.user[field]).toBeNull();
  expect(result.data!.leaderboard).toEqual({ sortOrder: 'HIGHER_IS_BETTER' });
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]).toMatchObject({ path: ['user', field], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
});

test.each([
  ['products', ROUTES.availablePurchases, `products { sku }`],
  ['leaderboards', ROUTES.leaderboards, `leaderboards { apiName }`],
  ['achievementDefinitions', ROUTES.definitions, `achievementDefinitions { apiName }`],
])('Horizon failing for Query.%s leaves the other root fields', async (field, route, selection) => {
  Object.assign(h.emulator.faults, { modes: ['error_500'], errorRate: 1, routes: [route] });
  const result = await h.execute(`{ ${selection} user(id: "${PLAYER}") { displayName } }`);
  expect(result.data).toEqual({ [field]: null, user: { displayName: 'Nova Rider' } });
  expect(result.errors![0]).toMatchObject({ path: [field], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
});

test('a failed consume is an error on that mutation only; the next mutation still runs', async () => {
  Object.assign(h.emulator.faults, { modes: ['error_500'], errorRate: 1, routes: [ROUTES.consumeEntitlement] });
  const result = await h.execute(`mutation {
    consumePurchase(userId: "${PLAYER}", sku: "gems_100") { consumed }
    unlockAchievement(userId: "${PLAYER}", apiName: "SECRET_ROOM") { justUnlocked }
  }`);
  expect(result.data).toEqual({ consumePurchase: null, unlockAchievement: { justUnlocked: true } });
  expect(result.errors![0].path).toEqual(['consumePurchase']);
});
