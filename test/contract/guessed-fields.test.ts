/**
 * Fields the reference marks readable only by guess (a leaderboard's time window and titles, a
 * paid offer's term): asked for, but never depended on. Against an emulator that refuses them,
 * as a stricter graph.oculus.com might, the client falls back to the documented fields once,
 * remembers it, and answers with the guessed parts absent.
 */
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { clientFor } from '../helpers/harness.js';

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

test("the catalog: a subscription's term is read from its SKU when the offer's term cannot be asked", async () => {
  const products = await client.purchases.listAvailable();
  expect(emulator.requests.map((r) => r.status)).toEqual([400, 200]);
  const monthly = products.find((p) => p.sku.endsWith(':SUBSCRIPTION__MONTHLY'));
  expect(monthly?.billingPlans[0]?.paidOffer?.term).toBe('MONTHLY');
});

test('other refusals are not mistaken for a guessed field: they fail as they are', async () => {
  // A code-100 refusal of a read that asks guessed fields, for another reason (an unknown player).
  await expect(client.leaderboards.entries({ apiName: 'HIGH_SCORES', filter: 'USER_IDS', userIds: ['4242424242'] })).rejects.toMatchObject({
    code: 100,
    upstreamMessage: 'Parameter user_ids: invalid user id: 4242424242',
  });
  expect(emulator.requests).toHaveLength(1);
});
